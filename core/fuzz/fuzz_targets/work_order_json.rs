//! Proves that a work order arriving as JSON (sync, the service center) never panics the
//! decoder or `WorkOrder::validate`, and that every order read survives a JSON round trip
//! unchanged.
#![no_main]

use doorstep_core::workorder::WorkOrder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(order) = serde_json::from_slice::<WorkOrder>(data) else {
        return;
    };
    let _ = order.validate();
    let json = serde_json::to_vec(&order).expect("a work order serialises");
    let again: WorkOrder = serde_json::from_slice(&json).expect("a written work order parses");
    assert_eq!(again, order);
});
