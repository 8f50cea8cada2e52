//! Roster's persistence.
//!
//! The [`Store`] trait is what the server calls; each backend implements it
//! so that every command runs in one transaction: lock the community, load
//! the small projection the engine needs, [`roster_engine::decide`], write
//! the membership rows, the counters and exactly one event, commit. That
//! flow is written once, in `command.rs`, over each backend's SQL.
//! The trait is blocking: the server calls it from `spawn_blocking`. A
//! backend whose writes are queued to a writer thread (SQLite's group
//! commit) also offers [`Store::async_writes`], which an async handler
//! awaits without a hand-off.
//!
//! Backends: [`sqlite::SqliteStore`] (embedded, the default) and
//! [`postgres::PgStore`] (several nodes sharing one database).

mod command;
mod model;
mod pages;
pub mod postgres;
pub mod sqlite;

pub use model::*;

use roster_engine::{Actor, Command, CommunityId, DomainError, NewCommunity, Standing, UserId};

/// A store failure: a refusal by the rules, or a backend fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command was refused; nothing was written.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The database failed (I/O, corruption, busy beyond the timeout).
    #[error("storage failure: {0}")]
    Backend(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// A store call to await on an async runtime (no thread of its own).
pub type StoreFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<T>> + Send>>;

/// What a store's write queue is doing, for `/metrics`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WriteStats {
    /// Writes waiting for the writer now.
    pub queue_depth: u64,
    /// Batches committed (or failed) so far.
    pub batches: u64,
    /// Writes in those batches.
    pub batched_writes: u64,
    /// Batches by size: (upper bound, batches of at most that size and
    /// more than the previous bound), the last bound infinite.
    pub batch_size_buckets: Vec<(f64, u64)>,
}

/// Writes submitted from async code, answered once durable.
pub trait AsyncWrites: Send + Sync {
    /// [`Store::execute`], awaited: the same transaction, the same answer.
    fn execute(
        &self,
        actor: Actor,
        community: CommunityKey,
        command: Command,
    ) -> StoreFuture<Outcome>;
}

/// Everything the server needs from a database.
pub trait Store: Send + Sync + 'static {
    /// Is the database reachable? (`/readyz`)
    fn ping(&self) -> Result<()>;

    // --- users -----------------------------------------------------------

    /// Create a user. The first admin created also creates the site
    /// community and owns it; every user created once it exists joins it.
    fn create_user(&self, new: NewUser) -> Result<User>;
    fn find_user(&self, key: &UserKey) -> Result<Option<User>>;
    fn update_user(&self, id: UserId, patch: &UserPatch) -> Result<User>;
    /// Record a successful password login (`lastLoginDate`).
    fn record_login(&self, id: UserId) -> Result<()>;
    /// Users in creation order, after the given number.
    fn list_users(&self, after: Option<i64>, limit: u32) -> Result<Vec<User>>;

    // --- tokens ----------------------------------------------------------

    fn create_token(&self, new: NewToken) -> Result<TokenRecord>;
    /// The token with this hash and its user, whatever its expiry or revocation.
    fn find_token(&self, hash: &[u8; 32]) -> Result<Option<(TokenRecord, User)>>;
    fn list_tokens(&self, user: UserId) -> Result<Vec<TokenRecord>>;
    /// Revoke a token of `user`; false when it does not exist or is not theirs.
    fn revoke_token(&self, user: UserId, token: uuid::Uuid) -> Result<bool>;

    // --- communities: writes ---------------------------------------------

    /// Create a community owned by the actor.
    fn create_community(&self, actor: Actor, new: NewCommunity) -> Result<Outcome>;
    /// Run one command on one community, atomically.
    fn execute(&self, actor: Actor, community: &CommunityKey, command: Command) -> Result<Outcome>;

    // --- communities: reads ----------------------------------------------

    /// A community and the viewer's standing in it (`None` standing without a viewer).
    fn community(
        &self,
        key: &CommunityKey,
        viewer: Option<UserId>,
    ) -> Result<Option<(Community, Standing)>>;
    /// The site community, once the first admin has been created.
    fn site_community(&self) -> Result<Option<Community>>;
    /// One user's standing in one community.
    fn standing(&self, community: CommunityId, user: UserId) -> Result<Standing>;
    /// People in a community with one of the given standings, by join order.
    fn members(&self, community: CommunityId, query: &MemberQuery) -> Result<Page<MemberRow>>;
    /// Communities in which the user has one of the given standings.
    fn communities_of(
        &self,
        user: UserId,
        query: &MembershipQuery,
    ) -> Result<Page<(Community, Standing)>>;
    /// The event feed, oldest first, strictly after `after`.
    fn events(&self, query: &EventQuery) -> Result<Vec<EventRecord>>;

    // --- idempotency keys ------------------------------------------------

    /// Hold `key` of `user` for the request `fingerprint`, or say why not:
    /// its stored response to replay, another request under the key, or
    /// the same request still in flight. Keys older than
    /// [`IDEMPOTENCY_TTL_SECONDS`] are forgotten (purged here, lazily).
    fn begin_idempotent(
        &self,
        user: UserId,
        key: &str,
        fingerprint: &RequestFingerprint,
    ) -> Result<IdempotencyBegin>;
    /// Store the response of the request that holds `key` (status < 500).
    fn finish_idempotent(&self, user: UserId, key: &str, response: &StoredResponse) -> Result<()>;
    /// Release a held key whose request failed (5xx), so a retry runs again.
    /// A completed key is left alone.
    fn abandon_idempotent(&self, user: UserId, key: &str) -> Result<()>;

    // --- the write queue -------------------------------------------------

    /// The backend's async write submission, if it has one (SQLite); `None`
    /// means call the blocking methods off the runtime.
    fn async_writes(&self) -> Option<&dyn AsyncWrites> {
        None
    }

    /// The write queue's depth and batch sizes, for a backend with one.
    fn write_stats(&self) -> Option<WriteStats> {
        None
    }
}

/// A database URL with any password hidden (`postgres://user:secret@host`
/// → `postgres://user:***@host`), for logs and error messages.
pub fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((creds, host)) => match creds.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}
