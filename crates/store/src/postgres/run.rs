//! How a store call runs on the async pool: a connection checked out (its
//! wait recorded for `/metrics`), then one transaction, with a bounded
//! retry of what PostgreSQL rolled back (issue 13). Split from `live.rs`,
//! which holds the pool and the hot paths.
//!
//! A write is retried, from the start, only when it is certain it did not
//! commit: a deadlock or serialization failure (the server rolled it
//! back), or a connection lost before `COMMIT` was sent (the server rolls
//! an open transaction back when its connection goes), the latter on a
//! fresh connection. A connection lost during `COMMIT` is reported, not
//! retried: the change may have been applied, and applying it twice is
//! worse than an error. Reads and single statements are not retried.
//!
//! Each runner takes the call's input by reference beside the call, so
//! that a retry runs the same call on the same input:
//! `live.write(&new, |tx, new| Box::pin(users::create(tx, new)))`.

use std::future::Future;
use std::pin::Pin;

use super::errors::{retry, Res};
use super::live::Live;
use super::sql::{LiveClient, LiveTx};
use super::CHECKOUT_TIMEOUT;
use crate::{Error, Result};

/// What a call returns: a future borrowing its transaction and its input.
pub(super) type Call<'t, T> = Pin<Box<dyn Future<Output = Res<T>> + Send + 't>>;

impl Live {
    /// Run `f` on `input` in one READ COMMITTED transaction: commit when it
    /// returns `Ok`, roll back (write nothing) when it returns `Err`;
    /// retried as the module doc says.
    pub(super) async fn write<A, T>(
        &self,
        input: &A,
        f: impl for<'t> Fn(&'t mut LiveTx<'_>, &'t A) -> Call<'t, T> + Send + Sync,
    ) -> Result<T>
    where
        A: Sync + ?Sized,
        T: Send,
    {
        self.write_numbered(input, f, |_, _| {}).await
    }

    /// [`Self::write`] for a value that carries the appended event: once
    /// the transaction has committed, the event is numbered (`stamper.rs`)
    /// and its number put into the value by `number` (given `None` when
    /// the stamp failed: the change is committed all the same, and the next
    /// stamp numbers the event).
    pub(super) async fn write_numbered<A, T>(
        &self,
        input: &A,
        f: impl for<'t> Fn(&'t mut LiveTx<'_>, &'t A) -> Call<'t, T> + Send + Sync,
        number: impl FnOnce(&mut T, Option<i64>) + Send,
    ) -> Result<T>
    where
        A: Sync + ?Sized,
        T: Send,
    {
        let mut conn = self.checkout(CHECKOUT_TIMEOUT).await?;
        let mut attempt = 1;
        let (mut value, inserted) = loop {
            let mut committing = false;
            let run: Res<(T, Option<i64>)> = async {
                // Dropped unfinished (an error), the transaction rolls back.
                let mut tx = LiveTx::new(conn.transaction().await?);
                let value = f(&mut tx, input).await?;
                let inserted = tx.inserted;
                committing = true;
                tx.tx.commit().await?;
                Ok((value, inserted))
            }
            .await;
            let fault = match run {
                Ok(done) => break done,
                Err(fault) => fault,
            };
            let lost = retry(fault, committing, attempt, &self.target)?;
            attempt += 1;
            if lost {
                // The closed connection is discarded on its return.
                conn = self.checkout(CHECKOUT_TIMEOUT).await?;
            }
        };
        drop(conn);
        if let Some(id) = inserted {
            let seq = self.stamper.number(id).await;
            number(&mut value, seq);
        }
        Ok(value)
    }

    /// Run `f` once in one READ COMMITTED transaction, not retried (a bulk
    /// import: running it again behind the caller's back could take long).
    pub(super) async fn write_once<A, T>(
        &self,
        input: &A,
        f: impl for<'t> FnOnce(&'t mut LiveTx<'_>, &'t A) -> Call<'t, T> + Send,
    ) -> Result<T>
    where
        A: Sync + ?Sized,
        T: Send,
    {
        self.once(false, async move |tx| f(tx, input).await).await
    }

    /// Run `f` in one REPEATABLE READ, READ ONLY transaction, so that its
    /// queries (a page and its total) see one snapshot.
    pub(super) async fn read<A, T>(
        &self,
        input: &A,
        f: impl for<'t> FnOnce(&'t mut LiveTx<'_>, &'t A) -> Call<'t, T> + Send,
    ) -> Result<T>
    where
        A: Sync + ?Sized,
        T: Send,
    {
        self.once(true, async move |tx| f(tx, input).await).await
    }

    /// [`Self::read`] for a call whose future is not `Send` (it holds the
    /// caller's callback): waited on where it is made, never spawned.
    pub(super) async fn read_here<T>(
        &self,
        f: impl AsyncFnOnce(&mut LiveTx<'_>) -> Res<T>,
    ) -> Result<T> {
        self.once(true, f).await
    }

    /// Run `f` once in one transaction (a snapshot, or READ COMMITTED)
    /// that commits when it returns `Ok`.
    async fn once<T>(
        &self,
        snapshot: bool,
        f: impl AsyncFnOnce(&mut LiveTx<'_>) -> Res<T>,
    ) -> Result<T> {
        let mut conn = self.checkout(CHECKOUT_TIMEOUT).await?;
        let run: Res<T> = async {
            let tx = if snapshot {
                super::live::snapshot(&mut conn).await?
            } else {
                conn.transaction().await?
            };
            let mut tx = LiveTx::new(tx);
            let value = f(&mut tx).await?;
            tx.tx.commit().await?;
            Ok(value)
        }
        .await;
        run.map_err(Error::from)
    }

    /// Run `f` outside any explicit transaction (each statement its own
    /// snapshot): single-statement look-ups and updates.
    pub(super) async fn single<A, T>(
        &self,
        input: &A,
        f: impl for<'t> FnOnce(&'t mut LiveClient<'_>, &'t A) -> Call<'t, T> + Send,
    ) -> Result<T>
    where
        A: Sync + ?Sized,
        T: Send,
    {
        let conn = self.checkout(CHECKOUT_TIMEOUT).await?;
        let mut client = LiveClient(&conn);
        f(&mut client, input).await.map_err(Error::from)
    }
}
