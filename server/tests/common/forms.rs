//! A technician's work on a device: photos from a camera file, and a residential inspection
//! filled in completely, signed by both parties and sealed.

use std::path::PathBuf;

use chrono::Utc;
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::form::{Answer, Outcome, PhotoRef};
use doorstep_core::forms::template::{ItemKind, Template};
use doorstep_core::household::Household;
use doorstep_core::ids::{FormId, HouseholdId};
use doorstep_core::media::decode::{RgbImage, encode_jpeg};
use doorstep_core::media::signature::SignatureCapture;
use doorstep_core::media::{PhotoPolicy, WatermarkContext};
use doorstep_core::store::Store;
use doorstep_core::testkit::{strokes, valid_answer};

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
        lang: doorstep_core::text::Lang::Zh,
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
            if let Some(answer) = valid_answer(item, Utc::now()) {
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

/// The technician registers the household's resident for priority service: a special-group
/// registration filled in, signed and sealed on the phone, in their own words (`needs`).
pub fn register_special_group(device: &TestDevice, household: HouseholdId, needs: &str) {
    let template = builtin_template("special_group_registration").unwrap();
    let mut store = device.store();
    let form = store
        .start_form(&template, household, None, Utc::now())
        .unwrap();
    for _ in 0..3 {
        let current = store.form(form.id).unwrap();
        for item in template
            .items()
            .filter(|i| current.is_visible(&template, i))
        {
            if current.answers.contains_key(&item.id) {
                continue;
            }
            let answer = if item.id == "needs" {
                Some(Answer::Text(needs.into()))
            } else {
                valid_answer(item, Utc::now())
            };
            if let Some(answer) = answer {
                store.answer(form.id, &item.id, Some(answer)).unwrap();
            }
        }
    }
    sign_all(&mut store, form.id, &template);
    store.complete_form(form.id, Utc::now()).unwrap();
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
