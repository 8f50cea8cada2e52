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
//! Two drivers, two pools (issue 13). The hot paths (every command, the
//! token look-up, the community and member reads, `/readyz`'s ping) run on
//! the async driver (`live.rs`: `tokio-postgres` in a `deadpool` pool,
//! each statement prepared once per connection), which the server awaits
//! through [`crate::AsyncWrites`] and [`crate::AsyncReads`] with no
//! blocking thread; their synchronous `Store` methods wait on the same
//! futures. The cold paths (user and token administration, idempotency
//! keys, webhooks, the console, bulk import and export, the policy) still
//! run on the synchronous `postgres` crate and its r2d2 pool, from
//! `spawn_blocking`: each of its connections drives its socket with a
//! small private tokio runtime, which may not be started or dropped on an
//! async worker thread, so [`PgStore`] opens and closes them on a thread of
//! its own. `--pool-size` counts both pools (`pool::split`); the SQL both
//! run (the command's, the reads') is written once over `sql.rs`.

mod accounts;
mod communities;
mod connect;
use connect::on_own_thread;
mod console;
mod errors;
mod feed;
mod idempotency;
// Issue 13: the async driver's pool, hot paths and hooks; SQL over both drivers.
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

use r2d2_postgres::PostgresConnectionManager;
use roster_engine::{
    Action, Actor, Command, CommunityId, Level, NewCommunity, Sight, Standing, UserId,
};
use tokio_postgres::Config;

use errors::Res;
// The web console's records (issue 17).
use crate::{AsyncReads, AsyncWrites, PolicyUpdate};
use crate::{
    Community, CommunityKey, Error, EventQuery, EventRecord, IdempotencyBegin, MemberQuery,
    MemberRow, MembershipQuery, NewToken, NewUser, Outcome, Page, RequestFingerprint, Result,
    Ruling, Store, StoredResponse, TokenRecord, User, UserKey, UserPatch,
};
use crate::{ConsoleSession, DayCount, MemberSearch, NewConsoleSession, SearchPage};

use pool::{ATTEMPTS, CHECKOUT_TIMEOUT, CONNECT_TIMEOUT, PING_TIMEOUT, POOL_IDLE};

type Pool = r2d2::Pool<PostgresConnectionManager<tls::RustlsConnect>>;
type Pooled = r2d2::PooledConnection<PostgresConnectionManager<tls::RustlsConnect>>;

/// The PostgreSQL store: two connection pools (see the module doc) to a
/// database that other nodes may share.
pub struct PgStore {
    /// The synchronous driver's pool (the cold paths); `None` only while
    /// being dropped (see `Drop`).
    pool: Option<Pool>,
    /// The async driver's pool and the hot paths, shared with the futures
    /// handed out; also the policy cache (a change made on another node is
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

impl Drop for PgStore {
    fn drop(&mut self) {
        // Closing a connection blocks on its private runtime, which panics
        // on an async worker thread: close them on a thread of our own.
        if let Some(pool) = self.pool.take() {
            on_own_thread(move || drop(pool));
        }
    }
}

/// Put the number the stamp gave into the event a write returns (0 when it
/// is not numbered yet).
fn number_event(event: &mut Option<EventRecord>, seq: Option<i64>) {
    if let Some(event) = event {
        event.seq = seq.unwrap_or(0);
    }
}

/// A caller's page size, clamped (written once, in `pages.rs`).
use crate::pages::clamp_limit;
use sql::ready;

impl Store for PgStore {
    fn pool_stats(&self) -> Option<PoolStats> {
        let pool = self.pool.as_ref()?;
        let state = pool.state();
        let (max, open, idle) = self.live.occupancy();
        Some(self.live.waits.stats(
            pool.max_size() + max,
            state.connections + open,
            state.idle_connections + idle,
        ))
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

    fn create_user(&self, new: NewUser) -> Result<User> {
        self.write(|tx| users::create(tx, &new))
    }

    fn find_user(&self, key: &UserKey) -> Result<Option<User>> {
        self.single(|client| users::find(client, key))
    }

    fn find_users(&self, keys: &[UserKey]) -> Result<Vec<Option<User>>> {
        self.single(|client| {
            keys.iter()
                .map(|key| users::find(&mut *client, key))
                .collect()
        })
    }

    fn update_user(&self, id: UserId, patch: &UserPatch) -> Result<User> {
        self.write(|tx| users::update(tx, id, patch))
    }

    fn record_login(&self, id: UserId) -> Result<()> {
        self.single(|client| users::record_login(client, id))
    }

    fn list_users(&self, after: Option<i64>, limit: u32) -> Result<Vec<User>> {
        self.single(|client| users::list(client, after, clamp_limit(limit)))
    }

    fn create_token(&self, new: NewToken) -> Result<TokenRecord> {
        self.single(|client| ready(tokens::create(client, &new)))
    }

    fn find_token(&self, hash: &[u8; 32]) -> Result<Option<(TokenRecord, User)>> {
        self.live.wait(self.live.find_token(*hash))
    }

    fn list_tokens(&self, user: UserId) -> Result<Vec<TokenRecord>> {
        self.single(|client| ready(tokens::list(client, user)))
    }

    fn revoke_token(&self, user: UserId, token: uuid::Uuid) -> Result<bool> {
        self.single(|client| ready(tokens::revoke(client, user, token)))
    }

    fn create_community(&self, actor: Actor, new: NewCommunity) -> Result<Outcome> {
        self.write_numbered(
            |tx| {
                let policy = self.live.policy.get(|| ready(policy::load(tx)))?;
                communities::create(tx, &policy, actor, &new)
            },
            |outcome, seq| number_event(&mut outcome.event, seq),
        )
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
        self.single(|client| ready(reads::site_community(client)))
    }

    fn standing(&self, community: CommunityId, user: UserId) -> Result<Standing> {
        self.single(|client| ready(reads::standing(client, community, user)))
    }

    fn members(&self, community: CommunityId, query: &MemberQuery) -> Result<Page<MemberRow>> {
        self.live.wait(self.live.members(community, query))
    }

    fn communities_of(
        &self,
        user: UserId,
        query: &MembershipQuery,
    ) -> Result<Page<(Community, Standing)>> {
        self.read(|tx| ready(reads::communities_of(tx, user, query)))
    }

    fn events(&self, query: &EventQuery) -> Result<Vec<EventRecord>> {
        self.single(|client| ready(reads::events(client, query)))
    }

    fn begin_idempotent(
        &self,
        user: UserId,
        key: &str,
        fingerprint: &RequestFingerprint,
    ) -> Result<IdempotencyBegin> {
        self.write(|tx| idempotency::begin(tx, user, key, fingerprint))
    }

    fn finish_idempotent(&self, user: UserId, key: &str, response: &StoredResponse) -> Result<()> {
        self.write(|tx| idempotency::finish(tx, user, key, response))
    }

    fn abandon_idempotent(&self, user: UserId, key: &str) -> Result<()> {
        self.write(|tx| idempotency::abandon(tx, user, key))
    }

    fn policy(&self) -> Result<crate::StoredPolicy> {
        self.read(|tx| ready(policy::load_stored(tx)))
    }

    fn set_policy(&self, actor: Actor, changes: &[(Action, Level)]) -> Result<PolicyUpdate> {
        let update = self.write_numbered(
            |tx| crate::policy::set_policy(tx, actor, changes),
            |update, seq| number_event(&mut update.event, seq),
        )?;
        // Committed: this node's commands decide under it from now on.
        self.live.policy.put(update.policy.clone());
        Ok(update)
    }

    // feature `rooms`
    fn rooms(&self, query: &crate::RoomQuery) -> Result<Page<(Community, Standing)>> {
        self.read(|tx| rooms::rooms(tx, query))
    }

    fn users_page(&self, offset: u64, limit: u32) -> Result<Page<User>> {
        self.read(|tx| rooms::users_page(tx, offset, clamp_limit(limit)))
    }

    fn delete_user(&self, actor: Actor, user: UserId, relinquish: bool) -> Result<u64> {
        self.write(|tx| accounts::delete_user(tx, actor, user, relinquish))
    }

    // Bulk import and export (issue 15).
    fn import_existing(&self, keys: &crate::ImportKeys) -> Result<roster_engine::import::Existing> {
        self.read(|tx| bulk::existing(tx, keys))
    }

    fn import_batch(
        &self,
        batch: crate::ImportBatch,
        progress: std::sync::Arc<crate::BulkProgress>,
    ) -> Result<crate::ImportSummary> {
        // One attempt: a retry after a rollback would start a large import
        // over behind the caller's back; a conflict is reported instead.
        let mut conn = self.connection()?;
        let result: Res<crate::ImportSummary> = (|| {
            let mut tx = conn.transaction()?;
            let summary = bulk::import(&mut tx, &batch, &progress)?;
            tx.commit()?;
            Ok(summary)
        })();
        result.map_err(Error::from)
    }

    fn export(&self, query: &crate::ExportQuery, sink: &mut crate::ExportSink<'_>) -> Result<()> {
        self.read(|tx| bulk::export(tx, query, sink))
    }

    // --- webhooks (issue 16) ---------------------------------------------

    fn latest_event_seq(&self) -> Result<i64> {
        self.single(webhooks::latest_seq)
    }

    fn create_webhook(&self, new: crate::NewWebhook) -> Result<crate::Webhook> {
        self.write(|tx| webhooks::create(tx, &new))
    }

    fn list_webhooks(&self, created_by: Option<UserId>) -> Result<Vec<crate::Webhook>> {
        self.single(|client| webhooks::list(client, created_by))
    }

    fn find_webhook(&self, id: uuid::Uuid) -> Result<Option<crate::Webhook>> {
        self.single(|client| webhooks::find(client, id))
    }

    fn delete_webhook(&self, id: uuid::Uuid) -> Result<bool> {
        self.write(|tx| webhooks::delete(tx, id))
    }

    fn resume_webhook(&self, id: uuid::Uuid) -> Result<Option<crate::Webhook>> {
        self.write(|tx| webhooks::resume(tx, id))
    }

    fn pause_webhook(&self, id: uuid::Uuid, reason: &str) -> Result<()> {
        self.write(|tx| webhooks::pause(tx, id, reason))
    }

    fn lease_webhook(&self, id: uuid::Uuid, node: &str, ttl: Duration) -> Result<bool> {
        self.write(|tx| webhooks::lease(tx, id, node, ttl))
    }

    fn release_webhook(&self, id: uuid::Uuid, node: &str) -> Result<()> {
        self.write(|tx| webhooks::release(tx, id, node))
    }

    fn skip_webhook_to(&self, id: uuid::Uuid, node: &str, seq: i64) -> Result<bool> {
        self.write(|tx| webhooks::skip_to(tx, id, node, seq))
    }

    fn record_attempt(&self, attempt: &crate::Attempt) -> Result<crate::AttemptEffect> {
        self.write(|tx| webhooks::record(tx, attempt))
    }

    fn deliveries(&self, id: uuid::Uuid, limit: u32) -> Result<Vec<crate::DeliveryRecord>> {
        self.single(|client| webhooks::deliveries(client, id, limit))
    }

    // --- the web console (issue 17) ----------------------------------------

    fn create_console_session(&self, new: NewConsoleSession) -> Result<ConsoleSession> {
        self.single(|client| console::create_session(client, &new))
    }

    fn console_session(&self, hash: &[u8; 32]) -> Result<Option<(ConsoleSession, User)>> {
        self.single(|client| console::session(client, hash))
    }

    fn end_console_session(&self, hash: &[u8; 32]) -> Result<bool> {
        self.single(|client| console::end_session(client, hash))
    }

    fn search_members(&self, community: CommunityId, query: &MemberSearch) -> Result<SearchPage> {
        self.read(|tx| console::search_members(tx, community, query))
    }

    fn recent_events(
        &self,
        community: CommunityId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<EventRecord>> {
        self.single(|client| console::recent_events(client, community, before, limit))
    }

    fn daily_counts(
        &self,
        community: CommunityId,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<DayCount>> {
        self.single(|client| console::daily_counts(client, community, since))
    }

    fn list_communities(&self, after: Option<i64>, limit: u32) -> Result<Page<Community>> {
        self.read(|tx| console::list_communities(tx, after, limit))
    }
}

#[cfg(test)]
mod tests;
