//! The texts of the console's staff page.

pub struct Staff {
    pub title: &'static str,
}

pub const ZH: Staff = Staff {
    title: "员工账号"
};

pub const EN: Staff = Staff {
    title: "Staff accounts",
};
