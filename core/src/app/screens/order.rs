//! A work order: what it is and where it came from, its class, its regulated clocks counting
//! down, the appointment, the steps done with their times and who reported them, what can be
//! done now (accept, on the way, check in, close with its form, refer, hand back, raise to
//! major, change the appointment) and the charges of its forms.
//!
//! Which actions are allowed is decided once, from plain data ([`allowed`]), for the buttons
//! drawn and for the events taken alike: a tap on a button that is not enabled is refused with
//! the same words the button shows.

use serde::{Deserialize, Serialize};

use super::actions::ActionInput;
use super::form::FormInput;
use super::parts::{Badge, BadgeKind, Countdown, Field, countdown};
use super::{Action, Answer, Cx, NoticeKind, Outcome, Purpose};
use crate::app::effect::Effect;
use crate::app::event::EffectFailure;
use crate::app::format;
use crate::app::route::Route;
use crate::error::{Error, Result};
use crate::forms::form::Form;
use crate::geo::GeoPoint;
use crate::household::Category;
use crate::ids::{TechnicianId, WorkOrderId};
use crate::text::{Text, said};
use crate::visit::{CheckInPolicy, DevicePosition};
use crate::workorder::deadline::{Milestone, deadlines};
use crate::workorder::{
    AgreedBy, FaultClass, FollowUp, WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus,
};

/// What the WorkOrder screen shows. When the order is not on this phone (a link to an order
/// handed to someone else, or not synced yet), only `title` and `missing` are filled.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkOrderScreen {
    /// "管网故障 WO-1" / "pipeline fault WO-1".
    pub title: String,
    /// Why there is no order to show, in words; `None` when there is one.
    pub missing: Option<String>,
    pub badges: Vec<Badge>,
    /// Number, kind, source, status, class, reported, where, description.
    pub facts: Vec<Field>,
    /// The regulated clocks, in the order the regulation lists them.
    pub countdowns: Vec<Countdown>,
    /// The appointment in force and who agreed to it.
    pub appointment: Option<Field>,
    /// Oldest first.
    pub steps: Vec<StepLine>,
    /// The buttons, each with the event it sends.
    pub actions: Vec<OrderButton>,
    /// The lines charged on the order's forms.
    pub charges: Vec<ChargeView>,
    /// "合计 ¥120.00" / "total ¥120.00", when anything is charged.
    pub charges_total: Option<String>,
}

/// One step of the order.
#[derive(Debug, Clone, PartialEq)]
pub struct StepLine {
    pub status: String,
    pub when: String,
    /// Who reported it: "服务中心", "本机", a technician's name.
    pub by: String,
    pub accessibility: String,
}

/// A button of the order and the event it sends.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderButton {
    pub action: Action,
    pub event: OrderEvent,
}

/// One charged line.
#[derive(Debug, Clone, PartialEq)]
pub struct ChargeView {
    pub item: String,
    /// "× 2".
    pub quantity: String,
    pub unit_price: String,
    pub total: String,
    pub accessibility: String,
}

/// What the user does on the WorkOrder screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OrderEvent {
    /// Pull to refresh: drawn again from the store.
    Refresh,
    Accept,
    OnTheWay,
    /// Asks the phone's position (`Locate`), then checks in at the household and records the
    /// crew on site.
    CheckIn,
    /// Starts (or continues) the order's closing form and opens it; once a form of the order
    /// is sealed and the order still open, resolves it.
    Close,
    /// Out of the utility's scope: the user is referred to another repair channel.
    Refer,
    HandBack,
    RaiseToMajor,
    ChangeAppointment,
    OpenHousehold,
}

/// What an effect asked from the WorkOrder screen is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OrderPurpose {
    /// The position of a check-in.
    CheckIn,
}

/// The accuracy asked of a check-in's position, and how long the phone may take.
const CHECK_IN_ACCURACY_M: u32 = 50;
const CHECK_IN_TIMEOUT_S: u32 = 30;

pub fn render(cx: &Cx<'_>, id: WorkOrderId) -> Result<WorkOrderScreen> {
    let order = match cx.read().work_order(id) {
        Ok(order) => order,
        Err(Error::NotFound { .. }) => return Ok(missing(cx)),
        Err(e) => return Err(e),
    };
    let me = cx.read().sync_state()?.technician_id;
    let forms = order_forms(cx, &order)?;
    let household = match order.household_id {
        Some(h) => Some(cx.read().household(h)?),
        None => None,
    };
    let kind = order.kind.label();
    let mut facts = vec![
        Field::new(cx, &said("工单号", "number"), &order.number),
        Field::new(cx, &said("类型", "kind"), cx.t(&kind)),
        Field::new(cx, &said("来源", "source"), cx.t(&source(order.source))),
        Field::new(cx, &said("状态", "status"), cx.t(&order.status().label())),
    ];
    if let Some(class) = order.fault_class() {
        facts.push(Field::new(
            cx,
            &said("故障等级", "fault class"),
            class_text(cx, &order, class),
        ));
    }
    facts.push(Field::new(
        cx,
        &said("报修时间", "reported"),
        format::moment(order.reported_at, cx.now, cx.lang),
    ));
    let place = match (&household, order.location) {
        (Some(h), _) => format!("{}（{}）", h.address.one_line(), h.name),
        (None, Some(p)) => format!("{:.5}, {:.5}", p.lat(), p.lon()),
        (None, None) => String::new(),
    };
    facts.push(Field::new(cx, &said("地点", "where"), place));
    if !order.description.trim().is_empty() {
        facts.push(Field::new(
            cx,
            &said("情况", "description"),
            &order.description,
        ));
    }
    let mut badges = Vec::new();
    if order.fault_class() == Some(FaultClass::Major) {
        badges.push(badge(cx, BadgeKind::Major, said("重大故障", "major fault")));
    }
    if order.current_appointment().is_some() {
        badges.push(badge(
            cx,
            BadgeKind::Appointment,
            said("已预约", "appointment"),
        ));
    }
    if order.kind == WorkOrderKind::ComplaintFollowUp
        || matches!(order.follows, Some(FollowUp::Complaint(_)))
    {
        badges.push(badge(cx, BadgeKind::Complaint, said("投诉", "complaint")));
    }
    if household.as_ref().is_some_and(|h| h.is_special_group()) {
        badges.push(badge(
            cx,
            BadgeKind::SpecialGroup,
            said("优先上门服务", "priority service"),
        ));
    }
    let (charges, charges_total) = charges(cx, &forms)?;
    Ok(WorkOrderScreen {
        title: cx.say(
            &format!("{} {}", kind.zh, order.number),
            &format!("{} {}", kind.en, order.number),
        ),
        missing: None,
        badges,
        facts,
        countdowns: countdowns(cx, &order),
        appointment: appointment(cx, &order),
        steps: steps(cx, &order, me),
        actions: allowed(&order, is_mine(cx, &order, me), &forms)
            .into_iter()
            .map(|(event, label, why)| OrderButton {
                action: match why {
                    None => Action::new(cx, &label, true),
                    Some(why) => Action::disabled(cx, &label, &why),
                },
                event,
            })
            .collect(),
        charges,
        charges_total,
    })
}

pub fn handle(cx: &mut Cx<'_>, id: WorkOrderId, event: OrderEvent) -> Result<Outcome> {
    if event == OrderEvent::Refresh {
        return Ok(Outcome::stay());
    }
    let order = cx.read().work_order(id)?;
    let me = cx.read().sync_state()?.technician_id;
    let forms = order_forms(cx, &order)?;
    match allowed(&order, is_mine(cx, &order, me), &forms)
        .into_iter()
        .find(|(e, _, _)| *e == event)
    {
        Some((_, _, None)) => {}
        Some((_, _, Some(why))) => {
            return Err(crate::InvalidInput::new("work_order.action", why).into());
        }
        None => {
            return Err(crate::InvalidInput::new(
                "work_order.action",
                said("这张工单没有这个操作", "this order has no such action"),
            )
            .into());
        }
    }
    let now = cx.now;
    let moved = |cx: &mut Cx<'_>, status: WorkOrderStatus, done: Text| -> Result<Outcome> {
        cx.write(|s| s.move_work_order(id, status, now, None))?;
        Ok(Outcome::stay().done(done))
    };
    match event {
        OrderEvent::Refresh => Ok(Outcome::stay()),
        OrderEvent::Accept => moved(cx, WorkOrderStatus::Accepted, said("已接单", "accepted")),
        OrderEvent::OnTheWay => moved(cx, WorkOrderStatus::EnRoute, said("已出发", "on the way")),
        OrderEvent::Refer => moved(
            cx,
            WorkOrderStatus::ReferredElsewhere,
            said("已转其他渠道", "referred elsewhere"),
        ),
        OrderEvent::CheckIn => {
            let request = cx.ask(Purpose::Order(OrderPurpose::CheckIn), None);
            Ok(Outcome::stay().with_effect(Effect::Locate {
                request,
                accuracy_m: CHECK_IN_ACCURACY_M,
                timeout_s: CHECK_IN_TIMEOUT_S,
            }))
        }
        OrderEvent::Close => close(cx, &order, &forms),
        OrderEvent::HandBack => Ok(Outcome::go(Route::Action(ActionInput::hand_back(id)))),
        OrderEvent::RaiseToMajor => Ok(Outcome::go(Route::Action(ActionInput::raise_class(id)))),
        OrderEvent::ChangeAppointment => Ok(Outcome::go(Route::Action(
            ActionInput::change_appointment(&order, now),
        ))),
        OrderEvent::OpenHousehold => match order.household_id {
            Some(h) => Ok(Outcome::go(Route::Household { id: h })),
            None => Ok(Outcome::stay()),
        },
    }
}

/// The answer to an effect this screen asked for: the check-in's position.
pub fn answer(
    cx: &mut Cx<'_>,
    id: WorkOrderId,
    purpose: OrderPurpose,
    answer: Answer,
) -> Result<Outcome> {
    let OrderPurpose::CheckIn = purpose;
    let order = cx.read().work_order(id)?;
    let now = cx.now;
    match answer {
        Answer::Located {
            lat,
            lon,
            accuracy_m,
        } => {
            let point = GeoPoint::new(lat, lon)?;
            let position = DevicePosition { point, accuracy_m };
            // The step is checked before the check-in is written: both are kept, or neither.
            order
                .clone()
                .advance(WorkOrderStatus::OnSite, now, Some(point))?;
            let check_in = cx.write(|s| {
                let check_in = match order.household_id {
                    Some(h) => Some(s.check_in(h, position, now, &CheckInPolicy::default())?),
                    None => None,
                };
                s.move_work_order(id, WorkOrderStatus::OnSite, now, Some(point))?;
                Ok(check_in)
            })?;
            Ok(match check_in {
                Some(c) if c.flagged() => {
                    let how_far = c
                        .distance_m
                        .map(|d| format::distance(d, cx.lang))
                        .unwrap_or_else(|| cx.say("未知", "unknown"));
                    info(said(
                        format!("已到场，但打卡位置不在地址处（相距 {how_far}），已标记供核查"),
                        format!(
                            "on site, but the check-in is not at the address ({how_far} away): flagged for review"
                        ),
                    ))
                }
                _ => Outcome::stay().done(said("已到场打卡", "checked in on site")),
            })
        }
        Answer::Failed(EffectFailure::Cancelled) => Ok(Outcome::stay()),
        Answer::Failed(_) => {
            cx.write(|s| s.move_work_order(id, WorkOrderStatus::OnSite, now, None))?;
            Ok(info(said(
                "未取得位置：已记到场，未能打卡定位",
                "no position: on site recorded, without a check-in",
            )))
        }
        _ => Err(crate::InvalidInput::new(
            "answer",
            said("到场打卡需要位置", "a check-in needs a position"),
        )
        .into()),
    }
}

fn info(text: Text) -> Outcome {
    Outcome {
        notice: Some((text, NoticeKind::Info)),
        ..Outcome::stay()
    }
}

/// Whether the order is the technician `me`'s: assigned to them, or to no one and to their
/// crew (the rule `WorkOrder::hand_back` keeps).
fn is_mine(cx: &Cx<'_>, order: &WorkOrder, me: Option<TechnicianId>) -> bool {
    let Some(me) = me else {
        return false;
    };
    match order.assignee {
        Some(a) => a == me,
        None => {
            order.crew.is_some()
                && cx
                    .read()
                    .technician(me)
                    .is_ok_and(|t| t.crew_id.is_some() && t.crew_id == order.crew)
        }
    }
}

/// What can be done with `order` now, by a technician whose order it is or not (`mine`), its
/// forms being `forms`: each button's event, words, and why it cannot be pressed (`None`: it
/// can).
pub fn allowed(
    order: &WorkOrder,
    mine: bool,
    forms: &[Form],
) -> Vec<(OrderEvent, Text, Option<Text>)> {
    use WorkOrderStatus as S;
    let rank = order.status().rank();
    let open = order.is_open();
    let gate = |why: Option<Text>| -> Option<Text> {
        if !open {
            Some(said("工单已结束", "the order is closed"))
        } else if !mine {
            Some(said(
                "这张工单没有派给您",
                "the order is not assigned to you",
            ))
        } else {
            why
        }
    };
    let before = |status: S, why: Text| (rank < status.rank()).then_some(why);
    let after = |status: S, why: Text| (rank >= status.rank()).then_some(why);
    let accept_first = said("请先接单", "accept it first");
    let on_site_first = said("请先到场打卡", "check in on site first");
    let mut buttons = vec![
        (
            OrderEvent::Accept,
            said("接单", "Accept"),
            gate(after(S::Accepted, said("已接单", "already accepted"))),
        ),
        (
            OrderEvent::OnTheWay,
            said("出发", "On the way"),
            gate(
                before(S::Accepted, accept_first.clone())
                    .or_else(|| after(S::EnRoute, said("已出发", "already on the way"))),
            ),
        ),
        (
            OrderEvent::CheckIn,
            said("到场打卡", "Check in"),
            gate(
                before(S::Accepted, accept_first)
                    .or_else(|| after(S::OnSite, said("已到场", "already on site"))),
            ),
        ),
    ];
    let sealed = forms.iter().any(|f| f.seal.is_some());
    let draft = forms.iter().any(|f| f.seal.is_none());
    let close = if sealed || order.household_id.is_none() {
        said("结单", "Close")
    } else if draft {
        said("继续填写结单表", "Continue the closing form")
    } else {
        said("填写结单表", "Close with its form")
    };
    buttons.push((
        OrderEvent::Close,
        close,
        gate(before(S::OnSite, on_site_first.clone())),
    ));
    if order.kind.is_emergency() {
        buttons.push((
            OrderEvent::Refer,
            said("转其他渠道", "Refer elsewhere"),
            gate(before(S::OnSite, on_site_first)),
        ));
    }
    if order.fault_class() == Some(FaultClass::Ordinary) {
        buttons.push((
            OrderEvent::RaiseToMajor,
            said("升级为重大故障", "Raise to major"),
            gate(None),
        ));
    }
    if order.kind == WorkOrderKind::UserEquipmentFault {
        buttons.push((
            OrderEvent::ChangeAppointment,
            said("改约上门时间", "Change the appointment"),
            gate(after(S::OnSite, said("已到场", "already on site"))),
        ));
    }
    buttons.push((
        OrderEvent::HandBack,
        if rank < S::Accepted.rank() {
            said("拒接", "Decline")
        } else {
            said("退回", "Hand back")
        },
        gate(None),
    ));
    if order.household_id.is_some() {
        buttons.push((
            OrderEvent::OpenHousehold,
            said("查看户档", "Household file"),
            None,
        ));
    }
    buttons
}

/// Close: resolve once a form of the order is sealed (or when there is no household to fill
/// one for); otherwise continue its draft, or start the form of its kind and open it.
fn close(cx: &mut Cx<'_>, order: &WorkOrder, forms: &[Form]) -> Result<Outcome> {
    let now = cx.now;
    let Some(household) = order.household_id else {
        cx.write(|s| s.move_work_order(order.id, WorkOrderStatus::Resolved, now, None))?;
        return Ok(Outcome::stay().done(said("工单已处理完毕", "order resolved")));
    };
    if forms.iter().any(|f| f.seal.is_some()) {
        cx.write(|s| s.move_work_order(order.id, WorkOrderStatus::Resolved, now, None))?;
        return Ok(Outcome::stay().done(said("工单已处理完毕", "order resolved")));
    }
    if let Some(draft) = forms.iter().find(|f| f.seal.is_none()) {
        return Ok(Outcome::go(Route::Form(FormInput::of(draft.id))));
    }
    let category = cx.read().household(household)?.category;
    let template = closing_template(order.kind, category);
    let form = cx.write(|s| s.start_newest_form(template, household, Some(order.id), now))?;
    Ok(Outcome::go(Route::Form(FormInput::of(form.id))))
}

/// The form that closes an order of `kind`: a repair closing resolves a fault when sealed,
/// a return visit its return-visit order (`consequences::Effects::resolves`); the others are
/// the visit's own form, and Close resolves the order once it is sealed.
pub fn closing_template(kind: WorkOrderKind, category: Category) -> &'static str {
    match kind {
        WorkOrderKind::PipelineFault | WorkOrderKind::UserEquipmentFault => "repair_closing",
        WorkOrderKind::ReturnVisit | WorkOrderKind::ComplaintFollowUp => "return_visit",
        WorkOrderKind::AcceptanceAndGasOn => "acceptance_gas_on",
        WorkOrderKind::ShutOff => "shut_off",
        WorkOrderKind::Reconnection => "reconnection",
        WorkOrderKind::AbnormalUsePatrol => "abnormal_use_patrol",
        WorkOrderKind::Inspection | WorkOrderKind::SpecialGroupService => match category {
            Category::Residential => "residential_inspection",
            _ => "non_residential_inspection",
        },
    }
}

/// A regulated step's name on a countdown.
pub fn milestone_label(m: Milestone) -> Text {
    match m {
        Milestone::Handle => said("到场处置", "handled on site"),
        Milestone::Repair => said("修复", "repaired"),
        Milestone::EmergencyOnSite => said("抢险到场", "emergency crew on site"),
        Milestone::LeadershipReport => said("上报领导", "reported to the leadership"),
        Milestone::EquipmentOnSite => said("到场", "on site"),
        Milestone::SpecialGroupVisit => said("上门服务", "home visit"),
        Milestone::ComplaintInvestigation => said("开始调查", "investigation started"),
        Milestone::ComplaintAnswer => said("首次答复", "first answer"),
        Milestone::ReturnVisit => said("回访", "return visit"),
    }
}

fn countdowns(cx: &Cx<'_>, order: &WorkOrder) -> Vec<Countdown> {
    deadlines(order)
        .into_iter()
        .map(|d| {
            let from = match d.milestone {
                Milestone::EmergencyOnSite | Milestone::LeadershipReport => {
                    order.major_since().unwrap_or(order.reported_at)
                }
                _ => order.reported_at,
            };
            countdown(cx, &milestone_label(d.milestone), from, d.due_at, d.met_at)
        })
        .collect()
}

fn class_text(cx: &Cx<'_>, order: &WorkOrder, class: FaultClass) -> String {
    let label = cx.t(&class.label());
    match order
        .class_changes
        .iter()
        .find(|c| c.to == FaultClass::Major)
    {
        Some(raise) => {
            let when = format::moment(raise.at, cx.now, cx.lang);
            cx.say(
                &format!("{label}（{when} 升级：{}）", raise.reason),
                &format!("{label} (raised {when}: {})", raise.reason),
            )
        }
        None => label,
    }
}

fn appointment(cx: &Cx<'_>, order: &WorkOrder) -> Option<Field> {
    let window = order.current_appointment()?;
    let from = format::moment(window.from, cx.now, cx.lang);
    let to = format::moment(window.to, cx.now, cx.lang);
    let who = match order.appointment_changes.last() {
        Some(change) => {
            let at = format::moment(change.agreed_at, cx.now, cx.lang);
            match &change.agreed_by {
                AgreedBy::User => cx.say(
                    &format!("用户本人于 {at} 同意改约"),
                    &format!("changed with the user's consent, {at}"),
                ),
                AgreedBy::Contact { name } => cx.say(
                    &format!("联系人 {name} 于 {at} 同意改约"),
                    &format!("changed with the consent of {name}, {at}"),
                ),
            }
        }
        None => cx.say("报修时约定", "agreed at the report"),
    };
    Some(Field::new(
        cx,
        &said("预约上门", "appointment"),
        cx.say(
            &format!("{from} 至 {to}，{who}"),
            &format!("{from} to {to}, {who}"),
        ),
    ))
}

fn steps(cx: &Cx<'_>, order: &WorkOrder, me: Option<TechnicianId>) -> Vec<StepLine> {
    order
        .steps
        .iter()
        .map(|step| {
            let status = cx.t(&step.status.label());
            let when = format::moment(step.at, cx.now, cx.lang);
            let by = match &step.reported_by {
                Some(r) if Some(r.technician) == me => cx.say("本人", "you"),
                Some(r) => match cx.read().technician(r.technician) {
                    Ok(t) => t.name,
                    Err(_) => cx.say("其他师傅", "another technician"),
                },
                // Not taken in by the server yet: the office's steps, or this phone's.
                None => match step.status {
                    WorkOrderStatus::New
                    | WorkOrderStatus::Dispatched
                    | WorkOrderStatus::Cancelled => cx.say("服务中心", "service center"),
                    _ => cx.say("本机", "this phone"),
                },
            };
            let accessibility = cx.say(
                &format!("{status}，{when}，{by}"),
                &format!("{status}, {when}, {by}"),
            );
            StepLine {
                status,
                when,
                by,
                accessibility,
            }
        })
        .collect()
}

/// The forms filled for the order, newest first.
fn order_forms(cx: &Cx<'_>, order: &WorkOrder) -> Result<Vec<Form>> {
    let Some(household) = order.household_id else {
        return Ok(Vec::new());
    };
    Ok(cx
        .read()
        .forms_of_household(household)?
        .into_iter()
        .filter(|f| f.work_order_id == Some(order.id))
        .collect())
}

fn charges(cx: &Cx<'_>, forms: &[Form]) -> Result<(Vec<ChargeView>, Option<String>)> {
    let mut lines = Vec::new();
    let mut total: Option<i64> = Some(0);
    for form in forms {
        let template = cx
            .read()
            .template(&form.template_id, form.template_version)?;
        let Some(charges) = form.charges(&template) else {
            continue;
        };
        for line in &charges.lines {
            let sum = line.total_fen();
            total = total.zip(sum).and_then(|(t, s)| t.checked_add(s));
            let unit_price = format::money(line.unit_price_fen);
            let line_total = sum.map(format::money).unwrap_or_default();
            lines.push(ChargeView {
                item: line.item.clone(),
                quantity: format!("× {}", line.quantity),
                unit_price: unit_price.clone(),
                total: line_total.clone(),
                accessibility: cx.say(
                    &format!(
                        "{}，{} 件，单价 {unit_price}，小计 {line_total}",
                        line.item, line.quantity
                    ),
                    &format!(
                        "{}, {} at {unit_price}, {line_total}",
                        line.item, line.quantity
                    ),
                ),
            });
        }
    }
    let total = (!lines.is_empty()).then(|| match total {
        Some(t) => {
            let t = format::money(t);
            cx.say(&format!("合计 {t}"), &format!("total {t}"))
        }
        None => cx.say(
            "合计超出可记录的金额",
            "the total is beyond any recordable amount",
        ),
    });
    Ok((lines, total))
}

fn source(s: WorkOrderSource) -> Text {
    match s {
        WorkOrderSource::Phone => said("电话报修", "phoned in"),
        WorkOrderSource::Visit => said("现场开单", "opened at the door"),
        WorkOrderSource::System => said("系统生成", "raised by the system"),
    }
}

fn badge(cx: &Cx<'_>, kind: BadgeKind, text: Text) -> Badge {
    Badge {
        kind,
        label: cx.t(&text),
    }
}

fn missing(cx: &Cx<'_>) -> WorkOrderScreen {
    WorkOrderScreen {
        title: cx.say("工单", "Work order"),
        missing: Some(cx.say(
            "本机没有这张工单：它可能已改派给别人，或尚未同步。请同步后再试。",
            "This work order is not on this phone: it may have been given to someone else, or not synced yet. Sync and try again.",
        )),
        badges: Vec::new(),
        facts: Vec::new(),
        countdowns: Vec::new(),
        appointment: None,
        steps: Vec::new(),
        actions: Vec::new(),
        charges: Vec::new(),
        charges_total: None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;
    use crate::ids::HouseholdId;

    fn fault() -> WorkOrder {
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap();
        WorkOrder::open(
            "WO-1",
            WorkOrderKind::PipelineFault,
            WorkOrderSource::Phone,
            Some(HouseholdId::new()),
            "",
            at,
        )
    }

    fn why(order: &WorkOrder, mine: bool, event: OrderEvent) -> Option<String> {
        allowed(order, mine, &[])
            .into_iter()
            .find(|(e, _, _)| *e == event)
            .unwrap_or_else(|| panic!("no {event:?}"))
            .2
            .map(|t| t.zh)
    }

    #[test]
    fn each_step_of_an_order_opens_the_next_and_closes_the_ones_behind_it() {
        let mut o = fault();
        assert_eq!(why(&o, true, OrderEvent::Accept), None);
        assert_eq!(
            why(&o, true, OrderEvent::CheckIn).as_deref(),
            Some("请先接单")
        );
        let t = o.reported_at + Duration::minutes(5);
        o.advance(WorkOrderStatus::Accepted, t, None).unwrap();
        assert_eq!(why(&o, true, OrderEvent::Accept).as_deref(), Some("已接单"));
        assert_eq!(why(&o, true, OrderEvent::CheckIn), None);
        assert_eq!(
            why(&o, true, OrderEvent::Close).as_deref(),
            Some("请先到场打卡")
        );
        o.advance(WorkOrderStatus::OnSite, t, None).unwrap();
        assert_eq!(why(&o, true, OrderEvent::Close), None);
        assert_eq!(why(&o, true, OrderEvent::Refer), None);
        o.advance(WorkOrderStatus::Resolved, t, None).unwrap();
        for (event, _, reason) in allowed(&o, true, &[]) {
            if event != OrderEvent::OpenHousehold {
                assert_eq!(reason.map(|t| t.zh).as_deref(), Some("工单已结束"));
            }
        }
    }

    #[test]
    fn an_order_of_someone_else_can_be_read_but_not_worked() {
        let o = fault();
        assert_eq!(
            why(&o, false, OrderEvent::Accept).as_deref(),
            Some("这张工单没有派给您")
        );
        assert_eq!(why(&o, false, OrderEvent::OpenHousehold), None);
    }

    #[test]
    fn only_an_ordinary_pipeline_fault_can_be_raised_and_only_an_equipment_fault_rebooked() {
        let mut o = fault();
        let events = |o: &WorkOrder| -> Vec<OrderEvent> {
            allowed(o, true, &[])
                .into_iter()
                .map(|(e, _, _)| e)
                .collect()
        };
        assert!(events(&o).contains(&OrderEvent::RaiseToMajor));
        assert!(!events(&o).contains(&OrderEvent::ChangeAppointment));
        o.class = Some(FaultClass::Major);
        assert!(!events(&o).contains(&OrderEvent::RaiseToMajor));
        o.kind = WorkOrderKind::UserEquipmentFault;
        o.class = None;
        assert!(events(&o).contains(&OrderEvent::ChangeAppointment));
        o.kind = WorkOrderKind::Inspection;
        assert!(!events(&o).contains(&OrderEvent::Refer));
    }
}
