//! The PostgreSQL backend, for deployments that outgrow one machine:
//! several stateless `roster` nodes, each with its own [`PgStore`] (its own
//! connection pool), sharing one database.
//!
//! Every write is one READ COMMITTED transaction that first locks the row
//! it is about (a command locks its community: `SELECT … FOR UPDATE`), so
//! commands on one community run one after another whichever node serves
//! them, while commands on different communities run in parallel. Races
//! that no existing row can lock (two nodes creating one username, one
//! community name, or the site community) are settled by unique indexes and
//! a transaction-level advisory lock. A deadlock or serialization
//! failure, which PostgreSQL resolves by rolling one transaction back, is
//! retried from the start a few times. Reads run in REPEATABLE READ, READ
//! ONLY transactions: one snapshot per call, no locks.
//!
//! No lock is shared by all writes. The event feed, which followers page
//! with `after=<seq>` and must never see out of order, is numbered after
//! commit (`feed.rs`): a write inserts its event unnumbered and commits;
//! then one stamper at a time in the cluster numbers every committed,
//! unnumbered event, above every number given before, and commits before
//! the next stamper starts. Readers see only numbered events, so an event
//! committed late is numbered late, and a follower never skips one. The
//! stamp is one short statement, batched (a writer whose event a
//! concurrent stamp already numbered does not wait), holding no row lock:
//! commands on different communities commit in parallel.
//!
//! One async driver, one pool (issue 13): `tokio-postgres` connections in
//! a `deadpool` pool (`live.rs`), each statement prepared once per
//! connection. The hot paths (every command, the token look-up, the
//! community and member reads, `/readyz`'s ping) and every other call
//! (`calls.rs`: users and tokens, idempotency keys, webhooks, the console,
//! bulk import and export, the policy) are futures on it; the server awaits
//! the hot ones through [`crate::AsyncWrites`] and [`crate::AsyncReads`]
//! with no blocking thread, and the synchronous `Store` methods wait on
//! them on the store's own small runtime. The SQL is written once, over
//! `sql.rs`, with each call's runner (retried write, snapshot read, one
//! statement) in `run.rs`.

mod accounts;
mod calls;
mod communities;
mod connect;
mod console;
mod errors;
mod feed;
mod idempotency;
// Issue 13: the async driver's pool, hot paths and hooks; the SQL calls.
mod hooks;
mod live;
mod migrate;
mod policy;
mod pool;
mod sql;
pub use pool::{default_pool_size, PgOptions, PoolStats};
mod reads;
mod rooms;
mod rows;
#[cfg(feature = "test-support")]
pub mod scratch;
// Issue 13: how calls run on the pool, TLS to the server, and one
// command in flight per community per node.
mod run;
mod stamper;
mod tls;
mod tokens;
mod turns;
mod users;
// Bulk import and export (issue 15).
mod bulk;
mod webhooks;

use std::{sync::Arc, time::Duration};

use roster_engine::{
    Action, Actor, Command, CommunityId, Level, NewCommunity, Sight, Standing, UserId,
};
use tokio_postgres::Config;

// The web console's records (issue 17).
use crate::{AsyncReads, AsyncWrites, PolicyUpdate};
use crate::{
    Community, CommunityKey, Error, EventQuery, EventRecord, IdempotencyBegin, MemberQuery,
    MemberRow, MembershipQuery, NewToken, NewUser, Outcome, Page, RequestFingerprint, Result,
    Ruling, Store, StoredResponse, TokenRecord, User, UserKey, UserPatch,
};
use crate::{ConsoleSession, DayCount, MemberSearch, NewConsoleSession, SearchPage};

use pool::{ATTEMPTS, CHECKOUT_TIMEOUT, CONNECT_TIMEOUT, PING_TIMEOUT};

/// The PostgreSQL store: one connection pool (see the module doc) to a
/// database that other nodes may share.
pub struct PgStore {
    /// The async driver's pool and every call on it, shared with the
    /// futures handed out; also the policy cache (a change made on another node is
    /// followed within `POLICY_REFRESH`) and the checkout waits.
    live: Arc<live::Live>,
    /// `user@host:port/dbname`, for messages (never the password).
    target: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Open the database a URL names (`postgres://user:password@host:port/dbname`
    /// or `postgresql://…`, with libpq's query parameters such as
    /// `?connect_timeout=10` or `?options=-c%20search_path%3Droster`), and
    /// bring its schema up to date. Fails at once, with the server's reason,
    /// when the server cannot be reached.
    pub fn open_url(url: &str) -> Result<PgStore> {
        PgStore::open_url_with(url, &PgOptions::default())
    }

    /// [`Self::open_url`] with the pool's size and statement timeout.
    pub fn open_url_with(url: &str, options: &PgOptions) -> Result<PgStore> {
        // `sslmode=verify-*` and `sslrootcert`, which the driver does not
        // parse, are taken out first (see `tls.rs`).
        let (url, wish) = tls::split(url);
        let config: Config = url.parse().map_err(|e: tokio_postgres::Error| {
            // The parser's message names the bad parameter, not the URL.
            Error::Backend(format!(
                "postgres: invalid database URL: {}",
                errors::describe(&e)
            ))
        })?;
        connect::open_tls(config, options, &wish)
    }

    /// Open the database a parsed configuration names (see [`Self::open_url`]).
    pub fn open(config: Config) -> Result<PgStore> {
        PgStore::open_with(config, &PgOptions::default())
    }

    /// [`Self::open`] with the pool's size and statement timeout.
    pub fn open_with(config: Config, options: &PgOptions) -> Result<PgStore> {
        let wish = tls::TlsWish {
            verify: tls::Verify::Nothing,
            root_cert: None,
        };
        connect::open_tls(config, options, &wish)
    }

    /// Test support: the statements prepared on a connection of the async
    /// pool (`pg_prepared_statements` of its session) with their runs.
    #[cfg(feature = "test-support")]
    pub fn prepared_statements(&self) -> Result<Vec<(String, i64)>> {
        self.live.wait(self.live.prepared_statements())
    }

    /// `user@host:port/dbname` (no password).
    pub fn target(&self) -> &str {
        &self.target
    }
}

/// Put the number the stamp gave into the event a write returns (0 when it
/// is not numbered yet).
fn number_event(event: &mut Option<EventRecord>, seq: Option<i64>) {
    if let Some(event) = event {
        event.seq = seq.unwrap_or(0);
    }
}

impl Store for PgStore {
    fn pool_stats(&self) -> Option<PoolStats> {
        let (max, open, idle) = self.live.occupancy();
        Some(self.live.waits.stats(max, open, idle))
    }

    fn ping(&self) -> Result<()> {
        self.live.wait(self.live.ping())
    }

    fn async_writes(&self) -> Option<&dyn AsyncWrites> {
        Some(self)
    }

    fn async_reads(&self) -> Option<&dyn AsyncReads> {
        Some(self)
    }

    fn async_store(&self) -> Option<Arc<dyn crate::AsyncStore>> {
        Some(Arc::new(hooks::Calls(Arc::clone(&self.live))))
    }

    fn create_user(&self, new: NewUser) -> Result<User> {
        self.live.wait(self.live.create_user(&new))
    }

    fn find_user(&self, key: &UserKey) -> Result<Option<User>> {
        self.live.wait(self.live.find_user(key))
    }

    fn find_users(&self, keys: &[UserKey]) -> Result<Vec<Option<User>>> {
        self.live.wait(self.live.find_users(keys))
    }

    fn update_user(&self, id: UserId, patch: &UserPatch) -> Result<User> {
        self.live.wait(self.live.update_user(id, patch))
    }

    fn record_login(&self, id: UserId) -> Result<()> {
        self.live.wait(self.live.record_login(id))
    }

    fn list_users(&self, after: Option<i64>, limit: u32) -> Result<Vec<User>> {
        self.live.wait(self.live.list_users(after, limit))
    }

    fn create_token(&self, new: NewToken) -> Result<TokenRecord> {
        self.live.wait(self.live.create_token(&new))
    }

    fn find_token(&self, hash: &[u8; 32]) -> Result<Option<(TokenRecord, User)>> {
        self.live.wait(self.live.find_token(*hash))
    }

    fn list_tokens(&self, user: UserId) -> Result<Vec<TokenRecord>> {
        self.live.wait(self.live.list_tokens(user))
    }

    fn revoke_token(&self, user: UserId, token: uuid::Uuid) -> Result<bool> {
        self.live.wait(self.live.revoke_token(user, token))
    }

    fn create_community(&self, actor: Actor, new: NewCommunity) -> Result<Outcome> {
        self.live.wait(self.live.create_community(actor, &new))
    }

    fn execute_in_sight(
        &self,
        sight: Sight,
        actor: Actor,
        community: &CommunityKey,
        command: Command,
    ) -> Result<Ruling> {
        let key = community.clone();
        self.live
            .wait(self.live.execute(sight, actor, key, command))
    }

    fn community(
        &self,
        key: &CommunityKey,
        viewer: Option<UserId>,
    ) -> Result<Option<(Community, Standing)>> {
        self.live.wait(self.live.community(key, viewer))
    }

    fn community_in_sight(
        &self,
        sight: Sight,
        key: &CommunityKey,
        viewer: Actor,
    ) -> Result<(Community, Standing)> {
        self.live
            .wait(self.live.community_in_sight(sight, key, viewer))
    }

    fn members_in_sight(
        &self,
        sight: Sight,
        key: &CommunityKey,
        viewer: Actor,
        query: &MemberQuery,
    ) -> Result<Page<MemberRow>> {
        self.live
            .wait(self.live.members_in_sight(sight, key, viewer, query))
    }

    fn site_community(&self) -> Result<Option<Community>> {
        self.live.wait(self.live.site_community())
    }

    fn standing(&self, community: CommunityId, user: UserId) -> Result<Standing> {
        self.live.wait(self.live.standing(community, user))
    }

    fn members(&self, community: CommunityId, query: &MemberQuery) -> Result<Page<MemberRow>> {
        self.live.wait(self.live.members(community, query))
    }

    fn communities_of(
        &self,
        user: UserId,
        query: &MembershipQuery,
    ) -> Result<Page<(Community, Standing)>> {
        self.live.wait(self.live.communities_of(user, query))
    }

    fn events(&self, query: &EventQuery) -> Result<Vec<EventRecord>> {
        self.live.wait(self.live.events(query))
    }

    fn begin_idempotent(
        &self,
        user: UserId,
        key: &str,
        fingerprint: &RequestFingerprint,
    ) -> Result<IdempotencyBegin> {
        self.live
            .wait(self.live.begin_idempotent(user, key, fingerprint))
    }

    fn finish_idempotent(&self, user: UserId, key: &str, response: &StoredResponse) -> Result<()> {
        self.live
            .wait(self.live.finish_idempotent(user, key, response))
    }

    fn abandon_idempotent(&self, user: UserId, key: &str) -> Result<()> {
        self.live.wait(self.live.abandon_idempotent(user, key))
    }

    fn policy(&self) -> Result<crate::StoredPolicy> {
        self.live.wait(self.live.stored_policy())
    }

    fn set_policy(&self, actor: Actor, changes: &[(Action, Level)]) -> Result<PolicyUpdate> {
        self.live.wait(self.live.set_policy(actor, changes))
    }

    // feature `rooms`
    fn rooms(&self, query: &crate::RoomQuery) -> Result<Page<(Community, Standing)>> {
        self.live.wait(self.live.rooms(query))
    }

    fn users_page(&self, offset: u64, limit: u32) -> Result<Page<User>> {
        self.live.wait(self.live.users_page(offset, limit))
    }

    fn delete_user(&self, actor: Actor, user: UserId, relinquish: bool) -> Result<u64> {
        self.live
            .wait(self.live.delete_user(actor, user, relinquish))
    }

    // Bulk import and export (issue 15).
    fn import_existing(&self, keys: &crate::ImportKeys) -> Result<roster_engine::import::Existing> {
        self.live.wait(self.live.import_existing(keys))
    }

    fn import_batch(
        &self,
        batch: crate::ImportBatch,
        progress: std::sync::Arc<crate::BulkProgress>,
    ) -> Result<crate::ImportSummary> {
        self.live.wait(self.live.import_batch(&batch, &progress))
    }

    fn export(&self, query: &crate::ExportQuery, sink: &mut crate::ExportSink<'_>) -> Result<()> {
        self.live.wait(self.live.export(query, sink))
    }

    // --- webhooks (issue 16) ---------------------------------------------

    fn latest_event_seq(&self) -> Result<i64> {
        self.live.wait(self.live.latest_event_seq())
    }

    fn create_webhook(&self, new: crate::NewWebhook) -> Result<crate::Webhook> {
        self.live.wait(self.live.create_webhook(&new))
    }

    fn list_webhooks(&self, created_by: Option<UserId>) -> Result<Vec<crate::Webhook>> {
        self.live.wait(self.live.list_webhooks(created_by))
    }

    fn find_webhook(&self, id: uuid::Uuid) -> Result<Option<crate::Webhook>> {
        self.live.wait(self.live.find_webhook(id))
    }

    fn delete_webhook(&self, id: uuid::Uuid) -> Result<bool> {
        self.live.wait(self.live.delete_webhook(id))
    }

    fn resume_webhook(&self, id: uuid::Uuid) -> Result<Option<crate::Webhook>> {
        self.live.wait(self.live.resume_webhook(id))
    }

    fn pause_webhook(&self, id: uuid::Uuid, reason: &str) -> Result<()> {
        self.live.wait(self.live.pause_webhook(id, reason))
    }

    fn lease_webhook(&self, id: uuid::Uuid, node: &str, ttl: Duration) -> Result<bool> {
        self.live.wait(self.live.lease_webhook(id, node, ttl))
    }

    fn release_webhook(&self, id: uuid::Uuid, node: &str) -> Result<()> {
        self.live.wait(self.live.release_webhook(id, node))
    }

    fn skip_webhook_to(&self, id: uuid::Uuid, node: &str, seq: i64) -> Result<bool> {
        self.live.wait(self.live.skip_webhook_to(id, node, seq))
    }

    fn record_attempt(&self, attempt: &crate::Attempt) -> Result<crate::AttemptEffect> {
        self.live.wait(self.live.record_attempt(attempt))
    }

    fn deliveries(&self, id: uuid::Uuid, limit: u32) -> Result<Vec<crate::DeliveryRecord>> {
        self.live.wait(self.live.deliveries(id, limit))
    }

    // --- the web console (issue 17) ----------------------------------------

    fn create_console_session(&self, new: NewConsoleSession) -> Result<ConsoleSession> {
        self.live.wait(self.live.create_console_session(&new))
    }

    fn console_session(&self, hash: &[u8; 32]) -> Result<Option<(ConsoleSession, User)>> {
        self.live.wait(self.live.console_session(hash))
    }

    fn end_console_session(&self, hash: &[u8; 32]) -> Result<bool> {
        self.live.wait(self.live.end_console_session(hash))
    }

    fn search_members(&self, community: CommunityId, query: &MemberSearch) -> Result<SearchPage> {
        self.live.wait(self.live.search_members(community, query))
    }

    fn recent_events(
        &self,
        community: CommunityId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<EventRecord>> {
        self.live
            .wait(self.live.recent_events(community, before, limit))
    }

    fn daily_counts(
        &self,
        community: CommunityId,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<DayCount>> {
        self.live.wait(self.live.daily_counts(community, since))
    }

    fn list_communities(&self, after: Option<i64>, limit: u32) -> Result<Page<Community>> {
        self.live.wait(self.live.list_communities(after, limit))
    }
}

#[cfg(test)]
mod tests;
