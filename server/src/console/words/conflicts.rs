//! The texts of the console's conflicts page.

pub struct Conflicts {
    pub title: &'static str,
}

pub const ZH: Conflicts = Conflicts {
    title: "冲突与待定作业",
};

pub const EN: Conflicts = Conflicts {
    title: "Conflicts and parked work",
};
