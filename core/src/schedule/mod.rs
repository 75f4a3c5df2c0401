//! What a technician should do and when: periodic inspections falling due, the patrol of a
//! household whose use is abnormal, and the day's work list that puts emergencies first and
//! walks the rest in a sensible order.

pub mod inspection;
pub mod patrol;
pub mod worklist;

pub use inspection::{InspectionDue, InspectionPolicy, next_inspection_due};
pub use worklist::{WorkItem, WorkListOptions, WorkReason, work_list};
