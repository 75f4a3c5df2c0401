//! The texts of the console's calls page.

pub struct Calls {
    pub title: &'static str,
}

pub const ZH: Calls = Calls { title: "来电" };

pub const EN: Calls = Calls { title: "Calls" };
