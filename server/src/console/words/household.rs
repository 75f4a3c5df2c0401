//! The texts of the console's household page.

pub struct Household {
    pub title: &'static str,
}

pub const ZH: Household = Household {
    title: "用户档案"
};

pub const EN: Household = Household {
    title: "Household file",
};
