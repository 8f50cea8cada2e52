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
//! The driver is the synchronous `postgres` crate; each connection drives
//! its socket with a small private tokio runtime, which may not be started
//! or dropped on an async runtime's worker thread. The server calls the
//! store from `spawn_blocking` (allowed there), and [`PgStore`] opens and
//! closes its connections on a thread of its own, so it may be created and
//! dropped anywhere.

mod accounts;
mod communities;
mod connect;
use connect::{describe_target, on_own_thread, open_pool};
mod console;
mod errors;
mod feed;
mod idempotency;
mod migrate;
mod policy;
mod pool;
pub use pool::{default_pool_size, PgOptions, PoolStats};
mod reads;
mod rooms;
mod rows;
#[cfg(feature = "test-support")]
pub mod scratch;
// Issue 13: how calls run on the pool, TLS to the server, and one
// command in flight per community per node.
mod run;
mod tls;
mod tokens;
mod turns;
mod users;
// Bulk import and export (issue 15).
mod bulk;
mod webhooks;

use std::time::Duration;

use postgres::Config;
use r2d2_postgres::PostgresConnectionManager;
use roster_engine::{
    Action, Actor, Command, CommunityId, Level, NewCommunity, Sight, Standing, UserId,
};

use errors::Res;
// The web console's records (issue 17).
use crate::{ConsoleSession, DayCount, MemberSearch, NewConsoleSession, SearchPage};

use crate::{policy::PolicyCache, PolicyUpdate};
use crate::{
    Community, CommunityKey, Error, EventQuery, EventRecord, IdempotencyBegin, MemberQuery,
    MemberRow, MembershipQuery, NewToken, NewUser, Outcome, Page, RequestFingerprint, Result,
    Ruling, Store, StoredResponse, TokenRecord, User, UserKey, UserPatch,
};

/// Connections kept open while idle.
const POOL_IDLE: u32 = 2;
/// How long a store call waits for a free connection before failing.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `/readyz` (ping) waits for a connection: a server that is down
/// is reported promptly rather than after the full checkout timeout.
const PING_TIMEOUT: Duration = Duration::from_secs(3);
/// TCP connect timeout, unless the URL sets `connect_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Runs of one write transaction when the server rolls it back for a
/// deadlock or serialization failure.
const ATTEMPTS: u32 = 3;

type Pool = r2d2::Pool<PostgresConnectionManager<tls::RustlsConnect>>;
type Pooled = r2d2::PooledConnection<PostgresConnectionManager<tls::RustlsConnect>>;

/// The PostgreSQL store: one connection pool to a database that other
/// nodes may share.
pub struct PgStore {
    /// `None` only while being dropped (see `Drop`).
    pool: Option<Pool>,
    /// `user@host:port/dbname`, for messages (never the password).
    target: String,
    /// The policy commands decide under (issue 14), re-read inside the
    /// write transaction once older than `POLICY_REFRESH`: a change made
    /// on another node is followed within that bound.
    policy: PolicyCache,
    /// How long checkouts waited (`/metrics`).
    waits: pool::Waits,
    /// Commands queue per community here before taking a connection.
    turns: turns::Turns,
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
        let config: Config = url.parse().map_err(|e: postgres::Error| {
            // The parser's message names the bad parameter, not the URL.
            Error::Backend(format!(
                "postgres: invalid database URL: {}",
                errors::describe(&e)
            ))
        })?;
        PgStore::open_tls(config, options, &wish)
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
        PgStore::open_tls(config, options, &wish)
    }

    fn open_tls(mut config: Config, options: &PgOptions, wish: &tls::TlsWish) -> Result<PgStore> {
        let connector = tls::connector(wish)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("roster");
        }
        if !options.statement_timeout.is_zero() {
            let all = pool::with_statement_timeout(config.get_options(), options.statement_timeout);
            config.options(&all);
        }
        let target = describe_target(&config);
        let options = options.clone();
        // Connections own a private runtime: create them off any async
        // worker thread the caller may be on.
        on_own_thread(move || open_pool(config, connector, target, &options))
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

impl Store for PgStore {
    fn pool_stats(&self) -> Option<PoolStats> {
        let pool = self.pool.as_ref()?;
        let state = pool.state();
        Some(
            self.waits
                .stats(pool.max_size(), state.connections, state.idle_connections),
        )
    }

    fn ping(&self) -> Result<()> {
        let mut conn = self.connection_within(PING_TIMEOUT)?;
        conn.query_one("SELECT 1", &[])
            .map(drop)
            .map_err(|e| Error::from(errors::Fault::from(e)))
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
        self.single(|client| tokens::create(client, &new))
    }

    fn find_token(&self, hash: &[u8; 32]) -> Result<Option<(TokenRecord, User)>> {
        self.single(|client| tokens::find(client, hash))
    }

    fn list_tokens(&self, user: UserId) -> Result<Vec<TokenRecord>> {
        self.single(|client| tokens::list(client, user))
    }

    fn revoke_token(&self, user: UserId, token: uuid::Uuid) -> Result<bool> {
        self.single(|client| tokens::revoke(client, user, token))
    }

    fn create_community(&self, actor: Actor, new: NewCommunity) -> Result<Outcome> {
        self.write_numbered(
            |tx| {
                let policy = self.policy.get(|| policy::load(tx))?;
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
        // Queue behind this node's command on the same community, if any,
        // before taking a connection (see `turns.rs`).
        let _turn = self.turns.take(community);
        let result = self.write_numbered(
            |tx| {
                let policy = self.policy.get(|| policy::load(tx))?;
                communities::execute(tx, &policy, sight, actor, community, &command)
            },
            |ruling, seq| {
                if let Ruling::Accepted(outcome) = ruling {
                    number_event(&mut outcome.event, seq);
                }
            },
        );
        if let Err(Error::Backend(error)) = &result {
            tracing::error!(command = command.name(), %error, "postgres: command failed");
        }
        result
    }

    fn community(
        &self,
        key: &CommunityKey,
        viewer: Option<UserId>,
    ) -> Result<Option<(Community, Standing)>> {
        self.read(|tx| reads::community(tx, key, viewer))
    }

    fn site_community(&self) -> Result<Option<Community>> {
        self.single(reads::site_community)
    }

    fn standing(&self, community: CommunityId, user: UserId) -> Result<Standing> {
        self.single(|client| reads::standing(client, community, user))
    }

    fn members(&self, community: CommunityId, query: &MemberQuery) -> Result<Page<MemberRow>> {
        self.read(|tx| reads::members(tx, community, query))
    }

    fn communities_of(
        &self,
        user: UserId,
        query: &MembershipQuery,
    ) -> Result<Page<(Community, Standing)>> {
        self.read(|tx| reads::communities_of(tx, user, query))
    }

    fn events(&self, query: &EventQuery) -> Result<Vec<EventRecord>> {
        self.single(|client| reads::events(client, query))
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
        self.read(|tx| policy::load_stored(tx))
    }

    fn set_policy(&self, actor: Actor, changes: &[(Action, Level)]) -> Result<PolicyUpdate> {
        let update = self.write_numbered(
            |tx| crate::policy::set_policy(tx, actor, changes),
            |update, seq| number_event(&mut update.event, seq),
        )?;
        // Committed: this node's commands decide under it from now on.
        self.policy.put(update.policy.clone());
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
