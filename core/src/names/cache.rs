//! The caches of names the application state holds, kept apart from the reads that fill them
//! ([`super`]) so that the state holds them without depending on those reads.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::ttl_cache::TtlCache;

/// How long a name is kept after it was read.
pub const NAME_TTL: Duration = Duration::from_secs(60);
/// At most this many names at once (organisations and staff of a national program fit).
const NAME_CACHE_MAX: usize = 20_000;

/// Names by `org:<id>` and `user:<id>`; an id without a record (or without a name) is kept as
/// `None`, so a removed organisation is not asked for again on every page.
pub(crate) type NameCache = TtlCache<Option<String>>;

/// The cache of the organisations' directory ([`super::directory`]): one entry.
pub(crate) type DirectoryCache = TtlCache<Arc<HashMap<String, String>>>;

/// An empty cache of names, at its limits.
pub(crate) fn names() -> NameCache {
    NameCache::new(NAME_TTL, NAME_CACHE_MAX)
}

/// An empty cache of the organisations' directory.
pub(crate) fn directory() -> DirectoryCache {
    DirectoryCache::new(NAME_TTL, 1)
}
