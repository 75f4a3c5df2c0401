//! The texts of the console's settlement page (日清日结, Art.14).

pub struct Settlement {
    pub title: &'static str,
    pub intro: fn(days: i64) -> String,
    pub shown: fn(total: usize, shown: usize) -> String,
    pub col_day: &'static str,
    pub col_technician: &'static str,
    pub col_receipts: &'static str,
    pub col_collected: &'static str,
    pub col_declared: &'static str,
    pub col_difference: &'static str,
    pub col_status: &'static str,
    pub col_method: &'static str,
    pub balanced: &'static str,
    pub discrepancy: fn(difference: &str) -> String,
    pub not_settled: &'static str,
    pub settle: &'static str,
    pub see: &'static str,
    pub unknown_technician: &'static str,
    pub method_cash: &'static str,
    pub method_wechat: &'static str,
    pub method_alipay: &'static str,
    pub method_bank_card: &'static str,
    pub total: &'static str,
    pub receipts: &'static str,
    pub no_receipts: &'static str,
    pub settle_title: fn(name: &str, day: &str) -> String,
    pub collected_heading: &'static str,
    pub declared_heading: &'static str,
    pub declared_hint: &'static str,
    pub declared_field: fn(method: &str) -> String,
    pub settle_button: &'static str,
    pub amount_invalid: &'static str,
    pub result_title: fn(name: &str, day: &str) -> String,
    pub settled_by: fn(by: &str, at: &str) -> String,
    pub settled_already: &'static str,
    pub back_to_list: &'static str,
    pub yuan: fn(amount: &str) -> String,
}

pub const ZH: Settlement = Settlement {
    title: "日清日结",
    intro: |days| format!("近 {days} 天每位技术员每天收取的费用（来自收据台账），及是否已日结。"),
    shown: |total, shown| {
        if shown < total {
            format!("共 {total} 天，显示最近的 {shown} 天")
        } else {
            format!("共 {total} 天")
        }
    },
    col_day: "日期",
    col_technician: "技术员",
    col_receipts: "收据数",
    col_collected: "收取",
    col_declared: "上交",
    col_difference: "差额",
    col_status: "日结",
    col_method: "收费方式",
    balanced: "已日结，账实相符",
    discrepancy: |difference| format!("已日结，差额 {difference} 元"),
    not_settled: "未日结",
    settle: "日结",
    see: "查看",
    unknown_technician: "（未知技术员）",
    method_cash: "现金",
    method_wechat: "微信支付",
    method_alipay: "支付宝",
    method_bank_card: "银行卡",
    total: "合计",
    receipts: "收据",
    no_receipts: "当天没有收费",
    settle_title: |name, day| format!("日结：{name}，{day}"),
    collected_heading: "当天收取（按收据）",
    declared_heading: "实际上交",
    declared_hint: "单位为元，最多两位小数；没有上交的方式填 0。",
    declared_field: |method| format!("{method}上交（元）"),
    settle_button: "日结",
    amount_invalid: "金额须为元，最多两位小数（如 35.00），不能为负数",
    result_title: |name, day| format!("日结结果：{name}，{day}"),
    settled_by: |by, at| format!("{by} 于 {at} 日结"),
    settled_already: "这一天已日结。",
    back_to_list: "返回日结列表",
    yuan: |amount| format!("{amount} 元"),
};

pub const EN: Settlement = Settlement {
    title: "Settlement",
    intro: |days| {
        format!(
            "Each technician's fees collected each day of the last {days} days (from the receipts ledger), and whether the day is settled."
        )
    },
    shown: |total, shown| {
        if shown < total {
            format!("{total} days in all, the latest {shown} shown")
        } else {
            format!("{total} days in all")
        }
    },
    col_day: "Day",
    col_technician: "Technician",
    col_receipts: "Receipts",
    col_collected: "Collected",
    col_declared: "Handed over",
    col_difference: "Difference",
    col_status: "Settlement",
    col_method: "Method",
    balanced: "Settled, balanced",
    discrepancy: |difference| format!("Settled, discrepancy of ¥{difference}"),
    not_settled: "Not settled",
    settle: "Settle",
    see: "See",
    unknown_technician: "(unknown technician)",
    method_cash: "Cash",
    method_wechat: "WeChat Pay",
    method_alipay: "Alipay",
    method_bank_card: "Bank card",
    total: "Total",
    receipts: "Receipts",
    no_receipts: "Nothing collected that day",
    settle_title: |name, day| format!("Settle {name}'s {day}"),
    collected_heading: "Collected that day (by the receipts)",
    declared_heading: "Handed over",
    declared_hint: "In yuan, with at most two decimals; 0 for a method nothing was handed over in.",
    declared_field: |method| format!("{method} handed over (¥)"),
    settle_button: "Settle the day",
    amount_invalid: "An amount is in yuan with at most two decimals (like 35.00), never negative",
    result_title: |name, day| format!("Settlement of {name}'s {day}"),
    settled_by: |by, at| format!("Settled by {by} at {at}"),
    settled_already: "This day is settled already.",
    back_to_list: "Back to the settlements",
    yuan: |amount| format!("¥{amount}"),
};
