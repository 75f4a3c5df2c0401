//! The texts of the console's board page.

pub struct Board {
    pub title: &'static str,
}

pub const ZH: Board = Board {
    title: "调度看板"
};

pub const EN: Board = Board {
    title: "Dispatch board",
};
