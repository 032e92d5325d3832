//! The head of the chain: the one record (`audit_head:main`) that names the newest entry. The
//! chain moves it with every append; checkpoints sign what it names.

use serde::Deserialize;

use crate::db::DbError;
use crate::state::AppState;

/// The `prev_mac` of the first entry, and the head's MAC while the log is empty.
pub(crate) const GENESIS: &str = "genesis";

/// The newest entry's position and MAC: `(0, GENESIS)` for an empty log.
pub(crate) async fn head(state: &AppState) -> Result<(i64, String), DbError> {
    #[derive(Deserialize)]
    struct Head {
        seq: i64,
        mac: String,
    }
    let h: Option<Head> = state
        .db()
        .q("SELECT seq, mac FROM audit_head:main")
        .run()
        .await?
        .first(0)?;
    Ok(h.map(|h| (h.seq, h.mac))
        .unwrap_or((0, GENESIS.to_string())))
}
