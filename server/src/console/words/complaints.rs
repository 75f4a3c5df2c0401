//! The texts of the console's complaints page.

pub struct Complaints {
    pub title: &'static str,
}

pub const ZH: Complaints = Complaints {
    title: "投诉与回访",
};

pub const EN: Complaints = Complaints {
    title: "Complaints and return visits",
};
