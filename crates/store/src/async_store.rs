//! Every store call the server makes beside the hot ones ([`AsyncWrites`],
//! [`AsyncReads`]), as futures (issue 13): accounts and tokens, community
//! creation, idempotency keys, the policy, rooms, bulk import, webhooks and
//! the web console. Each answers as the [`Store`] method of the same name.
//!
//! PostgreSQL implements it on its async driver, so the server awaits these
//! calls with no blocking thread ([`Store::async_store`]). A store without
//! a native one (SQLite, whose calls are short synchronous ones on local
//! files) is served by [`Blocking`], which runs the [`Store`] method on
//! the runtime's blocking threads. [`async_store`] picks one.
//!
//! Arguments are owned, as the futures outlive the call that made them.
//!
//! [`AsyncWrites`]: crate::AsyncWrites
//! [`AsyncReads`]: crate::AsyncReads

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use roster_engine::import::Existing;
use roster_engine::{Action, Actor, CommunityId, Level, NewCommunity, Standing, UserId};

use crate::{
    Attempt, AttemptEffect, BulkProgress, Community, CommunityKey, ConsoleSession, DayCount,
    DeliveryRecord, Error, EventQuery, EventRecord, IdempotencyBegin, ImportBatch, ImportKeys,
    ImportSummary, MemberQuery, MemberRow, MemberSearch, MembershipQuery, NewConsoleSession,
    NewToken, NewUser, NewWebhook, Outcome, Page, PolicyUpdate, RequestFingerprint, Result,
    RoomQuery, SearchPage, Store, StoreFuture, StoredPolicy, StoredResponse, TokenRecord, User,
    UserKey, UserPatch, Webhook,
};

/// The store's other calls, awaited (see the module doc).
#[allow(missing_docs)]
pub trait AsyncStore: Send + Sync {
    // users and tokens
    fn create_user(&self, new: NewUser) -> StoreFuture<User>;
    fn find_user(&self, key: UserKey) -> StoreFuture<Option<User>>;
    fn find_users(&self, keys: Vec<UserKey>) -> StoreFuture<Vec<Option<User>>>;
    fn update_user(&self, id: UserId, patch: UserPatch) -> StoreFuture<User>;
    fn record_login(&self, id: UserId) -> StoreFuture<()>;
    fn list_users(&self, after: Option<i64>, limit: u32) -> StoreFuture<Vec<User>>;
    fn create_token(&self, new: NewToken) -> StoreFuture<TokenRecord>;
    fn list_tokens(&self, user: UserId) -> StoreFuture<Vec<TokenRecord>>;
    fn revoke_token(&self, user: UserId, token: uuid::Uuid) -> StoreFuture<bool>;

    // communities and reads
    fn create_community(&self, actor: Actor, new: NewCommunity) -> StoreFuture<Outcome>;
    fn community(
        &self,
        key: CommunityKey,
        viewer: Option<UserId>,
    ) -> StoreFuture<Option<(Community, Standing)>>;
    fn site_community(&self) -> StoreFuture<Option<Community>>;
    fn standing(&self, community: CommunityId, user: UserId) -> StoreFuture<Standing>;
    fn members(&self, community: CommunityId, query: MemberQuery) -> StoreFuture<Page<MemberRow>>;
    fn communities_of(
        &self,
        user: UserId,
        query: MembershipQuery,
    ) -> StoreFuture<Page<(Community, Standing)>>;
    fn events(&self, query: EventQuery) -> StoreFuture<Vec<EventRecord>>;

    // idempotency keys
    fn begin_idempotent(
        &self,
        user: UserId,
        key: String,
        fingerprint: RequestFingerprint,
    ) -> StoreFuture<IdempotencyBegin>;
    fn finish_idempotent(
        &self,
        user: UserId,
        key: String,
        response: StoredResponse,
    ) -> StoreFuture<()>;
    fn abandon_idempotent(&self, user: UserId, key: String) -> StoreFuture<()>;

    // the policy
    fn policy(&self) -> StoreFuture<StoredPolicy>;
    fn set_policy(&self, actor: Actor, changes: Vec<(Action, Level)>) -> StoreFuture<PolicyUpdate>;

    // rooms and accounts
    fn rooms(&self, query: RoomQuery) -> StoreFuture<Page<(Community, Standing)>>;
    fn users_page(&self, offset: u64, limit: u32) -> StoreFuture<Page<User>>;
    fn delete_user(&self, actor: Actor, user: UserId, relinquish: bool) -> StoreFuture<u64>;

    // bulk import
    fn import_existing(&self, keys: ImportKeys) -> StoreFuture<Existing>;
    fn import_batch(
        &self,
        batch: ImportBatch,
        progress: Arc<BulkProgress>,
    ) -> StoreFuture<ImportSummary>;

    // webhooks
    fn latest_event_seq(&self) -> StoreFuture<i64>;
    fn create_webhook(&self, new: NewWebhook) -> StoreFuture<Webhook>;
    fn list_webhooks(&self, created_by: Option<UserId>) -> StoreFuture<Vec<Webhook>>;
    fn find_webhook(&self, id: uuid::Uuid) -> StoreFuture<Option<Webhook>>;
    fn delete_webhook(&self, id: uuid::Uuid) -> StoreFuture<bool>;
    fn resume_webhook(&self, id: uuid::Uuid) -> StoreFuture<Option<Webhook>>;
    fn pause_webhook(&self, id: uuid::Uuid, reason: String) -> StoreFuture<()>;
    fn lease_webhook(&self, id: uuid::Uuid, node: String, ttl: Duration) -> StoreFuture<bool>;
    fn release_webhook(&self, id: uuid::Uuid, node: String) -> StoreFuture<()>;
    fn skip_webhook_to(&self, id: uuid::Uuid, node: String, seq: i64) -> StoreFuture<bool>;
    fn record_attempt(&self, attempt: Attempt) -> StoreFuture<AttemptEffect>;
    fn deliveries(&self, id: uuid::Uuid, limit: u32) -> StoreFuture<Vec<DeliveryRecord>>;

    // the web console
    fn create_console_session(&self, new: NewConsoleSession) -> StoreFuture<ConsoleSession>;
    fn console_session(&self, hash: [u8; 32]) -> StoreFuture<Option<(ConsoleSession, User)>>;
    fn end_console_session(&self, hash: [u8; 32]) -> StoreFuture<bool>;
    fn search_members(
        &self,
        community: CommunityId,
        query: MemberSearch,
    ) -> StoreFuture<SearchPage>;
    fn recent_events(
        &self,
        community: CommunityId,
        before: Option<i64>,
        limit: u32,
    ) -> StoreFuture<Vec<EventRecord>>;
    fn daily_counts(
        &self,
        community: CommunityId,
        since: DateTime<Utc>,
    ) -> StoreFuture<Vec<DayCount>>;
    fn list_communities(&self, after: Option<i64>, limit: u32) -> StoreFuture<Page<Community>>;
}

/// The store's own [`AsyncStore`] if it has one, else [`Blocking`] over it.
pub fn async_store(store: Arc<dyn Store>) -> Arc<dyn AsyncStore> {
    match store.async_store() {
        Some(native) => native,
        None => Arc::new(Blocking(store)),
    }
}

/// [`AsyncStore`] for a store that has only the blocking [`Store`]: each
/// call runs on the tokio runtime's blocking threads.
pub struct Blocking(pub Arc<dyn Store>);

impl Blocking {
    fn run<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn Store) -> Result<T> + Send + 'static,
    ) -> StoreFuture<T> {
        Box::pin(on_blocking_thread(Arc::clone(&self.0), call))
    }
}

/// Run a synchronous store call on the tokio runtime's blocking threads;
/// a call that panics is a backend error, not a panic of the caller.
pub async fn on_blocking_thread<T: Send + 'static>(
    store: Arc<dyn Store>,
    call: impl FnOnce(&dyn Store) -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(move || call(store.as_ref()))
        .await
        .unwrap_or_else(|join| Err(Error::Backend(format!("store task failed: {join}"))))
}

impl AsyncStore for Blocking {
    fn create_user(&self, new: NewUser) -> StoreFuture<User> {
        self.run(move |s| s.create_user(new))
    }
    fn find_user(&self, key: UserKey) -> StoreFuture<Option<User>> {
        self.run(move |s| s.find_user(&key))
    }
    fn find_users(&self, keys: Vec<UserKey>) -> StoreFuture<Vec<Option<User>>> {
        self.run(move |s| s.find_users(&keys))
    }
    fn update_user(&self, id: UserId, patch: UserPatch) -> StoreFuture<User> {
        self.run(move |s| s.update_user(id, &patch))
    }
    fn record_login(&self, id: UserId) -> StoreFuture<()> {
        self.run(move |s| s.record_login(id))
    }
    fn list_users(&self, after: Option<i64>, limit: u32) -> StoreFuture<Vec<User>> {
        self.run(move |s| s.list_users(after, limit))
    }
    fn create_token(&self, new: NewToken) -> StoreFuture<TokenRecord> {
        self.run(move |s| s.create_token(new))
    }
    fn list_tokens(&self, user: UserId) -> StoreFuture<Vec<TokenRecord>> {
        self.run(move |s| s.list_tokens(user))
    }
    fn revoke_token(&self, user: UserId, token: uuid::Uuid) -> StoreFuture<bool> {
        self.run(move |s| s.revoke_token(user, token))
    }

    fn create_community(&self, actor: Actor, new: NewCommunity) -> StoreFuture<Outcome> {
        self.run(move |s| s.create_community(actor, new))
    }
    fn community(
        &self,
        key: CommunityKey,
        viewer: Option<UserId>,
    ) -> StoreFuture<Option<(Community, Standing)>> {
        self.run(move |s| s.community(&key, viewer))
    }
    fn site_community(&self) -> StoreFuture<Option<Community>> {
        self.run(|s| s.site_community())
    }
    fn standing(&self, community: CommunityId, user: UserId) -> StoreFuture<Standing> {
        self.run(move |s| s.standing(community, user))
    }
    fn members(&self, community: CommunityId, query: MemberQuery) -> StoreFuture<Page<MemberRow>> {
        self.run(move |s| s.members(community, &query))
    }
    fn communities_of(
        &self,
        user: UserId,
        query: MembershipQuery,
    ) -> StoreFuture<Page<(Community, Standing)>> {
        self.run(move |s| s.communities_of(user, &query))
    }
    fn events(&self, query: EventQuery) -> StoreFuture<Vec<EventRecord>> {
        self.run(move |s| s.events(&query))
    }

    fn begin_idempotent(
        &self,
        user: UserId,
        key: String,
        fingerprint: RequestFingerprint,
    ) -> StoreFuture<IdempotencyBegin> {
        self.run(move |s| s.begin_idempotent(user, &key, &fingerprint))
    }
    fn finish_idempotent(
        &self,
        user: UserId,
        key: String,
        response: StoredResponse,
    ) -> StoreFuture<()> {
        self.run(move |s| s.finish_idempotent(user, &key, &response))
    }
    fn abandon_idempotent(&self, user: UserId, key: String) -> StoreFuture<()> {
        self.run(move |s| s.abandon_idempotent(user, &key))
    }

    fn policy(&self) -> StoreFuture<StoredPolicy> {
        self.run(|s| s.policy())
    }
    fn set_policy(&self, actor: Actor, changes: Vec<(Action, Level)>) -> StoreFuture<PolicyUpdate> {
        self.run(move |s| s.set_policy(actor, &changes))
    }

    fn rooms(&self, query: RoomQuery) -> StoreFuture<Page<(Community, Standing)>> {
        self.run(move |s| s.rooms(&query))
    }
    fn users_page(&self, offset: u64, limit: u32) -> StoreFuture<Page<User>> {
        self.run(move |s| s.users_page(offset, limit))
    }
    fn delete_user(&self, actor: Actor, user: UserId, relinquish: bool) -> StoreFuture<u64> {
        self.run(move |s| s.delete_user(actor, user, relinquish))
    }

    fn import_existing(&self, keys: ImportKeys) -> StoreFuture<Existing> {
        self.run(move |s| s.import_existing(&keys))
    }
    fn import_batch(
        &self,
        batch: ImportBatch,
        progress: Arc<BulkProgress>,
    ) -> StoreFuture<ImportSummary> {
        self.run(move |s| s.import_batch(batch, progress))
    }

    fn latest_event_seq(&self) -> StoreFuture<i64> {
        self.run(|s| s.latest_event_seq())
    }
    fn create_webhook(&self, new: NewWebhook) -> StoreFuture<Webhook> {
        self.run(move |s| s.create_webhook(new))
    }
    fn list_webhooks(&self, created_by: Option<UserId>) -> StoreFuture<Vec<Webhook>> {
        self.run(move |s| s.list_webhooks(created_by))
    }
    fn find_webhook(&self, id: uuid::Uuid) -> StoreFuture<Option<Webhook>> {
        self.run(move |s| s.find_webhook(id))
    }
    fn delete_webhook(&self, id: uuid::Uuid) -> StoreFuture<bool> {
        self.run(move |s| s.delete_webhook(id))
    }
    fn resume_webhook(&self, id: uuid::Uuid) -> StoreFuture<Option<Webhook>> {
        self.run(move |s| s.resume_webhook(id))
    }
    fn pause_webhook(&self, id: uuid::Uuid, reason: String) -> StoreFuture<()> {
        self.run(move |s| s.pause_webhook(id, &reason))
    }
    fn lease_webhook(&self, id: uuid::Uuid, node: String, ttl: Duration) -> StoreFuture<bool> {
        self.run(move |s| s.lease_webhook(id, &node, ttl))
    }
    fn release_webhook(&self, id: uuid::Uuid, node: String) -> StoreFuture<()> {
        self.run(move |s| s.release_webhook(id, &node))
    }
    fn skip_webhook_to(&self, id: uuid::Uuid, node: String, seq: i64) -> StoreFuture<bool> {
        self.run(move |s| s.skip_webhook_to(id, &node, seq))
    }
    fn record_attempt(&self, attempt: Attempt) -> StoreFuture<AttemptEffect> {
        self.run(move |s| s.record_attempt(&attempt))
    }
    fn deliveries(&self, id: uuid::Uuid, limit: u32) -> StoreFuture<Vec<DeliveryRecord>> {
        self.run(move |s| s.deliveries(id, limit))
    }

    fn create_console_session(&self, new: NewConsoleSession) -> StoreFuture<ConsoleSession> {
        self.run(move |s| s.create_console_session(new))
    }
    fn console_session(&self, hash: [u8; 32]) -> StoreFuture<Option<(ConsoleSession, User)>> {
        self.run(move |s| s.console_session(&hash))
    }
    fn end_console_session(&self, hash: [u8; 32]) -> StoreFuture<bool> {
        self.run(move |s| s.end_console_session(&hash))
    }
    fn search_members(
        &self,
        community: CommunityId,
        query: MemberSearch,
    ) -> StoreFuture<SearchPage> {
        self.run(move |s| s.search_members(community, &query))
    }
    fn recent_events(
        &self,
        community: CommunityId,
        before: Option<i64>,
        limit: u32,
    ) -> StoreFuture<Vec<EventRecord>> {
        self.run(move |s| s.recent_events(community, before, limit))
    }
    fn daily_counts(
        &self,
        community: CommunityId,
        since: DateTime<Utc>,
    ) -> StoreFuture<Vec<DayCount>> {
        self.run(move |s| s.daily_counts(community, since))
    }
    fn list_communities(&self, after: Option<i64>, limit: u32) -> StoreFuture<Page<Community>> {
        self.run(move |s| s.list_communities(after, limit))
    }
}
