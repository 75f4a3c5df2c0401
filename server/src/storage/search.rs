//! The household search of the console's calls page (issue 26): what a household is found by,
//! as one normalised text per household (`household_search`), written by both backends'
//! `put_record`/`put_records` whenever a household is, and read by [`super::Tx::find_households`].
//!
//! A caller gives a customer number, a name, a phone (however it is formatted) or part of
//! an address the way it is said: `文三路88号`, `3幢2单元`, `西湖区文三路`. The text holds each of
//! these once, normalised the way a query is ([`normalise`]): Latin letters in lower case,
//! full-width letters and digits as ASCII, no spaces, `幢`/`号楼`/`座` as `栋`, so that both sides
//! spell a building alike. Fields are separated by a control character a query never holds,
//! so a query cannot match across two of them.

use doorstep_core::household::{Address, Household};

use super::{StorageResult, StoredRecord, Tx};
use doorstep_core::sync::protocol::Entity;

/// Between two fields of the text: no query holds it ([`normalise`] drops control characters).
const SEPARATOR: char = '\u{1f}';

/// What one household's row of the search holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRow {
    pub id: String,
    /// `None`: the household is in no district (only the whole city's staff find it).
    pub district_id: Option<String>,
    /// The customer number as it is (an exact number is listed first).
    pub number: String,
    pub text: String,
}

/// What the search should hold for these records: a row for each household, `Err(id)` for
/// each deleted one (its row leaves). Other records are not the search's.
pub fn rows_of(records: &[&StoredRecord]) -> Vec<Result<SearchRow, String>> {
    records
        .iter()
        .filter(|r| r.entity == Entity::Household)
        .map(|r| {
            if r.deleted {
                return Err(r.id.clone());
            }
            match serde_json::from_str::<Household>(&r.body) {
                Ok(h) => Ok(row(&h)),
                // A body this version cannot read is not searchable; it is not an error to
                // write it (an older or newer server's), only to find it.
                Err(_) => Err(r.id.clone()),
            }
        })
        .collect()
}

/// Indexes every household stored, a page at a time (an old data directory's first start).
pub(super) fn index_every_household(tx: &mut dyn Tx) -> StorageResult<u64> {
    let mut after = String::new();
    let mut indexed = 0;
    loop {
        let page = tx.records(Entity::Household, &after, 1000)?;
        let Some(last) = page.last() else {
            return Ok(indexed);
        };
        after = last.id.clone();
        let records: Vec<&StoredRecord> = page.iter().filter(|r| !r.deleted).collect();
        tx.index_households(&records)?;
        indexed += records.len() as u64;
    }
}

/// Builds the search at open if the database holds households and no search yet.
pub(super) fn build_at_open(storage: &dyn super::Storage) -> StorageResult<()> {
    let indexed = super::write(storage, |tx| Ok(tx.build_household_search()?))
        .map_err(|e| super::StorageError::Database(e.to_string()))?;
    if indexed > 0 {
        tracing::info!(households = indexed, "household search built");
    }
    Ok(())
}

/// The household's row.
pub fn row(h: &Household) -> SearchRow {
    SearchRow {
        id: h.id.to_string(),
        district_id: h.district_id.map(|d| d.to_string()),
        number: h.customer_number.clone(),
        text: text(h),
    }
}

/// The household's searchable text.
pub fn text(h: &Household) -> String {
    let mut fields: Vec<String> = vec![h.customer_number.clone(), h.name.clone()];
    fields.extend(h.phones.iter().map(|p| p.as_str().to_owned()));
    if let Some(contact) = h.special_group.as_ref().and_then(|g| g.contact.as_ref()) {
        fields.push(contact.phone.as_str().to_owned());
    }
    fields.extend(spoken(&h.address));
    let mut out = String::new();
    for field in fields {
        let field = normalise(&field);
        if !field.is_empty() {
            if !out.is_empty() {
                out.push(SEPARATOR);
            }
            out.push_str(&field);
        }
    }
    out
}

/// The address the ways a caller says it: district, street, building, unit and room on one
/// line (`西湖区文三路88号3栋2单元501室`), and the short form `3-2-501`.
fn spoken(a: &Address) -> Vec<String> {
    let mut street = a.street.trim().to_owned();
    if street.ends_with(|c: char| c.is_ascii_digit()) {
        street.push('号');
    }
    let building = with_suffix(&a.building, &["号楼", "栋", "幢", "座"], "栋");
    let unit = with_suffix(&a.unit, &["单元"], "单元");
    let room = with_suffix(&a.room, &["室", "号"], "室");
    let mut out = vec![format!(
        "{}{street}{building}{unit}{room}",
        a.district.trim()
    )];
    let short: Vec<&str> = [&a.building, &a.unit, &a.room]
        .into_iter()
        .map(|p| bare(p, &["号楼", "栋", "幢", "座", "单元", "室", "号"]))
        .filter(|p| !p.is_empty())
        .collect();
    if short.len() >= 2 {
        out.push(short.join("-"));
    }
    out
}

/// `part` without any of `suffixes`, then with `suffix` (nothing when `part` is empty).
fn with_suffix(part: &str, suffixes: &[&str], suffix: &str) -> String {
    let part = bare(part, suffixes);
    if part.is_empty() {
        String::new()
    } else {
        format!("{part}{suffix}")
    }
}

fn bare<'a>(part: &'a str, suffixes: &[&str]) -> &'a str {
    let part = part.trim();
    suffixes
        .iter()
        .find_map(|s| part.strip_suffix(s))
        .unwrap_or(part)
        .trim()
}

/// A text as the search compares it: no spaces or control characters, Latin letters in lower
/// case, full-width ASCII as ASCII, a building spelt `栋`.
pub fn normalise(text: &str) -> String {
    let mapped: String = text
        .chars()
        .filter_map(|c| {
            let c = match c {
                '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                '幢' | '座' => '栋',
                c => c,
            };
            if c.is_whitespace() || c.is_control() {
                None
            } else {
                Some(c.to_ascii_lowercase())
            }
        })
        .collect();
    mapped.replace("号楼", "栋")
}

/// What a query looks for: the text normalised, and when it is written like a phone number
/// (digits with spaces, dashes, brackets or a `+86`), its digits alone too.
pub fn needles(query: &str) -> Vec<String> {
    let text = normalise(query);
    if text.is_empty() {
        return Vec::new();
    }
    let mut out = vec![text.clone()];
    let phone_like = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '(' | ')' | '+'));
    if phone_like {
        let digits = text
            .strip_prefix("+86")
            .or_else(|| text.strip_prefix("0086"))
            .unwrap_or(&text);
        let digits: String = digits.chars().filter(char::is_ascii_digit).collect();
        if !digits.is_empty() && digits != text {
            out.push(digits);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use doorstep_core::household::{Category, Phone, SupplyStatus};
    use doorstep_core::ids::HouseholdId;

    fn household(building: &str, unit: &str, room: &str) -> Household {
        Household {
            id: HouseholdId::new(),
            customer_number: "HZ-100234".into(),
            name: "Wang Li 王丽".into(),
            phones: vec![Phone::parse("+86 138-0013-8000").unwrap()],
            address: Address {
                district: "西湖区".into(),
                street: "文三路88".into(),
                building: building.into(),
                unit: unit.into(),
                room: room.into(),
            },
            location: None,
            district_id: None,
            category: Category::Residential,
            meter: None,
            appliances: Vec::new(),
            supply: SupplyStatus::Active,
            gas_on_date: None,
            last_inspection_at: None,
            special_group: None,
        }
    }

    fn finds(h: &Household, query: &str) -> bool {
        let text = text(h);
        needles(query).iter().any(|n| text.contains(n.as_str()))
    }

    #[test]
    fn an_address_is_found_the_way_a_caller_says_it_whatever_the_file_wrote() {
        for (b, u, r) in [
            ("3", "2", "501"),
            ("3幢", "2单元", "501室"),
            ("3栋", "2", "501"),
        ] {
            let h = household(b, u, r);
            for said in [
                "文三路88",
                "文三路88号",
                "3幢2单元",
                "3号楼2单元",
                "3栋2单元501",
                "西湖区文三路",
                "西湖区 文三路88号 3幢",
                "3-2-501",
                "２单元５０１",
            ] {
                assert!(finds(&h, said), "{said:?} in {b}/{u}/{r}");
            }
            assert!(!finds(&h, "文二路"));
            assert!(!finds(&h, "4幢2单元"));
        }
    }

    #[test]
    fn a_phone_is_found_by_part_of_its_digits_however_typed_and_a_name_in_any_case() {
        let h = household("3", "2", "501");
        for said in [
            "13800138000",
            "138-0013",
            "0013 8000",
            "+86 138 0013",
            "wang li",
            "WANG",
            "王丽",
            "hz-1002",
            "HZ-100234",
        ] {
            assert!(finds(&h, said), "{said:?}");
        }
        assert!(!finds(&h, "139"));
        // A query never spans two fields: the name's end and the first phone's start.
        assert!(!finds(&h, "王丽138"));
    }

    #[test]
    fn an_empty_query_looks_for_nothing() {
        assert!(needles("  ").is_empty());
        assert!(needles("\u{3000}").is_empty());
    }
}
