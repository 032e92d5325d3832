//! Reusable view pieces. Pages are built from these and from the server functions in
//! `crate::api`; no page imports another page, and no component reads the core.

pub mod case_frame;
pub mod case_youth;
pub mod charts;
pub mod common;
pub mod forms;
pub mod labels;
pub mod language;
pub mod layout;
pub mod participant_fields;
pub mod situation;
pub mod title;
pub mod ui;
