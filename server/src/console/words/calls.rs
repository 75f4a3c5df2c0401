//! The texts of the console's calls page: the household search, the call form, what the call
//! became, and the day's call log.

use doorstep_core::calls::CallKind;
use doorstep_core::household::Category;

pub struct Calls {
    pub title: &'static str,

    // The household search.
    pub find_heading: &'static str,
    pub search_label: &'static str,
    pub search_hint: &'static str,
    pub search_button: &'static str,
    /// How many households were found (`more`: there are more than shown).
    pub found: fn(usize, bool) -> String,
    pub found_none: &'static str,
    pub col_number: &'static str,
    pub col_name: &'static str,
    pub col_address: &'static str,
    pub col_phones: &'static str,
    pub col_category: &'static str,
    pub col_special: &'static str,
    pub col_open_orders: &'static str,
    pub special_mark: &'static str,
    pub choose: &'static str,
    pub category: fn(Category) -> &'static str,

    // The call form.
    pub call_heading: &'static str,
    pub household_chosen: &'static str,
    pub choose_another: &'static str,
    pub no_household: &'static str,
    pub no_household_hint: &'static str,
    pub lat: &'static str,
    pub lon: &'static str,
    pub place: &'static str,
    pub kind: &'static str,
    pub call_kind: fn(CallKind) -> &'static str,
    pub summary: &'static str,
    pub becomes: &'static str,
    pub becomes_order: &'static str,
    pub becomes_complaint: &'static str,
    pub becomes_answer: &'static str,
    pub order_kind: &'static str,
    pub alarm_note: &'static str,
    pub dispatch_to: &'static str,
    pub leave_new: &'static str,
    /// An entry of the dispatch list: a crew's name, a technician's name and badge.
    pub crew_entry: fn(&str) -> String,
    pub technician_entry: fn(&str, &str) -> String,
    pub caller_name: &'static str,
    pub caller_phone: &'static str,
    pub answer: &'static str,
    pub take: &'static str,
    pub form_refused: &'static str,
    /// The summary of a call about a place without a household: the place, then what was said.
    pub at_place: fn(&str, &str) -> String,
    pub dispatch_refused: &'static str,
    pub position_refused: &'static str,

    // What the call became.
    pub result_title: &'static str,
    pub result_recorded: fn(&str, &str) -> String,
    pub result_order: fn(&str, &str) -> String,
    pub result_dispatched: &'static str,
    pub result_left_new: &'static str,
    pub result_complaint: fn(&str) -> String,
    pub result_answer: &'static str,
    pub to_board: &'static str,
    pub to_household: &'static str,
    pub take_another: &'static str,
    pub leadership_heading: &'static str,
    pub leadership_due: fn(&str) -> String,
    pub leadership_told: &'static str,
    pub leadership_record: &'static str,
    pub leadership_done: fn(&str, &str) -> String,

    // The call log.
    pub log_heading: &'static str,
    pub log_count: fn(usize) -> String,
    pub col_time: &'static str,
    pub col_kind: &'static str,
    pub col_household: &'static str,
    pub col_outcome: &'static str,
    pub col_taken_by: &'static str,
    pub outcome_order: fn(&str) -> String,
    pub outcome_complaint: fn(&str) -> String,
    pub outcome_answered: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub page_of: fn(usize, usize) -> String,
}

pub const ZH: Calls = Calls {
    title: "来电",

    find_heading: "查找用户",
    search_label: "用户编号、姓名、电话或地址",
    search_hint: "例如：文三路88号、3幢2单元、138 0013、HZ-1002",
    search_button: "查找",
    found: |n, more| {
        if more {
            format!("找到超过 {n} 户，仅列出前 {n} 户，请输入更多内容缩小范围")
        } else {
            format!("找到 {n} 户")
        }
    },
    found_none: "没有找到符合的用户",
    col_number: "用户编号",
    col_name: "姓名",
    col_address: "地址",
    col_phones: "电话",
    col_category: "类别",
    col_special: "特殊群体",
    col_open_orders: "未完工单",
    special_mark: "特殊群体",
    choose: "选择",
    category: |c| match c {
        Category::Residential => "居民",
        Category::Commercial => "商业",
        Category::Industrial => "工业",
        Category::Heating => "采暖",
    },

    call_heading: "登记来电",
    household_chosen: "来电用户",
    choose_another: "改选其他用户",
    no_household: "未选用户：街面或公共区域的故障",
    no_household_hint: "请给出位置（纬度、经度），或描述地点；生成工单须有位置。",
    lat: "纬度",
    lon: "经度",
    place: "地点描述",
    kind: "来电类型",
    call_kind: |k| match k {
        CallKind::Inquiry => "咨询",
        CallKind::Repair => "报修",
        CallKind::Alarm => "报警",
        CallKind::Complaint => "投诉",
        CallKind::Other => "其他",
    },
    summary: "来电内容",
    becomes: "处理方式",
    becomes_order: "生成工单",
    becomes_complaint: "登记投诉",
    becomes_answer: "当场答复",
    order_kind: "工单类型",
    alarm_note: "报警电话一律立即生成管网抢险工单（重大故障），并须上报领导。",
    dispatch_to: "派工",
    leave_new: "暂不派工，留在调度看板",
    crew_entry: |name| format!("班组：{name}"),
    technician_entry: |name, badge| format!("技术员：{name}（{badge}）"),
    caller_name: "投诉人姓名",
    caller_phone: "投诉人电话",
    answer: "答复内容",
    take: "登记来电",
    form_refused: "未登记：请按提示修改后再提交。",
    at_place: |place, summary| format!("地点：{place}；{summary}"),
    dispatch_refused: "只能派给该用户所在片区的班组或技术员",
    position_refused: "纬度和经度须同时给出，且为数字",

    result_title: "来电已登记",
    result_recorded: |kind, at| format!("{at} 的{kind}来电已记入来电记录。"),
    result_order: |number, kind| format!("已生成工单 {number}（{kind}）。"),
    result_dispatched: "已派工。",
    result_left_new: "尚未派工，留在调度看板上。",
    result_complaint: |number| format!("已登记投诉 {number}。"),
    result_answer: "已当场答复：",
    to_board: "在调度看板上查看工单",
    to_household: "查看用户档案",
    take_another: "登记下一个来电",
    leadership_heading: "重大故障：须上报领导",
    leadership_due: |due| format!("须在 {due} 前上报领导。"),
    leadership_told: "已告知的领导（姓名或职务）",
    leadership_record: "记录上报",
    leadership_done: |told, at| format!("已于 {at} 上报 {told}。"),

    log_heading: "今日来电",
    log_count: |n| format!("今日共 {n} 个来电"),
    col_time: "时间",
    col_kind: "类型",
    col_household: "用户编号",
    col_outcome: "处理结果",
    col_taken_by: "受理人",
    outcome_order: |number| format!("工单 {number}"),
    outcome_complaint: |number| format!("投诉 {number}"),
    outcome_answered: "当场答复",
    previous: "上一页",
    next: "下一页",
    page_of: |page, pages| format!("第 {page} 页，共 {pages} 页"),
};

pub const EN: Calls = Calls {
    title: "Calls",

    find_heading: "Find the household",
    search_label: "Customer number, name, phone or address",
    search_hint: "For example: 文三路88号, 3幢2单元, 138 0013, HZ-1002",
    search_button: "Find",
    found: |n, more| {
        if more {
            format!(
                "More than {n} households found; the first {n} are shown: type more to narrow it"
            )
        } else if n == 1 {
            "1 household found".to_owned()
        } else {
            format!("{n} households found")
        }
    },
    found_none: "No household matches",
    col_number: "Customer number",
    col_name: "Name",
    col_address: "Address",
    col_phones: "Phones",
    col_category: "Category",
    col_special: "Special group",
    col_open_orders: "Open orders",
    special_mark: "special group",
    choose: "Choose",
    category: |c| match c {
        Category::Residential => "residential",
        Category::Commercial => "commercial",
        Category::Industrial => "industrial",
        Category::Heating => "heating",
    },

    call_heading: "Take the call",
    household_chosen: "The caller's household",
    choose_another: "Choose another household",
    no_household: "No household chosen: a fault in the street or a public place",
    no_household_hint: "Give the position (latitude, longitude) or describe the place; an order needs a position.",
    lat: "Latitude",
    lon: "Longitude",
    place: "The place, described",
    kind: "What the caller wants",
    call_kind: |k| match k {
        CallKind::Inquiry => "inquiry",
        CallKind::Repair => "repair",
        CallKind::Alarm => "alarm",
        CallKind::Complaint => "complaint",
        CallKind::Other => "other",
    },
    summary: "What was said",
    becomes: "What it becomes",
    becomes_order: "A work order",
    becomes_complaint: "A complaint",
    becomes_answer: "An answer given on the spot",
    order_kind: "Kind of order",
    alarm_note: "An alarm always opens an emergency pipeline fault order at once (a major fault), to be reported to the leadership.",
    dispatch_to: "Dispatch to",
    leave_new: "Not yet: leave it on the dispatch board",
    crew_entry: |name| format!("Crew: {name}"),
    technician_entry: |name, badge| format!("Technician: {name} ({badge})"),
    caller_name: "The complainant's name",
    caller_phone: "The complainant's phone",
    answer: "The answer given",
    take: "Record the call",
    form_refused: "Not recorded: correct what is marked and send it again.",
    at_place: |place, summary| format!("Place: {place}; {summary}"),
    dispatch_refused: "Only a crew or a technician of the household's district can be sent",
    position_refused: "Give both latitude and longitude, as numbers",

    result_title: "Call recorded",
    result_recorded: |kind, at| format!("The {kind} call of {at} is in the call log."),
    result_order: |number, kind| format!("Work order {number} opened ({kind})."),
    result_dispatched: "Dispatched.",
    result_left_new: "Not dispatched yet: it waits on the dispatch board.",
    result_complaint: |number| format!("Complaint {number} opened."),
    result_answer: "Answered on the spot:",
    to_board: "See the order on the dispatch board",
    to_household: "Open the household's file",
    take_another: "Take the next call",
    leadership_heading: "Major fault: report it to the leadership",
    leadership_due: |due| format!("Report it to the leadership by {due}."),
    leadership_told: "Who was told (name or position)",
    leadership_record: "Record the report",
    leadership_done: |told, at| format!("Reported to {told} at {at}."),

    log_heading: "Today's calls",
    log_count: |n| {
        if n == 1 {
            "1 call today".to_owned()
        } else {
            format!("{n} calls today")
        }
    },
    col_time: "Time",
    col_kind: "Kind",
    col_household: "Household",
    col_outcome: "Outcome",
    col_taken_by: "Taken by",
    outcome_order: |number| format!("order {number}"),
    outcome_complaint: |number| format!("complaint {number}"),
    outcome_answered: "answered on the spot",
    previous: "Previous",
    next: "Next",
    page_of: |page, pages| format!("Page {page} of {pages}"),
};
