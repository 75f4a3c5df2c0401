//! Search screen: households by customer number, name, phone or partial address (Chinese
//! included: `Store::search_households`), each result with the field it matched; tapping one
//! opens the household. The query is kept on the back stack, so it survives the process.

use serde::{Deserialize, Serialize};

use super::{Cx, Outcome};
use crate::app::route::Route;
use crate::error::Result;
use crate::household::Household;
use crate::text::{Lang, said};

/// How many households a search shows.
pub const RESULTS: usize = 50;

/// What the Search screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchScreen {
    pub title: String,
    pub query: String,
    pub placeholder: String,
    pub query_accessibility: String,
    pub results: Vec<SearchLine>,
    /// "找到 3 户" / "未找到匹配的用户" / a hint while the query is empty.
    pub summary: String,
}

/// One household found.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchLine {
    pub household_id: String,
    pub name: String,
    pub customer_number: String,
    pub address: String,
    /// Which field matched, with its value: "电话：138 0013 8000".
    pub matched: String,
    pub accessibility: String,
}

/// What the user does on the Search screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SearchEvent {
    Refresh,
    SetQuery { text: String },
    Clear,
    Open { household_id: String },
}

/// The input typed on the Search screen and not saved in the store yet; kept on the back stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchInput {
    pub query: String,
}

pub fn render(cx: &Cx<'_>, input: &SearchInput) -> Result<SearchScreen> {
    let query = input.query.trim();
    let hits = cx.read().search_households(query, RESULTS)?;
    let ids: Vec<_> = hits.iter().map(|h| h.household.id).collect();
    let households = cx.read().households_by_id(&ids)?;
    let results: Vec<SearchLine> = hits
        .iter()
        .filter_map(|hit| households.get(&hit.household.id))
        .map(|h| {
            let matched = matched_field(cx.lang, h, query);
            let address = h.address.one_line();
            let accessibility = cx.say(
                &format!(
                    "{}，户号 {}，{}，{}",
                    h.name, h.customer_number, address, matched
                ),
                &format!(
                    "{}, customer no. {}, {}, {}",
                    h.name, h.customer_number, address, matched
                ),
            );
            SearchLine {
                household_id: h.id.to_string(),
                name: h.name.clone(),
                customer_number: h.customer_number.clone(),
                address,
                matched,
                accessibility,
            }
        })
        .collect();
    let n = results.len();
    let summary = if query.is_empty() {
        cx.say(
            "输入户号、姓名、电话或地址的一部分",
            "Type a customer number, a name, a phone or part of an address",
        )
    } else if n == 0 {
        cx.say("未找到匹配的用户", "No household matches")
    } else {
        cx.say(
            &format!("找到 {n} 户"),
            &format!(
                "{n} {} found",
                if n == 1 { "household" } else { "households" }
            ),
        )
    };
    Ok(SearchScreen {
        title: cx.say("搜索用户", "Search households"),
        query: input.query.clone(),
        placeholder: cx.say(
            "户号、姓名、电话或地址",
            "customer no., name, phone or address",
        ),
        query_accessibility: cx.say("搜索用户", "Search households"),
        results,
        summary,
    })
}

/// The field of `h` the query was found in, with its value, in the user's words.
fn matched_field(lang: Lang, h: &Household, query: &str) -> String {
    let zh = lang == Lang::Zh;
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    let (label_zh, label_en, value) = if h.customer_number.contains(query) {
        ("户号", "customer no.", h.customer_number.clone())
    } else if h.name.contains(query) {
        ("姓名", "name", h.name.clone())
    } else if let Some(phone) = h.phones.iter().find(|p| {
        let p = p.as_str();
        p.contains(query) || (!digits.is_empty() && p.contains(&digits))
    }) {
        ("电话", "phone", phone.as_str().to_owned())
    } else {
        ("地址", "address", h.address.one_line())
    };
    if zh {
        format!("{label_zh}：{value}")
    } else {
        format!("{label_en}: {value}")
    }
}

pub fn handle(_cx: &mut Cx<'_>, input: &mut SearchInput, event: SearchEvent) -> Result<Outcome> {
    Ok(match event {
        SearchEvent::Refresh => Outcome::stay(),
        SearchEvent::SetQuery { text } => {
            if text.chars().count() > 100 {
                return Err(crate::InvalidInput::new(
                    "query",
                    said("最多 100 个字", "at most 100 characters"),
                )
                .into());
            }
            input.query = text;
            Outcome::stay()
        }
        SearchEvent::Clear => {
            input.query.clear();
            Outcome::stay()
        }
        SearchEvent::Open { household_id } => {
            let id = household_id.parse().map_err(|_| {
                crate::InvalidInput::new("household_id", said("不是有效的编号", "not a valid id"))
            })?;
            Outcome::go(Route::Household { id })
        }
    })
}
