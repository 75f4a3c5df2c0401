//! A technician's work on a device: photos from a camera file, and a residential inspection
//! filled in completely, signed by both parties and sealed.

use std::path::PathBuf;

use chrono::Utc;
use doorstep_core::forms::Decimal;
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::form::{
    Answer, CapturedLocation, CheckAnswer, CheckResult, Outcome, PhotoRef,
};
use doorstep_core::forms::template::{Item, ItemKind, Template};
use doorstep_core::geo::GeoPoint;
use doorstep_core::household::{Household, Volume};
use doorstep_core::ids::FormId;
use doorstep_core::media::decode::{RgbImage, encode_jpeg};
use doorstep_core::media::signature::{SignatureCapture, StrokePoint};
use doorstep_core::media::{PhotoPolicy, WatermarkContext};
use doorstep_core::store::Store;

use super::TestDevice;

/// A camera file: a noisy 1600×1200 JPEG, different for every `n`.
pub fn camera_file(dir: &std::path::Path, n: u32) -> PathBuf {
    let (width, height) = (1600u32, 1200u32);
    let mut state = 0x9E37_79B9u32.wrapping_mul(n + 1);
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let noise = (state & 0x1f) as u8;
            pixels.push(((x / 7) as u8).wrapping_add(noise));
            pixels.push(((y / 5) as u8).wrapping_add(noise));
            pixels.push((n as u8).wrapping_mul(40).wrapping_add(noise));
        }
    }
    let jpeg = encode_jpeg(
        &RgbImage {
            width,
            height,
            pixels,
        },
        90,
    )
    .unwrap();
    let path = dir.join(format!("camera-{n}.jpg"));
    std::fs::write(&path, jpeg).unwrap();
    path
}

/// Takes photo `n` at `household`; returns its hash.
pub fn take_photo(device: &TestDevice, household: &Household, n: u32) -> String {
    let path = camera_file(device.dir.path(), n);
    let context = WatermarkContext {
        captured_at: Utc::now(),
        customer_number: Some(household.customer_number.clone()),
        device_position: household.location,
        technician: "HZ1001".into(),
    };
    device
        .store()
        .ingest_photo(&path, Some(household.id), &context, &PhotoPolicy::default())
        .unwrap()
        .sha256
        .into()
}

fn valid_answer(item: &Item) -> Option<Answer> {
    Some(match &item.kind {
        ItemKind::Check { .. } => Answer::Check(CheckAnswer {
            result: CheckResult::Pass,
            advice: None,
        }),
        ItemKind::Number { min, max, .. } => {
            Answer::Number(min.or(*max).unwrap_or(Decimal::new(1, 0)))
        }
        ItemKind::Text { .. } if item.id.contains("phone") => Answer::Text("13800001234".into()),
        ItemKind::Text { .. } if item.id.contains("serial") => Answer::Text("M20261102".into()),
        ItemKind::Text { .. } => Answer::Text("正常".into()),
        ItemKind::SingleChoice { choices } => Answer::Choice(choices[0].id.clone()),
        ItemKind::MultipleChoice { choices, min, .. } => Answer::Choices(
            choices
                .iter()
                .take((*min).max(1) as usize)
                .map(|c| c.id.clone())
                .collect(),
        ),
        ItemKind::Date => Answer::Date(Utc::now().date_naive()),
        ItemKind::DateTime => Answer::DateTime(Utc::now()),
        ItemKind::MeterReading => Answer::MeterReading(Volume::from_litres(1_234_567)),
        ItemKind::Location => Answer::Location(CapturedLocation {
            point: GeoPoint::new(30.27, 120.16).unwrap(),
            accuracy_m: 8.0,
        }),
        ItemKind::Photo { .. } | ItemKind::Signature { .. } => return None,
    })
}

fn strokes() -> Vec<Vec<StrokePoint>> {
    vec![vec![
        StrokePoint {
            x: 10.0,
            y: 40.0,
            t_ms: 0,
            pressure: Some(0.4),
        },
        StrokePoint {
            x: 60.0,
            y: 20.0,
            t_ms: 120,
            pressure: Some(0.7),
        },
        StrokePoint {
            x: 110.0,
            y: 45.0,
            t_ms: 260,
            pressure: None,
        },
    ]]
}

/// A full residential inspection at `household` with `photos` attached, signed by the
/// technician and the customer, and sealed. Returns the form's id.
pub fn inspect(device: &TestDevice, household: &Household, photos: &[String]) -> FormId {
    inspect_with(device, household, photos, None)
}

/// [`inspect`], ending with `outcome` when one is given.
pub fn inspect_with(
    device: &TestDevice,
    household: &Household,
    photos: &[String],
    outcome: Option<Outcome>,
) -> FormId {
    let template = builtin_template("residential_inspection").unwrap();
    let mut store = device.store();
    let form = store
        .start_form(&template, household.id, None, Utc::now())
        .unwrap();
    let mut next_photo = photos.iter();
    for _ in 0..3 {
        let current = store.form(form.id).unwrap();
        for item in template
            .items()
            .filter(|i| current.is_visible(&template, i))
        {
            if current.answers.contains_key(&item.id) || current.photos.contains_key(&item.id) {
                continue;
            }
            if let Some(answer) = valid_answer(item) {
                store.answer(form.id, &item.id, Some(answer)).unwrap();
            } else if let ItemKind::Photo { max, .. } = item.kind {
                for sha in next_photo.by_ref().take(max as usize) {
                    store
                        .attach_photo(form.id, &item.id, PhotoRef::new(sha, Utc::now()).unwrap())
                        .unwrap();
                }
            }
        }
    }
    if let Some(outcome) = outcome {
        store.set_outcome(form.id, outcome).unwrap();
    }
    sign_all(&mut store, form.id, &template);
    store.complete_form(form.id, Utc::now()).unwrap();
    form.id
}

/// Every signature of the form, signed now.
pub fn sign_all(store: &mut Store, form: FormId, template: &Template) {
    for item in template.items() {
        if let ItemKind::Signature { role } = item.kind {
            let capture = SignatureCapture {
                role,
                signer_name: "王秀英".into(),
                signed_at: Utc::now(),
                strokes: strokes(),
            };
            store.sign(form, &item.id, capture).unwrap();
        }
    }
}
