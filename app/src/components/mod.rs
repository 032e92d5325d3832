//! Reusable view pieces.

pub mod charts;
pub mod layout;
pub mod ui;
