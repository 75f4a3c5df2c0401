//! A synthetic city for benchmarks, demos and tests: districts on a grid, technicians and
//! crews, households with plausible Chinese names, addresses, phones and meters, monthly
//! readings, and open work orders. Deterministic for a given seed; no real person's data.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::geo::{Area, GeoPoint};
use crate::household::{
    Address, Appliance, ApplianceKind, Category, FlueType, Household, Meter, MeterKind,
    MeterReading, Phone, ReadingSource, SpecialGroup, SpecialGroupRegistration, SupplyStatus,
    Volume,
};
use crate::ids::{CrewId, DistrictId, HouseholdId, TechnicianId};
use crate::team::{Crew, District, Technician, TechnicianRole};
use crate::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};

#[derive(Debug, Clone)]
pub struct CitySize {
    pub households: usize,
    pub readings: usize,
    pub open_orders: usize,
    /// Districts form a grid of `districts_per_side`² squares of about 2 km.
    pub districts_per_side: usize,
    pub technicians_per_district: usize,
}

impl CitySize {
    /// The size the store benchmark is specified on.
    pub fn benchmark() -> Self {
        Self {
            households: 100_000,
            readings: 1_000_000,
            open_orders: 5_000,
            districts_per_side: 5,
            technicians_per_district: 4,
        }
    }

    pub fn small() -> Self {
        Self {
            households: 500,
            readings: 3_000,
            open_orders: 40,
            districts_per_side: 2,
            technicians_per_district: 2,
        }
    }
}

pub struct City {
    pub districts: Vec<District>,
    pub crews: Vec<Crew>,
    pub technicians: Vec<Technician>,
    pub households: Vec<Household>,
    pub readings: Vec<MeterReading>,
    pub work_orders: Vec<WorkOrder>,
}

/// South-west corner of the grid: a city centre in eastern China.
const ORIGIN: (f64, f64) = (30.20, 120.08);
/// About 2 km in latitude and in longitude at 30° north.
const CELL_DEG: (f64, f64) = (0.018, 0.021);

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "欧阳", "司马",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建国", "淑珍",
];
const DISTRICTS: &[&str] = &[
    "西湖区",
    "上城区",
    "拱墅区",
    "滨江区",
    "萧山区",
    "余杭区",
    "临平区",
    "钱塘区",
];
const STREETS: &[&str] = &[
    "文三路",
    "文二路",
    "教工路",
    "学院路",
    "莫干山路",
    "天目山路",
    "延安路",
    "中山北路",
    "庆春路",
    "凤起路",
    "体育场路",
    "环城北路",
    "湖墅南路",
    "建国北路",
    "秋涛路",
    "解放路",
    "江南大道",
    "滨盛路",
    "古墩路",
    "紫金港路",
];
const BRANDS: &[&str] = &[
    "方太",
    "老板",
    "华帝",
    "万和",
    "万家乐",
    "林内",
    "能率",
    "A.O.史密斯",
];

pub fn generate(size: &CitySize, seed: u64, now: DateTime<Utc>) -> City {
    let mut rng = StdRng::seed_from_u64(seed);
    let side = size.districts_per_side.max(1);

    let mut districts = Vec::new();
    let mut crews = Vec::new();
    let mut technicians = Vec::new();
    for row in 0..side {
        for col in 0..side {
            let (lat0, lon0) = (
                ORIGIN.0 + row as f64 * CELL_DEG.0,
                ORIGIN.1 + col as f64 * CELL_DEG.1,
            );
            let corner = |dlat: f64, dlon: f64| {
                GeoPoint::new(lat0 + dlat, lon0 + dlon).expect("grid inside range")
            };
            let boundary = Area::new(vec![
                corner(0.0, 0.0),
                corner(0.0, CELL_DEG.1),
                corner(CELL_DEG.0, CELL_DEG.1),
                corner(CELL_DEG.0, 0.0),
            ])
            .expect("a square is an area");
            let number = districts.len() + 1;
            let district = District {
                id: DistrictId::new(),
                name: format!("第{number}片区"),
                policy: Default::default(),
                boundary,
            };
            let crew = Crew {
                id: CrewId::new(),
                name: format!("第{number}抢修班"),
                district_id: Some(district.id),
            };
            for t in 0..size.technicians_per_district.max(1) {
                technicians.push(Technician {
                    id: TechnicianId::new(),
                    badge: format!("T{number:03}{t:02}"),
                    name: person_name(&mut rng),
                    phone: Some(mobile(&mut rng)),
                    role: if t == 0 {
                        TechnicianRole::Inspector
                    } else {
                        TechnicianRole::RepairTechnician
                    },
                    crew_id: Some(crew.id),
                    district_id: Some(district.id),
                    active: true,
                });
            }
            crews.push(crew);
            districts.push(district);
        }
    }

    let today = now.date_naive();
    let mut households = Vec::with_capacity(size.households);
    for i in 0..size.households {
        let d = &districts[i % districts.len()];
        let (sw, _) = d.boundary.bounding_box();
        let location = GeoPoint::new(
            sw.lat() + rng.random_range(0.0005..CELL_DEG.0 - 0.0005),
            sw.lon() + rng.random_range(0.0005..CELL_DEG.1 - 0.0005),
        )
        .ok();
        let category = match rng.random_range(0..100) {
            0..90 => Category::Residential,
            90..96 => Category::Commercial,
            96..98 => Category::Industrial,
            _ => Category::Heating,
        };
        let supply = match rng.random_range(0..100) {
            0..94 => SupplyStatus::Active,
            94..97 => SupplyStatus::ShutOff {
                reason: crate::household::ShutOffReason::Arrears,
                since: now - Duration::days(rng.random_range(1..300)),
                seal: None,
            },
            97..99 => SupplyStatus::NotConnected,
            _ => SupplyStatus::PermanentlyDisconnected {
                since: now - Duration::days(rng.random_range(300..2000)),
            },
        };
        let gas_on = today - Duration::days(rng.random_range(30..5000));
        let last_inspection = (rng.random_range(0..10) > 0).then(|| {
            now - Duration::days(rng.random_range(1..900))
                - Duration::minutes(rng.random_range(0..600))
        });
        let special = (rng.random_range(0..100) < 3).then(|| SpecialGroupRegistration {
            groups: vec![
                [
                    SpecialGroup::Elderly,
                    SpecialGroup::Weak,
                    SpecialGroup::Sick,
                    SpecialGroup::Disabled,
                ][rng.random_range(0..4)],
            ],
            needs: "上门办理业务".to_owned(),
            contact: Some(crate::household::ContactPerson {
                name: person_name(&mut rng),
                relation: "子女".to_owned(),
                phone: mobile(&mut rng),
            }),
            consent_given: true,
            registered_on: today - Duration::days(rng.random_range(1..1000)),
        });
        households.push(Household {
            id: HouseholdId::new(),
            customer_number: format!("{:010}", 3_300_000_000u64 + i as u64),
            name: person_name(&mut rng),
            phones: vec![mobile(&mut rng)],
            address: Address {
                district: DISTRICTS[rng.random_range(0..DISTRICTS.len())].to_owned(),
                street: format!(
                    "{}{}号",
                    STREETS[rng.random_range(0..STREETS.len())],
                    rng.random_range(1..400)
                ),
                building: rng.random_range(1..40).to_string(),
                unit: rng.random_range(1..6).to_string(),
                room: format!("{}{:02}", rng.random_range(1..30), rng.random_range(1..5)),
            },
            location,
            district_id: Some(d.id),
            category,
            meter: Some(Meter {
                serial: format!("M{:09}", i),
                kind: MeterKind::Diaphragm,
                initial_reading: Volume::from_litres(0),
            }),
            appliances: vec![Appliance {
                kind: ApplianceKind::Stove,
                brand: BRANDS[rng.random_range(0..BRANDS.len())].to_owned(),
                installed_on: NaiveDate::from_ymd_opt(
                    2015 + rng.random_range(0..10),
                    1 + rng.random_range(0..12),
                    1,
                ),
                flue: FlueType::None,
            }],
            supply,
            gas_on_date: Some(gas_on),
            last_inspection_at: last_inspection,
            special_group: special,
        });
    }

    // Monthly readings, newest last; a household uses a steady amount with some noise.
    let per_household = size.readings / size.households.max(1);
    let mut extra = size.readings % size.households.max(1);
    let mut readings = Vec::with_capacity(size.readings);
    for h in &households {
        let count = per_household + usize::from(extra > 0);
        extra = extra.saturating_sub(1);
        let monthly = rng.random_range(5_000..40_000i64);
        let mut value = rng.random_range(0..2_000_000i64);
        for k in (0..count).rev() {
            value += monthly * rng.random_range(80..120) / 100;
            readings.push(MeterReading {
                household_id: h.id,
                taken_at: now
                    - Duration::days(30 * k as i64 + 1)
                    - Duration::minutes(rng.random_range(0..600)),
                value: Volume::from_litres(value),
                source: ReadingSource::Technician,
            });
        }
    }

    let mut work_orders = Vec::with_capacity(size.open_orders);
    for n in 0..size.open_orders {
        let h = &households[rng.random_range(0..households.len())];
        let kind = WorkOrderKind::ALL[rng.random_range(0..WorkOrderKind::ALL.len())];
        let reported_at = now - Duration::minutes(rng.random_range(5..4 * 24 * 60));
        let mut order = WorkOrder::open(
            format!("WO{:08}", n + 1),
            kind,
            WorkOrderSource::Phone,
            Some(h.id),
            "",
            reported_at,
        );
        let district_techs: Vec<&Technician> = technicians
            .iter()
            .filter(|t| t.district_id == h.district_id)
            .collect();
        let tech = district_techs[rng.random_range(0..district_techs.len())];
        order.assignee = Some(tech.id);
        order.crew = tech.crew_id;
        let steps = rng.random_range(0..4usize);
        let mut at = reported_at;
        for status in [
            WorkOrderStatus::Dispatched,
            WorkOrderStatus::Accepted,
            WorkOrderStatus::EnRoute,
        ]
        .into_iter()
        .take(steps)
        {
            at += Duration::minutes(rng.random_range(1..30));
            if at < now {
                order
                    .advance(status, at, None)
                    .expect("forward steps in time order");
            }
        }
        work_orders.push(order);
    }

    City {
        districts,
        crews,
        technicians,
        households,
        readings,
        work_orders,
    }
}

/// A generated Chinese name (surname and given name).
pub fn person_name(rng: &mut StdRng) -> String {
    format!(
        "{}{}",
        SURNAMES[rng.random_range(0..SURNAMES.len())],
        GIVEN[rng.random_range(0..GIVEN.len())]
    )
}

/// A generated mainland mobile number.
pub fn mobile(rng: &mut StdRng) -> Phone {
    Phone::parse(&format!(
        "1{}{:09}",
        rng.random_range(3..10),
        rng.random_range(0..1_000_000_000u64)
    ))
    .expect("generated numbers are valid")
}
