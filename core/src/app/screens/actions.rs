//! The regulation's field actions, each a small form whose input is kept on the back stack
//! (it survives the process being killed): open an order from a household, edit its contact
//! details, record an appointment the user agreed to change, hand an order back with a reason,
//! raise a pipeline fault to major. Every field shows its current value and its problem in
//! words; Submit is enabled once the input is complete; a refusal of the core is shown beside
//! the field it names and nothing is written; success goes back with a Done notice.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Action, Answer, Cx, Outcome};
use crate::InvalidInput;
use submit::submit;

mod submit;
use crate::app::format;
use crate::error::{Error, Result};
use crate::household::Household;
use crate::ids::{HouseholdId, WorkOrderId};
use crate::text::{Text, said};
use crate::workorder::{FaultClass, WorkOrder, WorkOrderKind};

/// What the Action screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionScreen {
    /// "开工单" / "Open an order", ...
    pub title: String,
    /// The household or order it concerns ("王小明（3300000001）" / "工单 WO-1").
    pub subject: String,
    pub fields: Vec<ActionFieldView>,
    /// A refusal that names no field of this screen (the order is closed, not yours...).
    pub problem: Option<String>,
    /// Enabled once every required field is filled.
    pub submit: Action,
    /// Adds a phone number (editing contact details only).
    pub add_phone: Option<Action>,
}

/// One field of a field action.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionFieldView {
    pub field: ActionField,
    pub label: String,
    pub kind: ActionFieldKind,
    /// The value as typed, the chosen choice's words, or the time formatted.
    pub value: String,
    /// A time field's value, for the shell's picker.
    pub time: Option<DateTime<Utc>>,
    /// A choice field's choices.
    pub choices: Vec<ActionChoice>,
    pub required: bool,
    /// What is wrong with it, in words, after a refused Submit.
    pub problem: Option<String>,
    pub accessibility: String,
}

/// How the shell takes a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionFieldKind {
    Text,
    LongText,
    Phone,
    /// A date and time (the shell's picker; sent as `SetTime`).
    Time,
    /// One of `choices` (sent as `Choose`).
    Choice,
}

/// One choice of a choice field.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionChoice {
    pub id: String,
    pub label: String,
    pub chosen: bool,
}

/// The fields of the field actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionField {
    /// A new order's kind.
    Kind,
    Description,
    /// A new pipeline fault's class.
    FaultClass,
    /// The household's phone number at `index`.
    Phone {
        index: u32,
    },
    ContactName,
    ContactRelation,
    ContactPhone,
    /// The changed appointment's window.
    WindowFrom,
    WindowTo,
    /// Who agreed to the change: the user or a contact person.
    AgreedBy,
    /// The contact person who agreed.
    AgreedName,
    AgreedAt,
    /// Why an order is handed back or raised.
    Reason,
}

/// What the user does on the Action screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ActionEvent {
    /// Redraw (nothing changes).
    Refresh,
    SetText {
        field: ActionField,
        text: String,
    },
    SetTime {
        field: ActionField,
        at: DateTime<Utc>,
    },
    Choose {
        field: ActionField,
        choice: String,
    },
    AddPhone,
    RemovePhone {
        index: u32,
    },
    Submit,
}

/// Which field action, and what it is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FieldAction {
    OpenOrder { household: HouseholdId },
    EditContact { household: HouseholdId },
    ChangeAppointment { order: WorkOrderId },
    HandBack { order: WorkOrderId },
    RaiseClass { order: WorkOrderId },
}

/// The input typed on the Action screen and not saved in the store yet; kept on the back stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionInput {
    /// `None` only for an input never set up (the screen then says there is nothing to do).
    pub action: Option<FieldAction>,
    pub kind: Option<WorkOrderKind>,
    pub description: String,
    pub class: Option<FaultClass>,
    pub phones: Vec<String>,
    pub contact_name: String,
    pub contact_relation: String,
    pub contact_phone: String,
    /// The household has a special-group registration, whose contact person can be edited.
    pub has_contact: bool,
    pub window_from: Option<DateTime<Utc>>,
    pub window_to: Option<DateTime<Utc>>,
    /// Agreed by a contact person rather than the user.
    pub agreed_by_contact: Option<bool>,
    pub agreed_name: String,
    pub agreed_at: Option<DateTime<Utc>>,
    pub reason: String,
    /// The last refusal: the field it names (`None`: the action as a whole) and why.
    pub problem: Option<(Option<ActionField>, Text)>,
}

impl ActionInput {
    pub fn open_order(household: HouseholdId) -> Self {
        Self {
            action: Some(FieldAction::OpenOrder { household }),
            ..Self::default()
        }
    }

    /// Contact details as the file has them now.
    pub fn edit_contact(household: &Household) -> Self {
        let contact = household
            .special_group
            .as_ref()
            .and_then(|r| r.contact.as_ref());
        Self {
            action: Some(FieldAction::EditContact {
                household: household.id,
            }),
            phones: household
                .phones
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            has_contact: household.special_group.is_some(),
            contact_name: contact.map(|c| c.name.clone()).unwrap_or_default(),
            contact_relation: contact.map(|c| c.relation.clone()).unwrap_or_default(),
            contact_phone: contact
                .map(|c| c.phone.as_str().to_owned())
                .unwrap_or_default(),
            ..Self::default()
        }
    }

    /// A changed appointment, starting from the one in force, agreed now by the user.
    pub fn change_appointment(order: &WorkOrder, now: DateTime<Utc>) -> Self {
        let window = order.current_appointment();
        Self {
            action: Some(FieldAction::ChangeAppointment { order: order.id }),
            window_from: window.map(|w| w.from),
            window_to: window.map(|w| w.to),
            agreed_by_contact: Some(false),
            agreed_at: Some(now),
            ..Self::default()
        }
    }

    pub fn hand_back(order: WorkOrderId) -> Self {
        Self {
            action: Some(FieldAction::HandBack { order }),
            ..Self::default()
        }
    }

    pub fn raise_class(order: WorkOrderId) -> Self {
        Self {
            action: Some(FieldAction::RaiseClass { order }),
            ..Self::default()
        }
    }
}

/// What an effect asked from the Action screen is for (none yet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ActionPurpose {
    Nothing,
}

/// Kinds a technician opens at the door (a return visit and a complaint's follow-up follow
/// something, and are opened by the office).
const OPENABLE: [WorkOrderKind; 8] = [
    WorkOrderKind::PipelineFault,
    WorkOrderKind::UserEquipmentFault,
    WorkOrderKind::Inspection,
    WorkOrderKind::AcceptanceAndGasOn,
    WorkOrderKind::ShutOff,
    WorkOrderKind::Reconnection,
    WorkOrderKind::SpecialGroupService,
    WorkOrderKind::AbnormalUsePatrol,
];

pub fn render(cx: &Cx<'_>, input: &ActionInput) -> Result<ActionScreen> {
    let Some(action) = &input.action else {
        return Ok(ActionScreen {
            title: cx.say("现场操作", "Field action"),
            subject: String::new(),
            fields: Vec::new(),
            problem: Some(cx.say("没有要做的操作", "nothing to do here")),
            submit: Action::disabled(
                cx,
                &said("提交", "Submit"),
                &said("没有要做的操作", "nothing to do here"),
            ),
            add_phone: None,
        });
    };
    let (title, subject) = heading(cx, action)?;
    let fields = fields(cx, input, action);
    let missing: Vec<&ActionFieldView> = fields
        .iter()
        .filter(|f| f.required && f.value.trim().is_empty())
        .collect();
    let submit_label = match action {
        FieldAction::OpenOrder { .. } => said("开单", "Open the order"),
        FieldAction::HandBack { .. } => said("退回", "Hand back"),
        FieldAction::RaiseClass { .. } => said("升级为重大故障", "Raise to major"),
        _ => said("保存", "Save"),
    };
    let submit = if missing.is_empty() {
        Action::new(cx, &submit_label, true)
    } else {
        let names = missing
            .iter()
            .map(|f| f.label.clone())
            .collect::<Vec<_>>()
            .join(&cx.say("、", ", "));
        Action::disabled(
            cx,
            &submit_label,
            &said(format!("请填写：{names}"), format!("fill in: {names}")),
        )
    };
    let problem = match &input.problem {
        Some((None, why)) => Some(cx.t(why)),
        _ => None,
    };
    let add_phone = matches!(action, FieldAction::EditContact { .. }).then(|| {
        Action::new(
            cx,
            &said("添加电话", "Add a phone number"),
            input.phones.len() < 8,
        )
    });
    Ok(ActionScreen {
        title,
        subject,
        fields,
        problem,
        submit,
        add_phone,
    })
}

pub fn handle(cx: &mut Cx<'_>, input: &mut ActionInput, event: ActionEvent) -> Result<Outcome> {
    match event {
        ActionEvent::Refresh => {}
        ActionEvent::SetText { field, text } => {
            set_text(input, field, text)?;
            clear_problem(input, field);
        }
        ActionEvent::SetTime { field, at } => {
            match field {
                ActionField::WindowFrom => input.window_from = Some(at),
                ActionField::WindowTo => input.window_to = Some(at),
                ActionField::AgreedAt => input.agreed_at = Some(at),
                _ => return Err(not_a(field, said("时间", "time"))),
            }
            clear_problem(input, field);
        }
        ActionEvent::Choose { field, choice } => {
            match field {
                ActionField::Kind => {
                    let kind = WorkOrderKind::parse(&choice)?;
                    if !OPENABLE.contains(&kind) {
                        return Err(InvalidInput::new(
                            "kind",
                            said("现场不能开这类工单", "this kind is not opened in the field"),
                        )
                        .into());
                    }
                    input.kind = Some(kind);
                    if kind != WorkOrderKind::PipelineFault {
                        input.class = None;
                    }
                }
                ActionField::FaultClass => {
                    let class = FaultClass::ALL
                        .into_iter()
                        .find(|c| c.as_str() == choice)
                        .ok_or_else(|| {
                            InvalidInput::new("class", said("未知的故障等级", "unknown class"))
                        })?;
                    input.class = Some(class);
                }
                ActionField::AgreedBy => {
                    input.agreed_by_contact = Some(match choice.as_str() {
                        "user" => false,
                        "contact" => true,
                        _ => {
                            return Err(InvalidInput::new(
                                "agreed_by",
                                said("须为 user 或 contact", "must be user or contact"),
                            )
                            .into());
                        }
                    });
                }
                _ => return Err(not_a(field, said("选项", "choice"))),
            }
            clear_problem(input, field);
        }
        ActionEvent::AddPhone => {
            if !matches!(input.action, Some(FieldAction::EditContact { .. })) {
                return Err(not_a(
                    ActionField::Phone { index: 0 },
                    said("电话", "phone"),
                ));
            }
            if input.phones.len() >= 8 {
                return Err(InvalidInput::new(
                    "phones",
                    said("最多8个电话号码", "at most 8 phone numbers"),
                )
                .into());
            }
            input.phones.push(String::new());
        }
        ActionEvent::RemovePhone { index } => {
            if (index as usize) >= input.phones.len() {
                return Err(InvalidInput::new(
                    "phones",
                    said("没有这个电话号码", "no such phone number"),
                )
                .into());
            }
            input.phones.remove(index as usize);
            input.problem = None;
        }
        ActionEvent::Submit => return submit(cx, input),
    }
    Ok(Outcome::stay())
}

/// The answer to an effect this screen asked for (it asks none).
pub fn answer(
    cx: &mut Cx<'_>,
    input: &mut ActionInput,
    purpose: ActionPurpose,
    answer: Answer,
) -> Result<Outcome> {
    let _ = (cx, input, purpose, answer);
    Ok(Outcome::stay())
}

fn heading(cx: &Cx<'_>, action: &FieldAction) -> Result<(String, String)> {
    let household = |id: HouseholdId| -> Result<String> {
        let h = cx.read().household(id)?;
        Ok(format!("{}（{}）", h.name, h.customer_number))
    };
    let order = |id: WorkOrderId| -> Result<String> {
        let o = cx.read().work_order(id)?;
        Ok(cx.say(
            &format!("工单 {}：{}", o.number, o.kind.label().zh),
            &format!("work order {}: {}", o.number, o.kind.label().en),
        ))
    };
    Ok(match action {
        FieldAction::OpenOrder { household: h } => {
            (cx.say("开工单", "Open an order"), household(*h)?)
        }
        FieldAction::EditContact { household: h } => (
            cx.say("修改联系方式", "Edit contact details"),
            household(*h)?,
        ),
        FieldAction::ChangeAppointment { order: o } => {
            (cx.say("改约上门时间", "Change the appointment"), order(*o)?)
        }
        FieldAction::HandBack { order: o } => {
            (cx.say("退回工单", "Hand the order back"), order(*o)?)
        }
        FieldAction::RaiseClass { order: o } => (
            cx.say("升级为重大故障", "Raise to a major fault"),
            order(*o)?,
        ),
    })
}

fn fields(cx: &Cx<'_>, input: &ActionInput, action: &FieldAction) -> Vec<ActionFieldView> {
    let problem_of = |field: ActionField| match &input.problem {
        Some((Some(f), why)) if *f == field => Some(cx.t(why)),
        _ => None,
    };
    let text = |field, label: Text, kind, value: &str, required| {
        view(
            cx,
            field,
            &label,
            kind,
            value.to_owned(),
            None,
            Vec::new(),
            required,
            problem_of(field),
        )
    };
    let time = |field, label: Text, at: Option<DateTime<Utc>>| {
        let value = at
            .map(|at| format::moment(at, cx.now, cx.lang))
            .unwrap_or_default();
        view(
            cx,
            field,
            &label,
            ActionFieldKind::Time,
            value,
            at,
            Vec::new(),
            true,
            problem_of(field),
        )
    };
    let choice = |field, label: Text, choices: Vec<(String, Text, bool)>, required| {
        let value = choices
            .iter()
            .find(|c| c.2)
            .map(|c| cx.t(&c.1))
            .unwrap_or_default();
        let choices = choices
            .into_iter()
            .map(|(id, label, chosen)| ActionChoice {
                id,
                label: cx.t(&label),
                chosen,
            })
            .collect();
        view(
            cx,
            field,
            &label,
            ActionFieldKind::Choice,
            value,
            None,
            choices,
            required,
            problem_of(field),
        )
    };
    match action {
        FieldAction::OpenOrder { .. } => {
            let mut fields = vec![
                choice(
                    ActionField::Kind,
                    said("工单类型", "kind"),
                    OPENABLE
                        .iter()
                        .map(|k| (k.as_str().to_owned(), k.label(), input.kind == Some(*k)))
                        .collect(),
                    true,
                ),
                text(
                    ActionField::Description,
                    said("情况说明", "description"),
                    ActionFieldKind::LongText,
                    &input.description,
                    true,
                ),
            ];
            if input.kind == Some(WorkOrderKind::PipelineFault) {
                fields.push(choice(
                    ActionField::FaultClass,
                    said("故障等级", "fault class"),
                    FaultClass::ALL
                        .iter()
                        .map(|c| {
                            let chosen = input.class.unwrap_or(FaultClass::Ordinary) == *c;
                            (c.as_str().to_owned(), c.label(), chosen)
                        })
                        .collect(),
                    true,
                ));
            }
            fields
        }
        FieldAction::EditContact { .. } => {
            let mut fields: Vec<ActionFieldView> = input
                .phones
                .iter()
                .enumerate()
                .map(|(i, phone)| {
                    text(
                        ActionField::Phone { index: i as u32 },
                        said(format!("电话 {}", i + 1), format!("phone {}", i + 1)),
                        ActionFieldKind::Phone,
                        phone,
                        true,
                    )
                })
                .collect();
            if input.has_contact {
                let filled = !(input.contact_name.trim().is_empty()
                    && input.contact_relation.trim().is_empty()
                    && input.contact_phone.trim().is_empty());
                fields.push(text(
                    ActionField::ContactName,
                    said("联系人姓名", "contact person"),
                    ActionFieldKind::Text,
                    &input.contact_name,
                    filled,
                ));
                fields.push(text(
                    ActionField::ContactRelation,
                    said("与户主关系", "relation"),
                    ActionFieldKind::Text,
                    &input.contact_relation,
                    filled,
                ));
                fields.push(text(
                    ActionField::ContactPhone,
                    said("联系人电话", "contact's phone"),
                    ActionFieldKind::Phone,
                    &input.contact_phone,
                    filled,
                ));
            }
            fields
        }
        FieldAction::ChangeAppointment { .. } => {
            let by_contact = input.agreed_by_contact == Some(true);
            let mut fields = vec![
                time(
                    ActionField::WindowFrom,
                    said("上门时间自", "from"),
                    input.window_from,
                ),
                time(ActionField::WindowTo, said("至", "to"), input.window_to),
                choice(
                    ActionField::AgreedBy,
                    said("同意人", "agreed by"),
                    vec![
                        (
                            "user".to_owned(),
                            said("用户本人", "the user"),
                            input.agreed_by_contact == Some(false),
                        ),
                        (
                            "contact".to_owned(),
                            said("联系人", "a contact person"),
                            by_contact,
                        ),
                    ],
                    true,
                ),
            ];
            if by_contact {
                fields.push(text(
                    ActionField::AgreedName,
                    said("联系人姓名", "contact person's name"),
                    ActionFieldKind::Text,
                    &input.agreed_name,
                    true,
                ));
            }
            fields.push(time(
                ActionField::AgreedAt,
                said("同意时间", "agreed at"),
                input.agreed_at,
            ));
            fields
        }
        FieldAction::HandBack { .. } => vec![text(
            ActionField::Reason,
            said("退回原因", "reason"),
            ActionFieldKind::LongText,
            &input.reason,
            true,
        )],
        FieldAction::RaiseClass { .. } => vec![text(
            ActionField::Reason,
            said("升级原因", "reason"),
            ActionFieldKind::LongText,
            &input.reason,
            true,
        )],
    }
}

#[allow(clippy::too_many_arguments)]
fn view(
    cx: &Cx<'_>,
    field: ActionField,
    label: &Text,
    kind: ActionFieldKind,
    value: String,
    time: Option<DateTime<Utc>>,
    choices: Vec<ActionChoice>,
    required: bool,
    problem: Option<String>,
) -> ActionFieldView {
    let label = cx.t(label);
    let shown = if value.trim().is_empty() {
        cx.say("未填", "empty")
    } else {
        value.clone()
    };
    let mut accessibility = cx.say(&format!("{label}：{shown}"), &format!("{label}: {shown}"));
    if required {
        accessibility.push_str(&cx.say("，必填", ", required"));
    }
    if let Some(p) = &problem {
        accessibility.push_str(&cx.say(&format!("，问题：{p}"), &format!(", problem: {p}")));
    }
    ActionFieldView {
        field,
        label,
        kind,
        value,
        time,
        choices,
        required,
        problem,
        accessibility,
    }
}

fn set_text(input: &mut ActionInput, field: ActionField, text: String) -> Result<()> {
    if text.chars().count() > 2000 {
        return Err(InvalidInput::new(
            "text",
            said("最多2000个字符", "must be at most 2000 characters"),
        )
        .into());
    }
    let slot = match field {
        ActionField::Description => &mut input.description,
        ActionField::Phone { index } => input.phones.get_mut(index as usize).ok_or_else(|| {
            InvalidInput::new("phones", said("没有这个电话号码", "no such phone number"))
        })?,
        ActionField::ContactName => &mut input.contact_name,
        ActionField::ContactRelation => &mut input.contact_relation,
        ActionField::ContactPhone => &mut input.contact_phone,
        ActionField::AgreedName => &mut input.agreed_name,
        ActionField::Reason => &mut input.reason,
        _ => return Err(not_a(field, said("文字", "text"))),
    };
    *slot = text;
    Ok(())
}

fn clear_problem(input: &mut ActionInput, field: ActionField) {
    if matches!(&input.problem, Some((Some(f), _)) if *f == field) {
        input.problem = None;
    }
}

fn not_a(field: ActionField, what: Text) -> Error {
    InvalidInput::new(
        "field",
        said(
            format!("{field:?} 不是{}字段", what.zh),
            format!("{field:?} is not a {} field", what.en),
        ),
    )
    .into()
}
