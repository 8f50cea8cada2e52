//! Typed async store calls for the webhook routes (issue 16), so that a
//! native handler awaits `state.find_webhook(id)` rather than building a
//! `state.call(…)` closure. Who may see or touch a subscription is
//! the engine's (`may_subscribe`, `may_manage_webhook`,
//! `webhooks_listed_for`); these only carry the calls.

use super::AppState;
use roster_engine::UserId;
use roster_store::{Attempt, AttemptEffect, DeliveryRecord, NewWebhook, Result, Webhook};

impl AppState {
    /// Every subscription (`None`), or those one user created, oldest first.
    pub async fn list_webhooks(&self, created_by: Option<UserId>) -> Result<Vec<Webhook>> {
        self.call(move |store| store.list_webhooks(created_by))
            .await
    }

    /// One subscription.
    pub async fn find_webhook(&self, id: uuid::Uuid) -> Result<Option<Webhook>> {
        self.call(move |store| store.find_webhook(id)).await
    }

    /// Create a subscription.
    pub async fn create_webhook(&self, new: NewWebhook) -> Result<Webhook> {
        self.call(move |store| store.create_webhook(new)).await
    }

    /// Delete a subscription and its log; false when there was none.
    pub async fn delete_webhook(&self, id: uuid::Uuid) -> Result<bool> {
        self.call(move |store| store.delete_webhook(id)).await
    }

    /// Unpause a subscription.
    pub async fn resume_webhook(&self, id: uuid::Uuid) -> Result<Option<Webhook>> {
        self.call(move |store| store.resume_webhook(id)).await
    }

    /// The newest attempts of a subscription, newest first.
    pub async fn deliveries(&self, id: uuid::Uuid, limit: u32) -> Result<Vec<DeliveryRecord>> {
        self.call(move |store| store.deliveries(id, limit)).await
    }

    /// Log one delivery attempt and apply it.
    pub async fn record_attempt(&self, attempt: Attempt) -> Result<AttemptEffect> {
        self.call(move |store| store.record_attempt(attempt)).await
    }
}
