//! The embedded SQLite backend (the default): opening the file, the
//! connection settings that make an acknowledged write durable, the schema
//! migrations, and the split between one writer and a pool of readers.
//!
//! SQLite admits one writer at a time, so every write goes to a single
//! writer thread that owns the write connection (`writer.rs`): it runs the
//! writes queued while it was busy each in its own savepoint of one
//! `BEGIN IMMEDIATE` transaction and commits them together (group commit),
//! answering no caller before that commit is on disk. That one writer is
//! what serialises concurrent commands on a community, so the engine always
//! decides on the current rows. Reads run on read-only connections
//! (`readers.rs`: a small pool for blocking threads, and readers for the
//! handlers' short reads run on their own thread), which WAL lets run beside
//! the writer without blocking it. Every statement is
//! prepared once per connection (`prepare_cached`).

mod accounts;
mod communities;
mod console;
mod idempotency;
mod migrate;
mod pragmas;
use pragmas::configure_writer;
mod policy;
mod readers;
mod reads;
pub use readers::inline;
use readers::Readers;
mod rooms;
mod rows;
mod tokens;
mod url;
mod users;
mod versions;
mod webhooks;
mod writer;
// Bulk import/export and online backup (issue 15).
mod backup;
mod bulk;
pub use backup::{backup, BackupReport};
pub use url::path_of_url;

pub use writer::WriterConfig;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::pages::clamp_limit;
use roster_engine::{
    Action, Actor, Command, CommunityId, DomainError, Level, NewCommunity, Sight, Standing, UserId,
};
use rusqlite::{Connection, OpenFlags};

use crate::{policy::PolicyCache, PolicyUpdate};
use crate::{
    AsyncWrites, Community, CommunityKey, DataVersion, Error, EventQuery, EventRecord,
    IdempotencyBegin, MemberQuery, MemberRow, MembershipQuery, NewToken, NewUser, Outcome, Page,
    RequestFingerprint, Result, Revalidated, Ruling, Store, StoreFuture, StoredResponse,
    TokenRecord, User, UserKey, UserPatch, WriteStats,
};
// The web console's records (issue 17).
use crate::{ConsoleSession, DayCount, MemberSearch, NewConsoleSession, SearchPage};
use writer::WriteQueue;

/// How long a connection waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Prepared statements kept per connection: more than the distinct hot
/// statements (the member and feed queries vary with their filters).
const STATEMENT_CACHE: usize = 256;

/// The SQLite store: one writer thread, a pool of readers.
pub struct SqliteStore {
    writer: WriteQueue,
    readers: Readers,
    path: PathBuf,
    /// The policy commands decide under (issue 14), re-read on the writer
    /// once older than `POLICY_REFRESH`.
    policy: Arc<PolicyCache>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        Error::Backend(format!("sqlite: {error}"))
    }
}

impl From<r2d2::Error> for Error {
    fn from(error: r2d2::Error) -> Self {
        Error::Backend(format!("sqlite reader pool: {error}"))
    }
}

impl SqliteStore {
    /// Open (creating it and its directory if missing) the database at
    /// `path`, and bring its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        SqliteStore::open_with(path, WriterConfig::default())
    }

    /// [`SqliteStore::open`] with a write queue of the given sizes.
    pub fn open_with(path: &Path, config: WriterConfig) -> Result<SqliteStore> {
        if path.as_os_str().is_empty() || path == Path::new(":memory:") {
            return Err(Error::Backend(
                "sqlite: a database file path is required (in-memory databases are not supported)"
                    .into(),
            ));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                Error::Backend(format!("sqlite: cannot create {}: {e}", parent.display()))
            })?;
        }
        let writer = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure_writer(&writer)?;
        migrate::run(&writer)?;

        let readers = Readers::open(path)?;
        let writer = WriteQueue::start(writer, config)?;
        tracing::debug!(path = %path.display(), "sqlite store open");
        Ok(SqliteStore {
            writer,
            readers,
            path: path.to_path_buf(),
            policy: Arc::default(),
        })
    }

    /// Open a database named by URL: `sqlite://path`, `sqlite:path` or a
    /// bare path (`sqlite:///abs/file.db` is the absolute `/abs/file.db`).
    /// A query string (`?mode=rwc`, as other tools write) is ignored.
    pub fn open_url(url: &str) -> Result<SqliteStore> {
        SqliteStore::open(&url::path_of_url(url)?)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run `f` on the writer, in its own savepoint of the writer's next
    /// batch: kept when it returns `Ok`, rolled back (nothing written) when
    /// it returns `Err`. Returns once the batch has committed.
    fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        // Writes never run inline: they wait for a commit.
        debug_assert!(!readers::is_inline(), "a write inside sqlite::inline");
        self.writer.write(f)
    }

    /// Run `f` in one read transaction (see [`Readers::read`]).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.readers.read(f)
    }
}

impl Store for SqliteStore {
    fn ping(&self) -> Result<()> {
        self.read(|conn| {
            conn.prepare_cached("SELECT 1")?.query_row([], |_| Ok(()))?;
            Ok(())
        })
    }

    fn create_user(&self, new: NewUser) -> Result<User> {
        self.write(move |conn| users::create(conn, new))
    }

    fn find_user(&self, key: &UserKey) -> Result<Option<User>> {
        self.read(|conn| users::find(conn, key))
    }

    fn find_users(&self, keys: &[UserKey]) -> Result<Vec<Option<User>>> {
        self.read(|conn| keys.iter().map(|key| users::find(conn, key)).collect())
    }

    fn update_user(&self, id: UserId, patch: &UserPatch) -> Result<User> {
        let patch = patch.clone();
        self.write(move |conn| users::update(conn, id, &patch))
    }

    fn record_login(&self, id: UserId) -> Result<()> {
        self.write(move |conn| users::record_login(conn, id))
    }

    fn list_users(&self, after: Option<i64>, limit: u32) -> Result<Vec<User>> {
        self.read(|conn| users::list(conn, after, clamp_limit(limit)))
    }

    fn create_token(&self, new: NewToken) -> Result<TokenRecord> {
        self.write(move |conn| tokens::create(conn, new))
    }

    fn find_token(&self, hash: &[u8; 32]) -> Result<Option<(TokenRecord, User)>> {
        self.read(|conn| tokens::find(conn, hash))
    }

    fn list_tokens(&self, user: UserId) -> Result<Vec<TokenRecord>> {
        self.read(|conn| tokens::list(conn, user))
    }

    fn revoke_token(&self, user: UserId, token: uuid::Uuid) -> Result<bool> {
        self.write(move |conn| tokens::revoke(conn, user, token))
    }

    fn create_community(&self, actor: Actor, new: NewCommunity) -> Result<Outcome> {
        let cache = self.policy.clone();
        self.write(move |conn| {
            let policy = cache.get(|| policy::load(conn))?;
            communities::create(conn, &policy, actor, &new)
        })
    }

    fn execute_in_sight(
        &self,
        sight: Sight,
        actor: Actor,
        community: &CommunityKey,
        command: Command,
    ) -> Result<Ruling> {
        let community = community.clone();
        let cache = self.policy.clone();
        self.write(move |conn| {
            communities::execute_logged(conn, &cache, sight, actor, &community, &command)
        })
    }

    fn community(
        &self,
        key: &CommunityKey,
        viewer: Option<UserId>,
    ) -> Result<Option<(Community, Standing)>> {
        self.read(|conn| reads::community(conn, key, viewer))
    }

    fn site_community(&self) -> Result<Option<Community>> {
        self.read(reads::site_community)
    }

    fn standing(&self, community: CommunityId, user: UserId) -> Result<Standing> {
        self.read(|conn| reads::standing(conn, community, user))
    }

    fn members(&self, community: CommunityId, query: &MemberQuery) -> Result<Page<MemberRow>> {
        self.read(|conn| reads::members(conn, community, query))
    }

    /// The visibility check and the page in one read transaction (one
    /// snapshot, one reader), the page read from the community found.
    fn members_in_sight(
        &self,
        sight: Sight,
        key: &CommunityKey,
        viewer: Actor,
        query: &MemberQuery,
    ) -> Result<Page<MemberRow>> {
        match self.members_in_sight_since(sight, key, viewer, query, None)? {
            Revalidated::Read(page, _) => Ok(page),
            Revalidated::Unchanged => Err(Error::Backend("a page unread without a version".into())),
        }
    }

    /// [`Store::members_in_sight`] with the read's data version; the page
    /// is not read when that is `known` (the checks still are).
    fn members_in_sight_since(
        &self,
        sight: Sight,
        key: &CommunityKey,
        viewer: Actor,
        query: &MemberQuery,
        known: Option<DataVersion>,
    ) -> Result<Revalidated<Page<MemberRow>>> {
        self.readers.read_versioned(|conn, version| {
            reads::members_in_sight(conn, sight, key, viewer, query, version, known)
        })
    }

    fn communities_of(
        &self,
        user: UserId,
        query: &MembershipQuery,
    ) -> Result<Page<(Community, Standing)>> {
        self.read(|conn| reads::communities_of(conn, user, query))
    }

    fn events(&self, query: &EventQuery) -> Result<Vec<EventRecord>> {
        self.read(|conn| reads::events(conn, query))
    }

    fn begin_idempotent(
        &self,
        user: UserId,
        key: &str,
        fingerprint: &RequestFingerprint,
    ) -> Result<IdempotencyBegin> {
        let (key, fingerprint) = (key.to_owned(), fingerprint.clone());
        self.write(move |conn| idempotency::begin(conn, user, &key, &fingerprint))
    }

    fn finish_idempotent(&self, user: UserId, key: &str, response: &StoredResponse) -> Result<()> {
        let (key, response) = (key.to_owned(), response.clone());
        self.write(move |conn| idempotency::finish(conn, user, &key, &response))
    }

    fn abandon_idempotent(&self, user: UserId, key: &str) -> Result<()> {
        let key = key.to_owned();
        self.write(move |conn| idempotency::abandon(conn, user, &key))
    }

    fn read_inline(&self, reads: &mut dyn FnMut()) -> bool {
        inline(reads);
        true
    }

    fn async_writes(&self) -> Option<&dyn AsyncWrites> {
        Some(self)
    }

    fn write_stats(&self) -> Option<WriteStats> {
        Some(self.writer.stats())
    }

    fn policy(&self) -> Result<crate::StoredPolicy> {
        self.read(policy::load_stored)
    }

    fn set_policy(&self, actor: Actor, changes: &[(Action, Level)]) -> Result<PolicyUpdate> {
        let changes = changes.to_vec();
        let update = self.write(move |conn| policy::set(conn, actor, &changes))?;
        // Committed: this store's commands decide under it from now on.
        self.policy.put(update.policy.clone());
        Ok(update)
    }

    // feature `rooms`
    fn rooms(&self, query: &crate::RoomQuery) -> Result<Page<(Community, Standing)>> {
        self.read(|conn| rooms::rooms(conn, query))
    }

    fn users_page(&self, offset: u64, limit: u32) -> Result<Page<User>> {
        self.read(|conn| rooms::users_page(conn, offset, clamp_limit(limit)))
    }

    fn delete_user(&self, actor: Actor, user: UserId, relinquish: bool) -> Result<u64> {
        self.write(move |conn| accounts::delete_user(conn, actor, user, relinquish))
    }

    // Bulk import and export (issue 15).
    fn import_existing(&self, keys: &crate::ImportKeys) -> Result<roster_engine::import::Existing> {
        self.read(|conn| bulk::existing(conn, keys))
    }

    fn import_batch(
        &self,
        batch: crate::ImportBatch,
        progress: std::sync::Arc<crate::BulkProgress>,
    ) -> Result<crate::ImportSummary> {
        self.write(move |conn| bulk::import(conn, &batch, &progress))
    }

    fn export(&self, query: &crate::ExportQuery, sink: &mut crate::ExportSink<'_>) -> Result<()> {
        self.read(|conn| bulk::export(conn, query, sink))
    }

    // --- webhooks (issue 16) ---------------------------------------------

    fn latest_event_seq(&self) -> Result<i64> {
        self.read(webhooks::latest_seq)
    }

    fn create_webhook(&self, new: crate::NewWebhook) -> Result<crate::Webhook> {
        self.write(move |conn| webhooks::create(conn, &new))
    }

    fn list_webhooks(&self, created_by: Option<UserId>) -> Result<Vec<crate::Webhook>> {
        self.read(|conn| webhooks::list(conn, created_by))
    }

    fn find_webhook(&self, id: uuid::Uuid) -> Result<Option<crate::Webhook>> {
        self.read(|conn| webhooks::find(conn, id))
    }

    fn delete_webhook(&self, id: uuid::Uuid) -> Result<bool> {
        self.write(move |conn| webhooks::delete(conn, id))
    }

    fn resume_webhook(&self, id: uuid::Uuid) -> Result<Option<crate::Webhook>> {
        self.write(move |conn| webhooks::resume(conn, id))
    }

    fn pause_webhook(&self, id: uuid::Uuid, reason: &str) -> Result<()> {
        let reason = reason.to_owned();
        self.write(move |conn| webhooks::pause(conn, id, &reason))
    }

    fn lease_webhook(&self, id: uuid::Uuid, node: &str, ttl: Duration) -> Result<bool> {
        let node = node.to_owned();
        self.write(move |conn| webhooks::lease(conn, id, &node, ttl))
    }

    fn release_webhook(&self, id: uuid::Uuid, node: &str) -> Result<()> {
        let node = node.to_owned();
        self.write(move |conn| webhooks::release(conn, id, &node))
    }

    fn skip_webhook_to(&self, id: uuid::Uuid, node: &str, seq: i64) -> Result<bool> {
        let node = node.to_owned();
        self.write(move |conn| webhooks::skip_to(conn, id, &node, seq))
    }

    fn record_attempt(&self, attempt: &crate::Attempt) -> Result<crate::AttemptEffect> {
        let attempt = attempt.clone();
        self.write(move |conn| webhooks::record(conn, &attempt))
    }

    fn deliveries(&self, id: uuid::Uuid, limit: u32) -> Result<Vec<crate::DeliveryRecord>> {
        self.read(|conn| webhooks::deliveries(conn, id, limit))
    }

    // --- the web console (issue 17) ----------------------------------------

    fn create_console_session(&self, new: NewConsoleSession) -> Result<ConsoleSession> {
        self.write(move |conn| console::create_session(conn, new))
    }

    fn console_session(&self, hash: &[u8; 32]) -> Result<Option<(ConsoleSession, User)>> {
        self.read(|conn| console::session(conn, hash))
    }

    fn end_console_session(&self, hash: &[u8; 32]) -> Result<bool> {
        let hash = *hash;
        self.write(move |conn| console::end_session(conn, &hash))
    }

    fn search_members(&self, community: CommunityId, query: &MemberSearch) -> Result<SearchPage> {
        self.read(|conn| console::search_members(conn, community, query))
    }

    fn recent_events(
        &self,
        community: CommunityId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<EventRecord>> {
        self.read(|conn| console::recent_events(conn, community, before, limit))
    }

    fn daily_counts(
        &self,
        community: CommunityId,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<DayCount>> {
        self.read(|conn| console::daily_counts(conn, community, since))
    }

    fn list_communities(&self, after: Option<i64>, limit: u32) -> Result<Page<Community>> {
        self.read(|conn| console::list_communities(conn, after, limit))
    }
}

impl AsyncWrites for SqliteStore {
    fn execute_in_sight(
        &self,
        sight: Sight,
        actor: Actor,
        community: CommunityKey,
        command: Command,
    ) -> StoreFuture<Ruling> {
        let cache = self.policy.clone();
        self.writer.write_async(move |conn| {
            communities::execute_logged(conn, &cache, sight, actor, &community, &command)
        })
    }
}

/// Refusals surface as [`Error::Domain`].
fn refuse<T>(error: DomainError) -> Result<T> {
    Err(Error::Domain(error))
}

#[cfg(test)]
mod tests;
