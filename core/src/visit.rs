//! Checking in at a household: was the technician at the address when the visit was recorded?
//!
//! The answer is a [`CheckInVerdict`] kept with the visit. The core never refuses a visit on
//! these grounds (the phone may be wrong, the household's pin may be wrong, the work was done):
//! it flags it, and a supervisor looks at flagged visits. A visit is only *accepted* when the
//! position says so; every doubt is flagged, never resolved in the technician's favour silently.

use crate::text::said;
use serde::{Deserialize, Serialize};

use crate::InvalidInput;
use crate::geo::GeoPoint;

/// How close a recorded position must be to the household, and how precise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckInPolicy {
    /// Furthest a visit may be from the household's pin and still count as at the address.
    pub max_distance_m: f64,
    /// Worst position accuracy (radius, metres) that is trusted at all.
    pub max_accuracy_m: f64,
}

impl Default for CheckInPolicy {
    /// 150 m: a household's pin is often a geocoded address (tens of metres off) and a meter
    /// may be a building away from its gate in a large residential compound, while the next
    /// street over is usually further than that.
    ///
    /// 100 m: a phone reports worse than that when it has no satellite fix and falls back to
    /// Wi-Fi or cell towers, and such a position cannot tell one block from the next. It also
    /// caps the benefit of the doubt: no visit counts as at the address from beyond 250 m.
    fn default() -> Self {
        Self {
            max_distance_m: 150.0,
            max_accuracy_m: 100.0,
        }
    }
}

/// Where the device was when the visit was recorded, as the phone's location service gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawDevicePosition")]
pub struct DevicePosition {
    pub point: GeoPoint,
    /// Radius in metres of the circle the device is probably in (Android's and iOS's
    /// "horizontal accuracy"): the true position may be anywhere in it.
    pub accuracy_m: f64,
}

#[derive(Deserialize)]
struct RawDevicePosition {
    point: GeoPoint,
    accuracy_m: f64,
}

impl TryFrom<RawDevicePosition> for DevicePosition {
    type Error = InvalidInput;
    fn try_from(raw: RawDevicePosition) -> Result<Self, InvalidInput> {
        DevicePosition::new(raw.point, raw.accuracy_m)
    }
}

impl DevicePosition {
    /// A position with its accuracy radius; refuses a radius that is negative, NaN or infinite.
    pub fn new(point: GeoPoint, accuracy_m: f64) -> Result<Self, InvalidInput> {
        if !accuracy_m.is_finite() || accuracy_m < 0.0 {
            return Err(InvalidInput::new(
                "accuracy_m",
                said(
                    "定位精度必须是零或正的有限米数",
                    "position accuracy must be a finite number of metres, zero or more",
                ),
            ));
        }
        Ok(Self { point, accuracy_m })
    }
}

/// What the position says about the visit. Everything but [`AtAddress`](Self::AtAddress) is
/// flagged for a supervisor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CheckInVerdict {
    /// The device may well have been within the allowed distance of the household.
    AtAddress,
    /// Even the nearest edge of the accuracy circle is further than the allowed distance, by
    /// `excess_m` metres.
    FarFromAddress { excess_m: f64 },
    /// The position is too vague to say (accuracy worse than the policy allows).
    PositionTooImprecise,
    /// The household has no location to compare with.
    AddressNotLocated,
}

/// The check-in recorded with a visit: the figures it was judged on, and the verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckIn {
    /// From the device's position to the household's, when the household has one.
    pub distance_m: Option<f64>,
    pub accuracy_m: f64,
    pub verdict: CheckInVerdict,
}

impl CheckIn {
    /// Whether a supervisor should look at this visit.
    pub fn flagged(&self) -> bool {
        self.verdict != CheckInVerdict::AtAddress
    }
}

/// Judge a visit's position against the household's location.
///
/// In this order:
/// 1. No household location: [`AddressNotLocated`](CheckInVerdict::AddressNotLocated), as there
///    is nothing to measure against.
/// 2. Accuracy worse than `max_accuracy_m`:
///    [`PositionTooImprecise`](CheckInVerdict::PositionTooImprecise), even if the reported point
///    is on the doorstep: a vague fix that happens to land there proves nothing.
/// 3. Otherwise the device was somewhere in its accuracy circle, and the visit counts as at the
///    address when the circle's nearest edge is within `max_distance_m`, that is when
///    `distance − accuracy ≤ max_distance`. A position whose circle cannot reach that far is
///    [`FarFromAddress`](CheckInVerdict::FarFromAddress), by the amount it falls short.
///
/// Every comparison is written so that a NaN (in a hand-built position or policy) flags the
/// visit rather than accepting it.
pub fn check_in(
    household_location: Option<GeoPoint>,
    device: DevicePosition,
    policy: &CheckInPolicy,
) -> CheckIn {
    let accuracy_m = device.accuracy_m;
    let Some(household) = household_location else {
        return CheckIn {
            distance_m: None,
            accuracy_m,
            verdict: CheckInVerdict::AddressNotLocated,
        };
    };
    let distance_m = device.point.distance_m(&household);

    let verdict = if accuracy_m <= policy.max_accuracy_m {
        let nearest_possible_m = distance_m - accuracy_m;
        if nearest_possible_m <= policy.max_distance_m {
            CheckInVerdict::AtAddress
        } else {
            CheckInVerdict::FarFromAddress {
                excess_m: nearest_possible_m - policy.max_distance_m,
            }
        }
    } else {
        CheckInVerdict::PositionTooImprecise
    };
    CheckIn {
        distance_m: Some(distance_m),
        accuracy_m,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A household in Shanghai's Jing'an district.
    fn household() -> GeoPoint {
        GeoPoint::new(31.2290, 121.4480).unwrap()
    }

    /// A point `metres` due north of the household (close enough to exact along a meridian).
    fn north_of_household(metres: f64) -> GeoPoint {
        let metres_per_degree =
            household().distance_m(&GeoPoint::new(31.2300, 121.4480).unwrap()) / 0.001;
        GeoPoint::new(31.2290 + metres / metres_per_degree, 121.4480).unwrap()
    }

    fn at(metres_north: f64, accuracy_m: f64) -> DevicePosition {
        DevicePosition::new(north_of_household(metres_north), accuracy_m).unwrap()
    }

    /// The check-in of a visit to [`household`] under the default policy.
    fn judged(device: DevicePosition) -> CheckIn {
        check_in(Some(household()), device, &CheckInPolicy::default())
    }

    #[test]
    fn visit_at_the_door_with_a_good_fix_is_at_address() {
        let check = judged(at(12.0, 8.0));
        assert_eq!(check.verdict, CheckInVerdict::AtAddress);
        assert!(!check.flagged());
        assert!((check.distance_m.unwrap() - 12.0).abs() < 0.01);
        assert_eq!(check.accuracy_m, 8.0);
    }

    #[test]
    fn visit_from_across_a_large_compound_is_at_address() {
        let check = judged(at(140.0, 15.0));
        assert_eq!(check.verdict, CheckInVerdict::AtAddress);
    }

    #[test]
    fn visit_recorded_two_streets_away_is_flagged() {
        let check = judged(at(400.0, 10.0));
        let CheckInVerdict::FarFromAddress { excess_m } = check.verdict else {
            panic!("expected far from address, got {:?}", check.verdict);
        };
        assert!((excess_m - 240.0).abs() < 0.01, "excess {excess_m}");
        assert!(check.flagged());
    }

    #[test]
    fn visit_whose_accuracy_circle_reaches_the_address_is_given_the_benefit_of_the_doubt() {
        // 200 m from the pin, but the device may have been 60 m closer: 140 m is within 150.
        let check = judged(at(200.0, 60.0));
        assert_eq!(check.verdict, CheckInVerdict::AtAddress);
    }

    #[test]
    fn visit_whose_accuracy_circle_falls_short_of_the_address_is_flagged_by_the_shortfall() {
        // 230 m away, 60 m accuracy: the circle's nearest edge is at 170 m, 20 m too far.
        let check = judged(at(230.0, 60.0));
        let CheckInVerdict::FarFromAddress { excess_m } = check.verdict else {
            panic!("expected far from address, got {:?}", check.verdict);
        };
        assert!((excess_m - 20.0).abs() < 0.01, "excess {excess_m}");
    }

    #[test]
    fn visit_whose_accuracy_circle_just_touches_the_limit_is_at_address() {
        let device = at(210.0, 0.0);
        let distance = device.point.distance_m(&household());
        let touching = DevicePosition::new(device.point, distance - 150.0).unwrap();
        let check = judged(touching);
        assert_eq!(check.verdict, CheckInVerdict::AtAddress);
    }

    #[test]
    fn visit_recorded_indoors_on_a_cell_tower_fix_is_flagged_as_too_imprecise() {
        let check = judged(at(40.0, 600.0));
        assert_eq!(check.verdict, CheckInVerdict::PositionTooImprecise);
        assert!(check.flagged());
        assert!(
            check.distance_m.is_some(),
            "the distance is still recorded for the supervisor"
        );
    }

    #[test]
    fn imprecise_fix_landing_on_the_doorstep_is_still_flagged() {
        let check = judged(at(0.0, 101.0));
        assert_eq!(check.verdict, CheckInVerdict::PositionTooImprecise);
    }

    #[test]
    fn imprecise_fix_cannot_stretch_the_distance_beyond_the_accuracy_limit() {
        // 300 m away with 200 m accuracy would reach within 150 m, but the fix is too vague.
        let check = judged(at(300.0, 200.0));
        assert_eq!(check.verdict, CheckInVerdict::PositionTooImprecise);
    }

    #[test]
    fn fix_exactly_at_the_accuracy_limit_is_trusted() {
        let check = judged(at(20.0, 100.0));
        assert_eq!(check.verdict, CheckInVerdict::AtAddress);
    }

    #[test]
    fn visit_to_a_household_never_located_on_the_map_is_flagged() {
        let check = check_in(None, at(0.0, 5.0), &CheckInPolicy::default());
        assert_eq!(check.verdict, CheckInVerdict::AddressNotLocated);
        assert_eq!(check.distance_m, None);
        assert_eq!(check.accuracy_m, 5.0);
        assert!(check.flagged());
    }

    #[test]
    fn broken_policy_flags_visits_instead_of_accepting_them() {
        let no_distance = CheckInPolicy {
            max_distance_m: f64::NAN,
            ..CheckInPolicy::default()
        };
        assert!(check_in(Some(household()), at(0.0, 5.0), &no_distance).flagged());
        let no_accuracy = CheckInPolicy {
            max_accuracy_m: f64::NAN,
            ..CheckInPolicy::default()
        };
        assert!(check_in(Some(household()), at(0.0, 5.0), &no_accuracy).flagged());
    }

    #[test]
    fn hand_built_position_with_nan_accuracy_is_flagged() {
        let device = DevicePosition {
            point: household(),
            accuracy_m: f64::NAN,
        };
        let check = judged(device);
        assert_eq!(check.verdict, CheckInVerdict::PositionTooImprecise);
    }

    #[test]
    fn device_position_refuses_impossible_accuracy() {
        for accuracy in [-1.0, f64::NAN, f64::INFINITY] {
            let err = DevicePosition::new(household(), accuracy).unwrap_err();
            assert_eq!(err.field, "accuracy_m");
        }
        assert!(DevicePosition::new(household(), 0.0).is_ok());
    }

    #[test]
    fn device_position_from_the_wire_is_validated() {
        let json = r#"{"point":{"lat":31.229,"lon":121.448},"accuracy_m":-3.0}"#;
        let err = serde_json::from_str::<DevicePosition>(json).unwrap_err();
        assert!(err.to_string().contains("accuracy_m"), "{err}");

        let good = r#"{"point":{"lat":31.229,"lon":121.448},"accuracy_m":3.0}"#;
        let position: DevicePosition = serde_json::from_str(good).unwrap();
        assert_eq!(position.accuracy_m, 3.0);
    }

    #[test]
    fn check_in_is_stored_with_a_tagged_verdict() {
        let check = CheckIn {
            distance_m: Some(400.0),
            accuracy_m: 10.0,
            verdict: CheckInVerdict::FarFromAddress { excess_m: 240.0 },
        };
        let json = serde_json::to_value(&check).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "distance_m": 400.0,
                "accuracy_m": 10.0,
                "verdict": { "kind": "far_from_address", "excess_m": 240.0 },
            })
        );
        assert_eq!(serde_json::from_value::<CheckIn>(json).unwrap(), check);

        let not_located = serde_json::to_value(CheckInVerdict::AddressNotLocated).unwrap();
        assert_eq!(
            not_located,
            serde_json::json!({ "kind": "address_not_located" })
        );
    }
}
