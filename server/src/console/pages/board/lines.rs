//! What the board shows, read from the records: the open orders a person may see, filtered,
//! sorted by their nearest deadline (the core's [`next_deadline`]) and cut to one page, with
//! what each line needs (the household's customer number, the urgent orders' delivery).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use doorstep_core::ids::{CrewId, DistrictId, TechnicianId};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::team::{Crew, District, Technician};
use doorstep_core::workorder::deadline::{Deadline, Milestone, next_deadline};
use doorstep_core::workorder::{WorkOrder, WorkOrderKind};
use serde::de::DeserializeOwned;

use crate::bucket::Bucket;
use crate::console::Staff;
use crate::delivery::OrderDelivery;
use crate::error::Result;
use crate::records::decode;
use crate::storage::{StoredRecord, Tx};

/// Lines on one page of the board.
pub const PAGE: usize = 100;

/// What the board is asked for: its filters, its page, and an order to highlight.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub district: Option<DistrictId>,
    pub kind: Option<WorkOrderKind>,
    pub crew: Option<CrewId>,
    /// 1-based; none: the first, or the page that holds `order`.
    pub page: Option<usize>,
    /// An order number to highlight (`?order=NUMBER`).
    pub order: Option<String>,
}

/// The districts, crews and technicians (not deleted): names, scopes and dispatch choices.
pub struct Directory {
    pub districts: Vec<District>,
    pub crews: Vec<Crew>,
    pub technicians: Vec<Technician>,
}

impl Directory {
    pub fn read(tx: &mut dyn Tx) -> Result<Directory> {
        let mut districts: Vec<District> = all(tx, Entity::District)?;
        let mut crews: Vec<Crew> = all(tx, Entity::Crew)?;
        let mut technicians: Vec<Technician> = all(tx, Entity::Technician)?;
        districts.sort_by(|a, b| a.name.cmp(&b.name));
        crews.sort_by(|a, b| a.name.cmp(&b.name));
        technicians.sort_by(|a, b| a.name.cmp(&b.name).then(a.badge.cmp(&b.badge)));
        Ok(Directory {
            districts,
            crews,
            technicians,
        })
    }

    pub fn crew(&self, id: CrewId) -> Option<&Crew> {
        self.crews.iter().find(|c| c.id == id)
    }

    pub fn technician(&self, id: TechnicianId) -> Option<&Technician> {
        self.technicians.iter().find(|t| t.id == id)
    }

    /// The district an order belongs to: its household's (the district bucket the order is
    /// in), else its crew's or its technician's, else the district its place lies in.
    pub fn district_of(&self, record: &StoredRecord, order: &WorkOrder) -> Option<DistrictId> {
        self.district_in(&record.buckets, order)
    }

    /// [`Directory::district_of`] for an order in these buckets.
    fn district_in(&self, buckets: &[Bucket], order: &WorkOrder) -> Option<DistrictId> {
        buckets
            .iter()
            .find_map(|b| match b {
                Bucket::District(d) => Some(*d),
                _ => None,
            })
            .or_else(|| order.crew.and_then(|c| self.crew(c)?.district_id))
            .or_else(|| order.assignee.and_then(|t| self.technician(t)?.district_id))
            .or_else(|| {
                let point = order.location?;
                self.districts
                    .iter()
                    .find(|d| d.boundary.contains(&point))
                    .map(|d| d.id)
            })
    }

    /// The districts this person may choose on the filter.
    pub fn districts_for<'a>(&'a self, staff: &'a Staff) -> impl Iterator<Item = &'a District> {
        self.districts.iter().filter(|d| staff.covers(Some(d.id)))
    }
}

/// Every record of `entity` that is not deleted, decoded.
fn all<T: DeserializeOwned>(tx: &mut dyn Tx, entity: Entity) -> Result<Vec<T>> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let page = tx.records(entity, &after, 1000)?;
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        for r in page.iter().filter(|r| !r.deleted) {
            out.push(decode(r)?);
        }
    }
    Ok(out)
}

/// One open order on the board.
pub struct Line {
    pub id: String,
    /// The record's version the line was drawn from (a dispatch sends it back).
    pub seq: i64,
    pub order: WorkOrder,
    pub district: Option<DistrictId>,
    /// Its earliest deadline not met yet, and when that clock started.
    pub next: Option<(Deadline, DateTime<Utc>)>,
    /// The household's customer number.
    pub customer_number: Option<String>,
    /// For a pipeline fault: when it reached the phone and was accepted.
    pub delivery: Option<OrderDelivery>,
}

/// One page of the board.
pub struct Board {
    /// How many open orders match.
    pub total: usize,
    /// 1-based.
    pub page: usize,
    pub pages: usize,
    pub lines: Vec<Line>,
    /// The order asked to be highlighted is on no page of this board.
    pub order_missing: bool,
}

/// When the clock of `deadline` started: a major fault's own clocks from its raise.
pub fn clock_start(order: &WorkOrder, deadline: &Deadline) -> DateTime<Utc> {
    match deadline.milestone {
        Milestone::EmergencyOnSite | Milestone::LeadershipReport => {
            order.major_since().unwrap_or(order.reported_at)
        }
        _ => order.reported_at,
    }
}

/// The board for `staff`: the open orders of their districts that pass `filter`, nearest
/// deadline first (major faults first at the same time; orders without a clock last), one
/// page of them.
pub fn board(tx: &mut dyn Tx, dir: &Directory, staff: &Staff, filter: &Filter) -> Result<Board> {
    let mut open = Vec::new();
    for held in decoded_open_orders(tx)? {
        let order = &held.order;
        if !order.is_open()
            || filter.kind.is_some_and(|k| k != order.kind)
            || filter.crew.is_some_and(|c| order.crew != Some(c))
        {
            continue;
        }
        let district = dir.district_in(&held.buckets, order);
        if !staff.covers(district) || filter.district.is_some_and(|d| district != Some(d)) {
            continue;
        }
        let next = next_deadline(order).map(|d| {
            let from = clock_start(order, &d);
            (d, from)
        });
        open.push(Line {
            id: held.id.clone(),
            seq: held.seq,
            order: order.clone(),
            district,
            next,
            customer_number: None,
            delivery: None,
        });
    }
    open.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    let total = open.len();
    let pages = total.div_ceil(PAGE).max(1);
    let wanted = filter.order.as_deref().map(str::trim);
    let at = wanted.and_then(|n| open.iter().position(|l| l.order.number == n));
    let page = match (filter.page, at) {
        (Some(p), _) => p.clamp(1, pages),
        (None, Some(i)) => i / PAGE + 1,
        (None, None) => 1,
    };
    let mut lines: Vec<Line> = open
        .into_iter()
        .skip((page - 1) * PAGE)
        .take(PAGE)
        .collect();
    for line in &mut lines {
        if let Some(h) = line.order.household_id {
            line.customer_number = tx
                .record(Entity::Household, &h.to_string())?
                .and_then(|r| r.key);
        }
        if line.order.kind == WorkOrderKind::PipelineFault {
            let rows = tx.deliveries(&line.id)?;
            line.delivery = Some(OrderDelivery::of(&line.order, &rows));
        }
    }
    Ok(Board {
        total,
        page,
        pages,
        lines,
        order_missing: wanted.is_some() && at.is_none(),
    })
}

fn sort_key(line: &Line) -> (DateTime<Utc>, bool, &str) {
    (
        line.next
            .as_ref()
            .map(|(d, _)| d.due_at)
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
        line.order.major_since().is_none(),
        &line.order.number,
    )
}

/// An open order as decoded at one version.
struct Held {
    id: String,
    seq: i64,
    order: WorkOrder,
    buckets: Vec<Bucket>,
}

/// The open orders decoded, kept between requests by their version: every request reads the
/// open orders' ids and versions (no bodies) and decodes only the orders changed since it last
/// saw them (a server change gives a record a new `seq`; servers sharing a database each keep
/// their own). Decoding every open order of a city on each board request was most of its cost
/// (docs/bench.md, `console_board_ms`).
fn decoded_open_orders(tx: &mut dyn Tx) -> Result<Vec<Arc<Held>>> {
    static HELD: OnceLock<Mutex<HashMap<String, Arc<Held>>>> = OnceLock::new();
    let versions = tx.open_work_order_versions()?;
    let mut held = HELD
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let stale: Vec<&String> = versions
        .iter()
        .filter(|(id, seq)| held.get(id).is_none_or(|h| h.seq != *seq))
        .map(|(id, _)| id)
        .collect();
    let fresh: Vec<StoredRecord> = if stale.len() > 200 {
        // Many: one pass over the open orders' bodies beats a query per order.
        let mut all = Vec::new();
        let mut after = String::new();
        loop {
            let page = tx.open_work_orders(&after, 1000)?;
            let Some(last) = page.last() else { break };
            after = last.id.clone();
            all.extend(page);
        }
        all
    } else {
        let mut some = Vec::with_capacity(stale.len());
        for id in stale {
            some.extend(tx.record(Entity::WorkOrder, id)?);
        }
        some
    };
    for record in fresh.into_iter().filter(|r| !r.deleted) {
        let current = held.get(&record.id).is_some_and(|h| h.seq == record.seq);
        if !current {
            let order: WorkOrder = decode(&record)?;
            held.insert(
                record.id.clone(),
                Arc::new(Held {
                    id: record.id,
                    seq: record.seq,
                    order,
                    buckets: record.buckets,
                }),
            );
        }
    }
    let open: HashSet<&String> = versions.iter().map(|(id, _)| id).collect();
    held.retain(|id, _| open.contains(id));
    let out = versions
        .iter()
        .filter_map(|(id, seq)| held.get(id).filter(|h| h.seq == *seq).cloned())
        .collect();
    *HELD
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = held;
    Ok(out)
}
