//! Roster's persistence.
//!
//! The [`Store`] trait is what the server calls; each backend implements it
//! so that every command runs in one transaction: lock the community, load
//! the small projection the engine needs, [`roster_engine::decide_in_sight`],
//! write the membership rows, the counters and exactly one event, commit.
//! The trait is blocking. A backend whose writes are queued to a writer
//! thread (SQLite's group commit) or run on an async driver (PostgreSQL)
//! also offers [`Store::async_writes`], which an async handler awaits
//! without a hand-off; PostgreSQL offers its hot reads so too
//! ([`Store::async_reads`]), and every other call ([`Store::async_store`]);
//! the server reaches those of a store without them through
//! [`async_store::Blocking`], on the runtime's blocking threads.
//!
//! # A tour
//!
//! - `model.rs`: what the trait speaks (users, communities, the
//!   [`Outcome`] of a command, the [`Ruling`] that carries a refusal with
//!   the standing it was decided on, pages, idempotency records);
//! - `write_flow.rs`: the write flow, once for both backends, over the
//!   `CommandTx` primitives each backend implements (their row keys typed
//!   by `nums.rs`: `CommunityNum`, `UserNum`); beside it, also written
//!   once, `user_flow.rs` (creating and patching users), `account_flow.rs`
//!   (deleting one), `idempotency.rs` (what a held key means) and
//!   `pages.rs` (paging, `clamp_limit`);
//! - [`Store::community_in_sight`]: the one read of "this community as this
//!   caller sees it", which asks the engine (`view_in_sight`);
//! - [`sqlite`] (embedded, the default: one writer, `BEGIN IMMEDIATE`) and
//!   [`postgres`] (several nodes on one database: row locks, retries,
//!   advisory locks); in each, `communities.rs` holds the SQL of the write
//!   flow, `users.rs` the accounts (and the site community's step, asked of
//!   the engine), `reads.rs` the lists.
//!
//! A leave: [`Store::execute_in_sight`] opens the backend's write
//! transaction, `write_flow::execute` locks the community, reads the
//! actor's standing, lets the engine decide, deletes the membership row,
//! adjusts the counters, appends the `left` event and returns the
//! [`Outcome`]; a refusal returns [`Ruling::Refused`] having written
//! nothing.

mod account_flow;
// Every other call as futures (issue 13).
pub mod async_store;
pub use async_store::{async_store, AsyncStore};
// Bulk import and export (issue 15).
mod bulk;
mod console;
mod model;
// Row-key newtypes of the write flow (issue 10).
mod nums;
mod pages;
// Configurable permissions (issue 14).
mod policy;
pub use policy::{PolicyUpdate, StoredPolicy, POLICY_REFRESH};
pub mod postgres;
mod rooms;
pub mod sqlite;
mod url;
mod webhooks;
mod write_flow;
// User creation and patches, once for both backends (issue 10).
mod user_flow;
// The idempotency-key decision, once for both backends (issue 10).
mod idempotency;

pub use bulk::*;
pub use console::{ConsoleSession, DayCount, MemberSearch, NewConsoleSession, SearchPage};
pub use model::*;
pub use rooms::RoomQuery;
pub use url::{backend_of, is_key_value, mask_url, Backend};
// Webhooks (issue 16).
pub use webhooks::*;

use roster_engine::{
    Action, Actor, Command, CommunityId, DomainError, Level, NewCommunity, Sight, Standing, UserId,
};

/// [`Store::community_in_sight`]'s answer from the community read (written
/// once for the blocking default and the async backends): the community
/// and the viewer's standing, or the engine's refusal.
pub(crate) fn in_sight(
    found: Option<(Community, Standing)>,
    sight: Sight,
    viewer: Actor,
) -> Result<(Community, Standing)> {
    let (community, standing) = found.ok_or(DomainError::CommunityNotFound)?;
    roster_engine::view_in_sight(sight, &community.state, viewer.admin, standing)?;
    Ok((community, standing))
}

/// [`Store::members_in_sight`]'s check from the community read (written
/// once for both backends): the community, when the engine lets `viewer`
/// see it through `sight` ([`in_sight`]) and list those standings in it
/// ([`roster_engine::may_list`]).
pub(crate) fn listable(
    found: Option<(Community, Standing)>,
    sight: Sight,
    viewer: Actor,
    standings: &[Standing],
) -> Result<Community> {
    let (community, standing) = in_sight(found, sight, viewer)?;
    roster_engine::may_list(viewer.admin, standing, standings)?;
    Ok(community)
}

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
    /// [`Store::execute_in_sight`], awaited: the same transaction, the same answer.
    fn execute_in_sight(
        &self,
        sight: Sight,
        actor: Actor,
        community: CommunityKey,
        command: Command,
    ) -> StoreFuture<Ruling>;
}

/// The hot reads, awaited on an async runtime without a blocking thread
/// (PostgreSQL's async driver, issue 13): each answers as the [`Store`]
/// method of the same name.
pub trait AsyncReads: Send + Sync {
    /// [`Store::ping`].
    fn ping(&self) -> StoreFuture<()>;
    /// [`Store::find_token`].
    fn find_token(&self, hash: [u8; 32]) -> StoreFuture<Option<(TokenRecord, User)>>;
    /// [`Store::community_in_sight`].
    fn community_in_sight(
        &self,
        sight: Sight,
        key: CommunityKey,
        viewer: Actor,
    ) -> StoreFuture<(Community, Standing)>;
    /// [`Store::members_in_sight`].
    fn members_in_sight(
        &self,
        sight: Sight,
        key: CommunityKey,
        viewer: Actor,
        query: MemberQuery,
    ) -> StoreFuture<Page<MemberRow>>;
    /// [`Store::members_in_sight_since`]; by default the page in full.
    fn members_in_sight_since(
        &self,
        sight: Sight,
        key: CommunityKey,
        viewer: Actor,
        query: MemberQuery,
        _known: Option<DataVersion>,
    ) -> StoreFuture<Revalidated<Page<MemberRow>>> {
        let page = self.members_in_sight(sight, key, viewer, query);
        Box::pin(async move { Ok(Revalidated::Read(page.await?, None)) })
    }
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
    /// Several users at once, in the order of `keys` (`None` for a key
    /// that finds no one): one store call, on one connection.
    fn find_users(&self, keys: &[UserKey]) -> Result<Vec<Option<User>>> {
        keys.iter().map(|key| self.find_user(key)).collect()
    }
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
    /// Run one command on one community, atomically, for an actor who
    /// addresses it through `sight` (one out of sight is refused as
    /// `CommunityNotFound`, under the community's lock). A refusal comes
    /// back as [`Ruling::Refused`] with the standing it was decided on.
    fn execute_in_sight(
        &self,
        sight: Sight,
        actor: Actor,
        community: &CommunityKey,
        command: Command,
    ) -> Result<Ruling>;

    /// Run one command on any community, atomically; a refusal is an
    /// [`Error::Domain`].
    fn execute(&self, actor: Actor, community: &CommunityKey, command: Command) -> Result<Outcome> {
        self.execute_in_sight(Sight::Any, actor, community, command)?
            .accepted()
    }

    // --- communities: reads ----------------------------------------------

    /// A community and the viewer's standing in it (`None` standing without a viewer).
    fn community(
        &self,
        key: &CommunityKey,
        viewer: Option<UserId>,
    ) -> Result<Option<(Community, Standing)>>;
    /// A community as `viewer` addresses it through `sight`: the community
    /// and the viewer's standing, or `CommunityNotFound` when there is none
    /// or the engine ([`roster_engine::view_in_sight`]) keeps it out of
    /// that sight. The one read every dialect's visibility goes through.
    fn community_in_sight(
        &self,
        sight: Sight,
        key: &CommunityKey,
        viewer: Actor,
    ) -> Result<(Community, Standing)> {
        in_sight(self.community(key, Some(viewer.user))?, sight, viewer)
    }
    /// People of a community `viewer` addresses through `sight`, holding
    /// the query's standings, one page: [`community_in_sight`]'s refusal
    /// when out of sight, `NotPermitted` when the engine
    /// ([`roster_engine::may_list`]) keeps those standings from the viewer.
    ///
    /// [`community_in_sight`]: Store::community_in_sight
    fn members_in_sight(
        &self,
        sight: Sight,
        key: &CommunityKey,
        viewer: Actor,
        query: &MemberQuery,
    ) -> Result<Page<MemberRow>>;
    /// [`members_in_sight`] for a caller holding the page as read at
    /// `known`: the same checks, then [`Revalidated::Unchanged`] when the
    /// database is as it was then, else the page and its version. By
    /// default (a store without versions) the page in full, unversioned.
    ///
    /// [`members_in_sight`]: Store::members_in_sight
    fn members_in_sight_since(
        &self,
        sight: Sight,
        key: &CommunityKey,
        viewer: Actor,
        query: &MemberQuery,
        _known: Option<DataVersion>,
    ) -> Result<Revalidated<Page<MemberRow>>> {
        let page = self.members_in_sight(sight, key, viewer, query)?;
        Ok(Revalidated::Read(page, None))
    }
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

    // --- reads on the caller's thread (issue 11) ----------------------------

    /// Run `reads` on this thread with the backend's inline readers, which
    /// never wait for a connection, and return true; or, for a backend
    /// without them, return false without running it (then call off the
    /// async runtime). Only short reads belong inside, never a write.
    fn read_inline(&self, reads: &mut dyn FnMut()) -> bool {
        let _ = reads;
        false
    }

    // --- the write queue -------------------------------------------------

    /// The backend's async write submission, if it has one (SQLite); `None`
    /// means call the blocking methods off the runtime.
    fn async_writes(&self) -> Option<&dyn AsyncWrites> {
        None
    }

    /// The backend's async hot reads, if it has them (PostgreSQL); `None`
    /// means [`Store::read_inline`], or the blocking methods off the runtime.
    fn async_reads(&self) -> Option<&dyn AsyncReads> {
        None
    }

    /// The backend's own async face for every other call, if it has one
    /// (PostgreSQL); `None` means [`async_store::Blocking`] over this.
    fn async_store(&self) -> Option<std::sync::Arc<dyn AsyncStore>> {
        None
    }

    /// The write queue's depth and batch sizes, for a backend with one.
    fn write_stats(&self) -> Option<WriteStats> {
        None
    }

    /// The connection pool's occupancy and checkout waits, for a backend
    /// with one (PostgreSQL, issue 13).
    fn pool_stats(&self) -> Option<crate::postgres::PoolStats> {
        None
    }

    // --- the permission policy (issue 14) ---------------------------------

    /// The stored policy, read now (not the commands' cached copy, which
    /// follows it within [`POLICY_REFRESH`]).
    fn policy(&self) -> Result<StoredPolicy>;
    /// Set some actions' levels, as the engine's `decide_policy_change`
    /// rules (admins only): the rows and one `policy_changed` event on the
    /// site community, in one transaction; nothing when nothing differs.
    fn set_policy(&self, actor: Actor, changes: &[(Action, Level)]) -> Result<PolicyUpdate>;
    // --- rooms (feature `rooms`: Rocket.Chat's groups and channels) -------

    /// Non-site communities of one visibility, every one or one member's
    /// (the standing is `None` for every one), by creation order.
    fn rooms(&self, query: &RoomQuery) -> Result<Page<(Community, Standing)>>;
    /// Every account, in creation order, paged by offset, with the total.
    fn users_page(&self, offset: u64, limit: u32) -> Result<Page<User>>;
    /// Delete `user`'s account as `actor` (an admin, not the user), in one
    /// transaction: each of their standings ends through the engine's
    /// `deletion` rules (the last owner is refused unless `relinquish`),
    /// each change one event; the number of events written.
    fn delete_user(&self, actor: Actor, user: UserId, relinquish: bool) -> Result<u64>;

    // --- bulk import, export and backup (issue 15) -----------------------

    /// What the database holds of what an import file names: the users,
    /// emails and communities it names, the memberships in those
    /// communities, and the site community.
    fn import_existing(&self, keys: &ImportKeys) -> Result<roster_engine::import::Existing>;
    /// Write one planned import in one transaction: every row, the
    /// counters once per community, the `imported` events. A row that
    /// another writer created since the plan (a username, a name, a
    /// membership key) fails the whole transaction: nothing is written.
    fn import_batch(
        &self,
        batch: ImportBatch,
        progress: std::sync::Arc<BulkProgress>,
    ) -> Result<ImportSummary>;
    /// Stream every user, community and membership (or one community's)
    /// to `sink`, from one consistent snapshot, in constant memory.
    fn export(&self, query: &ExportQuery, sink: &mut ExportSink<'_>) -> Result<()>;

    // --- webhooks (issue 16) ---------------------------------------------

    /// The newest event's `seq` (0 before the first).
    fn latest_event_seq(&self) -> Result<i64>;
    /// Create a subscription; its cursor starts at `after`, or at the
    /// newest event now.
    fn create_webhook(&self, new: NewWebhook) -> Result<Webhook>;
    /// Every subscription, or those one user created, oldest first.
    fn list_webhooks(&self, created_by: Option<UserId>) -> Result<Vec<Webhook>>;
    fn find_webhook(&self, id: uuid::Uuid) -> Result<Option<Webhook>>;
    /// Delete a subscription and its log; false when there was none.
    fn delete_webhook(&self, id: uuid::Uuid) -> Result<bool>;
    /// Unpause: clear the pause and the run of failures.
    fn resume_webhook(&self, id: uuid::Uuid) -> Result<Option<Webhook>>;
    /// Pause a subscription with a reason (kept if it is paused already).
    fn pause_webhook(&self, id: uuid::Uuid, reason: &str) -> Result<()>;
    /// Take or renew the lease of an unpaused subscription for `node`
    /// until `ttl` from now (the database's clock): true when `node`
    /// holds it now (it was free, its own, or expired).
    fn lease_webhook(&self, id: uuid::Uuid, node: &str, ttl: std::time::Duration) -> Result<bool>;
    /// Give the lease up (a node shutting down), if `node` holds it.
    fn release_webhook(&self, id: uuid::Uuid, node: &str) -> Result<()>;
    /// Move the cursor forward to `seq` past unwanted events, if `node`
    /// holds the lease.
    fn skip_webhook_to(&self, id: uuid::Uuid, node: &str, seq: i64) -> Result<bool>;
    /// Log an attempt and apply it: a 2xx by the lease holder moves the
    /// cursor, a failure counts toward the pause.
    fn record_attempt(&self, attempt: &Attempt) -> Result<AttemptEffect>;
    /// The newest attempts of a subscription, newest first.
    fn deliveries(&self, id: uuid::Uuid, limit: u32) -> Result<Vec<DeliveryRecord>>;

    // --- the web console (issue 17; console.rs) --------------------------

    /// Store a console session.
    fn create_console_session(&self, new: NewConsoleSession) -> Result<ConsoleSession>;
    /// The console session with this hash and its user, live or not.
    fn console_session(&self, hash: &[u8; 32]) -> Result<Option<(ConsoleSession, User)>>;
    /// End a console session (sign out); false when unknown or already ended.
    fn end_console_session(&self, hash: &[u8; 32]) -> Result<bool>;
    /// People of a community whose username starts with a prefix, by
    /// username, one index range per page.
    fn search_members(&self, community: CommunityId, query: &MemberSearch) -> Result<SearchPage>;
    /// A community's events, newest first, strictly before `before` (all when `None`).
    fn recent_events(
        &self,
        community: CommunityId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<EventRecord>>;
    /// A community's events since `since`, counted per UTC day and kind.
    fn daily_counts(
        &self,
        community: CommunityId,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<DayCount>>;
    /// Every community, in creation order, after the given number.
    fn list_communities(&self, after: Option<i64>, limit: u32) -> Result<Page<Community>>;
}
