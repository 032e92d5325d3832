//! One file per route. Pages share view pieces through `crate::components`, never by
//! importing one another.

pub mod admin;
pub mod admin_shred;
pub mod audit;
pub mod case;
pub mod case_consents;
pub mod case_edit;
pub mod case_guardians;
pub mod case_new;
pub mod case_team;
pub mod cases;
pub mod contact;
pub mod council;
pub mod council_meeting;
pub mod council_minutes;
pub mod effect;
pub mod extract;
pub mod groups;
pub mod handover;
pub mod home;
pub mod inbox;
pub mod living;
pub mod login;
pub mod not_found;
pub mod notes;
pub mod outcomes;
pub mod plan;
pub mod plan_merge;
pub mod projects;
pub mod referral;
pub mod referrals;
pub mod safety;
pub mod situation;
pub mod situation_print;
pub mod timeline;
pub mod totp;
