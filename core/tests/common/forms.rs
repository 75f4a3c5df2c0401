//! A small inspection template and signatures for the form tests.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use doorstep_core::forms::Template;
use doorstep_core::forms::seal::SignatureCapture;
use doorstep_core::forms::template::SignerRole;

pub const HOSE_CHECK: &str = r#"{
  "id": "hose_check", "version": 1, "kind": "residential_inspection",
  "title": {"zh": "软管检查", "en": "Hose check"},
  "sections": [
    {"id": "checks", "title": {"zh": "检查", "en": "Checks"}, "items": [
      {"id": "leak_test", "kind": "check", "required": true,
       "label": {"zh": "接口检漏", "en": "Leak test at joints"},
       "hazard": {"grade": "major", "photo_required": true, "advice_required": true, "shut_off": true}},
      {"id": "hose_ok", "kind": "check", "required": true,
       "label": {"zh": "软管完好", "en": "Hose in good condition"},
       "hazard": {"grade": "general", "advice_required": true}},
      {"id": "hose_length", "kind": "number", "unit": "m", "decimals": 1, "min": "0", "max": "2.0", "required": true,
       "label": {"zh": "软管长度", "en": "Hose length"},
       "visible_when": {"item": "hose_ok", "is": ["fail"]}},
      {"id": "meter_reading", "kind": "meter_reading",
       "label": {"zh": "表读数", "en": "Meter reading"}},
      {"id": "notes", "kind": "text", "max_len": 20,
       "label": {"zh": "备注", "en": "Notes"}}
    ]},
    {"id": "sign", "title": {"zh": "签字", "en": "Signatures"}, "items": [
      {"id": "customer_signature", "kind": "signature", "role": "customer", "required": true,
       "label": {"zh": "用户签字", "en": "Customer signature"}},
      {"id": "technician_signature", "kind": "signature", "role": "technician", "required": true,
       "label": {"zh": "安检员签字", "en": "Inspector signature"}}
    ]}
  ]
}"#;

pub fn hose_check() -> Template {
    Template::from_json(HOSE_CHECK).unwrap()
}

pub fn hose_check_v2() -> Template {
    let json = HOSE_CHECK
        .replace("\"version\": 1", "\"version\": 2")
        .replace(
            r#""id": "notes", "kind": "text", "max_len": 20,"#,
            r#""id": "notes", "kind": "number", "unit": "count","#,
        );
    Template::from_json(&json).unwrap()
}

pub fn signature(role: SignerRole, name: &str, at: DateTime<Utc>) -> SignatureCapture {
    SignatureCapture {
        role,
        signer_name: name.into(),
        signed_at: at,
        strokes: doorstep_core::testkit::strokes(),
    }
}

pub fn photo(n: u8) -> String {
    format!("{:064x}", n)
}

/// A photo taken on the phone at `household` through the camera pipeline (stored and queued),
/// as the refusal's evidence is: a different test card for each `n`.
pub fn take_photo(
    store: &mut doorstep_core::store::Store,
    dir: &std::path::Path,
    household: doorstep_core::ids::HouseholdId,
    n: u8,
) -> doorstep_core::forms::form::PhotoRef {
    let mut card = super::photos::test_card(320, 240);
    for b in &mut card.pixels[..320 * 3 * 4] {
        *b = n;
    }
    let path = dir.join(format!("camera-{n}.jpg"));
    std::fs::write(
        &path,
        doorstep_core::media::decode::encode_jpeg(&card, 85).unwrap(),
    )
    .unwrap();
    let context = doorstep_core::media::WatermarkContext {
        captured_at: chrono::Utc::now(),
        lang: doorstep_core::text::Lang::Zh,
        customer_number: None,
        device_position: None,
        technician: "T00101".into(),
    };
    let stored = store
        .ingest_photo(
            &path,
            Some(household),
            &context,
            &doorstep_core::media::PhotoPolicy::default(),
        )
        .unwrap();
    doorstep_core::forms::form::PhotoRef::new(&stored.sha256, context.captured_at).unwrap()
}
