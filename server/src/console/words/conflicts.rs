//! The texts of the console's conflicts page (what sync kept for review, parked work) and of
//! the contact details form of a household (`contact_*`).

pub struct Conflicts {
    pub title: &'static str,

    // What sync kept for review.
    pub conflicts_heading: &'static str,
    pub filter_label: &'static str,
    pub filter_open: &'static str,
    pub filter_resolved: &'static str,
    /// How many there are, and which of them this page shows.
    pub shown: fn(total: u64, first: u64, last: u64) -> String,
    pub previous_page: &'static str,
    pub next_page: &'static str,
    pub col_record: &'static str,
    pub col_field: &'static str,
    pub col_kept: &'static str,
    pub col_lost: &'static str,
    pub col_rule: &'static str,
    pub col_when: &'static str,
    pub col_choice: &'static str,
    pub household: &'static str,
    pub work_order: &'static str,
    pub record_gone: &'static str,
    pub now_holds: &'static str,
    pub empty_value: &'static str,
    /// Who wrote a value.
    pub by_office: &'static str,
    pub by_server: &'static str,
    pub by_unknown_device: &'static str,
    pub by_technician: fn(name: &str, badge: &str) -> String,
    pub keep_kept: &'static str,
    pub take_other: &'static str,
    pub acknowledge: &'static str,
    pub resolved_took_other: fn(by: &str, at: &str) -> String,
    pub resolved_kept: fn(by: &str, at: &str) -> String,
    pub done_resolved: &'static str,
    pub already_resolved: &'static str,
    /// A choice made on a page drawn before the field changed again.
    pub stale_choice: &'static str,
    pub stale_now: &'static str,

    // The household's fields.
    pub field_customer_number: &'static str,
    pub field_name: &'static str,
    pub field_phones: &'static str,
    pub field_address: &'static str,
    pub field_location: &'static str,
    pub field_district: &'static str,
    pub field_category: &'static str,
    pub field_meter: &'static str,
    pub field_appliances: &'static str,
    pub field_supply: &'static str,
    pub field_gas_on_date: &'static str,
    pub field_last_inspection: &'static str,
    pub field_special_group: &'static str,
    pub field_status: &'static str,
    pub field_other: &'static str,

    // The rules.
    pub rule_office_wins: &'static str,
    pub rule_later_clock_wins: &'static str,
    pub rule_latest: &'static str,
    pub rule_first_resolution_wins: &'static str,
    pub rule_status_moves_forward: &'static str,

    // Special groups, as a registration's value reads.
    pub group_elderly: &'static str,
    pub group_weak: &'static str,
    pub group_sick: &'static str,
    pub group_disabled: &'static str,
    pub contact_of: fn(name: &str, relation: &str, phone: &str) -> String,

    // Parked work.
    pub parked_heading: &'static str,
    pub parked_intro: &'static str,
    pub parked_shown: fn(shown: usize, more: bool) -> String,
    pub col_what: &'static str,
    pub col_reason: &'static str,
    pub col_technician: &'static str,
    pub col_parked_at: &'static str,
    pub what_form_sealed: &'static str,
    pub what_other: &'static str,
    pub reason_left_scope: &'static str,
    pub reason_no_household: &'static str,
    pub reason_receipt_used_twice: &'static str,
    pub accept: &'static str,
    pub reject: &'static str,
    pub reject_reason: &'static str,
    pub reject_reason_hint: &'static str,
    pub reject_reason_missing: &'static str,
    pub done_accepted: &'static str,
    pub done_rejected: &'static str,
    pub parked_decided_already: &'static str,

    // The contact details form of a household.
    pub contact_title: &'static str,
    pub contact_of_household: fn(number: &str) -> String,
    pub contact_phones: &'static str,
    pub contact_phone_n: fn(n: usize) -> String,
    pub contact_phones_hint: &'static str,
    pub contact_person: &'static str,
    pub contact_person_hint: &'static str,
    pub contact_person_name: &'static str,
    pub contact_person_relation: &'static str,
    pub contact_person_phone: &'static str,
    pub contact_person_name_missing: &'static str,
    pub contact_no_registration: &'static str,
    pub contact_saved: &'static str,
    pub contact_unchanged: &'static str,
    pub contact_conflicts_kept: fn(n: usize) -> String,
    pub contact_stale: &'static str,
    pub contact_to_conflicts: &'static str,
    pub contact_to_file: &'static str,
}

pub const ZH: Conflicts = Conflicts {
    title: "冲突与待定作业",

    conflicts_heading: "同步冲突",
    filter_label: "显示",
    filter_open: "待处理",
    filter_resolved: "已处理",
    shown: |total, first, last| {
        if total == 0 {
            "共 0 条".to_owned()
        } else {
            format!("共 {total} 条，显示第 {first}–{last} 条")
        }
    },
    previous_page: "上一页",
    next_page: "下一页",
    col_record: "记录",
    col_field: "字段",
    col_kept: "保留的值",
    col_lost: "被覆盖的值",
    col_rule: "规则",
    col_when: "时间",
    col_choice: "处理",
    household: "用户",
    work_order: "工单",
    record_gone: "（记录已删除）",
    now_holds: "现值",
    empty_value: "（空）",
    by_office: "服务中心",
    by_server: "服务器",
    by_unknown_device: "未知设备",
    by_technician: |name, badge| format!("{name}（工号 {badge}）"),
    keep_kept: "保留此值",
    take_other: "改用被覆盖的值",
    acknowledge: "已阅",
    resolved_took_other: |by, at| format!("{by} 于 {at} 改用了被覆盖的值"),
    resolved_kept: |by, at| format!("{by} 于 {at} 确认保留"),
    done_resolved: "冲突已处理。",
    already_resolved: "此冲突已处理过。",
    stale_choice: "页面打开后此字段又有了更新，未作处理。请看现值后重新选择。",
    stale_now: "现值：",

    field_customer_number: "户号",
    field_name: "户名",
    field_phones: "联系电话",
    field_address: "地址",
    field_location: "位置",
    field_district: "片区",
    field_category: "用户类别",
    field_meter: "燃气表",
    field_appliances: "燃气器具",
    field_supply: "供气状态",
    field_gas_on_date: "通气日期",
    field_last_inspection: "上次安检",
    field_special_group: "特殊群体登记",
    field_status: "工单状态",
    field_other: "其他字段",

    rule_office_wins: "账户资料以服务中心为准",
    rule_later_clock_wins: "以较晚的修改为准",
    rule_latest: "以较晚的时间为准",
    rule_first_resolution_wins: "以最先的处理结果为准",
    rule_status_moves_forward: "工单状态只进不退",

    group_elderly: "老年人",
    group_weak: "体弱者",
    group_sick: "患病者",
    group_disabled: "残疾人",
    contact_of: |name, relation, phone| {
        if relation.is_empty() {
            format!("联系人 {name} {phone}")
        } else {
            format!("联系人 {name}（{relation}）{phone}")
        }
    },

    parked_heading: "待定作业",
    parked_intro: "技术员提交时已无法归入户档的作业：收入户档，或写明原因退回（原因会告知技术员）。",
    parked_shown: |shown, more| {
        if more {
            format!("显示最早的 {shown} 条，另有更多")
        } else {
            format!("共 {shown} 条")
        }
    },
    col_what: "内容",
    col_reason: "原因",
    col_technician: "技术员",
    col_parked_at: "提交时间",
    what_form_sealed: "已签署的表单",
    what_other: "其他作业",
    reason_left_scope: "作业时用户已不在该技术员的片区",
    reason_no_household: "服务器上没有该用户",
    reason_receipt_used_twice: "收据号已用于另一张表单",
    accept: "收入户档",
    reject: "退回",
    reject_reason: "退回原因（告知技术员）",
    reject_reason_hint: "例如：该户已转给东区，请联系东区班组",
    reject_reason_missing: "退回须写明原因，技术员会看到。",
    done_accepted: "已收入户档。",
    done_rejected: "已退回，技术员下次同步时会看到原因。",
    parked_decided_already: "此作业已处理过。",

    contact_title: "修改联系方式",
    contact_of_household: |number| format!("用户 {number}"),
    contact_phones: "联系电话",
    contact_phone_n: |n| format!("电话 {n}"),
    contact_phones_hint: "手机号 11 位，固定电话带区号；留空的行不保存。",
    contact_person: "特殊群体联系人",
    contact_person_hint: "全部留空表示没有联系人。",
    contact_person_name: "联系人姓名",
    contact_person_relation: "与本人关系",
    contact_person_phone: "联系人电话",
    contact_person_name_missing: "请填写联系人姓名",
    contact_no_registration: "该户没有特殊群体登记，没有联系人可改。",
    contact_saved: "联系方式已保存，技术员手机下次同步时更新。",
    contact_unchanged: "没有改动，未保存。",
    contact_conflicts_kept: |n| {
        format!(
            "已保存。页面打开后技术员手机也改了 {n} 项，按规则处理，另一方的值已留存，请在“冲突与待定”中核对。"
        )
    },
    contact_stale: "页面打开后服务中心已有人改过这些字段，未保存。下面是现值，请核对后再改。",
    contact_to_conflicts: "查看冲突",
    contact_to_file: "返回用户档案",
};

pub const EN: Conflicts = Conflicts {
    title: "Conflicts and parked work",

    conflicts_heading: "Sync conflicts",
    filter_label: "Show",
    filter_open: "To review",
    filter_resolved: "Resolved",
    shown: |total, first, last| {
        if total == 0 {
            "0 in all".to_owned()
        } else {
            format!("{total} in all, showing {first}–{last}")
        }
    },
    previous_page: "Previous page",
    next_page: "Next page",
    col_record: "Record",
    col_field: "Field",
    col_kept: "Value kept",
    col_lost: "Value overridden",
    col_rule: "Rule",
    col_when: "When",
    col_choice: "Decision",
    household: "Household",
    work_order: "Work order",
    record_gone: "(record deleted)",
    now_holds: "Now",
    empty_value: "(empty)",
    by_office: "Service center",
    by_server: "Server",
    by_unknown_device: "Unknown device",
    by_technician: |name, badge| format!("{name} (badge {badge})"),
    keep_kept: "Keep this value",
    take_other: "Take the overridden value",
    acknowledge: "Reviewed",
    resolved_took_other: |by, at| format!("{by} took the overridden value at {at}"),
    resolved_kept: |by, at| format!("{by} kept this value at {at}"),
    done_resolved: "The conflict is resolved.",
    already_resolved: "This conflict was resolved already.",
    stale_choice: "This field changed again after the page was opened: nothing was done. Look at its value now, then choose again.",
    stale_now: "Now: ",

    field_customer_number: "Customer number",
    field_name: "Name",
    field_phones: "Phone numbers",
    field_address: "Address",
    field_location: "Location",
    field_district: "District",
    field_category: "Category",
    field_meter: "Meter",
    field_appliances: "Appliances",
    field_supply: "Supply",
    field_gas_on_date: "Gas on since",
    field_last_inspection: "Last inspection",
    field_special_group: "Special group registration",
    field_status: "Order status",
    field_other: "Other field",

    rule_office_wins: "Account data: the service center's value stands",
    rule_later_clock_wins: "The later edit stands",
    rule_latest: "The later time stands",
    rule_first_resolution_wins: "The first resolution stands",
    rule_status_moves_forward: "An order's status only moves forward",

    group_elderly: "elderly",
    group_weak: "frail",
    group_sick: "ill",
    group_disabled: "disabled",
    contact_of: |name, relation, phone| {
        if relation.is_empty() {
            format!("contact {name} {phone}")
        } else {
            format!("contact {name} ({relation}) {phone}")
        }
    },

    parked_heading: "Parked work",
    parked_intro: "Work a technician handed in for a household they could no longer reach: accept it into the household's file, or reject it with a reason (the technician is told it).",
    parked_shown: |shown, more| {
        if more {
            format!("The oldest {shown} shown; there are more")
        } else {
            format!("{shown} in all")
        }
    },
    col_what: "What",
    col_reason: "Why parked",
    col_technician: "Technician",
    col_parked_at: "Handed in",
    what_form_sealed: "A signed form",
    what_other: "Other work",
    reason_left_scope: "The household had left the technician's district",
    reason_no_household: "The household is not on the server",
    reason_receipt_used_twice: "The receipt number is on another form already",
    accept: "Accept",
    reject: "Reject",
    reject_reason: "Reason for rejecting (the technician reads it)",
    reject_reason_hint: "e.g. the household moved to East: ask the East crew",
    reject_reason_missing: "A rejection needs a reason: the technician reads it.",
    done_accepted: "Accepted into the household's file.",
    done_rejected: "Rejected: the technician sees the reason at their next sync.",
    parked_decided_already: "This work was decided already.",

    contact_title: "Edit contact details",
    contact_of_household: |number| format!("Household {number}"),
    contact_phones: "Phone numbers",
    contact_phone_n: |n| format!("Phone {n}"),
    contact_phones_hint: "Mobile numbers have 11 digits, landlines their area code; empty lines are not saved.",
    contact_person: "Special group contact person",
    contact_person_hint: "Leave all three empty for no contact person.",
    contact_person_name: "Contact's name",
    contact_person_relation: "Relation",
    contact_person_phone: "Contact's phone",
    contact_person_name_missing: "Give the contact person's name",
    contact_no_registration: "This household has no special group registration: there is no contact person to edit.",
    contact_saved: "Contact details saved: the technicians' phones get them at their next sync.",
    contact_unchanged: "Nothing changed: nothing saved.",
    contact_conflicts_kept: |n| {
        format!(
            "Saved. A technician's phone had changed {n} of these since the page was opened: the rules decided, and the other value is kept for review under Conflicts."
        )
    },
    contact_stale: "Someone at the service center changed these fields after the page was opened: nothing was saved. Their values now are below: check them, then edit again.",
    contact_to_conflicts: "See the conflicts",
    contact_to_file: "Back to the household's file",
};
