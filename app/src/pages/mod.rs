//! One file per route.

pub mod admin;
pub mod casework;
pub mod contact;
pub mod home;
pub mod living;
pub mod login;
pub mod not_found;
pub mod notes;
pub mod plan;
pub mod safety;
pub mod timeline;
