//! Every store call other than the hot ones in `live.rs`, on the async
//! driver (issue 13): users and tokens, communities created, idempotency
//! keys, the policy, rooms, account deletion, bulk import and export,
//! webhooks and the web console. Each names its runner (`run.rs`: a
//! retried write, a snapshot read, or one statement) and the SQL module
//! that holds its statements; [`super::PgStore`]'s `Store` methods wait
//! on them.

use std::time::Duration;

use roster_engine::{Action, Actor, CommunityId, Level, NewCommunity, Standing, UserId};

use super::live::Live;
use super::{accounts, bulk, communities, console, idempotency, number_event, reads, rooms};
use super::{tokens, users, webhooks};
use crate::pages::clamp_limit;
use crate::{
    Attempt, AttemptEffect, BulkProgress, Community, ConsoleSession, DayCount, DeliveryRecord,
    EventQuery, EventRecord, ExportQuery, ExportSink, IdempotencyBegin, ImportBatch, ImportKeys,
    ImportSummary, MemberSearch, MembershipQuery, NewConsoleSession, NewToken, NewUser, NewWebhook,
    Outcome, Page, PolicyUpdate, RequestFingerprint, Result, RoomQuery, SearchPage, StoredPolicy,
    StoredResponse, TokenRecord, User, UserKey, UserPatch, Webhook,
};

impl Live {
    // --- users and tokens ------------------------------------------------

    pub(super) async fn create_user(&self, new: &NewUser) -> Result<User> {
        self.write(new, |tx, new| Box::pin(users::create(tx, new)))
            .await
    }

    pub(super) async fn find_user(&self, key: &UserKey) -> Result<Option<User>> {
        self.single(key, |client, key| Box::pin(users::find(client, key)))
            .await
    }

    pub(super) async fn find_users(&self, keys: &[UserKey]) -> Result<Vec<Option<User>>> {
        self.single(keys, |client, keys| {
            Box::pin(async move {
                let mut found = Vec::with_capacity(keys.len());
                for key in keys {
                    found.push(users::find(&mut *client, key).await?);
                }
                Ok(found)
            })
        })
        .await
    }

    pub(super) async fn update_user(&self, id: UserId, patch: &UserPatch) -> Result<User> {
        self.write(patch, |tx, patch| Box::pin(users::update(tx, id, patch)))
            .await
    }

    pub(super) async fn record_login(&self, id: UserId) -> Result<()> {
        self.single(&id, |client, id| Box::pin(users::record_login(client, *id)))
            .await
    }

    pub(super) async fn list_users(&self, after: Option<i64>, limit: u32) -> Result<Vec<User>> {
        let limit = clamp_limit(limit);
        self.single(&(), |client, ()| {
            Box::pin(users::list(client, after, limit))
        })
        .await
    }

    pub(super) async fn create_token(&self, new: &NewToken) -> Result<TokenRecord> {
        self.single(new, |client, new| Box::pin(tokens::create(client, new)))
            .await
    }

    pub(super) async fn list_tokens(&self, user: UserId) -> Result<Vec<TokenRecord>> {
        self.single(&user, |client, user| Box::pin(tokens::list(client, *user)))
            .await
    }

    pub(super) async fn revoke_token(&self, user: UserId, token: uuid::Uuid) -> Result<bool> {
        self.single(&(), |client, ()| {
            Box::pin(tokens::revoke(client, user, token))
        })
        .await
    }

    // --- communities and reads -------------------------------------------

    pub(super) async fn create_community(
        &self,
        actor: Actor,
        new: &NewCommunity,
    ) -> Result<Outcome> {
        self.write_numbered(
            &(self, new),
            |tx, (live, new)| {
                Box::pin(async move {
                    let policy = live.policy(tx).await?;
                    communities::create(tx, &policy, actor, new).await
                })
            },
            |outcome, seq| number_event(&mut outcome.event, seq),
        )
        .await
    }

    pub(super) async fn site_community(&self) -> Result<Option<Community>> {
        self.single(&(), |client, ()| Box::pin(reads::site_community(client)))
            .await
    }

    pub(super) async fn standing(&self, community: CommunityId, user: UserId) -> Result<Standing> {
        self.single(&(), |client, ()| {
            Box::pin(reads::standing(client, community, user))
        })
        .await
    }

    pub(super) async fn communities_of(
        &self,
        user: UserId,
        query: &MembershipQuery,
    ) -> Result<Page<(Community, Standing)>> {
        self.read(query, |tx, query| {
            Box::pin(reads::communities_of(tx, user, query))
        })
        .await
    }

    pub(super) async fn events(&self, query: &EventQuery) -> Result<Vec<EventRecord>> {
        self.single(query, |client, query| {
            Box::pin(reads::events(client, query))
        })
        .await
    }

    // --- idempotency keys ------------------------------------------------

    pub(super) async fn begin_idempotent(
        &self,
        user: UserId,
        key: &str,
        fingerprint: &RequestFingerprint,
    ) -> Result<IdempotencyBegin> {
        self.write(&(key, fingerprint), |tx, (key, fingerprint)| {
            Box::pin(idempotency::begin(tx, user, key, fingerprint))
        })
        .await
    }

    pub(super) async fn finish_idempotent(
        &self,
        user: UserId,
        key: &str,
        response: &StoredResponse,
    ) -> Result<()> {
        self.write(&(key, response), |tx, (key, response)| {
            Box::pin(idempotency::finish(tx, user, key, response))
        })
        .await
    }

    pub(super) async fn abandon_idempotent(&self, user: UserId, key: &str) -> Result<()> {
        self.write(key, |tx, key| Box::pin(idempotency::abandon(tx, user, key)))
            .await
    }

    // --- the policy --------------------------------------------------------

    pub(super) async fn stored_policy(&self) -> Result<StoredPolicy> {
        self.read(&(), |tx, ()| Box::pin(super::policy::load_stored(tx)))
            .await
    }

    pub(super) async fn set_policy(
        &self,
        actor: Actor,
        changes: &[(Action, Level)],
    ) -> Result<PolicyUpdate> {
        let update = self
            .write_numbered(
                changes,
                |tx, changes| Box::pin(crate::policy::set_policy(tx, actor, changes)),
                |update, seq| number_event(&mut update.event, seq),
            )
            .await?;
        // Committed: this node's commands decide under it from now on.
        self.policy.put(update.policy.clone());
        Ok(update)
    }

    // --- rooms and accounts (feature `rooms`) ------------------------------

    pub(super) async fn rooms(&self, query: &RoomQuery) -> Result<Page<(Community, Standing)>> {
        self.read(query, |tx, query| Box::pin(rooms::rooms(tx, query)))
            .await
    }

    pub(super) async fn users_page(&self, offset: u64, limit: u32) -> Result<Page<User>> {
        let limit = clamp_limit(limit);
        self.read(&(), |tx, ()| Box::pin(rooms::users_page(tx, offset, limit)))
            .await
    }

    pub(super) async fn delete_user(
        &self,
        actor: Actor,
        user: UserId,
        relinquish: bool,
    ) -> Result<u64> {
        self.write(&(), |tx, ()| {
            Box::pin(accounts::delete_user(tx, actor, user, relinquish))
        })
        .await
    }

    // --- bulk import and export (issue 15) ---------------------------------

    pub(super) async fn import_existing(
        &self,
        keys: &ImportKeys,
    ) -> Result<roster_engine::import::Existing> {
        self.read(keys, |tx, keys| Box::pin(bulk::existing(tx, keys)))
            .await
    }

    /// One attempt: a retry after a rollback would start a large import
    /// over behind the caller's back; a conflict is reported instead.
    pub(super) async fn import_batch(
        &self,
        batch: &ImportBatch,
        progress: &BulkProgress,
    ) -> Result<ImportSummary> {
        self.write_once(&(batch, progress), |tx, (batch, progress)| {
            Box::pin(bulk::import(tx, batch, progress))
        })
        .await
    }

    /// Not through a runner: the sink is not `Send`, so neither is this
    /// future (it is waited on, never spawned).
    pub(super) async fn export(
        &self,
        query: &ExportQuery,
        sink: &mut ExportSink<'_>,
    ) -> Result<()> {
        self.read_here(async |tx| bulk::export(tx, query, sink).await)
            .await
    }

    // --- webhooks (issue 16) -----------------------------------------------

    pub(super) async fn latest_event_seq(&self) -> Result<i64> {
        self.single(&(), |client, ()| Box::pin(webhooks::latest_seq(client)))
            .await
    }

    pub(super) async fn create_webhook(&self, new: &NewWebhook) -> Result<Webhook> {
        self.write(new, |tx, new| Box::pin(webhooks::create(tx, new)))
            .await
    }

    pub(super) async fn list_webhooks(&self, created_by: Option<UserId>) -> Result<Vec<Webhook>> {
        self.single(&(), |client, ()| {
            Box::pin(webhooks::list(client, created_by))
        })
        .await
    }

    pub(super) async fn find_webhook(&self, id: uuid::Uuid) -> Result<Option<Webhook>> {
        self.single(&(), |client, ()| Box::pin(webhooks::find(client, id)))
            .await
    }

    pub(super) async fn delete_webhook(&self, id: uuid::Uuid) -> Result<bool> {
        self.write(&(), |tx, ()| Box::pin(webhooks::delete(tx, id)))
            .await
    }

    pub(super) async fn resume_webhook(&self, id: uuid::Uuid) -> Result<Option<Webhook>> {
        self.write(&(), |tx, ()| Box::pin(webhooks::resume(tx, id)))
            .await
    }

    pub(super) async fn pause_webhook(&self, id: uuid::Uuid, reason: &str) -> Result<()> {
        self.write(reason, |tx, reason| {
            Box::pin(webhooks::pause(tx, id, reason))
        })
        .await
    }

    pub(super) async fn lease_webhook(
        &self,
        id: uuid::Uuid,
        node: &str,
        ttl: Duration,
    ) -> Result<bool> {
        self.write(node, |tx, node| {
            Box::pin(webhooks::lease(tx, id, node, ttl))
        })
        .await
    }

    pub(super) async fn release_webhook(&self, id: uuid::Uuid, node: &str) -> Result<()> {
        self.write(node, |tx, node| Box::pin(webhooks::release(tx, id, node)))
            .await
    }

    pub(super) async fn skip_webhook_to(
        &self,
        id: uuid::Uuid,
        node: &str,
        seq: i64,
    ) -> Result<bool> {
        self.write(node, |tx, node| {
            Box::pin(webhooks::skip_to(tx, id, node, seq))
        })
        .await
    }

    pub(super) async fn record_attempt(&self, attempt: &Attempt) -> Result<AttemptEffect> {
        self.write(attempt, |tx, attempt| {
            Box::pin(webhooks::record(tx, attempt))
        })
        .await
    }

    pub(super) async fn deliveries(
        &self,
        id: uuid::Uuid,
        limit: u32,
    ) -> Result<Vec<DeliveryRecord>> {
        self.single(&(), |client, ()| {
            Box::pin(webhooks::deliveries(client, id, limit))
        })
        .await
    }

    // --- the web console (issue 17) ----------------------------------------

    pub(super) async fn create_console_session(
        &self,
        new: &NewConsoleSession,
    ) -> Result<ConsoleSession> {
        self.single(new, |client, new| {
            Box::pin(console::create_session(client, new))
        })
        .await
    }

    pub(super) async fn console_session(
        &self,
        hash: &[u8; 32],
    ) -> Result<Option<(ConsoleSession, User)>> {
        self.single(hash, |client, hash| {
            Box::pin(console::session(client, hash))
        })
        .await
    }

    pub(super) async fn end_console_session(&self, hash: &[u8; 32]) -> Result<bool> {
        self.single(hash, |client, hash| {
            Box::pin(console::end_session(client, hash))
        })
        .await
    }

    pub(super) async fn search_members(
        &self,
        community: CommunityId,
        query: &MemberSearch,
    ) -> Result<SearchPage> {
        self.read(query, |tx, query| {
            Box::pin(console::search_members(tx, community, query))
        })
        .await
    }

    pub(super) async fn recent_events(
        &self,
        community: CommunityId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<EventRecord>> {
        self.single(&(), |client, ()| {
            Box::pin(console::recent_events(client, community, before, limit))
        })
        .await
    }

    pub(super) async fn daily_counts(
        &self,
        community: CommunityId,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<DayCount>> {
        self.single(&(), |client, ()| {
            Box::pin(console::daily_counts(client, community, since))
        })
        .await
    }

    pub(super) async fn list_communities(
        &self,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Page<Community>> {
        self.read(&(), |tx, ()| {
            Box::pin(console::list_communities(tx, after, limit))
        })
        .await
    }
}
