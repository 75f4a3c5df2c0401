//! Proves that the server's answer to a pull (`GET /v1/pull`), as the device reads it, never
//! panics the decoder, the device's clock observing the server's stamp, or the checks
//! `store::sync` runs on each record before writing it (households, work orders and templates
//! validated, forms sealed); the team and outage records' own checks run too. A change held
//! back (one this build cannot read) reads back from what the device keeps of it as the same
//! held change, so holding it and trying it again after an update agree.
#![no_main]

use doorstep_core::sync::protocol::{ChangeAction, PullResponse, Pulled, Record};
use doorstep_core::sync::{Hlc, HlcClock};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(page) = serde_json::from_slice::<PullResponse<Pulled>>(data) else {
        return;
    };
    let mut clock = HlcClock::resume("device", None);
    let now_ms = 1_772_000_000_000;
    let before = clock.last().clone();
    clock.observe(&page.server_hlc, now_ms);
    assert!(clock.last() > &before, "the device's clock moves forward");
    let kept = clock.last().to_string();
    assert_eq!(kept.parse::<Hlc>().as_ref(), Ok(clock.last()));
    let _ = page.changes.iter().map(Pulled::seq).max();
    for pulled in &page.changes {
        let change = match pulled {
            Pulled::Change(change) => change,
            Pulled::HeldBack(held) => {
                let Ok(Pulled::HeldBack(again)) = serde_json::from_str::<Pulled>(&held.body) else {
                    panic!("a held change reads back as held");
                };
                assert_eq!(
                    (again.seq, &again.entity, &again.id),
                    (held.seq, &held.entity, &held.id)
                );
                continue;
            }
        };
        let ChangeAction::Put { record } = &change.action else {
            continue;
        };
        let _ = record.entity();
        match record {
            Record::Household(h) => {
                let _ = h.validate();
            }
            Record::WorkOrder(o) => {
                let _ = o.validate();
            }
            Record::Template(t) => {
                let _ = t.validate();
            }
            Record::Form(f) => {
                let _ = f.seal.is_some();
            }
            Record::District(d) => {
                let _ = d.validate();
            }
            Record::Crew(c) => {
                let _ = c.validate();
            }
            Record::Technician(t) => {
                let _ = t.validate();
            }
            Record::Outage(o) => {
                let _ = o.validate();
            }
            Record::Reading(_) => {}
            Record::HistoryEvent(line) => {
                let _ = line.summary.en.len();
            }
            Record::Settlement(_) => {}
            Record::Complaint(c) => {
                let _ = c.validate();
            }
            Record::Call(c) => {
                let _ = c.validate();
            }
            Record::Satisfaction(s) => {
                let _ = s.validate();
            }
        }
    }
});
