use chrono::TimeZone;

use super::columns::column_of;
use super::*;
use crate::InvalidInput;
use crate::household::ShutOffReason;
use crate::text::said;

fn row(now: DateTime<Utc>, extra_header: &str, extra: &str) -> ImportRow {
    let text = format!(
        "customer_number,name,address_district,street,category{extra_header}\n\
             HZ-1,张伟,西湖区,文三路88号,residential{extra}\n"
    );
    parse_household_csv(text.as_bytes(), now).unwrap().remove(0)
}

fn problems(text: &[u8]) -> Vec<String> {
    parse_household_csv(text, Utc::now())
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_spreadsheet_export_reads_every_column() {
    let district = DistrictId::new();
    let text = format!(
        "\u{feff}Customer_Number,name,phone,district_id,address_district,street,building,unit,room,lat,lon,category,gas_on_date,last_inspection_at,special_group,supply\r\n\
             HZ-1, 张伟 ,13812345678；0571-87654321;13812345678,{district},西湖区,文三路88号,3幢,2单元,501,30.27,120.12,residential,2019-05-01,2025-06-01T10:00:00+08:00,elderly;disabled；elderly,not_connected\r\n\
             ,,,,,,,,,,,,,,,\r\n\
             \r\n\
             \"HZ-2\",\"李\"\"娜\"\"\",,,西湖区,\"文三路90号,东门\",,,,,,commercial,,,,\r\n\
             HZ-3,王芳,,,拱墅区,湖墅南路1号,,,,,,heating,,,,\r\n"
    );
    let rows = parse_household_csv(text.as_bytes(), Utc::now()).unwrap();
    assert_eq!(rows.len(), 3);
    let first = &rows[0];
    assert_eq!(first.line, 2);
    assert_eq!(first.name, "张伟");
    assert_eq!(first.phones.as_ref().unwrap().len(), 2);
    assert_eq!(first.district_id, Some(district));
    assert_eq!(first.address.unit, "2单元");
    assert_eq!(first.location.unwrap().lat(), 30.27);
    assert_eq!(first.gas_on_date, NaiveDate::from_ymd_opt(2019, 5, 1));
    assert_eq!(
        first.last_inspection_at,
        Some(Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap())
    );
    assert_eq!(
        first.special_groups,
        Some(vec![SpecialGroup::Elderly, SpecialGroup::Disabled])
    );
    assert_eq!(first.supply, Some(SupplyStatus::NotConnected));
    let second = &rows[1];
    assert_eq!(second.line, 5, "blank lines still count");
    assert_eq!(second.name, "李\"娜\"");
    assert_eq!(second.address.street, "文三路90号,东门");
    assert_eq!(second.phones, None);
    assert_eq!(second.category, Category::Commercial);
    assert_eq!(rows[2].line, 6);
}

#[test]
fn a_file_headed_in_chinese_reads_as_the_same_file_headed_in_english() {
    let body = "HZ-1,张伟,13812345678,西湖区,文三路88号,3,2,501,30.27,120.12,residential,2019-05-01,elderly\n";
    let english = format!(
        "customer_number,name,phone,address_district,street,building,unit,room,lat,lon,category,gas_on_date,special_group\n{body}"
    );
    let chinese = format!(
        "户号,户名,联系电话,区,街道门牌,楼栋,单元,室,纬度,经度,用户类别,通气日期,特殊群体\n{body}"
    );
    let now = Utc::now();
    assert_eq!(
        parse_household_csv(chinese.as_bytes(), now).unwrap(),
        parse_household_csv(english.as_bytes(), now).unwrap()
    );
    // Values may be written in Chinese too.
    let values = "户号,户名,区,街道,类别,特殊群体,供气状态\nHZ-1,张伟,西湖区,文三路88号,采暖,老；残,未通气\n";
    let row = parse_household_csv(values.as_bytes(), now)
        .unwrap()
        .remove(0);
    assert_eq!(row.category, Category::Heating);
    assert_eq!(
        row.special_groups,
        Some(vec![SpecialGroup::Elderly, SpecialGroup::Disabled])
    );
    assert_eq!(row.supply, Some(SupplyStatus::NotConnected));
    // One column named twice, once in each language, is still one column twice.
    assert!(
        problems("户号,customer_number,name,address_district,street,category\n".as_bytes())
            .contains(&"line 1: column 2: column customer_number appears twice".to_owned())
    );
    // Every column has a Chinese name, and no two columns share one.
    let mut seen = std::collections::HashSet::new();
    for (column, names) in HOUSEHOLD_COLUMNS_ZH {
        assert!(HOUSEHOLD_COLUMNS.contains(&column));
        for name in names {
            assert!(seen.insert(*name), "{name} names two columns");
        }
    }
    assert_eq!(HOUSEHOLD_COLUMNS_ZH.len(), HOUSEHOLD_COLUMNS.len());
}

#[test]
fn a_problem_names_the_line_an_editor_shows_whatever_the_line_ends() {
    for end in ["\n", "\r\n", "\r"] {
        let text = [
            "",
            "customer_number,name,address_district,street,category",
            "HZ-1,张伟,西湖区,文三路88号,residential",
            ",,,,",
            "",
            "HZ-2,李娜,西湖区,\"文三路",
            "90号\",residential",
            "HZ-3,王芳,西湖区,文三路88号",
            "",
            "HZ-3,王芳,西湖区,文三路88号,villa",
        ]
        .join(end);
        assert_eq!(
            problems(text.as_bytes()),
            [
                "line 6: street: must not contain control characters",
                "line 8: row: has 4 cells, the header has 5",
                "line 10: category: unknown category: use residential, commercial, industrial or heating",
            ],
            "{end:?}"
        );
        assert_eq!(
            problems(format!("{end}{end}王秀英{end}").as_bytes())[0],
            "line 3: column 1: unknown column name (the first line must be the header row; see docs/admin.md)",
        );
    }
}

#[test]
fn every_problem_of_every_line_is_reported_without_its_value() {
    let text = "customer_number,name,phone,address_district,street,lat,lon,category,gas_on_date,last_inspection_at,special_group,supply,district_id\n\
                    HZ-1,张伟,12345;13812345678,西湖区,文三路88号,30.27,,residential,,,,,\n\
                    HZ-2,,,西湖区,文三路88号,north,120.1,villa,2019-13-01,2999-01-01T00:00:00Z,young,off,not-an-id\n\
                    HZ-1,王芳,,西湖区,文三路88号,95,120.1,residential,,yesterday,,,\n";
    assert_eq!(
        problems(text.as_bytes()),
        [
            "line 2: phone: number 1: not a mobile number (11 digits starting 13–19) or a landline with area code",
            "line 2: lon: must be given with lat",
            "line 3: name: must not be empty",
            "line 3: category: unknown category: use residential, commercial, industrial or heating",
            "line 3: district_id: not a district id",
            "line 3: lat: not a number (decimal degrees, WGS-84)",
            "line 3: gas_on_date: not a date: write YYYY-MM-DD",
            "line 3: last_inspection_at: is in the future",
            "line 3: special_group: unknown group: use elderly, weak, sick or disabled, separated by ';'",
            "line 3: supply: use active or not_connected",
            "line 4: customer_number: the same customer number as line 2",
            "line 4: lat: latitude must be between -90 and 90 degrees",
            "line 4: last_inspection_at: write a time as RFC 3339, e.g. 2026-03-01T09:30:00+08:00",
        ]
    );
}

#[test]
fn a_file_without_its_header_row_names_columns_not_values() {
    let text = "HZ-1,张伟,西湖区,文三路88号,residential\n";
    let errors = problems(text.as_bytes());
    assert!(errors.iter().all(|e| e.starts_with("line 1: ")));
    assert!(errors.iter().all(|e| !e.contains("张伟")));
    assert!(errors.contains(&"line 1: customer_number: missing column".to_owned()));
    assert_eq!(
        problems(b"name,Name,customer_number,address_district,street,category\n"),
        ["line 1: column 2: column name appears twice"]
    );
    assert_eq!(problems(b""), ["line 1: header: the file is empty"]);
}

#[test]
fn a_row_of_the_wrong_length_or_not_utf8_is_named() {
    let mut text = b"customer_number,name,address_district,street,category\n\
                         HZ-1,\xd5\xc5\xce\xb0,x,y,residential\n\
                         HZ-2,a,b\n"
        .to_vec();
    text.extend_from_slice(b"HZ-3,a,b,c,residential\n");
    assert_eq!(
        problems(&text),
        [
            "line 2: name: not UTF-8 text (save the file as \"CSV UTF-8\")",
            "line 2: name: must not be empty",
            "line 3: row: has 3 cells, the header has 5",
        ]
    );
}

/// An office clerk's file ends with a line of spaces, or has one between rows: blank, as
/// docs/admin.md says, so skipped; the rows around it import.
#[test]
fn a_line_of_spaces_is_blank() {
    let text = b"customer_number,name,address_district,street,category\n\
                     HZ-1,a,b,c,residential\n \t\n\
                     HZ-2,a,b,c,residential\n  \n";
    let rows = parse_household_csv(text, Utc::now()).expect("imports");
    assert_eq!(rows.len(), 2);
}

#[test]
fn a_line_error_reads_line_column_reason() {
    let e = LineError::invalid(
        7,
        InvalidInput::new(
            "household.address.room",
            said("最多16个字符", "must be at most 16 characters"),
        ),
    );
    assert_eq!(e.to_string(), "line 7: room: must be at most 16 characters");
}

#[test]
fn a_re_import_never_moves_the_last_inspection_back_nor_reopens_a_shut_off() {
    let now = Utc::now();
    let today = now.date_naive();
    let first = row(
        now,
        ",last_inspection_at,supply",
        ",2025-06-01T10:00:00+08:00,active",
    );
    let mut h = merge(None, &first, today);
    h.supply = SupplyStatus::ShutOff {
        reason: ShutOffReason::Hazard,
        since: now,
        seal: None,
    };
    let stale = row(
        now,
        ",last_inspection_at,supply",
        ",2024-01-01T10:00:00+08:00,active",
    );
    let again = merge(Some(&h), &stale, today);
    assert_eq!(again.last_inspection_at, h.last_inspection_at);
    assert_eq!(again.supply.kind(), "shut_off");
    assert_eq!(again.id, h.id);
}

#[test]
fn an_empty_optional_cell_keeps_what_the_server_has() {
    let now = Utc::now();
    let today = now.date_naive();
    let h = merge(
        None,
        &row(now, ",phone,lat,lon", ",13812345678,30.27,120.12"),
        today,
    );
    let again = merge(Some(&h), &row(now, ",phone,lat,lon", ",,,"), today);
    assert_eq!(again.phones, h.phones);
    assert_eq!(again.location, h.location);
}

#[test]
fn a_core_field_is_reported_as_its_csv_column() {
    assert_eq!(column_of("household.address.street"), "street");
    assert_eq!(column_of("household.special_group.groups"), "special_group");
    assert_eq!(column_of("lat"), "lat");
}
