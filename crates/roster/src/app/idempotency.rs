//! Typed async store calls for the native API's idempotency layer
//! (`native/idempotency.rs`), so that it awaits
//! `state.begin_idempotent(…)` rather than building a `state.run(move |s| …)`
//! closure. What a held key means is the store's (`idempotency.rs` there).

use super::AppState;
use roster_engine::UserId;
use roster_store::{IdempotencyBegin, RequestFingerprint, Result, StoredResponse};

impl AppState {
    /// Hold `key` for this request, or say why not (a replay, a mismatch…).
    pub async fn begin_idempotent(
        &self,
        user: UserId,
        key: String,
        fingerprint: RequestFingerprint,
    ) -> Result<IdempotencyBegin> {
        self.call(move |store| store.begin_idempotent(user, key, fingerprint))
            .await
    }

    /// Store the response of the request that holds `key`.
    pub async fn finish_idempotent(
        &self,
        user: UserId,
        key: String,
        response: StoredResponse,
    ) -> Result<()> {
        self.call(move |store| store.finish_idempotent(user, key, response))
            .await
    }

    /// Release a held key whose request failed, so that a retry runs again.
    pub async fn abandon_idempotent(&self, user: UserId, key: String) -> Result<()> {
        self.call(move |store| store.abandon_idempotent(user, key))
            .await
    }
}
