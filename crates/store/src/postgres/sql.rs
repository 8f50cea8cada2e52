//! One way to issue SQL, whichever driver runs it (issue 13), so that the
//! SQL of a command and of the hot reads is written once.
//!
//! [`Sql`] is the four calls the backend's shared code makes (`query`,
//! `query_opt`, `query_one`, `execute`) as futures. The hot paths await it
//! on the async driver: [`LiveTx`] and [`LiveClient`] prepare each
//! statement once per connection (deadpool's `prepare_cached`, keyed by the
//! SQL text, which is one of a fixed set of templates, values always
//! parameters) and then only bind and execute it, one round trip. The cold
//! paths, still on the synchronous `postgres` client, get [`Sql`] through
//! its `GenericClient`: their futures are ready when first polled, and
//! [`ready`] drives them on the calling thread.
//!
//! A command's transaction also remembers the event it inserted
//! ([`Sql::inserted`]), to number it after commit (`feed.rs`): in the
//! transaction wrapper on the async driver (a future may move between
//! threads at an await), in a thread-local on the synchronous one (a whole
//! transaction runs on its caller's thread there).

use std::future::{ready as now, Future};

use postgres::types::ToSql;
use postgres::Row;

use super::errors::{Fault, Res};

/// Statement parameters, as both drivers take them.
pub(super) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// The SQL calls the shared code makes, as futures.
pub(super) trait Sql: Send {
    fn query(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> impl Future<Output = Res<Vec<Row>>> + Send;
    fn query_opt(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> impl Future<Output = Res<Option<Row>>> + Send;
    fn query_one(&mut self, sql: &str, params: Params<'_>)
        -> impl Future<Output = Res<Row>> + Send;
    fn execute(&mut self, sql: &str, params: Params<'_>) -> impl Future<Output = Res<u64>> + Send;
    /// The transaction inserted the event with this internal id.
    fn inserted(&mut self, id: i64);
}

/// Drive a future of the synchronous driver (ready at its first poll) on
/// this thread.
pub(super) fn ready<T>(future: impl Future<Output = T>) -> T {
    pollster::block_on(future)
}

/// The synchronous client and its transactions: each call runs at once.
impl<C: postgres::GenericClient + Send> Sql for C {
    fn query(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> impl Future<Output = Res<Vec<Row>>> + Send {
        now(postgres::GenericClient::query(self, sql, params).map_err(Fault::from))
    }

    fn query_opt(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> impl Future<Output = Res<Option<Row>>> + Send {
        now(postgres::GenericClient::query_opt(self, sql, params).map_err(Fault::from))
    }

    fn query_one(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> impl Future<Output = Res<Row>> + Send {
        now(postgres::GenericClient::query_one(self, sql, params).map_err(Fault::from))
    }

    fn execute(&mut self, sql: &str, params: Params<'_>) -> impl Future<Output = Res<u64>> + Send {
        now(postgres::GenericClient::execute(self, sql, params).map_err(Fault::from))
    }

    fn inserted(&mut self, id: i64) {
        super::feed::note_inserted(id);
    }
}

/// A transaction on the async driver, with the event it inserted.
pub(super) struct LiveTx<'c> {
    pub(super) tx: deadpool_postgres::Transaction<'c>,
    pub(super) inserted: Option<i64>,
}

impl<'c> LiveTx<'c> {
    pub(super) fn new(tx: deadpool_postgres::Transaction<'c>) -> Self {
        LiveTx { tx, inserted: None }
    }
}

impl Sql for LiveTx<'_> {
    async fn query(&mut self, sql: &str, params: Params<'_>) -> Res<Vec<Row>> {
        let statement = self.tx.prepare_cached(sql).await?;
        Ok(self.tx.query(&statement, params).await?)
    }

    async fn query_opt(&mut self, sql: &str, params: Params<'_>) -> Res<Option<Row>> {
        let statement = self.tx.prepare_cached(sql).await?;
        Ok(self.tx.query_opt(&statement, params).await?)
    }

    async fn query_one(&mut self, sql: &str, params: Params<'_>) -> Res<Row> {
        let statement = self.tx.prepare_cached(sql).await?;
        Ok(self.tx.query_one(&statement, params).await?)
    }

    async fn execute(&mut self, sql: &str, params: Params<'_>) -> Res<u64> {
        let statement = self.tx.prepare_cached(sql).await?;
        Ok(self.tx.execute(&statement, params).await?)
    }

    fn inserted(&mut self, id: i64) {
        self.inserted = Some(id);
    }
}

/// A pooled connection of the async driver, outside any explicit
/// transaction (one statement, its own snapshot).
pub(super) struct LiveClient<'c>(pub(super) &'c deadpool_postgres::ClientWrapper);

impl Sql for LiveClient<'_> {
    async fn query(&mut self, sql: &str, params: Params<'_>) -> Res<Vec<Row>> {
        let statement = self.0.prepare_cached(sql).await?;
        Ok(self.0.query(&statement, params).await?)
    }

    async fn query_opt(&mut self, sql: &str, params: Params<'_>) -> Res<Option<Row>> {
        let statement = self.0.prepare_cached(sql).await?;
        Ok(self.0.query_opt(&statement, params).await?)
    }

    async fn query_one(&mut self, sql: &str, params: Params<'_>) -> Res<Row> {
        let statement = self.0.prepare_cached(sql).await?;
        Ok(self.0.query_one(&statement, params).await?)
    }

    async fn execute(&mut self, sql: &str, params: Params<'_>) -> Res<u64> {
        let statement = self.0.prepare_cached(sql).await?;
        Ok(self.0.execute(&statement, params).await?)
    }

    /// Outside a transaction nothing is numbered after a commit.
    fn inserted(&mut self, _id: i64) {}
}
