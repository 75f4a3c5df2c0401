//! The texts of the console's special page.

pub struct Special {
    pub title: &'static str,
}

pub const ZH: Special = Special {
    title: "特殊群体"
};

pub const EN: Special = Special {
    title: "Special groups",
};
