//! The store's async faces (issue 13): [`AsyncWrites`], [`AsyncReads`] and
//! [`AsyncStore`], which the server awaits on its own runtime, each a
//! future that owns a handle to the async driver's side of the store
//! (`live.rs`, `calls.rs`), so that it may outlive the borrow it was made
//! from.

use std::sync::Arc;

use std::time::Duration;

use chrono::{DateTime, Utc};
use roster_engine::import::Existing;
use roster_engine::{
    Action, Actor, Command, CommunityId, Level, NewCommunity, Sight, Standing, UserId,
};

use super::live::Live;
use super::PgStore;
use crate::{
    AsyncReads, AsyncStore, AsyncWrites, Attempt, AttemptEffect, BulkProgress, Community,
    CommunityKey, ConsoleSession, DayCount, DeliveryRecord, EventQuery, EventRecord,
    IdempotencyBegin, ImportBatch, ImportKeys, ImportSummary, MemberQuery, MemberRow, MemberSearch,
    MembershipQuery, NewConsoleSession, NewToken, NewUser, NewWebhook, Outcome, Page, PolicyUpdate,
    RequestFingerprint, RoomQuery, Ruling, SearchPage, StoreFuture, StoredPolicy, StoredResponse,
    TokenRecord, User, UserKey, UserPatch, Webhook,
};

impl AsyncWrites for PgStore {
    fn execute_in_sight(
        &self,
        sight: Sight,
        actor: Actor,
        community: CommunityKey,
        command: Command,
    ) -> StoreFuture<Ruling> {
        let live = Arc::clone(&self.live);
        Box::pin(async move { live.execute(sight, actor, community, command).await })
    }
}

impl AsyncReads for PgStore {
    fn ping(&self) -> StoreFuture<()> {
        let live = Arc::clone(&self.live);
        Box::pin(async move { live.ping().await })
    }

    fn find_token(&self, hash: [u8; 32]) -> StoreFuture<Option<(TokenRecord, User)>> {
        let live = Arc::clone(&self.live);
        Box::pin(async move { live.find_token(hash).await })
    }

    fn community_in_sight(
        &self,
        sight: Sight,
        key: CommunityKey,
        viewer: Actor,
    ) -> StoreFuture<(Community, Standing)> {
        let live = Arc::clone(&self.live);
        Box::pin(async move { live.community_in_sight(sight, &key, viewer).await })
    }

    fn members_in_sight(
        &self,
        sight: Sight,
        key: CommunityKey,
        viewer: Actor,
        query: MemberQuery,
    ) -> StoreFuture<Page<MemberRow>> {
        let live = Arc::clone(&self.live);
        Box::pin(async move { live.members_in_sight(sight, &key, viewer, &query).await })
    }
}

/// [`AsyncStore`] on the async driver: every call of `calls.rs`.
pub(super) struct Calls(pub(super) Arc<Live>);

/// A future owning a handle to the driver's side, awaiting `$call` on it.
macro_rules! on_live {
    ($self:ident, |$live:ident| $call:expr) => {{
        let $live = Arc::clone(&$self.0);
        Box::pin(async move { $call.await })
    }};
}

impl AsyncStore for Calls {
    fn create_user(&self, new: NewUser) -> StoreFuture<User> {
        on_live!(self, |live| live.create_user(&new))
    }
    fn find_user(&self, key: UserKey) -> StoreFuture<Option<User>> {
        on_live!(self, |live| live.find_user(&key))
    }
    fn find_users(&self, keys: Vec<UserKey>) -> StoreFuture<Vec<Option<User>>> {
        on_live!(self, |live| live.find_users(&keys))
    }
    fn update_user(&self, id: UserId, patch: UserPatch) -> StoreFuture<User> {
        on_live!(self, |live| live.update_user(id, &patch))
    }
    fn record_login(&self, id: UserId) -> StoreFuture<()> {
        on_live!(self, |live| live.record_login(id))
    }
    fn list_users(&self, after: Option<i64>, limit: u32) -> StoreFuture<Vec<User>> {
        on_live!(self, |live| live.list_users(after, limit))
    }
    fn create_token(&self, new: NewToken) -> StoreFuture<TokenRecord> {
        on_live!(self, |live| live.create_token(&new))
    }
    fn list_tokens(&self, user: UserId) -> StoreFuture<Vec<TokenRecord>> {
        on_live!(self, |live| live.list_tokens(user))
    }
    fn revoke_token(&self, user: UserId, token: uuid::Uuid) -> StoreFuture<bool> {
        on_live!(self, |live| live.revoke_token(user, token))
    }

    fn create_community(&self, actor: Actor, new: NewCommunity) -> StoreFuture<Outcome> {
        on_live!(self, |live| live.create_community(actor, &new))
    }
    fn community(
        &self,
        key: CommunityKey,
        viewer: Option<UserId>,
    ) -> StoreFuture<Option<(Community, Standing)>> {
        on_live!(self, |live| live.community(&key, viewer))
    }
    fn site_community(&self) -> StoreFuture<Option<Community>> {
        on_live!(self, |live| live.site_community())
    }
    fn standing(&self, community: CommunityId, user: UserId) -> StoreFuture<Standing> {
        on_live!(self, |live| live.standing(community, user))
    }
    fn members(&self, community: CommunityId, query: MemberQuery) -> StoreFuture<Page<MemberRow>> {
        on_live!(self, |live| live.members(community, &query))
    }
    fn communities_of(
        &self,
        user: UserId,
        query: MembershipQuery,
    ) -> StoreFuture<Page<(Community, Standing)>> {
        on_live!(self, |live| live.communities_of(user, &query))
    }
    fn events(&self, query: EventQuery) -> StoreFuture<Vec<EventRecord>> {
        on_live!(self, |live| live.events(&query))
    }

    fn begin_idempotent(
        &self,
        user: UserId,
        key: String,
        fingerprint: RequestFingerprint,
    ) -> StoreFuture<IdempotencyBegin> {
        on_live!(self, |live| live.begin_idempotent(user, &key, &fingerprint))
    }
    fn finish_idempotent(
        &self,
        user: UserId,
        key: String,
        response: StoredResponse,
    ) -> StoreFuture<()> {
        on_live!(self, |live| live.finish_idempotent(user, &key, &response))
    }
    fn abandon_idempotent(&self, user: UserId, key: String) -> StoreFuture<()> {
        on_live!(self, |live| live.abandon_idempotent(user, &key))
    }

    fn policy(&self) -> StoreFuture<StoredPolicy> {
        on_live!(self, |live| live.stored_policy())
    }
    fn set_policy(&self, actor: Actor, changes: Vec<(Action, Level)>) -> StoreFuture<PolicyUpdate> {
        on_live!(self, |live| live.set_policy(actor, &changes))
    }

    fn rooms(&self, query: RoomQuery) -> StoreFuture<Page<(Community, Standing)>> {
        on_live!(self, |live| live.rooms(&query))
    }
    fn users_page(&self, offset: u64, limit: u32) -> StoreFuture<Page<User>> {
        on_live!(self, |live| live.users_page(offset, limit))
    }
    fn delete_user(&self, actor: Actor, user: UserId, relinquish: bool) -> StoreFuture<u64> {
        on_live!(self, |live| live.delete_user(actor, user, relinquish))
    }

    fn import_existing(&self, keys: ImportKeys) -> StoreFuture<Existing> {
        on_live!(self, |live| live.import_existing(&keys))
    }
    fn import_batch(
        &self,
        batch: ImportBatch,
        progress: Arc<BulkProgress>,
    ) -> StoreFuture<ImportSummary> {
        on_live!(self, |live| live.import_batch(&batch, &progress))
    }

    fn latest_event_seq(&self) -> StoreFuture<i64> {
        on_live!(self, |live| live.latest_event_seq())
    }
    fn create_webhook(&self, new: NewWebhook) -> StoreFuture<Webhook> {
        on_live!(self, |live| live.create_webhook(&new))
    }
    fn list_webhooks(&self, created_by: Option<UserId>) -> StoreFuture<Vec<Webhook>> {
        on_live!(self, |live| live.list_webhooks(created_by))
    }
    fn find_webhook(&self, id: uuid::Uuid) -> StoreFuture<Option<Webhook>> {
        on_live!(self, |live| live.find_webhook(id))
    }
    fn delete_webhook(&self, id: uuid::Uuid) -> StoreFuture<bool> {
        on_live!(self, |live| live.delete_webhook(id))
    }
    fn resume_webhook(&self, id: uuid::Uuid) -> StoreFuture<Option<Webhook>> {
        on_live!(self, |live| live.resume_webhook(id))
    }
    fn pause_webhook(&self, id: uuid::Uuid, reason: String) -> StoreFuture<()> {
        on_live!(self, |live| live.pause_webhook(id, &reason))
    }
    fn lease_webhook(&self, id: uuid::Uuid, node: String, ttl: Duration) -> StoreFuture<bool> {
        on_live!(self, |live| live.lease_webhook(id, &node, ttl))
    }
    fn release_webhook(&self, id: uuid::Uuid, node: String) -> StoreFuture<()> {
        on_live!(self, |live| live.release_webhook(id, &node))
    }
    fn skip_webhook_to(&self, id: uuid::Uuid, node: String, seq: i64) -> StoreFuture<bool> {
        on_live!(self, |live| live.skip_webhook_to(id, &node, seq))
    }
    fn record_attempt(&self, attempt: Attempt) -> StoreFuture<AttemptEffect> {
        on_live!(self, |live| live.record_attempt(&attempt))
    }
    fn deliveries(&self, id: uuid::Uuid, limit: u32) -> StoreFuture<Vec<DeliveryRecord>> {
        on_live!(self, |live| live.deliveries(id, limit))
    }

    fn create_console_session(&self, new: NewConsoleSession) -> StoreFuture<ConsoleSession> {
        on_live!(self, |live| live.create_console_session(&new))
    }
    fn console_session(&self, hash: [u8; 32]) -> StoreFuture<Option<(ConsoleSession, User)>> {
        on_live!(self, |live| live.console_session(&hash))
    }
    fn end_console_session(&self, hash: [u8; 32]) -> StoreFuture<bool> {
        on_live!(self, |live| live.end_console_session(&hash))
    }
    fn search_members(
        &self,
        community: CommunityId,
        query: MemberSearch,
    ) -> StoreFuture<SearchPage> {
        on_live!(self, |live| live.search_members(community, &query))
    }
    fn recent_events(
        &self,
        community: CommunityId,
        before: Option<i64>,
        limit: u32,
    ) -> StoreFuture<Vec<EventRecord>> {
        on_live!(self, |live| live.recent_events(community, before, limit))
    }
    fn daily_counts(
        &self,
        community: CommunityId,
        since: DateTime<Utc>,
    ) -> StoreFuture<Vec<DayCount>> {
        on_live!(self, |live| live.daily_counts(community, since))
    }
    fn list_communities(&self, after: Option<i64>, limit: u32) -> StoreFuture<Page<Community>> {
        on_live!(self, |live| live.list_communities(after, limit))
    }
}
