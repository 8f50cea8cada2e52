//! Shared state of the HTTP handlers: the store, the metrics, the token
//! cache, the password pool, the rate limits, and the bridge from async
//! handlers to the store: its async faces where it has them (PostgreSQL:
//! every call; SQLite: the write queue), else its blocking calls off the
//! runtime or, for short reads, inline.

use crate::auth_cache::TokenCache;
use crate::metrics::Metrics;
use crate::password::PasswordPool;
use crate::ratelimit::Limits;
use roster_engine::{Actor, Command, Sight, UserId};
use roster_store::{
    AsyncReads, AsyncStore, CommunityKey, Error, Outcome, Result, Ruling, Store, StoreFuture, User,
    UserPatch,
};
use std::sync::Arc;
use std::time::Instant;

// Typed async store calls for the handlers (issue 10), by resource.
mod admin;
mod console;
mod idempotency;
pub use console::{AdminLists, CommunityPage, Timeline};
mod pages;
mod reads;
mod webhooks;

/// The handlers' state: one `Arc`, so that the clone the router makes for
/// every request (and its drop) is one atomic count, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] shares; its fields are reached through `Deref`.
#[derive(Clone)]
pub struct Shared {
    pub store: Arc<dyn Store>,
    /// The same store's other calls as futures ([`AppState::call`]).
    calls: Arc<dyn AsyncStore>,
    /// Whether those are the store's own (PostgreSQL's async driver) rather
    /// than its blocking calls on blocking threads.
    native_calls: bool,
    pub metrics: Arc<Metrics>,
    /// Token hash → principal; see `auth_cache` for its staleness bound.
    pub tokens: Arc<TokenCache>,
    /// Where every password hash and verification runs (bounded).
    pub passwords: Arc<PasswordPool>,
    pub limits: Arc<Limits>,
    /// Webhooks and live streams (issue 16): settings, outbound client,
    /// and the wake-up poked after each accepted write.
    pub hooks: Arc<crate::webhooks::Hooks>,
    /// The site community's id once it exists (it is never deleted and its
    /// id never changes), so that Wix need not read it before each call.
    pub site: Arc<std::sync::OnceLock<roster_engine::CommunityId>>,
    /// Rendered pages of people, kept while the store is unchanged.
    pub pages: Arc<crate::page_cache::PageCache>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> Self {
        let mut metrics = Metrics::new();
        metrics.watch_store(Arc::clone(&store));
        let hook_metrics = crate::webhooks::metrics::HookMetrics::register(metrics.registry_mut());
        let hooks =
            crate::webhooks::Hooks::new(crate::webhooks::HookConfig::default(), hook_metrics);
        let pages = crate::page_cache::PageCache::new(metrics.registry_mut());
        let native_calls = store.async_store().is_some();
        Self(Arc::new(Shared {
            calls: roster_store::async_store(Arc::clone(&store)),
            native_calls,
            store,
            hooks,
            metrics: Arc::new(metrics),
            tokens: Arc::new(TokenCache::default()),
            passwords: Arc::new(PasswordPool::default()),
            limits: Arc::new(Limits::default()),
            site: Arc::default(),
            pages: Arc::new(pages),
        }))
    }

    /// The shared fields to change while building the state (a copy of
    /// them, fields being `Arc`s, if the state was cloned already).
    fn shared_mut(&mut self) -> &mut Shared {
        Arc::make_mut(&mut self.0)
    }

    /// The same state with another password pool (argon2 cost, workers).
    pub fn with_passwords(mut self, passwords: PasswordPool) -> Self {
        self.shared_mut().passwords = Arc::new(passwords);
        self
    }

    /// The same state with other rate limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.shared_mut().limits = Arc::new(limits);
        self
    }

    /// The same state with other webhook and stream settings.
    pub fn with_hooks(mut self, config: crate::webhooks::HookConfig) -> Self {
        let hooks = crate::webhooks::Hooks::new(config, self.hooks.metrics.clone());
        self.shared_mut().hooks = hooks;
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
        let in_flight = self.metrics.store_call();
        roster_store::async_store::on_blocking_thread(Arc::clone(&self.store), move |store| {
            let _in_flight = in_flight;
            call(store)
        })
        .await
    }

    /// Await one of the store's other calls ([`AsyncStore`]): on
    /// PostgreSQL's async driver, with no blocking thread; on SQLite, the
    /// blocking call on a blocking thread. Counted in
    /// `roster_store_calls_in_flight` while it is awaited.
    pub async fn call<T>(&self, call: impl FnOnce(&dyn AsyncStore) -> StoreFuture<T>) -> Result<T> {
        let _in_flight = self.metrics.store_call();
        call(self.calls.as_ref()).await
    }

    /// A short read of `input`: awaited through [`call`](Self::call) when
    /// the store's calls are its own (PostgreSQL), else `read` as
    /// [`read_now`](Self::read_now) runs it (inline on SQLite). Both must
    /// ask the same question.
    pub async fn read<I, T, A, F>(&self, input: I, call: A, read: F) -> Result<T>
    where
        I: Send + 'static,
        T: Send + 'static,
        A: FnOnce(&dyn AsyncStore, I) -> StoreFuture<T>,
        F: FnOnce(&dyn Store, I) -> Result<T> + Send + 'static,
    {
        if self.native_calls {
            self.call(|calls| call(calls, input)).await
        } else {
            self.read_now(move |store| read(store, input)).await
        }
    }

    /// Run a short blocking read: on this thread when the store has inline
    /// readers (SQLite: no hand-off, no waiting for a pooled connection),
    /// else as [`run`](Self::run) does. `call` must only read.
    pub async fn read_now<T, F>(&self, call: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<T> + Send + 'static,
    {
        let store = self.store.as_ref();
        let mut call = Some(call);
        let mut answer = None;
        let inline = {
            let _in_flight = self.metrics.store_call();
            store.read_inline(&mut || {
                if let Some(call) = call.take() {
                    answer = Some(call(store));
                }
            })
        };
        match (inline, answer, call) {
            (true, Some(answer), _) => answer,
            (_, _, Some(call)) => self.run(call).await,
            _ => Err(Error::Backend("an inline read did not run".into())),
        }
    }

    /// Run a hot read: awaited through the store's async reads when it has
    /// them (PostgreSQL's async driver: no blocking thread, no hand-off),
    /// else `call` as [`read_now`](Self::read_now) runs it. Both must ask
    /// the same question.
    pub async fn read_hot<T, A, F>(&self, hot: A, call: F) -> Result<T>
    where
        T: Send + 'static,
        A: FnOnce(&dyn AsyncReads) -> StoreFuture<T>,
        F: FnOnce(&dyn Store) -> Result<T> + Send + 'static,
    {
        match self.store.async_reads() {
            Some(reads) => {
                let _in_flight = self.metrics.store_call();
                hot(reads).await
            }
            None => self.read_now(call).await,
        }
    }

    /// Run one command on one community, addressed through `sight`, and
    /// count it by kind and outcome. Every dialect and the native API
    /// execute commands through here. A refusal is a [`Ruling::Refused`]
    /// carrying the standing it was decided on. A store with async writes
    /// (SQLite's write queue, PostgreSQL's async driver) is awaited
    /// directly, without a blocking thread; otherwise the call runs off
    /// the runtime.
    pub async fn execute_in_sight(
        &self,
        sight: Sight,
        actor: Actor,
        key: CommunityKey,
        command: Command,
    ) -> Result<Ruling> {
        let kind = command.name();
        let started = Instant::now();
        let result = match self.store.async_writes() {
            Some(writes) => {
                let _in_flight = self.metrics.store_call();
                writes.execute_in_sight(sight, actor, key, command).await
            }
            None => {
                self.run(move |store| store.execute_in_sight(sight, actor, &key, command))
                    .await
            }
        };
        self.metrics
            .record_command(kind, &result, started.elapsed());
        if matches!(&result, Ok(Ruling::Accepted(outcome)) if outcome.changed()) {
            self.hooks.notify();
        }
        result
    }

    /// [`execute_in_sight`](Self::execute_in_sight) where a refusal is an
    /// error ([`Error::Domain`]).
    pub async fn execute(
        &self,
        sight: Sight,
        actor: Actor,
        key: CommunityKey,
        command: Command,
    ) -> Result<Outcome> {
        self.execute_in_sight(sight, actor, key, command)
            .await?
            .accepted()
    }

    /// Revoke a token of `user` and forget it in the token cache, so that
    /// it is refused at once on this node. False when it is not theirs.
    pub async fn revoke_token(&self, user: UserId, token: uuid::Uuid) -> Result<bool> {
        let revoked = self
            .call(move |store| store.revoke_token(user, token))
            .await;
        // Evicted whatever the answer: an eviction is never wrong.
        self.tokens.forget_token(token);
        revoked
    }

    /// Change a user and forget their cached tokens, so that the next
    /// request sees the change (admin flag, username) at once on this node.
    pub async fn update_user(&self, id: UserId, patch: UserPatch) -> Result<User> {
        let updated = self.call(move |store| store.update_user(id, patch)).await;
        self.tokens.forget_user(id);
        updated
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
