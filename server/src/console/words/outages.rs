//! The texts of the console's outages page.

pub struct Outages {
    pub title: &'static str,
}

pub const ZH: Outages = Outages {
    title: "停气通知"
};

pub const EN: Outages = Outages {
    title: "Outage notices",
};
