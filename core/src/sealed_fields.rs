//! Which fields of each table are stored sealed with the participant's key (AES-256-GCM under
//! the participant's DEK, AAD: table, record id, field; sealing and opening is `vault`'s).
//! Deleting that key (shredding) makes exactly these fields unreadable in every copy.
//!
//! One list per table, and this is the only one: the register extract's table list opens them,
//! a case read decides from them whether it needs the key, and the schema test holds every
//! string field of the schema to being on a list here or allowed in clear with a written reason.
//! A table without sealed fields has no list.

/// A participant's identity, contact details and background.
pub(crate) const PARTICIPANT: &[&str] = &[
    "first_name",
    "last_name",
    "personnummer",
    "phone",
    "email",
    "address",
    "background",
];
/// A participant's earlier details: the array, and the field of each version sealed with the AAD
/// field `<array>.<version>` (the earlier values of the fields an edit changed, as JSON).
pub(crate) const PARTICIPANT_HISTORY: (&str, &str) = ("history", "previous");
/// Who referred the person (often names someone).
pub(crate) const CASE: &[&str] = &["referral_source"];
pub(crate) const GOAL: &[&str] = &["text"];
/// A plan's action; `responsible` may name a person outside the core's users.
pub(crate) const ACTION: &[&str] = &["title", "comment", "responsible"];
/// A plan review.
pub(crate) const REVIEW: &[&str] = &["present", "summary"];
/// An outcome rating set; the comment may say anything about the person's life.
pub(crate) const RATING: &[&str] = &["comment"];
pub(crate) const MEASURE: &[&str] = &["details"];
pub(crate) const ASSESSMENT: &[&str] = &["basis"];
pub(crate) const HOUSING: &[&str] = &["address"];
pub(crate) const OCCUPATION: &[&str] = &["outcome"];
pub(crate) const CONTACT: &[&str] = &["summary"];
pub(crate) const NOTE: &[&str] = &["text"];
/// A note's earlier versions: the array, and the field of each version sealed with the AAD
/// field `<array>.<version>`.
pub(crate) const NOTE_HISTORY: (&str, &str) = ("history", "text");
/// A timeline event: what happened (`line`, codes and values as JSON) and what people wrote.
pub(crate) const EVENT: &[&str] = &["line", "text"];
pub(crate) const BREAK_GLASS: &[&str] = &["reason", "review_comment"];
pub(crate) const SHRED_REQUEST: &[&str] = &["reason"];
pub(crate) const EXTRACT_RELEASE: &[&str] = &["reason"];
/// A referral: the person as the referrer wrote them, the worry, the referring private person,
/// and the receiving unit's reason for declining.
pub(crate) const REFERRAL: &[&str] = &[
    "first_name",
    "last_name",
    "personnummer",
    "phone",
    "description",
    "referrer_contact",
    "decline_reason",
];
/// A council decision's free text about the person.
pub(crate) const COUNCIL_ITEM: &[&str] = &["note"];
/// A handover to another municipality: the frozen summary of the chosen parts, the covering
/// note and the receiver's reason for declining.
pub(crate) const HANDOVER: &[&str] = &["snapshot", "note", "decline_reason"];
/// A young person's guardian or parent: who they are, how to reach them, and what the
/// guardians' consent covers.
pub(crate) const GUARDIAN: &[&str] = &["name", "phone", "email", "address", "consent_scope"];
/// An SSPF group's working label and description. Sealed with the group's own data key
/// (`participant_key:group_<id>`), not a participant's: the group belongs to no one person, so
/// shredding a member leaves it readable and the register extract does not include it.
pub(crate) const SSPF_GROUP: &[&str] = &["name", "description"];
