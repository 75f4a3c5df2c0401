//! Households, orders, technicians and forms for the store tests.
#![allow(dead_code)]

pub mod child;
pub mod forms;
pub mod photos;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use doorstep_core::geo::GeoPoint;
use doorstep_core::household::{
    Address, ContactPerson, Household, Phone, SpecialGroup, SpecialGroupRegistration,
};
use doorstep_core::ids::DistrictId;
use doorstep_core::store::{Store, StoreKey};

pub const KEY_HEX: &str = "5f1c0d6e2a9b4c3d8e7f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5";

pub fn key() -> StoreKey {
    StoreKey::from_hex(KEY_HEX).unwrap()
}

pub fn open(dir: &tempfile::TempDir) -> Store {
    Store::open(dir.path().join("doorstep.db"), &key()).unwrap()
}

pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

pub fn household(
    customer_number: &str,
    name: &str,
    phone: &str,
    street: &str,
    lat: f64,
    lon: f64,
) -> Household {
    let address = Address {
        district: "西湖区".into(),
        street: street.into(),
        building: "3".into(),
        unit: "2".into(),
        room: "501".into(),
    };
    Household {
        location: Some(GeoPoint::new(lat, lon).unwrap()),
        ..doorstep_core::testkit::household(customer_number, name, phone, address)
    }
}

pub fn in_district(mut h: Household, district: DistrictId) -> Household {
    h.district_id = Some(district);
    h
}

pub fn elderly(mut h: Household) -> Household {
    h.special_group = Some(SpecialGroupRegistration {
        groups: vec![SpecialGroup::Elderly],
        needs: "行动不便,需上门".into(),
        contact: Some(ContactPerson {
            name: "李建国".into(),
            relation: "儿子".into(),
            phone: Phone::parse("13900001111").unwrap(),
        }),
        consent_given: true,
        registered_on: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
    });
    h
}

/// A pulled change putting `h`, as the server sends it.
pub fn put(seq: i64, h: &Household) -> serde_json::Value {
    use doorstep_core::sync::protocol::{Change, ChangeAction, Entity, Record};
    serde_json::to_value(Change {
        seq,
        entity: Entity::Household,
        id: h.id.to_string(),
        action: ChangeAction::Put {
            record: Record::Household(Box::new(h.clone())),
        },
    })
    .unwrap()
}
