//! Proves that a push from a device (`POST /v1/push`) never panics the decoder or the core
//! checks the server runs on each operation: the clock stamp (its text round trip, and the
//! server's clock observing it), `Household::validate`, `WorkOrder::validate`, the status
//! transition and the step time of a moved order, and a sealed form's verification against
//! its built-in template with the consequences it plans.
#![no_main]

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use doorstep_core::forms::Template;
use doorstep_core::forms::builtin::builtin_templates;
use doorstep_core::forms::consequences::plan;
use doorstep_core::forms::seal::verify;
use doorstep_core::household::{Address, Category, Household, SupplyStatus};
use doorstep_core::sync::protocol::Operation;
use doorstep_core::sync::protocol::PushRequest;
use doorstep_core::sync::time::trusted_step_time;
use doorstep_core::sync::{Hlc, HlcClock};
use doorstep_core::workorder::{WorkOrderStatus, check_transition};
use libfuzzer_sys::fuzz_target;

static TEMPLATES: LazyLock<Vec<Template>> = LazyLock::new(builtin_templates);

fuzz_target!(|data: &[u8]| {
    let Ok(request) = serde_json::from_slice::<PushRequest>(data) else {
        return;
    };
    let received_at = DateTime::<Utc>::from_timestamp(1_772_000_000, 0).expect("a fixed time");
    let mut clock = HlcClock::resume("server", None);
    for op in &request.ops {
        stamp_round_trip(&op.hlc);
        let before = clock.last().clone();
        let seen = clock.observe(&op.hlc, received_at.timestamp_millis() as u64);
        let exhausted = (before.wall_ms, before.counter) == (u64::MAX, u32::MAX);
        assert!(
            seen > before || exhausted,
            "the server's clock moves forward"
        );
        let _ = op.operation.subject();
        serde_json::to_string(&op.operation).expect("an operation serialises");
        match &op.operation {
            Operation::HouseholdSaved { household, .. } => {
                let _ = household.validate();
            }
            Operation::WorkOrderOpened { order } => {
                let _ = order.validate();
            }
            Operation::WorkOrderMoved { status, at, .. } => {
                for from in WorkOrderStatus::ALL {
                    let _ = check_transition(from, *status);
                }
                let _ = trusted_step_time(*at, &op.hlc, received_at);
            }
            Operation::FormSealed { form } => {
                let Some(template) = TEMPLATES
                    .iter()
                    .find(|t| t.id == form.template_id && t.version == form.template_version)
                else {
                    continue;
                };
                let (Ok(()), Some(seal)) = (verify(form, template), &form.seal) else {
                    continue;
                };
                let household = Household {
                    id: form.household_id,
                    customer_number: "HZ-1".into(),
                    name: "张伟".into(),
                    phones: Vec::new(),
                    address: Address {
                        district: "西湖区".into(),
                        street: "文三路88号".into(),
                        ..Address::default()
                    },
                    location: None,
                    district_id: None,
                    category: Category::Residential,
                    meter: None,
                    appliances: Vec::new(),
                    supply: SupplyStatus::Active,
                    gas_on_date: None,
                    last_inspection_at: None,
                    special_group: None,
                };
                if let Ok(effects) = plan(form, template, &household, seal.sealed_at)
                    && let Some(after) = effects.household
                {
                    let _ = after.validate();
                }
            }
            _ => {}
        }
    }
});

/// A stamp with a node (the server refuses any other) reads back from its text to itself.
fn stamp_round_trip(stamp: &Hlc) {
    match stamp.to_string().parse::<Hlc>() {
        Ok(again) => assert_eq!(&again, stamp),
        Err(_) => assert!(stamp.node.is_empty(), "a stamp with a node parses"),
    }
}
