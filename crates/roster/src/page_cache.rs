//! Rendered pages of people (issue 11): the JSON a member list answered
//! with, kept with the store's data version it was read at, so that asking
//! for the same page again while nothing in the database has changed costs
//! the visibility check and no page read or rendering.
//!
//! It is never stale: each request still makes the engine's checks (may
//! this caller see the community, list these standings) in the store, in
//! one read transaction that also tells whether anything in the database
//! changed since the copy's version ([`roster_store::Revalidated`]). Any
//! commit, to any table, by this process or another, makes every copy
//! older than the next version, so a busy server mostly reads pages in
//! full and a quiet one mostly serves them from here. PostgreSQL hands out
//! no versions, so there nothing is kept.
//!
//! Bounded: copies of older versions are dropped as soon as a newer one is
//! kept, and at most [`BUDGET`] bytes are held.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;
use roster_store::{CommunityKey, DataVersion, MemberQuery};

/// Most bytes of rendered pages held at once.
pub const BUDGET: usize = 8 << 20;

/// Which page: the answer's shape (one per dialect view), the community as
/// the caller named it, and the query. Not the caller: a page of people
/// reads the same to everyone allowed to see it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub view: &'static str,
    pub community: CommunityKey,
    pub query: MemberQuery,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

/// The kept pages, all of one version.
#[derive(Debug, Default)]
struct Kept {
    version: Option<DataVersion>,
    pages: HashMap<Arc<PageKey>, Bytes>,
    bytes: usize,
}

/// Rendered pages by [`PageKey`]; see the module's documentation.
#[derive(Debug)]
pub struct PageCache {
    kept: Mutex<Kept>,
    lookups: Family<OutcomeLabels, Counter>,
}

impl PageCache {
    /// An empty cache whose hits and reads count in `registry`
    /// (`roster_page_cache_lookups_total{outcome="hit"|"read"}`).
    pub fn new(registry: &mut Registry) -> PageCache {
        let lookups = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "page_cache_lookups",
            "Pages of people asked for, by outcome: hit (served as kept, the store unchanged since) or read (read and rendered)",
            lookups.clone(),
        );
        PageCache {
            kept: Mutex::default(),
            lookups,
        }
    }

    /// The copy kept for `key`, and the version it was read at.
    pub fn get(&self, key: &PageKey) -> Option<(DataVersion, Bytes)> {
        let kept = self.lock();
        let version = kept.version?;
        kept.pages.get(key).map(|page| (version, page.clone()))
    }

    /// Keep `page`, read at `version`; a copy older than those kept is not
    /// kept, and a newer one drops them.
    pub fn put(&self, key: Arc<PageKey>, version: DataVersion, page: Bytes) {
        let mut kept = self.lock();
        match kept.version {
            Some(current) if current > version => return,
            Some(current) if current == version => {}
            _ => {
                *kept = Kept {
                    version: Some(version),
                    ..Kept::default()
                }
            }
        }
        if kept.bytes + page.len() > BUDGET {
            return;
        }
        kept.bytes += page.len();
        if let Some(old) = kept.pages.insert(key, page) {
            kept.bytes -= old.len();
        }
    }

    /// Count a page served as kept (`hit`) or read again (`read`).
    pub fn count(&self, hit: bool) {
        let outcome = if hit { "hit" } else { "read" };
        self.lookups.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        // The map stays consistent if a holder panicked (no await, no
        // user code runs under the lock).
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_store::Paging;

    fn key(n: i64) -> Arc<PageKey> {
        Arc::new(PageKey {
            view: "test",
            community: CommunityKey::Num(n),
            query: MemberQuery {
                standings: vec![],
                paging: Paging::After(None),
                limit: 50,
            },
        })
    }

    fn cache() -> PageCache {
        PageCache::new(&mut Registry::default())
    }

    #[test]
    fn a_newer_version_drops_every_older_copy_and_an_older_one_is_not_kept() {
        let cache = cache();
        cache.put(key(1), DataVersion(3), Bytes::from_static(b"one"));
        cache.put(key(2), DataVersion(3), Bytes::from_static(b"two"));
        assert_eq!(
            cache.get(&key(1)),
            Some((DataVersion(3), Bytes::from_static(b"one")))
        );

        cache.put(key(2), DataVersion(2), Bytes::from_static(b"stale"));
        assert_eq!(cache.get(&key(2)).unwrap().1, Bytes::from_static(b"two"));

        cache.put(key(2), DataVersion(4), Bytes::from_static(b"new"));
        assert_eq!(cache.get(&key(1)), None);
        assert_eq!(
            cache.get(&key(2)),
            Some((DataVersion(4), Bytes::from_static(b"new")))
        );
    }

    #[test]
    fn no_more_than_the_budget_is_held() {
        let cache = cache();
        let big = Bytes::from(vec![b'x'; BUDGET / 2 + 1]);
        cache.put(key(1), DataVersion(1), big.clone());
        cache.put(key(2), DataVersion(1), big.clone());
        assert!(cache.get(&key(1)).is_some());
        assert_eq!(cache.get(&key(2)), None);
        // Replacing a copy frees what it held.
        cache.put(key(1), DataVersion(1), Bytes::from_static(b"small"));
        cache.put(key(2), DataVersion(1), big);
        assert!(cache.get(&key(2)).is_some());
        assert_eq!(cache.lock().bytes, BUDGET / 2 + 1 + 5);
    }
}
