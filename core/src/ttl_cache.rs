//! A small in-memory cache whose entries expire a fixed time after insertion: the unwrapped
//! DEKs ([`crate::crypto::DekCache`]), so that a page showing one participant does not unwrap
//! their key once per field, and the names of organisations and staff ([`crate::names`]).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Values by key, each kept for at most `ttl` after insertion (access does not extend it, which
/// bounds how long a value, key material included, stays in memory) and at most `max_entries`
/// at once, evicting the oldest insertion first. Eviction scans all entries, which is fine for
/// the hundreds to low thousands of entries this is meant for.
pub struct TtlCache<V> {
    inner: Mutex<Inner<V>>,
    ttl: Duration,
    max_entries: usize,
}

struct Inner<V> {
    entries: HashMap<String, Entry<V>>,
    /// Insertion counter: orders entries for eviction even when `Instant`s are equal.
    next_seq: u64,
}

struct Entry<V> {
    value: V,
    inserted: Instant,
    seq: u64,
}

impl<V: Clone> TtlCache<V> {
    /// A cache keeping entries for `ttl` (for example five minutes), at most `max_entries` of
    /// them; `max_entries == 0` disables caching.
    pub fn new(ttl: Duration, max_entries: usize) -> TtlCache<V> {
        TtlCache {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                next_seq: 0,
            }),
            ttl,
            max_entries,
        }
    }

    /// The cached value for `key`, unless absent or expired.
    pub fn get(&self, key: &str) -> Option<V> {
        let mut inner = self.lock();
        let entry = inner.entries.get(key)?;
        if entry.inserted.elapsed() < self.ttl {
            return Some(entry.value.clone());
        }
        inner.entries.remove(key);
        None
    }

    /// Caches `value` for `key`, replacing any earlier entry.
    pub fn insert(&self, key: String, value: V) {
        if self.max_entries == 0 {
            return;
        }
        let mut inner = self.lock();
        let ttl = self.ttl;
        inner.entries.retain(|_, e| e.inserted.elapsed() < ttl);
        if !inner.entries.contains_key(&key) {
            while inner.entries.len() >= self.max_entries {
                let oldest = inner
                    .entries
                    .iter()
                    .min_by_key(|(_, e)| e.seq)
                    .map(|(k, _)| k.clone());
                match oldest {
                    Some(key) => inner.entries.remove(&key),
                    None => break,
                };
            }
        }
        let seq = inner.next_seq;
        inner.next_seq += 1;
        inner.entries.insert(
            key,
            Entry {
                value,
                inserted: Instant::now(),
                seq,
            },
        );
    }

    /// Forgets the value for `key` (a DEK on crypto-shred or replacement, a name changed).
    pub fn remove(&self, key: &str) {
        self.lock().entries.remove(key);
    }

    /// Forgets every value (for example every DEK after a KEK rotation or on shutdown).
    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    /// Number of entries held, including expired ones not yet purged.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, Inner<V>> {
        // A panic elsewhere while holding the lock cannot leave the map half-updated in a way
        // that matters here (every entry is complete), so keep serving rather than panic.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<V: Clone> std::fmt::Debug for TtlCache<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TtlCache")
            .field("entries", &self.len())
            .field("ttl", &self.ttl)
            .field("max_entries", &self.max_entries)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Dek, DekCache};
    use ring::rand::SystemRandom;
    use std::sync::Arc;

    fn dek() -> Arc<Dek> {
        Arc::new(Dek::generate(&SystemRandom::new()).unwrap())
    }

    #[test]
    fn cached_dek_is_returned_until_removed() {
        let cache = DekCache::new(Duration::from_secs(300), 10);
        let d = dek();
        cache.insert("p:1".into(), Arc::clone(&d));
        assert!(Arc::ptr_eq(&cache.get("p:1").unwrap(), &d));
        assert!(cache.get("p:2").is_none());
        cache.remove("p:1");
        assert!(cache.get("p:1").is_none());
        assert!(cache.is_empty());
    }

    #[test]
    fn expired_entries_are_not_returned() {
        let cache = DekCache::new(Duration::ZERO, 10);
        cache.insert("p:1".into(), dek());
        assert!(cache.get("p:1").is_none());
        assert_eq!(cache.len(), 0, "an expired entry is dropped when looked up");
    }

    #[test]
    fn oldest_insertion_is_evicted_at_capacity() {
        let cache = DekCache::new(Duration::from_secs(300), 2);
        cache.insert("p:1".into(), dek());
        cache.insert("p:2".into(), dek());
        cache.insert("p:3".into(), dek());
        assert_eq!(cache.len(), 2);
        assert!(cache.get("p:1").is_none());
        assert!(cache.get("p:2").is_some() && cache.get("p:3").is_some());
        // Replacing an existing participant's entry evicts nothing.
        cache.insert("p:3".into(), dek());
        assert!(cache.get("p:2").is_some());
    }

    #[test]
    fn clear_forgets_everything_and_zero_capacity_caches_nothing() {
        let cache = DekCache::new(Duration::from_secs(300), 10);
        cache.insert("p:1".into(), dek());
        cache.insert("p:2".into(), dek());
        cache.clear();
        assert!(cache.is_empty());
        let disabled = DekCache::new(Duration::from_secs(300), 0);
        disabled.insert("p:1".into(), dek());
        assert!(disabled.get("p:1").is_none());
    }

    #[test]
    fn cache_is_shared_between_threads() {
        let cache = Arc::new(DekCache::new(Duration::from_secs(300), 100));
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let cache = Arc::clone(&cache);
                std::thread::spawn(move || {
                    for i in 0..25 {
                        cache.insert(format!("p:{t}:{i}"), dek());
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(cache.len(), 100);
    }
}
