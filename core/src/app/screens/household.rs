//! The household file: what the technician reads at the door (account, address, supply, meter,
//! appliances, special-group registration, next inspection), the file's timeline from this
//! phone and from the office, and what can be done from here: start a form of the kinds that
//! fit, open an order, edit the contact details, navigate, call.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::actions::ActionInput;
use super::form::FormInput;
use super::parts::{Badge, BadgeKind, Field};
use super::{Action, Answer, Cx, Outcome};
use crate::app::effect::{Effect, MapPlace};
use crate::app::format;
use crate::app::route::Route;
use crate::error::{Error, Result};
use crate::forms::builtin::builtin_templates;
use crate::forms::form::Form;
use crate::forms::template::FormKind;
use crate::geo::gcj02::wgs84_to_gcj02;
use crate::household::{ApplianceKind, Category, FlueType, Household, ShutOffReason, SupplyStatus};
use crate::ids::{FormId, HouseholdId, WorkOrderId};
use crate::store::HouseholdFile;
use timeline::timeline;
use words::{appliance, category, flue, group, meter_kind};

mod timeline;
mod words;
use crate::text::{Text, said};
use crate::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource};

/// What the Household screen shows. When the household is not on this phone (a link to a
/// file of another district), only `title` and `missing` are filled.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdScreen {
    /// The household's name and customer number.
    pub title: String,
    /// Why there is no file to show, in words; `None` when there is one.
    pub missing: Option<String>,
    pub badges: Vec<Badge>,
    /// Customer number, name, category, address.
    pub account: Vec<Field>,
    /// The household's numbers (and the contact person's), each with its Call button.
    pub phones: Vec<PhoneLine>,
    pub supply: SupplyView,
    /// Meter type, serial and last reading; empty when no meter is registered.
    pub meter: Vec<Field>,
    pub appliances: Vec<ApplianceLine>,
    pub special_group: Option<SpecialGroupView>,
    /// When the next periodic inspection is due ("12月9日 周三"), or that none is scheduled.
    pub next_inspection: Field,
    /// Newest first.
    pub timeline: Vec<TimelineLine>,
    /// One per form template that fits the household as it is now.
    pub form_starts: Vec<FormStart>,
    pub open_order: Action,
    pub edit_contact: Action,
    pub navigate: Action,
}

/// A phone number of the household or of its contact person.
#[derive(Debug, Clone, PartialEq)]
pub struct PhoneLine {
    /// Whose number it is ("户主" / "contact person: 李建国（儿子）").
    pub whose: String,
    pub number: String,
    /// Sends `HouseholdEvent::Call { phone }` with this line's index.
    pub call: Action,
}

/// Whether gas flows to the household.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplyView {
    /// "正常供气" / "gas on", "已停气" / "shut off", ...
    pub status: String,
    /// Why, since when and under which seal, for a shut-off or a disconnection.
    pub detail: Option<String>,
    /// The gas is off (the shell draws it as a warning).
    pub off: bool,
    pub accessibility: String,
}

/// One appliance with its flue.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplianceLine {
    /// "燃气热水器 · 万和" / "water heater · Vanward".
    pub label: String,
    /// "烟道：强排" / "flue: forced exhaust".
    pub flue: String,
    /// A water heater without a flue: a hazard.
    pub hazard: bool,
    pub accessibility: String,
}

/// The household's registration for priority home service (Art.7(7)).
#[derive(Debug, Clone, PartialEq)]
pub struct SpecialGroupView {
    /// "老年人、残疾人" / "elderly, disabled".
    pub groups: String,
    pub needs: String,
    /// "李建国（儿子）139****1111" as written in the file, or that none is named.
    pub contact: String,
    pub registered: String,
    pub accessibility: String,
}

/// One line of the household's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineLine {
    /// "今天 14:05".
    pub when: String,
    pub text: String,
    /// What it is about (the shell's icon).
    pub kind: TimelineKind,
    /// What tapping it opens; `None`: nothing to open.
    pub opens: Option<HouseholdEvent>,
    pub accessibility: String,
}

/// What a timeline line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimelineKind {
    Form,
    Draft,
    Photo,
    Signature,
    Order,
    Reading,
    Visit,
    Notice,
    File,
}

/// A button starting (or continuing) a form of one template.
#[derive(Debug, Clone, PartialEq)]
pub struct FormStart {
    pub template_id: String,
    pub action: Action,
    /// The event the button sends.
    pub event: HouseholdEvent,
}

/// What the user does on the Household screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum HouseholdEvent {
    /// Pull to refresh: the screen is drawn again from the store.
    Refresh,
    /// Starts a form of this template for the household (or continues its draft) and opens it.
    StartForm { template_id: String },
    /// Opens a form of the household (a timeline line).
    OpenForm { form_id: String },
    /// Opens a work order of the household (a timeline line).
    OpenOrder { order_id: String },
    /// Opens the field action that opens a new order for the household.
    NewOrder,
    /// Opens the field action that edits the contact details.
    EditContact,
    /// Opens the phone's map app at the household.
    Navigate,
    /// Calls the number of `phones[phone]`.
    Call { phone: u32 },
}

/// What an effect asked from the Household screen is for (none yet: every effect of this
/// screen has no answer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum HouseholdPurpose {
    Nothing,
}

pub fn render(cx: &Cx<'_>, id: HouseholdId) -> Result<HouseholdScreen> {
    let file = match cx.read().household_file(id) {
        Ok(file) => file,
        Err(Error::NotFound { .. }) => return Ok(missing(cx)),
        Err(e) => return Err(e),
    };
    let forms = cx.read().forms_of_household(id)?;
    let h = &file.household;
    let phones = phone_lines(cx, h);
    Ok(HouseholdScreen {
        title: format!("{}（{}）", h.name, h.customer_number),
        missing: None,
        badges: badges(cx, &file)?,
        account: vec![
            Field::new(cx, &said("户号", "customer number"), &h.customer_number),
            Field::new(cx, &said("户名", "name"), &h.name),
            Field::new(cx, &said("类别", "category"), cx.t(&category(h.category))),
            Field::new(cx, &said("地址", "address"), h.address.one_line()),
        ],
        phones,
        supply: supply(cx, &h.supply),
        meter: meter(cx, &file),
        appliances: h
            .appliances
            .iter()
            .map(|a| {
                let label = if a.brand.trim().is_empty() {
                    cx.t(&appliance(a.kind))
                } else {
                    format!("{} · {}", cx.t(&appliance(a.kind)), a.brand.trim())
                };
                let flue = format!("{}{}", cx.say("烟道：", "flue: "), cx.t(&flue(a.flue)));
                let hazard = a.kind == ApplianceKind::WaterHeater && a.flue == FlueType::None;
                let accessibility = if hazard {
                    cx.say(
                        &format!("{label}，{flue}，隐患"),
                        &format!("{label}, {flue}, a hazard"),
                    )
                } else {
                    cx.say(&format!("{label}，{flue}"), &format!("{label}, {flue}"))
                };
                ApplianceLine {
                    label,
                    flue,
                    hazard,
                    accessibility,
                }
            })
            .collect(),
        special_group: special_group(cx, h),
        next_inspection: Field::new(
            cx,
            &said("下次安检", "next inspection"),
            match file.inspection_due_on {
                Some(day) => due_day(cx, day),
                None => cx.say("未排期", "not scheduled"),
            },
        ),
        timeline: timeline(cx, &file, &forms),
        form_starts: form_starts(cx, h, &forms),
        open_order: Action::new(cx, &said("开工单", "Open an order"), true),
        edit_contact: Action::new(cx, &said("修改联系方式", "Edit contact details"), true),
        navigate: match h.location {
            Some(_) => Action::new(cx, &said("导航", "Navigate"), true),
            None => Action::disabled(
                cx,
                &said("导航", "Navigate"),
                &said("户档没有定位", "the file has no location"),
            ),
        },
    })
}

pub fn handle(cx: &mut Cx<'_>, id: HouseholdId, event: HouseholdEvent) -> Result<Outcome> {
    match event {
        HouseholdEvent::Refresh => Ok(Outcome::stay()),
        HouseholdEvent::StartForm { template_id } => start_form(cx, id, &template_id),
        HouseholdEvent::OpenForm { form_id } => {
            let form: FormId = parse_id("form_id", &form_id)?;
            let form = cx.read().form(form)?;
            if form.household_id != id {
                return Err(not_of_household("form_id"));
            }
            Ok(Outcome::go(Route::Form(FormInput::of(form.id))))
        }
        HouseholdEvent::OpenOrder { order_id } => {
            let order: WorkOrderId = parse_id("order_id", &order_id)?;
            let order = cx.read().work_order(order)?;
            if order.household_id != Some(id) {
                return Err(not_of_household("order_id"));
            }
            Ok(Outcome::go(Route::WorkOrder { id: order.id }))
        }
        HouseholdEvent::NewOrder => {
            cx.read().household(id)?;
            Ok(Outcome::go(Route::Action(ActionInput::open_order(id))))
        }
        HouseholdEvent::EditContact => {
            let household = cx.read().household(id)?;
            Ok(Outcome::go(Route::Action(ActionInput::edit_contact(
                &household,
            ))))
        }
        HouseholdEvent::Navigate => {
            let household = cx.read().household(id)?;
            let Some(at) = household.location else {
                return Ok(Outcome::stay().problem(said(
                    "户档没有定位，无法导航",
                    "the file has no location to navigate to",
                )));
            };
            let gcj = wgs84_to_gcj02(at);
            Ok(Outcome::stay().with_effect(Effect::OpenMap {
                label: household.address.one_line(),
                place: MapPlace {
                    wgs84_lat: at.lat(),
                    wgs84_lon: at.lon(),
                    gcj02_lat: gcj.lat(),
                    gcj02_lon: gcj.lon(),
                },
            }))
        }
        HouseholdEvent::Call { phone } => {
            let household = cx.read().household(id)?;
            let numbers = numbers(&household);
            let Some((_, number)) = numbers.get(phone as usize) else {
                return Err(crate::InvalidInput::new(
                    "phone",
                    said("没有这个电话号码", "no such phone number"),
                )
                .into());
            };
            Ok(Outcome::stay().with_effect(Effect::Call {
                number: number.clone(),
            }))
        }
    }
}

/// The answer to an effect this screen asked for (it asks none that has one).
pub fn answer(
    cx: &mut Cx<'_>,
    id: HouseholdId,
    purpose: HouseholdPurpose,
    answer: Answer,
) -> Result<Outcome> {
    let _ = (cx, id, purpose, answer);
    Ok(Outcome::stay())
}

fn missing(cx: &Cx<'_>) -> HouseholdScreen {
    let none = |label: Text| Field::new(cx, &label, "");
    HouseholdScreen {
        title: cx.say("户档", "Household file"),
        missing: Some(cx.say(
            "本机没有这户的户档：它可能不在您的片区，或尚未同步。",
            "This household's file is not on this phone: it may be outside your district, or not synced yet.",
        )),
        badges: Vec::new(),
        account: Vec::new(),
        phones: Vec::new(),
        supply: SupplyView {
            status: String::new(),
            detail: None,
            off: false,
            accessibility: String::new(),
        },
        meter: Vec::new(),
        appliances: Vec::new(),
        special_group: None,
        next_inspection: none(said("下次安检", "next inspection")),
        timeline: Vec::new(),
        form_starts: Vec::new(),
        open_order: Action::disabled(
            cx,
            &said("开工单", "Open an order"),
            &said("本机没有这户", "not on this phone"),
        ),
        edit_contact: Action::disabled(
            cx,
            &said("修改联系方式", "Edit contact details"),
            &said("本机没有这户", "not on this phone"),
        ),
        navigate: Action::disabled(
            cx,
            &said("导航", "Navigate"),
            &said("本机没有这户", "not on this phone"),
        ),
    }
}

/// Starts a form of `template_id` for the household, or opens the draft of it already begun.
fn start_form(cx: &mut Cx<'_>, id: HouseholdId, template_id: &str) -> Result<Outcome> {
    let household = cx.read().household(id)?;
    let forms = cx.read().forms_of_household(id)?;
    if let Some(draft) = draft_of(&forms, template_id) {
        return Ok(Outcome::go(Route::Form(FormInput::of(draft.id))));
    }
    let Some(template) = phone_templates().iter().find(|t| t.id == template_id) else {
        return Err(crate::InvalidInput::new(
            "template_id",
            said(
                "本机没有这个表单模板",
                "no such form template on this phone",
            ),
        )
        .into());
    };
    if let Err(why) = fits(template.kind, &household) {
        return Err(crate::InvalidInput::new("template_id", why).into());
    }
    let now = cx.now;
    let form = cx.write(|store| store.start_newest_form(template_id, id, None, now))?;
    Ok(Outcome::go(Route::Form(FormInput::of(form.id))))
}

/// The draft of `template_id` begun for the household and not sealed, not for an order.
fn draft_of<'f>(forms: &'f [Form], template_id: &str) -> Option<&'f Form> {
    forms
        .iter()
        .find(|f| f.template_id == template_id && f.seal.is_none() && f.work_order_id.is_none())
}

/// A built-in template's id, kind and title: what the buttons name. Starting one takes the
/// newest version the phone holds (`Store::start_newest_form`).
struct TemplateName {
    id: String,
    kind: FormKind,
    title: Text,
}

fn phone_templates() -> &'static [TemplateName] {
    static NAMES: OnceLock<Vec<TemplateName>> = OnceLock::new();
    NAMES.get_or_init(|| {
        builtin_templates()
            .into_iter()
            .map(|t| TemplateName {
                id: t.id,
                kind: t.kind,
                title: t.title,
            })
            .collect()
    })
}

/// Whether a form of `kind` fits the household as it is: `Err` says why not. Repair closings
/// and return visits are filled for their order, from the order's screen.
fn fits(kind: FormKind, h: &Household) -> std::result::Result<(), Text> {
    let gas_on = matches!(h.supply, SupplyStatus::Active);
    let fits = match kind {
        FormKind::ResidentialInspection => gas_on && h.category == Category::Residential,
        FormKind::NonResidentialInspection => gas_on && h.category != Category::Residential,
        FormKind::AcceptanceAndGasOn => matches!(h.supply, SupplyStatus::NotConnected),
        FormKind::ShutOff | FormKind::AbnormalUsePatrol => gas_on,
        FormKind::Reconnection => matches!(h.supply, SupplyStatus::ShutOff { .. }),
        FormKind::SpecialGroupRegistration => h.special_group.is_none(),
        FormKind::SafetyEducation => true,
        FormKind::RepairClosing | FormKind::ReturnVisit => {
            return Err(said("须从工单填写", "filled from its work order"));
        }
    };
    if fits {
        Ok(())
    } else {
        Err(said(
            "不适用于这户当前的状态",
            "does not fit this household as it is",
        ))
    }
}

fn form_starts(cx: &Cx<'_>, h: &Household, forms: &[Form]) -> Vec<FormStart> {
    phone_templates()
        .iter()
        .filter(|t| fits(t.kind, h).is_ok())
        .map(|t| {
            let title = cx.t(&t.title);
            let label = if draft_of(forms, &t.id).is_some() {
                said(
                    format!("继续填写：{}", t.title.zh),
                    format!("Continue: {}", t.title.en),
                )
            } else {
                said(
                    format!("新建：{}", t.title.zh),
                    format!("New: {}", t.title.en),
                )
            };
            let mut action = Action::new(cx, &label, true);
            action.accessibility = cx.say(
                &format!("{}，表单“{title}”", action.label),
                &format!("{}, form \"{title}\"", action.label),
            );
            FormStart {
                template_id: t.id.clone(),
                action,
                event: HouseholdEvent::StartForm {
                    template_id: t.id.clone(),
                },
            }
        })
        .collect()
}

/// The household's numbers then the contact person's, with whose each is.
fn numbers(h: &Household) -> Vec<(Text, String)> {
    let mut numbers: Vec<(Text, String)> = h
        .phones
        .iter()
        .map(|p| (said("户主", "household"), p.as_str().to_owned()))
        .collect();
    if let Some(contact) = h.special_group.as_ref().and_then(|r| r.contact.as_ref()) {
        numbers.push((
            said(
                format!("联系人：{}（{}）", contact.name, contact.relation),
                format!("contact person: {} ({})", contact.name, contact.relation),
            ),
            contact.phone.as_str().to_owned(),
        ));
    }
    numbers
}

fn phone_lines(cx: &Cx<'_>, h: &Household) -> Vec<PhoneLine> {
    numbers(h)
        .into_iter()
        .map(|(whose, number)| {
            let whose = cx.t(&whose);
            let mut call = Action::new(cx, &said("拨打", "Call"), true);
            call.accessibility = cx.say(
                &format!("拨打{whose}电话 {number}"),
                &format!("Call {whose} at {number}"),
            );
            PhoneLine {
                whose,
                number,
                call,
            }
        })
        .collect()
}

fn badges(cx: &Cx<'_>, file: &HouseholdFile) -> Result<Vec<Badge>> {
    let h = &file.household;
    let mut badges = Vec::new();
    let mut badge = |kind, text: Text| {
        badges.push(Badge {
            kind,
            label: cx.t(&text),
        })
    };
    if h.is_special_group() {
        badge(
            BadgeKind::SpecialGroup,
            said("优先上门服务", "priority service"),
        );
    }
    let hazard_shut = matches!(
        h.supply,
        SupplyStatus::ShutOff {
            reason: ShutOffReason::Hazard,
            ..
        }
    );
    if hazard_shut || file.work_orders.iter().any(is_hazard_follow_up) {
        badge(
            BadgeKind::Hazard,
            said("隐患未整改", "hazard not put right"),
        );
    }
    if matches!(h.supply, SupplyStatus::ShutOff { .. }) {
        badge(BadgeKind::ShutOff, said("已停气", "gas shut off"));
    }
    // A planned outage not over yet that reaches this household (the Today screen's banner,
    // here on the household itself).
    if let Some(notice) = cx
        .read()
        .outages_not_over(cx.now)?
        .into_iter()
        .find(|n| n.affects(h))
    {
        let from = crate::app::format::moment(notice.starts_at, cx.now, cx.lang);
        badge(
            BadgeKind::Outage,
            said(
                format!("计划停气 {from} 起"),
                format!("planned outage from {from}"),
            ),
        );
    }
    Ok(badges)
}

/// An open follow-up order a sealed inspection opened for a major hazard.
fn is_hazard_follow_up(order: &WorkOrder) -> bool {
    order.is_open()
        && order.kind == WorkOrderKind::Inspection
        && order.source == WorkOrderSource::Visit
}

fn supply(cx: &Cx<'_>, supply: &SupplyStatus) -> SupplyView {
    let (status, detail, off) = match supply {
        SupplyStatus::NotConnected => (said("未通气", "not connected"), None, true),
        SupplyStatus::Active => (said("正常供气", "gas on"), None, false),
        SupplyStatus::ShutOff {
            reason,
            since,
            seal,
        } => {
            let when = format::moment(*since, cx.now, cx.lang);
            let seal = match seal {
                Some(seal) => said(format!("，封签 {seal}"), format!(", seal {seal}")),
                None => said("，无封签记录", ", no seal recorded"),
            };
            let why = reason.label();
            (
                said("已停气", "shut off"),
                Some(said(
                    format!("原因：{}，{when} 起{}", why.zh, seal.zh),
                    format!("reason: {}, since {when}{}", why.en, seal.en),
                )),
                true,
            )
        }
        SupplyStatus::PermanentlyDisconnected { since } => {
            let when = format::moment(*since, cx.now, cx.lang);
            (
                said("已永久拆除", "permanently disconnected"),
                Some(said(format!("{when} 起"), format!("since {when}"))),
                true,
            )
        }
    };
    let status = cx.t(&status);
    let detail = detail.map(|d| cx.t(&d));
    let accessibility = match &detail {
        Some(d) => cx.say(
            &format!("供气状态：{status}，{d}"),
            &format!("supply: {status}, {d}"),
        ),
        None => cx.say(&format!("供气状态：{status}"), &format!("supply: {status}")),
    };
    SupplyView {
        status,
        detail,
        off,
        accessibility,
    }
}

fn meter(cx: &Cx<'_>, file: &HouseholdFile) -> Vec<Field> {
    let Some(meter) = &file.household.meter else {
        return Vec::new();
    };
    let last = match file.readings.first() {
        Some(r) => format!(
            "{}（{}）",
            r.value,
            format::moment(r.taken_at, cx.now, cx.lang)
        ),
        None => cx.say("尚无读数", "no reading yet"),
    };
    vec![
        Field::new(
            cx,
            &said("表型", "meter type"),
            cx.t(&meter_kind(meter.kind)),
        ),
        Field::new(cx, &said("表号", "serial"), &meter.serial),
        Field::new(cx, &said("上次读数", "last reading"), last),
    ]
}

fn special_group(cx: &Cx<'_>, h: &Household) -> Option<SpecialGroupView> {
    let r = h.special_group.as_ref()?;
    let groups = r
        .groups
        .iter()
        .map(|g| cx.t(&group(*g)))
        .collect::<Vec<_>>()
        .join(cx.say("、", ", ").as_str());
    let contact = match &r.contact {
        Some(c) => format!("{}（{}）{}", c.name, c.relation, c.phone.as_str()),
        None => cx.say("未登记联系人", "no contact person"),
    };
    let registered = cx.say(
        &format!("{} 登记", r.registered_on.format("%Y-%m-%d")),
        &format!("registered {}", r.registered_on.format("%Y-%m-%d")),
    );
    let accessibility = cx.say(
        &format!(
            "优先上门服务：{groups}；需求：{}；联系人：{contact}",
            r.needs
        ),
        &format!(
            "priority service: {groups}; needs: {}; contact: {contact}",
            r.needs
        ),
    );
    Some(SpecialGroupView {
        groups,
        needs: r.needs.clone(),
        contact,
        registered,
        accessibility,
    })
}

fn parse_id<T: std::str::FromStr<Err = crate::InvalidInput>>(field: &str, text: &str) -> Result<T> {
    text.parse::<T>().map_err(|e| {
        crate::InvalidInput {
            field: field.to_owned(),
            ..e
        }
        .into()
    })
}

fn not_of_household(field: &str) -> Error {
    crate::InvalidInput::new(
        field,
        said("不属于这户", "does not belong to this household"),
    )
    .into()
}

/// A due day as the file says it: its year when not this year's, and whether it is overdue.
fn due_day(cx: &Cx<'_>, day: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let today = crate::calendar::local_date(cx.now);
    let mut text = format::day(noon_of(day), cx.lang);
    if day.year() != today.year() {
        text = cx.say(
            &format!("{}年{text}", day.year()),
            &format!("{text} {}", day.year()),
        );
    }
    if day < today {
        text.push_str(&cx.say("（已逾期）", " (overdue)"));
    }
    text
}

/// Noon in Beijing of a calendar day (04:00 UTC), the moment `format::day` names it by.
fn noon_of(day: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc() + chrono::Duration::hours(4)
}
