//! Shared state of the HTTP handlers: the store, the metrics, the password
//! pool, the rate limits, and the bridge from async handlers to the
//! blocking store.

use crate::metrics::Metrics;
use crate::password::PasswordPool;
use crate::ratelimit::Limits;
use roster_engine::{Actor, Command};
use roster_store::{CommunityKey, Error, Outcome, Result, Store};
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    /// Where every password hash and verification runs (bounded).
    pub passwords: Arc<PasswordPool>,
    pub limits: Arc<Limits>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            metrics: Arc::new(Metrics::new()),
            passwords: Arc::new(PasswordPool::default()),
            limits: Arc::new(Limits::default()),
        }
    }

    /// The same state with another password pool (argon2 cost, workers).
    pub fn with_passwords(mut self, passwords: PasswordPool) -> Self {
        self.passwords = Arc::new(passwords);
        self
    }

    /// The same state with other rate limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = Arc::new(limits);
        self
    }

    /// Run a blocking store call off the async runtime. The call counts in
    /// `roster_store_calls_in_flight` from now until it returns, even if the
    /// request that made it is gone by then.
    pub async fn run<T, F>(&self, call: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<T> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        let in_flight = self.metrics.store_call();
        tokio::task::spawn_blocking(move || {
            let _in_flight = in_flight;
            call(store.as_ref())
        })
        .await
        .unwrap_or_else(|join| Err(Error::Backend(format!("store task failed: {join}"))))
    }

    /// Run one command on one community and count it by kind and outcome.
    /// Every dialect and the native API execute commands through here.
    pub async fn execute(
        &self,
        actor: Actor,
        key: CommunityKey,
        command: Command,
    ) -> Result<Outcome> {
        let kind = command.name();
        let started = Instant::now();
        let result = self
            .run(move |store| store.execute(actor, &key, command))
            .await;
        self.metrics
            .record_command(kind, &result, started.elapsed());
        result
    }
}
