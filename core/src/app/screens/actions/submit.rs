//! Submitting a field action: the input checked, then written in one transaction through the
//! store; a refusal of the core kept beside the field it names.

use chrono::{DateTime, Utc};

use super::{ActionField, ActionInput, FieldAction};
use crate::InvalidInput;
use crate::app::screens::{Cx, Outcome};
use crate::error::{Error, Result};
use crate::household::Phone;
use crate::text::{Text, said};
use crate::workorder::{
    AgreedBy, Appointment, FaultClass, WorkOrder, WorkOrderKind, WorkOrderSource,
};

/// Writes the action. A refusal of the core is kept beside the field it names (the screen
/// stays, nothing was written); success goes back with a Done notice.
pub(super) fn submit(cx: &mut Cx<'_>, input: &mut ActionInput) -> Result<Outcome> {
    let Some(action) = input.action.clone() else {
        return Ok(Outcome::stay());
    };
    input.problem = None;
    let now = cx.now;
    let done = match write(cx, input, &action, now) {
        Ok(done) => done,
        Err(Error::Invalid(e)) => {
            let field = field_of(&e.field).filter(|f| shows(input, &action, *f));
            input.problem = Some((field, e.said()));
            return Ok(Outcome::stay());
        }
        Err(e) => return Err(e),
    };
    Ok(Outcome::back().done(done))
}

fn write(
    cx: &mut Cx<'_>,
    input: &ActionInput,
    action: &FieldAction,
    now: DateTime<Utc>,
) -> Result<Text> {
    match *action {
        FieldAction::OpenOrder { household } => {
            let kind = input.kind.ok_or_else(|| {
                InvalidInput::new("work_order.kind", said("请选择工单类型", "choose a kind"))
            })?;
            if input.description.trim().is_empty() {
                return Err(InvalidInput::new(
                    "work_order.description",
                    said("请说明情况", "describe what is wrong"),
                )
                .into());
            }
            let technician = cx
                .read()
                .sync_state()?
                .technician_id
                .ok_or(Error::NotEnrolled)?;
            let mut order = WorkOrder::open(
                "",
                kind,
                WorkOrderSource::Visit,
                Some(household),
                input.description.trim(),
                now,
            );
            order.number = format!("YD-{}", &order.id.to_string().replace('-', "")[..12]);
            order.assignee = Some(technician);
            order.class = match kind {
                WorkOrderKind::PipelineFault => Some(input.class.unwrap_or(FaultClass::Ordinary)),
                _ => None,
            };
            let number = order.number.clone();
            cx.write(|s| s.open_work_order(&order))?;
            Ok(said(
                format!("已开工单 {number}"),
                format!("order {number} opened"),
            ))
        }
        FieldAction::EditContact { household } => {
            for (i, phone) in input.phones.iter().enumerate() {
                Phone::parse(phone).map_err(|e| InvalidInput {
                    field: format!("household.phones[{i}]"),
                    ..e
                })?;
            }
            let filled = !(input.contact_name.trim().is_empty()
                && input.contact_relation.trim().is_empty()
                && input.contact_phone.trim().is_empty());
            let contact = (input.has_contact && filled).then(|| {
                (
                    input.contact_name.clone(),
                    input.contact_relation.clone(),
                    input.contact_phone.clone(),
                )
            });
            if let Some((name, relation, _)) = &contact {
                if name.trim().is_empty() {
                    return Err(InvalidInput::new(
                        "household.contact.name",
                        said("不能为空", "must not be empty"),
                    )
                    .into());
                }
                if relation.trim().is_empty() {
                    return Err(InvalidInput::new(
                        "household.contact.relation",
                        said("不能为空", "must not be empty"),
                    )
                    .into());
                }
            }
            cx.write(|s| s.edit_contact_details(household, &input.phones, contact, now))?;
            Ok(said("联系方式已保存", "contact details saved"))
        }
        FieldAction::ChangeAppointment { order } => {
            let (Some(from), Some(to)) = (input.window_from, input.window_to) else {
                return Err(InvalidInput::new(
                    "work_order.appointment.window",
                    said("请选择上门时间", "choose the window"),
                )
                .into());
            };
            let agreed_by = match input.agreed_by_contact {
                Some(true) => AgreedBy::Contact {
                    name: input.agreed_name.trim().to_owned(),
                },
                _ => AgreedBy::User,
            };
            let agreed_at = input.agreed_at.unwrap_or(now);
            cx.write(|s| {
                s.change_work_order_appointment(
                    order,
                    Appointment { from, to },
                    agreed_by,
                    agreed_at,
                    now,
                )
            })?;
            Ok(said("上门时间已改约", "appointment changed"))
        }
        FieldAction::HandBack { order } => {
            let back = cx.write(|s| s.hand_back_work_order(order, now, &input.reason))?;
            Ok(match back.hand_backs.last() {
                Some(b) if b.declined => said("工单已拒接", "order declined"),
                _ => said("工单已退回", "order handed back"),
            })
        }
        FieldAction::RaiseClass { order } => {
            cx.write(|s| s.raise_work_order_class(order, now, &input.reason))?;
            Ok(said("已升级为重大故障", "raised to a major fault"))
        }
    }
}

/// The field of this screen a refusal of the core names; `None`: the action as a whole.
fn field_of(name: &str) -> Option<ActionField> {
    if let Some(rest) = name.strip_prefix("household.phones[") {
        let index = rest.split(']').next()?.parse().ok()?;
        return Some(ActionField::Phone { index });
    }
    Some(match name {
        "work_order.kind" => ActionField::Kind,
        "work_order.description" => ActionField::Description,
        "work_order.class" => ActionField::FaultClass,
        "work_order.hand_back.reason" | "work_order.class_change.reason" => ActionField::Reason,
        "work_order.appointment.window" => ActionField::WindowTo,
        "work_order.appointment.agreed_by" => ActionField::AgreedName,
        "work_order.appointment.agreed_at" => ActionField::AgreedAt,
        n if n.starts_with("household.contact.name") => ActionField::ContactName,
        n if n.starts_with("household.contact.relation") => ActionField::ContactRelation,
        n if n.starts_with("household.contact") => ActionField::ContactPhone,
        _ => return None,
    })
}

/// Whether the screen of `action` shows `field` (a refusal naming another field is shown for
/// the action as a whole).
fn shows(input: &ActionInput, action: &FieldAction, field: ActionField) -> bool {
    use ActionField as F;
    match action {
        FieldAction::OpenOrder { .. } => {
            matches!(field, F::Kind | F::Description)
                || field == F::FaultClass && input.kind == Some(WorkOrderKind::PipelineFault)
        }
        FieldAction::EditContact { .. } => match field {
            F::Phone { index } => (index as usize) < input.phones.len(),
            F::ContactName | F::ContactRelation | F::ContactPhone => input.has_contact,
            _ => false,
        },
        FieldAction::ChangeAppointment { .. } => {
            matches!(
                field,
                F::WindowFrom | F::WindowTo | F::AgreedBy | F::AgreedAt
            ) || field == F::AgreedName && input.agreed_by_contact == Some(true)
        }
        FieldAction::HandBack { .. } | FieldAction::RaiseClass { .. } => field == F::Reason,
    }
}
