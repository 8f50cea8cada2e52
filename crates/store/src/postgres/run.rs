//! How a store call runs on the pool: a connection checked out (its wait
//! recorded for `/metrics`), then one transaction, with a bounded retry of
//! what PostgreSQL rolled back (issue 13). Split from `mod.rs`, which holds
//! the store's shape and the trait's methods.
//!
//! A write is retried, from the start, only when it is certain it did not
//! commit: a deadlock or serialization failure (the server rolled it
//! back), or a connection lost before `COMMIT` was sent (the server rolls
//! an open transaction back when its connection goes), the latter on a
//! fresh connection. A connection lost during `COMMIT` is reported, not
//! retried: the change may have been applied, and applying it twice is
//! worse than an error. Reads and single statements are not retried.

use std::time::{Duration, Instant};

use postgres::{IsolationLevel, Transaction};

use super::errors::Res;
use super::{feed, PgStore, Pool, Pooled, CHECKOUT_TIMEOUT};
use crate::{Error, Result};

impl PgStore {
    pub(super) fn pool(&self) -> Result<&Pool> {
        self.pool
            .as_ref()
            .ok_or_else(|| Error::Backend("postgres: the store is closed".into()))
    }

    pub(super) fn connection(&self) -> Result<Pooled> {
        self.connection_within(CHECKOUT_TIMEOUT)
    }

    pub(super) fn connection_within(&self, timeout: Duration) -> Result<Pooled> {
        let pool = self.pool()?;
        let started = Instant::now();
        let checked_out = pool.get_timeout(timeout);
        self.live.waits.record(started.elapsed());
        checked_out.map_err(|e| {
            Error::Backend(format!(
                "postgres: no connection to {} within {}s: {e}",
                self.target,
                timeout.as_secs()
            ))
        })
    }

    /// Run `f` in one READ COMMITTED transaction: commit when it returns
    /// `Ok`, roll back (write nothing) when it returns `Err`; retried as the
    /// module doc says.
    ///
    /// Once a transaction that appended an event has committed, the event
    /// is numbered (`stamper.rs`); its number is then put into the
    /// returned value's event by `number` (given `None` when the stamp
    /// failed: the change is committed all the same, and the next stamp
    /// numbers the event).
    pub(super) fn write<T>(&self, f: impl Fn(&mut Transaction<'_>) -> Res<T>) -> Result<T> {
        self.write_numbered(f, |_, _| {})
    }

    /// [`Self::write`] for a value that carries the appended event.
    pub(super) fn write_numbered<T>(
        &self,
        f: impl Fn(&mut Transaction<'_>) -> Res<T>,
        number: impl FnOnce(&mut T, Option<i64>),
    ) -> Result<T> {
        let mut conn = self.connection()?;
        let mut attempt = 1;
        let mut value = loop {
            feed::forget();
            let mut committing = false;
            let result: Res<T> = (|| {
                let mut tx = conn.transaction()?;
                let value = f(&mut tx)?; // dropping `tx` on error rolls back
                committing = true;
                tx.commit()?;
                Ok(value)
            })();
            let fault = match result {
                Ok(value) => break value,
                Err(fault) => fault,
            };
            feed::forget();
            let lost = super::errors::retry(fault, committing, attempt, &self.target)?;
            attempt += 1;
            if lost {
                // The pool discards the closed connection on its return.
                conn = self.connection()?;
            }
        };
        drop(conn);
        if let Some(id) = feed::take_inserted() {
            let seq = self.live.wait(self.live.stamper.number(id));
            number(&mut value, seq);
        }
        Ok(value)
    }

    /// Run `f` in one REPEATABLE READ, READ ONLY transaction, so that its
    /// queries (a page and its total) see one snapshot.
    pub(super) fn read<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> Res<T>) -> Result<T> {
        let mut conn = self.connection()?;
        let result: Res<T> = (|| {
            let mut tx = conn
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let value = f(&mut tx)?;
            tx.commit()?;
            Ok(value)
        })();
        result.map_err(Error::from)
    }

    /// Run one statement outside any explicit transaction (its own
    /// snapshot): the hot single-query look-ups, such as a token per request.
    pub(super) fn single<T>(&self, f: impl FnOnce(&mut postgres::Client) -> Res<T>) -> Result<T> {
        let mut conn = self.connection()?;
        f(&mut conn).map_err(Error::from)
    }
}
