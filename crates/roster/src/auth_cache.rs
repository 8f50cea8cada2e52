//! The token cache: token hash → the principal it resolved to (the token
//! record and its user), so that a request with a known token does not read
//! the tokens table, nor leave the async runtime, to authenticate.
//!
//! Staleness is bounded, never open-ended:
//! - on this node, revoking a token or changing a user evicts what the
//!   cache holds for it at once ([`TokenCache::forget_token`],
//!   [`TokenCache::forget_user`]), and a look-up that read the store before
//!   such an eviction cannot put its older answer back after it (fills and
//!   evictions share a generation number, checked under one lock);
//! - expiry is checked on every use, against the cached record;
//! - changes made elsewhere (another node sharing a PostgreSQL database, or
//!   the CLI) are seen within [`FRESH_FOR`] (1 s): an entry is served only
//!   while younger than that, counted from before the store read that made
//!   it; an older one is read again.
//!
//! Size is bounded: at most [`CAPACITY`] entries (about 0.5 KB each), evicted
//! by quick_cache's S3-FIFO-like policy. Unknown tokens are never cached.

use crate::auth::Principal;
use quick_cache::sync::Cache;
use roster_engine::UserId;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a cached principal is served before the store is read again.
pub const FRESH_FOR: Duration = Duration::from_secs(1);
/// Most tokens held at once.
pub const CAPACITY: usize = 10_000;

#[derive(Clone)]
struct Entry {
    principal: Principal,
    /// When the store read that produced it began.
    read_at: Instant,
}

/// The bounded, concurrent hash → principal map (see the module doc).
pub struct TokenCache {
    entries: Cache<[u8; 32], Entry>,
    /// Bumped by every eviction; a fill is kept only if it has not moved
    /// since its store read began. Held while filling and evicting.
    generation: Mutex<u64>,
    fresh_for: Duration,
}

/// Taken before a store read; hand it back to [`TokenCache::fill`].
#[derive(Clone, Copy, Debug)]
pub struct FillTicket {
    generation: u64,
    read_at: Instant,
}

impl Default for TokenCache {
    fn default() -> Self {
        Self::new(CAPACITY, FRESH_FOR)
    }
}

impl TokenCache {
    pub fn new(capacity: usize, fresh_for: Duration) -> Self {
        Self {
            entries: Cache::new(capacity.max(1)),
            generation: Mutex::new(0),
            fresh_for,
        }
    }

    /// The principal of this hash, if cached and still fresh.
    pub fn get(&self, hash: &[u8; 32]) -> Option<Principal> {
        let entry = self.entries.get(hash)?;
        (entry.read_at.elapsed() < self.fresh_for).then_some(entry.principal)
    }

    /// Call before reading the token from the store.
    pub fn ticket(&self) -> FillTicket {
        let generation = *self.lock();
        FillTicket {
            generation,
            read_at: Instant::now(),
        }
    }

    /// Remember what the store said, unless an eviction happened since the
    /// ticket was taken (the read may predate it).
    pub fn fill(&self, hash: [u8; 32], principal: Principal, ticket: FillTicket) {
        let generation = self.lock();
        if *generation == ticket.generation {
            let read_at = ticket.read_at;
            self.entries.insert(hash, Entry { principal, read_at });
        }
    }

    /// Evict the token with this id (it was revoked here).
    pub fn forget_token(&self, token: uuid::Uuid) {
        self.evict(|entry| entry.principal.token.id == token);
    }

    /// Evict every token of this user (the user changed here).
    pub fn forget_user(&self, user: UserId) {
        self.evict(|entry| entry.principal.user.id == user);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn evict(&self, matches: impl Fn(&Entry) -> bool) {
        let mut generation = self.lock();
        *generation += 1;
        self.entries.retain(|_, entry| !matches(entry));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, u64> {
        // The guarded number stays valid even if a holder panicked.
        self.generation
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use roster_store::{Profile, Scopes, TokenRecord, User};

    fn principal(user: UserId, token: uuid::Uuid) -> Principal {
        let now = Utc::now();
        Principal {
            user: User {
                id: user,
                num: 1,
                username: "alice".into(),
                email: None,
                email_verified: false,
                admin: false,
                profile: Profile::default(),
                password_hash: String::new(),
                created_at: now,
                updated_at: now,
                last_login_at: None,
            },
            token: TokenRecord {
                id: token,
                user,
                scopes: Scopes::parse("community:read").unwrap(),
                label: String::new(),
                created_at: now,
                expires_at: None,
                revoked_at: None,
            },
        }
    }

    fn ids() -> (UserId, uuid::Uuid) {
        (UserId(uuid::Uuid::new_v4()), uuid::Uuid::new_v4())
    }

    #[test]
    fn fills_are_served_and_evictions_forget() {
        let cache = TokenCache::new(100, Duration::from_secs(3600));
        let (alice, a1) = ids();
        let (bob, b1) = ids();
        cache.fill([1; 32], principal(alice, a1), cache.ticket());
        cache.fill([2; 32], principal(bob, b1), cache.ticket());
        assert_eq!(cache.get(&[1; 32]).unwrap().token.id, a1);
        assert!(cache.get(&[3; 32]).is_none());

        cache.forget_token(a1);
        assert!(cache.get(&[1; 32]).is_none());
        assert!(cache.get(&[2; 32]).is_some());
        cache.forget_user(bob);
        assert!(cache.get(&[2; 32]).is_none());
        assert!(cache.is_empty());
    }

    #[test]
    fn a_read_older_than_an_eviction_is_not_kept() {
        let cache = TokenCache::new(100, Duration::from_secs(3600));
        let (alice, a1) = ids();
        let ticket = cache.ticket();
        // The revocation commits and evicts while the read is in flight.
        cache.forget_token(a1);
        cache.fill([1; 32], principal(alice, a1), ticket);
        assert!(cache.get(&[1; 32]).is_none());
        // A read begun after it is kept.
        cache.fill([1; 32], principal(alice, a1), cache.ticket());
        assert!(cache.get(&[1; 32]).is_some());
    }

    #[test]
    fn entries_older_than_the_bound_are_not_served() {
        let cache = TokenCache::new(100, Duration::ZERO);
        let (alice, a1) = ids();
        cache.fill([1; 32], principal(alice, a1), cache.ticket());
        assert_eq!(cache.len(), 1);
        assert!(cache.get(&[1; 32]).is_none());
    }

    #[test]
    fn size_is_bounded() {
        let cache = TokenCache::new(50, Duration::from_secs(3600));
        for i in 0..1000u32 {
            let mut hash = [0u8; 32];
            hash[..4].copy_from_slice(&i.to_le_bytes());
            let (user, token) = ids();
            cache.fill(hash, principal(user, token), cache.ticket());
        }
        assert!(cache.len() <= 100, "{} entries", cache.len());
    }
}
