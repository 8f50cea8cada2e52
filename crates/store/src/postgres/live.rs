//! The async driver's pool and the hot paths on it (issue 13): every
//! command, the token look-up, the community and member reads and the
//! readiness ping, awaited by the server without a blocking thread (the
//! other calls, on the same pool, are in `calls.rs`).
//!
//! `tokio-postgres` connections in a `deadpool` pool. Each connection
//! keeps its own statement cache (deadpool-postgres' `prepare_cached`), so
//! a statement is parsed and planned once per connection and afterwards
//! costs one round trip to bind and run. A connection's socket is driven
//! by a task on the runtime of whoever opened it: the server's, when a
//! request needs a new connection (the request and its connection then
//! share worker threads, with no hop to another thread per round trip),
//! or the store's own small runtime ([`Driver`]) when a caller has none
//! (the CLI, tests, the benchmark, and the synchronous `Store` methods,
//! which wait on it: allowed on the blocking threads the server runs them
//! on). A connection whose runtime has gone is found closed when checked
//! out and replaced (the health check); checkouts time out on the store's
//! timer, so that no caller needs a runtime of its own.
//!
//! A command is retried as `run.rs` says for every write: a
//! deadlock or serialization failure, or a connection lost before `COMMIT`
//! was sent, runs again from the start (at most `ATTEMPTS` runs, on a
//! fresh connection for a lost one); a connection lost during `COMMIT` is
//! reported, never retried. Reads are not retried.

use std::sync::Arc;
use std::time::{Duration, Instant};

use deadpool::managed::{self, Metrics, RecycleError, RecycleResult};
use deadpool_postgres::ClientWrapper;
use roster_engine::{Actor, Command, Policy, Sight};
use tokio_postgres::IsolationLevel;

use super::errors::{Fault, Res};
use super::sql::{LiveClient, LiveTx};
use super::stamper::Stamper;
use super::tls::RustlsConnect;
use super::{communities, number_event, policy, reads, tokens, turns};
use crate::policy::PolicyCache;
use crate::{
    Community, CommunityKey, Error, MemberQuery, MemberRow, Page, Result, Ruling, Standing,
    TokenRecord, User,
};

/// A pooled connection of the async driver.
pub(super) type Conn = managed::Object<Connector>;

/// The store's own runtime: drives connections opened by callers without
/// one, and the checkout timer. Shut down without waiting when the last
/// handle to the store goes, wherever that is (even on an async thread).
pub(super) struct Driver(Option<tokio::runtime::Runtime>);

impl Driver {
    pub(super) fn start() -> Result<Driver> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("roster-pg")
            .enable_all()
            .build()
            .map(|runtime| Driver(Some(runtime)))
            .map_err(|e| Error::Backend(format!("postgres: cannot start the driver: {e}")))
    }

    pub(super) fn handle(&self) -> &tokio::runtime::Handle {
        match &self.0 {
            Some(runtime) => runtime.handle(),
            None => unreachable!("the driver runs until dropped"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// Opens the pool's connections (see the module doc for where they run).
pub(super) struct Connector {
    pub(super) config: tokio_postgres::Config,
    pub(super) tls: RustlsConnect,
    pub(super) driver: tokio::runtime::Handle,
}

impl Connector {
    async fn open(
        config: tokio_postgres::Config,
        tls: RustlsConnect,
    ) -> Res<(tokio_postgres::Client, tokio::task::JoinHandle<()>)> {
        let (client, connection) = config.connect(tls).await?;
        let task = tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "postgres: connection ended");
            }
        });
        Ok((client, task))
    }
}

impl managed::Manager for Connector {
    type Type = ClientWrapper;
    type Error = Fault;

    async fn create(&self) -> Res<ClientWrapper> {
        let (config, tls) = (self.config.clone(), self.tls.clone());
        let (client, task) = if tokio::runtime::Handle::try_current().is_ok() {
            Connector::open(config, tls).await?
        } else {
            match self.driver.spawn(Connector::open(config, tls)).await {
                Ok(opened) => opened?,
                Err(join) => return Err(Fault::Other(format!("connecting failed: {join}"))),
            }
        };
        Ok(ClientWrapper::new(client, task))
    }

    /// The health check: a connection found closed (the server ended it,
    /// or its runtime is gone) is discarded, and the pool opens another.
    /// Any other failure surfaces on the next statement; a command lost so
    /// before `COMMIT` is retried on a fresh connection.
    async fn recycle(&self, client: &mut ClientWrapper, _: &Metrics) -> RecycleResult<Fault> {
        if client.is_closed() {
            return Err(RecycleError::message("connection closed"));
        }
        Ok(())
    }
}

/// The async side of a [`super::PgStore`], shared with the futures it
/// hands out.
pub(super) struct Live {
    pub(super) pool: managed::Pool<Connector>,
    pub(super) target: String,
    /// The policy commands decide under (issue 14), re-read inside the
    /// write transaction once older than `POLICY_REFRESH`.
    pub(super) policy: PolicyCache,
    /// How long checkouts waited (`/metrics`).
    pub(super) waits: super::pool::Waits,
    /// Commands queue per community here before taking a connection.
    pub(super) turns: turns::Turns,
    /// Numbers the events this node's writes committed, a batch at a time.
    pub(super) stamper: Stamper,
    /// Dropped last: in-flight futures keep it running.
    pub(super) driver: Driver,
}

impl Live {
    /// Wait on a future from a thread that is not an async worker (the
    /// synchronous `Store` methods).
    pub(super) fn wait<T>(&self, future: impl std::future::Future<Output = T>) -> T {
        self.driver.handle().block_on(future)
    }

    /// A connection within `timeout`.
    pub(super) async fn checkout(&self, timeout: Duration) -> Result<Conn> {
        let started = Instant::now();
        let timer = {
            let _timer = self.driver.handle().enter();
            tokio::time::sleep(timeout)
        };
        let got = tokio::select! {
            got = self.pool.get() => Some(got),
            () = timer => None,
        };
        self.waits.record(started.elapsed());
        match got {
            Some(Ok(conn)) => Ok(conn),
            Some(Err(managed::PoolError::Backend(fault))) => Err(self.unreachable(fault)),
            Some(Err(other)) => Err(Error::Backend(format!(
                "postgres: no connection to {}: {other:?}",
                self.target
            ))),
            None => Err(Error::Backend(format!(
                "postgres: no connection to {} within {}s",
                self.target,
                timeout.as_secs()
            ))),
        }
    }

    fn unreachable(&self, fault: Fault) -> Error {
        match Error::from(fault) {
            Error::Backend(reason) => Error::Backend(format!(
                "postgres: cannot connect to {}: {reason}",
                self.target
            )),
            refusal => refusal,
        }
    }

    /// The cached policy, or the stored one read in `tx` when the copy is
    /// missing or stale.
    pub(super) async fn policy(&self, tx: &mut LiveTx<'_>) -> Res<Arc<Policy>> {
        struct Stale;
        if let Ok(policy) = self.policy.get(|| Err(Stale)) {
            return Ok(policy);
        }
        let fresh = policy::load(tx).await?;
        self.policy.put(fresh.clone());
        Ok(Arc::new(fresh))
    }

    /// Run one command on one community (the store's `execute_in_sight`).
    pub(super) async fn execute(
        &self,
        sight: Sight,
        actor: Actor,
        key: CommunityKey,
        command: Command,
    ) -> Result<Ruling> {
        // Queue behind this node's command on the same community, if any,
        // before taking a connection (see `turns.rs`); the turn and the
        // connection are given back at commit, before the stamp.
        let committed = {
            let _turn = self.turns.take(&key).await;
            self.command(sight, actor, &key, &command).await
        };
        let (mut ruling, inserted) = match committed {
            Ok(committed) => committed,
            Err(error) => {
                if let Error::Backend(reason) = &error {
                    tracing::error!(command = command.name(), error = %reason, "postgres: command failed");
                }
                return Err(error);
            }
        };
        if let Some(id) = inserted {
            let seq = self.stamper.number(id).await;
            if let Ruling::Accepted(outcome) = &mut ruling {
                number_event(&mut outcome.event, seq);
            }
        }
        Ok(ruling)
    }

    /// A command's committed ruling and the internal id of the event it
    /// inserted, if any.
    async fn command(
        &self,
        sight: Sight,
        actor: Actor,
        key: &CommunityKey,
        command: &Command,
    ) -> Result<(Ruling, Option<i64>)> {
        let mut conn = self.checkout(super::CHECKOUT_TIMEOUT).await?;
        let mut attempt = 1;
        loop {
            let mut committing = false;
            let fault = match self
                .attempt(&mut conn, sight, actor, key, command, &mut committing)
                .await
            {
                Ok(done) => return Ok(done),
                Err(fault) => fault,
            };
            let lost = super::errors::retry(fault, committing, attempt, &self.target)?;
            attempt += 1;
            if lost {
                // The closed connection is discarded on its return.
                conn = self.checkout(super::CHECKOUT_TIMEOUT).await?;
            }
        }
    }

    /// One run of a command's transaction: its ruling and the event it
    /// inserted, once committed. `committing` is set as `COMMIT` is sent.
    async fn attempt(
        &self,
        conn: &mut Conn,
        sight: Sight,
        actor: Actor,
        key: &CommunityKey,
        command: &Command,
        committing: &mut bool,
    ) -> Res<(Ruling, Option<i64>)> {
        // Dropped unfinished (an error), the transaction rolls back.
        let mut tx = LiveTx::new(conn.transaction().await?);
        let policy = self.policy(&mut tx).await?;
        let ruling = communities::execute(&mut tx, &policy, sight, actor, key, command).await?;
        let inserted = tx.inserted;
        *committing = true;
        tx.tx.commit().await?;
        Ok((ruling, inserted))
    }

    /// Is the database reachable? (`/readyz`)
    pub(super) async fn ping(&self) -> Result<()> {
        let conn = self.checkout(super::PING_TIMEOUT).await?;
        conn.simple_query("SELECT 1")
            .await
            .map(drop)
            .map_err(|e| Error::from(Fault::from(e)))
    }

    /// The token with this hash and its user (one statement).
    pub(super) async fn find_token(&self, hash: [u8; 32]) -> Result<Option<(TokenRecord, User)>> {
        let conn = self.checkout(super::CHECKOUT_TIMEOUT).await?;
        let found = tokens::find(&mut LiveClient(&conn), &hash).await;
        found.map_err(Error::from)
    }

    /// A community and the viewer's standing in it (one statement).
    pub(super) async fn community(
        &self,
        key: &CommunityKey,
        viewer: Option<roster_engine::UserId>,
    ) -> Result<Option<(Community, Standing)>> {
        let conn = self.checkout(super::CHECKOUT_TIMEOUT).await?;
        let found = reads::community(&mut LiveClient(&conn), key, viewer).await;
        found.map_err(Error::from)
    }

    /// A community as `viewer` addresses it through `sight`.
    pub(super) async fn community_in_sight(
        &self,
        sight: Sight,
        key: &CommunityKey,
        viewer: Actor,
    ) -> Result<(Community, Standing)> {
        let found = self.community(key, Some(viewer.user)).await?;
        crate::in_sight(found, sight, viewer)
    }

    /// People of a community `viewer` addresses through `sight`, one page:
    /// the check and the page from one snapshot, on one connection.
    pub(super) async fn members_in_sight(
        &self,
        sight: Sight,
        key: &CommunityKey,
        viewer: Actor,
        query: &MemberQuery,
    ) -> Result<Page<MemberRow>> {
        let mut conn = self.checkout(super::CHECKOUT_TIMEOUT).await?;
        let mut tx = LiveTx::new(snapshot(&mut conn).await?);
        let found = reads::community(&mut tx, key, Some(viewer.user)).await?;
        let community = crate::listable(found, sight, viewer, &query.standings)?;
        let counters = &community.state.counters;
        let page = reads::page_of(&mut tx, community.num, counters, query).await?;
        tx.tx.commit().await.map_err(Fault::from)?;
        Ok(page)
    }

    /// People of a community, one page and its total from one snapshot.
    pub(super) async fn members(
        &self,
        community: roster_engine::CommunityId,
        query: &MemberQuery,
    ) -> Result<Page<MemberRow>> {
        let mut conn = self.checkout(super::CHECKOUT_TIMEOUT).await?;
        let page: Res<Page<MemberRow>> = async {
            let mut tx = LiveTx::new(snapshot(&mut conn).await?);
            let page = reads::members(&mut tx, community, query).await?;
            tx.tx.commit().await?;
            Ok(page)
        }
        .await;
        page.map_err(Error::from)
    }

    /// The statements prepared in the session of one of the async pool's
    /// connections, with how often each ran: (SQL text, executions).
    #[cfg(feature = "test-support")]
    pub(super) async fn prepared_statements(&self) -> Result<Vec<(String, i64)>> {
        let conn = self.checkout(super::CHECKOUT_TIMEOUT).await?;
        let rows = conn
            .query(
                "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements
                 WHERE statement NOT LIKE '%pg_prepared_statements%'",
                &[],
            )
            .await
            .map_err(|e| Error::from(Fault::from(e)))?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect::<Res<Vec<_>>>()
            .map_err(Error::from)
    }

    /// The async pool now: (most, open, idle).
    pub(super) fn occupancy(&self) -> (u32, u32, u32) {
        let status = self.pool.status();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (
            count(status.max_size),
            count(status.size),
            count(status.available),
        )
    }
}

/// A REPEATABLE READ, READ ONLY transaction: a page and its total (and
/// the check before them) see one snapshot.
pub(super) async fn snapshot(conn: &mut Conn) -> Res<deadpool_postgres::Transaction<'_>> {
    let tx = conn
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    Ok(tx)
}
