//! Household search by customer number, name, phone or address, including partial Chinese
//! text. FTS5's trigram tokenizer indexes every three-character window, so any substring of
//! three or more characters is found through the index; shorter queries (a two-character
//! surname, a room number) fall back to a scan of the same table.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::Store;
use super::households::HouseholdSummary;
use crate::error::Result;
use crate::household::Household;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub household: HouseholdSummary,
}

pub(super) fn index_household(conn: &Connection, rowid: i64, h: &Household) -> Result<()> {
    let phones: Vec<&str> = h
        .phones
        .iter()
        .chain(
            h.special_group
                .iter()
                .filter_map(|g| g.contact.as_ref())
                .map(|c| &c.phone),
        )
        .map(|p| p.as_str())
        .collect();
    conn.prepare_cached(
        "INSERT INTO household_search(rowid, customer_number, name, phones, address) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![rowid, h.customer_number, h.name, phones.join(" "), h.address.one_line()])?;
    Ok(())
}

/// Removes a household's entry; returns whether there was one.
pub(super) fn remove_household(conn: &Connection, rowid: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM household_search WHERE rowid = ?1")?
        .execute([rowid])?
        > 0)
}

impl Store {
    /// Households whose customer number, name, phone or address contains `query`, at most
    /// `limit` of them. A query of digits, spaces and dashes is also tried as a phone number
    /// the way it is stored (digits only).
    pub fn search_households(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        let query = query.trim();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let digits: String = query.chars().filter(char::is_ascii_digit).collect();
        let as_phone = query
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
            && digits != query;
        let needles: Vec<String> = if as_phone {
            vec![query.to_owned(), digits]
        } else {
            vec![query.to_owned()]
        };

        // An exact customer number is what the caller meant: it comes first, whatever the limit.
        let mut hits: Vec<SearchHit> = self.collect(
            "SELECT doc, inspection_due_on FROM households WHERE customer_number = ?1",
            [query],
        )?;
        for needle in needles {
            let rows = if needle.chars().count() >= 3 {
                // A phrase of the whole query: every trigram in order, i.e. the substring.
                let phrase = format!("\"{}\"", needle.replace('"', "\"\""));
                self.collect(
                    "SELECT h.doc, h.inspection_due_on FROM household_search s JOIN households h ON h.rowid = s.rowid
                     WHERE household_search MATCH ?1 LIMIT ?2",
                    params![phrase, limit as i64],
                )?
            } else {
                let pattern = format!(
                    "%{}%",
                    needle
                        .replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                );
                self.collect(
                    "SELECT h.doc, h.inspection_due_on FROM household_search s JOIN households h ON h.rowid = s.rowid
                     WHERE s.customer_number LIKE ?1 ESCAPE '\\' OR s.name LIKE ?1 ESCAPE '\\'
                        OR s.phones LIKE ?1 ESCAPE '\\' OR s.address LIKE ?1 ESCAPE '\\'
                     LIMIT ?2",
                    params![pattern, limit as i64],
                )?
            };
            for hit in rows {
                if hits.len() < limit && !hits.iter().any(|h| h.household.id == hit.household.id) {
                    hits.push(hit);
                }
            }
        }
        Ok(hits)
    }

    fn collect(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<SearchHit>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
        rows.map(|row| {
            let (doc, due) = row?;
            let household: Household = serde_json::from_str(&doc)?;
            Ok(SearchHit {
                household: HouseholdSummary::of(&household, due),
            })
        })
        .collect()
    }
}
