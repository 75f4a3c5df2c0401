//! What this phone's technician collected on a day, from the forms sealed on the phone: what
//! they hand over at the day's settlement (日清日结, Art.14).

use chrono::NaiveDate;

use super::Store;
use super::outages::own_technician;
use super::ts;
use crate::error::Result;
use crate::fees::{DayTotals, day_bounds, day_totals};
use crate::forms::form::Form;
use crate::text::said;

impl Store {
    /// The money this phone's technician collected on `day` (Asia/Shanghai), by method, with
    /// the receipts: from the sealed forms whose charges they collected.
    pub fn collected_on(&self, day: NaiveDate) -> Result<DayTotals> {
        let technician = own_technician(&self.conn)?;
        let mut collections = Vec::new();
        for form in self.sealed_on(day)? {
            let template = self.template(&form.template_id, form.template_version)?;
            collections.extend(form.collection(&template));
        }
        day_totals(technician, day, &collections).ok_or_else(|| {
            crate::InvalidInput::new(
                "collected",
                said(
                    "当日收费合计超出可记录的金额",
                    "the day's collections add up beyond any amount that can be recorded",
                ),
            )
            .into()
        })
    }

    /// The forms sealed on this phone on `day` (Asia/Shanghai), in the order they were sealed:
    /// the Fees screen lists the charges of each.
    pub fn sealed_on(&self, day: NaiveDate) -> Result<Vec<Form>> {
        let (start, end) = day_bounds(day);
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc FROM forms WHERE sealed_at >= ?1 AND sealed_at < ?2 ORDER BY sealed_at",
        )?;
        let docs = stmt
            .query_map([ts(&start), ts(&end)], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        docs.iter()
            .map(|doc| Ok(serde_json::from_str(doc)?))
            .collect()
    }
}
