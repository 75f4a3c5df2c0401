//! The texts of the console's settlement page.

pub struct Settlement {
    pub title: &'static str,
}

pub const ZH: Settlement = Settlement {
    title: "日清日结"
};

pub const EN: Settlement = Settlement {
    title: "Settlement",
};
