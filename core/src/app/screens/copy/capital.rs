//! Amounts in the capital numerals of Chinese receipts (大写金额): what a receipt writes beside
//! the figures, so that no figure can be changed by a stroke.

/// An amount in fen in the capital numerals of Chinese receipts (大写):
/// `5900` is "人民币伍拾玖元整", `1205` is "人民币壹拾贰元零伍分".
pub fn capital_yuan(fen: i64) -> String {
    const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
    const GROUPS: [&str; 5] = ["", "万", "亿", "万亿", "亿亿"];
    let negative = fen < 0;
    let fen = fen.unsigned_abs();
    let (yuan, jiao, cent) = (fen / 100, (fen / 10 % 10) as usize, (fen % 10) as usize);
    let mut out = String::from("人民币");
    if negative {
        out.push('负');
    }
    if yuan > 0 {
        // Groups of four digits, most significant first.
        let mut groups = Vec::new();
        let mut rest = yuan;
        while rest > 0 {
            groups.push((rest % 10_000) as usize);
            rest /= 10_000;
        }
        let mut zero_pending = false;
        let mut started = false;
        for (g, &value) in groups.iter().enumerate().rev() {
            if value == 0 {
                zero_pending = started;
                continue;
            }
            if started && (zero_pending || value < 1000) {
                out.push('零');
            }
            zero_pending = false;
            let digits = [value / 1000, value / 100 % 10, value / 10 % 10, value % 10];
            let mut inner_zero = false;
            let mut seen = false;
            for (i, &d) in digits.iter().enumerate() {
                if d == 0 {
                    inner_zero = seen;
                    continue;
                }
                if inner_zero {
                    out.push('零');
                    inner_zero = false;
                }
                seen = true;
                out.push(DIGITS[d]);
                out.push_str(UNITS[3 - i]);
            }
            out.push_str(GROUPS[g]);
            started = true;
        }
        out.push('元');
    }
    match (jiao, cent) {
        (0, 0) if yuan == 0 => out.push_str("零元整"),
        (0, 0) => out.push('整'),
        (j, 0) => {
            out.push(DIGITS[j]);
            out.push_str("角整");
        }
        (0, c) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push(DIGITS[c]);
            out.push('分');
        }
        (j, c) => {
            out.push(DIGITS[j]);
            out.push('角');
            out.push(DIGITS[c]);
            out.push('分');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads capital numerals back into fen (the test's own reading, digit by digit).
    fn read_back(words: &str) -> i64 {
        let digits = "零壹贰叁肆伍陆柒捌玖";
        let body = words.strip_prefix("人民币").unwrap();
        let (yuan_part, small) = match body.split_once('元') {
            Some((y, rest)) => (y, rest),
            None => ("", body),
        };
        let (mut total, mut section, mut num) = (0i64, 0i64, 0i64);
        for c in yuan_part.chars() {
            if let Some(d) = digits.chars().position(|x| x == c) {
                num = d as i64;
                continue;
            }
            match c {
                '拾' => section += num * 10,
                '佰' => section += num * 100,
                '仟' => section += num * 1000,
                '万' => {
                    total += (section + num) * 10_000;
                    section = 0;
                }
                '亿' => {
                    total = (total + section + num) * 100_000_000;
                    section = 0;
                }
                other => panic!("unexpected {other} in {words}"),
            }
            num = 0;
        }
        let yuan = total + section + num;
        let (mut jiao, mut fen, mut last) = (0i64, 0i64, 0i64);
        for c in small.chars() {
            if let Some(d) = digits.chars().position(|x| x == c) {
                last = d as i64;
            } else if c == '角' {
                jiao = last;
            } else if c == '分' {
                fen = last;
            }
        }
        yuan * 100 + jiao * 10 + fen
    }

    proptest! {
        #[test]
        fn capital_numerals_read_back_to_the_same_amount(fen in 0i64..1_000_000_000_000) {
            let words = capital_yuan(fen);
            prop_assert!(!words.contains("零零"), "{}", words);
            prop_assert!(words.ends_with('整') || words.ends_with('分'), "{}", words);
            prop_assert_eq!(read_back(&words), fen, "{}", words);
        }
    }

    #[test]
    fn an_amount_is_written_in_capital_numerals_as_on_a_chinese_receipt() {
        for (fen, words) in [
            (5900, "人民币伍拾玖元整"),
            (1205, "人民币壹拾贰元零伍分"),
            (0, "人民币零元整"),
            (50, "人民币伍角整"),
            (7, "人民币柒分"),
            (100_000, "人民币壹仟元整"),
            (100_500, "人民币壹仟零伍元整"),
            (1_000_100, "人民币壹万零壹元整"),
            (12_345_678, "人民币壹拾贰万叁仟肆佰伍拾陆元柒角捌分"),
            (10_000_000_000, "人民币壹亿元整"),
            (10_000_010_000, "人民币壹亿零壹佰元整"),
        ] {
            assert_eq!(capital_yuan(fen), words, "{fen}");
        }
    }
}
