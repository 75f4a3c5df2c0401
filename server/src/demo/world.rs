//! The demo's district: a part of Hangzhou's 西湖区 with its roads, residential compounds
//! (小区), buildings, units and rooms; a few thousand households of every category with
//! generated Chinese names and phones, meters with a year of monthly readings, some
//! inspections overdue, special-group users; the team (an inspector, a repair crew); and the
//! open work orders the day starts with. Deterministic for a seed; no real person's data.
//!
//! [`Cast`] names the households and orders the day's scenes play on.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use doorstep_core::geo::{Area, GeoPoint};
use doorstep_core::household::{
    Address, Appliance, ApplianceKind, Category, ContactPerson, FlueType, Household, Meter,
    MeterKind, MeterReading, ReadingSource, SpecialGroup, SpecialGroupRegistration, SupplyStatus,
    Volume,
};
use doorstep_core::ids::{CrewId, DistrictId, HouseholdId, TechnicianId, WorkOrderId};
use doorstep_core::sync::protocol::Record;
use doorstep_core::synthetic::{mobile, person_name};
use doorstep_core::team::{Crew, District, Technician, TechnicianRole};
use doorstep_core::workorder::{
    Appointment, WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::records;
use crate::storage::{self, Storage};

use super::DemoResult;

/// The UTC instant of a Beijing wall-clock time.
pub fn beijing(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    offset
        .from_local_datetime(&date.and_time(time))
        .single()
        .expect("UTC+8 has no gaps")
        .with_timezone(&Utc)
}

pub fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("a time of day")
}

pub struct World {
    pub seed: u64,
    /// The day played (Beijing time).
    pub date: NaiveDate,
    pub district: District,
    pub crew: Crew,
    /// The inspector with the first phone.
    pub inspector: Technician,
    /// The repair crew member with the second phone.
    pub repairer: Technician,
    /// The rest of the team (no phone in the demo).
    pub others: Vec<Technician>,
    pub compounds: Vec<Compound>,
    pub households: Vec<Household>,
    pub readings: Vec<MeterReading>,
    /// The orders open when the day starts (the cast's among them).
    pub orders: Vec<WorkOrder>,
    pub cast: Cast,
}

/// A residential compound: its name, the road it opens on and where its buildings stand.
#[derive(Debug, Clone)]
pub struct Compound {
    pub name: String,
    pub road: String,
    pub number: u32,
    /// The south-west and north-east corners of its block.
    pub block: (GeoPoint, GeoPoint),
    /// Each building's entrance, by building number (1-based).
    pub buildings: Vec<GeoPoint>,
}

/// The households and orders the scenes play on: chosen by the generator, so that every run
/// of a seed plays the same day.
#[derive(Debug, Clone)]
pub struct Cast {
    /// The inspector's completed inspections, in walking order.
    pub inspections: Vec<HouseholdId>,
    /// An inspection where nobody answers the door.
    pub nobody_home: HouseholdId,
    /// An inspection that finds a major hazard: gas shut off on the spot, a follow-up order.
    pub major_hazard: HouseholdId,
    /// An inspection where the user gives a new phone number while the office, on the
    /// phone with the same user, types another.
    pub phone_edit: HouseholdId,
    /// An elderly user registered for priority home service during a visit.
    pub special_group: HouseholdId,
    /// The ordinary pipeline fault the crew repairs in a basement with no network.
    pub pipeline_fault: WorkOrderId,
    /// The fault of the user's equipment with an appointment; a charge collected.
    pub equipment_fault: WorkOrderId,
    /// A return visit after last week's repair.
    pub return_visit: WorkOrderId,
    /// The compound of tomorrow's planned outage (its buildings are told during the day).
    pub outage_compound: usize,
    /// The household a complaint came from yesterday (the equipment fault's).
    pub complainant: HouseholdId,
}

/// Surnames for the shops' signs ("王记小吃"); people's names come from `synthetic`.
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "沈", "钱",
    "欧阳",
];
/// East-west roads, south to north, and north-south roads, west to east: the grid of 文新.
const EAST_WEST: &[&str] = &["文一西路", "文二西路", "文三西路", "文鼎路", "余杭塘路"];
const NORTH_SOUTH: &[&str] = &["古墩路", "丰潭路", "莫干山路", "学院路", "教工路"];
const COMPOUND_NAMES: &[&str] = &[
    "翠苑一区",
    "翠苑二区",
    "文鼎苑",
    "嘉绿苑",
    "南都德加",
    "三墩新村",
    "竞舟小区",
    "德加公寓",
    "丰元苑",
    "府苑新村",
    "西城年华",
    "溪畔花园",
    "文新公寓",
    "紫荆花苑",
    "香樟公寓",
    "骆家庄",
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
/// The district's south-west corner and the size of a block between two roads.
const ORIGIN: (f64, f64) = (30.2780, 120.1080);
const BLOCK: (f64, f64) = (0.0036, 0.0042);

pub fn generate(seed: u64, households: usize, date: NaiveDate) -> World {
    let mut rng = StdRng::seed_from_u64(seed);
    let now = beijing(date, hm(7, 0));
    let corner = |lat: f64, lon: f64| GeoPoint::new(lat, lon).expect("inside the range");
    let (rows, cols) = (EAST_WEST.len() - 1, NORTH_SOUTH.len() - 1);
    let south_west = corner(ORIGIN.0, ORIGIN.1);
    let north_east = corner(
        ORIGIN.0 + rows as f64 * BLOCK.0,
        ORIGIN.1 + cols as f64 * BLOCK.1,
    );
    let district = District {
        id: DistrictId(uuid(&mut rng)),
        name: "西湖区文新片区".to_owned(),
        policy: Default::default(),
        boundary: Area::new(vec![
            south_west,
            corner(south_west.lat(), north_east.lon()),
            north_east,
            corner(north_east.lat(), south_west.lon()),
        ])
        .expect("a rectangle is an area"),
    };
    let crew = Crew {
        id: CrewId(uuid(&mut rng)),
        name: "文新抢修一班".to_owned(),
        district_id: Some(district.id),
    };
    let member = |badge: &str, rng: &mut StdRng, role| Technician {
        id: TechnicianId(uuid(rng)),
        badge: badge.to_owned(),
        name: person_name(rng),
        phone: Some(mobile(rng)),
        role,
        crew_id: Some(crew.id),
        district_id: Some(district.id),
        active: true,
    };
    let inspector = member("HZ1024", &mut rng, TechnicianRole::Inspector);
    let repairer = member("HZ2051", &mut rng, TechnicianRole::RepairTechnician);
    let others = vec![
        member("HZ1031", &mut rng, TechnicianRole::Inspector),
        member("HZ2007", &mut rng, TechnicianRole::CrewLeader),
    ];

    // One compound per block, its buildings in rows facing the road to its south.
    let mut compounds = Vec::new();
    for row in 0..rows {
        for col in 0..cols {
            let sw = corner(
                ORIGIN.0 + row as f64 * BLOCK.0,
                ORIGIN.1 + col as f64 * BLOCK.1,
            );
            let ne = corner(sw.lat() + BLOCK.0, sw.lon() + BLOCK.1);
            compounds.push(Compound {
                name: COMPOUND_NAMES[(row * cols + col) % COMPOUND_NAMES.len()].to_owned(),
                road: EAST_WEST[row].to_owned(),
                number: 100 + 2 * rng.random_range(1..200u32),
                block: (sw, ne),
                buildings: Vec::new(),
            });
        }
    }
    // Households fill buildings of 2 to 3 units, 6 to 18 floors, 2 flats a floor.
    let mut all = Vec::with_capacity(households);
    let mut c = 0;
    while all.len() < households {
        let index = c % compounds.len();
        let compound = &mut compounds[index];
        c += 1;
        let building = compound.buildings.len() + 1;
        let (sw, ne) = compound.block;
        // Buildings in rows of four, from the south-west of the block.
        let (r, k) = ((building - 1) / 4, (building - 1) % 4);
        let entrance = corner(
            sw.lat() + (ne.lat() - sw.lat()) * (0.15 + 0.2 * (r % 4) as f64),
            sw.lon() + (ne.lon() - sw.lon()) * (0.12 + 0.22 * k as f64),
        );
        compound.buildings.push(entrance);
        let units = rng.random_range(2..=3u32);
        let floors = rng.random_range(6..=18u32);
        'flats: for unit in 1..=units {
            for floor in 1..=floors {
                for flat in 1..=2u32 {
                    if all.len() >= households {
                        break 'flats;
                    }
                    let i = all.len();
                    all.push(household(
                        &mut rng, i, &district, compound, building, unit, floor, flat, now,
                    ));
                }
            }
        }
    }

    // A year of monthly readings, newest last; each household's own steady use with noise.
    let mut readings = Vec::with_capacity(all.len() * 12);
    for h in all.iter().filter(|h| h.meter.is_some()) {
        let monthly = match h.category {
            Category::Residential => rng.random_range(6_000..30_000i64),
            _ => rng.random_range(80_000..600_000i64),
        };
        let mut value = rng.random_range(100_000..3_000_000i64);
        for month in (1..=12i64).rev() {
            value += monthly * rng.random_range(70..130) / 100;
            readings.push(MeterReading {
                household_id: h.id,
                taken_at: now
                    - Duration::days(30 * month - 3)
                    - Duration::hours(rng.random_range(0..8)),
                value: Volume::from_litres(value),
                source: ReadingSource::Technician,
            });
        }
    }

    // The cast: households on gas, residential, with a meter and no special registration yet.
    let ordinary: Vec<usize> = (0..all.len())
        .filter(|&i| {
            let h = &all[i];
            h.category == Category::Residential
                && matches!(h.supply, SupplyStatus::Active)
                && h.special_group.is_none()
                && h.meter.is_some()
        })
        .collect();
    let pick = |rng: &mut StdRng, taken: &mut Vec<usize>| -> usize {
        loop {
            let i = ordinary[rng.random_range(0..ordinary.len())];
            if !taken.contains(&i) {
                taken.push(i);
                return i;
            }
        }
    };
    let mut taken = Vec::new();
    // The inspections: eight households of one compound, overdue, in walking order.
    let home = &compounds[rng.random_range(0..compounds.len())].name.clone();
    let mut inspections: Vec<usize> = ordinary
        .iter()
        .copied()
        .filter(|&i| {
            &all[i].address.street.clone() == home || all[i].address.street.ends_with(home.as_str())
        })
        .take(60)
        .collect();
    inspections.truncate(8);
    // The cast is the most overdue of the district (more than three years since the last
    // inspection), so that the day's households head the inspector's list on Today.
    let overdue = |h: &mut Household, days: i64| {
        let last = now - Duration::days(days);
        h.last_inspection_at = Some(last);
        h.gas_on_date = Some((last - Duration::days(400)).date_naive());
    };
    for &i in &inspections {
        taken.push(i);
        overdue(&mut all[i], rng.random_range(1300..1360));
    }
    let nobody_home = pick(&mut rng, &mut taken);
    let major_hazard = pick(&mut rng, &mut taken);
    let phone_edit = pick(&mut rng, &mut taken);
    let special_group = pick(&mut rng, &mut taken);
    for &i in &[nobody_home, major_hazard, phone_edit, special_group] {
        overdue(&mut all[i], rng.random_range(1250..1290));
    }
    let fault_at = pick(&mut rng, &mut taken);
    let equipment_at = pick(&mut rng, &mut taken);
    let visited_at = pick(&mut rng, &mut taken);

    let mut orders = Vec::new();
    let mut number = 0;
    let mut order = |rng: &mut StdRng,
                     kind,
                     household: Option<usize>,
                     what: &str,
                     reported_at,
                     assignee: Option<&Technician>| {
        number += 1;
        let mut order = WorkOrder::open(
            format!("GD-{}-{:04}", date.format("%Y%m%d"), number),
            kind,
            WorkOrderSource::Phone,
            household.map(|i| all[i].id),
            what,
            reported_at,
        );
        order.id = WorkOrderId(uuid(rng));
        if let Some(t) = assignee {
            order.assignee = Some(t.id);
            order.crew = t.crew_id;
            order
                .advance(
                    WorkOrderStatus::Dispatched,
                    reported_at + Duration::minutes(4),
                    None,
                )
                .expect("dispatched after the report");
        }
        orders.push(order);
        orders.last().expect("just pushed").id
    };
    let pipeline_fault = order(
        &mut rng,
        WorkOrderKind::PipelineFault,
        Some(fault_at),
        "地下室立管接头处有燃气味，用户报修",
        beijing(date, hm(8, 5)),
        Some(&repairer),
    );
    let equipment_fault = order(
        &mut rng,
        WorkOrderKind::UserEquipmentFault,
        Some(equipment_at),
        "燃气热水器点不着火",
        beijing(date, hm(7, 40)) - Duration::days(1),
        Some(&repairer),
    );
    let return_visit = order(
        &mut rng,
        WorkOrderKind::ReturnVisit,
        Some(visited_at),
        "上周更换燃气表后的回访",
        beijing(date, hm(7, 20)),
        Some(&repairer),
    );
    // Other open work of the district: not the phones' today.
    for k in 0..12usize {
        let i = pick(&mut rng, &mut taken);
        let kind = [
            WorkOrderKind::ShutOff,
            WorkOrderKind::AcceptanceAndGasOn,
            WorkOrderKind::Reconnection,
        ][k % 3];
        let who = [&others[0], &others[1]][k % 2];
        let reported_at = now - Duration::hours(rng.random_range(2..72));
        order(&mut rng, kind, Some(i), "", reported_at, Some(who));
    }
    if let Some(o) = orders.iter_mut().find(|o| o.id == equipment_fault) {
        o.appointment = Some(Appointment {
            from: beijing(date, hm(14, 0)),
            to: beijing(date, hm(16, 0)),
        });
    }

    let cast = Cast {
        inspections: inspections.iter().map(|&i| all[i].id).collect(),
        nobody_home: all[nobody_home].id,
        major_hazard: all[major_hazard].id,
        phone_edit: all[phone_edit].id,
        special_group: all[special_group].id,
        pipeline_fault,
        equipment_fault,
        return_visit,
        outage_compound: (seed as usize) % compounds.len(),
        complainant: all[equipment_at].id,
    };
    World {
        seed,
        date,
        district,
        crew,
        inspector,
        repairer,
        others,
        compounds,
        households: all,
        readings,
        orders,
        cast,
    }
}

impl World {
    /// When the phones' day begins: 07:30, Beijing time.
    pub fn start_of_day(&self) -> DateTime<Utc> {
        beijing(self.date, hm(7, 30))
    }

    pub fn household(&self, id: HouseholdId) -> &Household {
        self.households
            .iter()
            .find(|h| h.id == id)
            .expect("a household of the demo's world")
    }

    pub fn order(&self, id: WorkOrderId) -> &WorkOrder {
        self.orders
            .iter()
            .find(|o| o.id == id)
            .expect("an order of the demo's world")
    }

    pub fn technicians(&self) -> Vec<&Technician> {
        let mut all = vec![&self.inspector, &self.repairer];
        all.extend(self.others.iter());
        all
    }
}

/// Writes the world into the server's storage as the office's records, in one transaction.
pub fn seed(storage: &dyn Storage, world: &World) -> DemoResult<()> {
    crate::serve::seed_templates(storage)?;
    storage::write(storage, |tx| {
        records::put_from_office(tx, &Record::District(world.district.clone()))?;
        records::put_from_office(tx, &Record::Crew(world.crew.clone()))?;
        for t in world.technicians() {
            records::put_from_office(tx, &Record::Technician((*t).clone()))?;
        }
        for h in &world.households {
            records::put_from_office(tx, &Record::Household(Box::new(h.clone())))?;
        }
        for r in &world.readings {
            records::put_from_office(tx, &Record::Reading(r.clone()))?;
        }
        for o in &world.orders {
            records::put_from_office(tx, &Record::WorkOrder(Box::new(o.clone())))?;
        }
        Ok(())
    })?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn household(
    rng: &mut StdRng,
    i: usize,
    district: &District,
    compound: &Compound,
    building: usize,
    unit: u32,
    floor: u32,
    flat: u32,
    now: DateTime<Utc>,
) -> Household {
    let category = match rng.random_range(0..1000) {
        0..940 => Category::Residential,
        940..985 => Category::Commercial,
        985..993 => Category::Industrial,
        _ => Category::Heating,
    };
    let supply = match rng.random_range(0..100) {
        0..95 => SupplyStatus::Active,
        95..98 => SupplyStatus::ShutOff {
            reason: doorstep_core::household::ShutOffReason::Arrears,
            since: now - Duration::days(rng.random_range(5..200)),
            seal: None,
        },
        _ => SupplyStatus::NotConnected,
    };
    let today = now.date_naive();
    // About one residential household in eight is overdue (inspected more than two years
    // ago, at most about nine months late); shops and plants are inspected yearly and in time.
    let days = match category {
        Category::Residential if rng.random_range(0..8) == 0 => rng.random_range(731..1000),
        Category::Residential => rng.random_range(20..700),
        _ => rng.random_range(20..330),
    };
    let last_inspection =
        Some(now - Duration::days(days) - Duration::minutes(rng.random_range(0..600)));
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
        contact: Some(ContactPerson {
            name: person_name(rng),
            relation: "子女".to_owned(),
            phone: mobile(rng),
        }),
        consent_given: true,
        registered_on: today - Duration::days(rng.random_range(30..1000)),
    });
    let entrance = compound.buildings[building - 1];
    let mut appliances = vec![Appliance {
        kind: ApplianceKind::Stove,
        brand: BRANDS[rng.random_range(0..BRANDS.len())].to_owned(),
        installed_on: NaiveDate::from_ymd_opt(
            2012 + rng.random_range(0..13),
            1 + rng.random_range(0..12),
            1,
        ),
        flue: FlueType::None,
    }];
    if rng.random_range(0..3) > 0 {
        appliances.push(Appliance {
            kind: ApplianceKind::WaterHeater,
            brand: BRANDS[rng.random_range(0..BRANDS.len())].to_owned(),
            installed_on: NaiveDate::from_ymd_opt(
                2014 + rng.random_range(0..11),
                1 + rng.random_range(0..12),
                1,
            ),
            flue: FlueType::Balanced,
        });
    }
    Household {
        id: HouseholdId(uuid(rng)),
        customer_number: format!("{:010}", 3_301_000_000u64 + i as u64),
        name: match category {
            Category::Residential => person_name(rng),
            Category::Commercial => {
                format!("{}记小吃", SURNAMES[rng.random_range(0..SURNAMES.len())])
            }
            Category::Industrial => "文新食品加工厂".to_owned(),
            Category::Heating => format!("{}锅炉房", compound.name),
        },
        phones: vec![mobile(rng)],
        address: Address {
            district: "西湖区".to_owned(),
            street: format!("{}{}号{}", compound.road, compound.number, compound.name),
            building: building.to_string(),
            unit: unit.to_string(),
            room: format!("{floor}{flat:02}"),
        },
        location: GeoPoint::new(
            entrance.lat() + rng.random_range(-0.00002..0.00002),
            entrance.lon() + f64::from(unit) * 0.00012,
        )
        .ok(),
        district_id: Some(district.id),
        category,
        meter: Some(Meter {
            serial: format!("HZM{:08}", 21_000_000 + i),
            kind: if category == Category::Residential {
                MeterKind::Diaphragm
            } else {
                MeterKind::Industrial
            },
            initial_reading: Volume::from_litres(0),
        }),
        appliances,
        supply,
        gas_on_date: Some(today - Duration::days(rng.random_range(400..6000))),
        last_inspection_at: last_inspection,
        special_group: special,
    }
}

/// An id from the seed's generator: the same seed, the same ids.
fn uuid(rng: &mut StdRng) -> uuid::Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}
