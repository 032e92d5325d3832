//! What an audit entry records before it is chained: who acted, and what happened.

use serde::{Deserialize, Serialize};

/// Who did it, as recorded. The CLI acts as `system`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Who {
    pub user: String,
    pub org: String,
    pub role: String,
}

impl Who {
    pub fn system() -> Who {
        Who {
            user: "system".into(),
            org: "system".into(),
            role: "system".into(),
        }
    }
}

/// What happened, before it is sealed into the chain.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Entry {
    pub action: String,
    pub participants: Vec<String>,
    pub case_id: Option<String>,
    pub categories: Vec<String>,
    pub denied: Vec<String>,
    /// `allow`, `deny` or `partial`.
    pub decision: String,
    pub basis: Option<String>,
    pub purpose: Option<String>,
    pub reason: Option<String>,
}

impl Entry {
    pub fn new(action: &str) -> Entry {
        Entry {
            action: action.into(),
            decision: "allow".into(),
            ..Default::default()
        }
    }
}
