//! The texts of the console's inspections page.

pub struct Inspections {
    pub title: &'static str,
}

pub const ZH: Inspections = Inspections {
    title: "安检计划"
};

pub const EN: Inspections = Inspections {
    title: "Inspections",
};
