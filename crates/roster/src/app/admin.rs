//! Typed async store calls for the routes around the communities: the
//! event feed, a user's tokens, the permission policy and the user list,
//! so that handlers await `state.events(query)` rather than building a
//! `state.call(…)` closure.

use super::AppState;
use roster_engine::{Action, Actor, Level, UserId};
use roster_store::{
    EventQuery, EventRecord, Page, PolicyUpdate, Result, StoredPolicy, TokenRecord, User,
};

impl AppState {
    /// One page of the event feed (every community's, or one's).
    pub async fn events(&self, query: EventQuery) -> Result<Vec<EventRecord>> {
        self.call(move |store| store.events(query)).await
    }

    /// A user's tokens (hashes only), newest first.
    pub async fn list_tokens(&self, user: UserId) -> Result<Vec<TokenRecord>> {
        self.call(move |store| store.list_tokens(user)).await
    }

    /// The permission policy as stored.
    pub async fn policy(&self) -> Result<StoredPolicy> {
        self.call(move |store| store.policy()).await
    }

    /// Change some actions' levels, as `actor` (the engine decides whether
    /// they may).
    pub async fn set_policy(
        &self,
        actor: Actor,
        changes: Vec<(Action, Level)>,
    ) -> Result<PolicyUpdate> {
        self.call(move |store| store.set_policy(actor, changes))
            .await
    }

    /// [`set_policy`](Self::set_policy), then the policy as stored
    /// (Rocket.Chat answers with the stored policy).
    pub async fn set_policy_and_read(
        &self,
        actor: Actor,
        changes: Vec<(Action, Level)>,
    ) -> Result<StoredPolicy> {
        self.set_policy(actor, changes).await?;
        self.policy().await
    }

    /// Every user, by creation order, one page.
    pub async fn users_page(&self, offset: u64, limit: u32) -> Result<Page<User>> {
        self.call(move |store| store.users_page(offset, limit))
            .await
    }

    /// Delete a user as `actor`; the number of communities relinquished.
    pub async fn delete_user(&self, actor: Actor, user: UserId, relinquish: bool) -> Result<u64> {
        self.call(move |store| store.delete_user(actor, user, relinquish))
            .await
    }
}
