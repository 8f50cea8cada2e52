//! One way to issue SQL on the async driver (issue 13), over a
//! transaction or a bare pooled connection alike.
//!
//! [`Sql`] is the calls the backend's shared code makes (`query`,
//! `query_opt`, `query_one`, `execute`, `batch`) as futures, awaited
//! on the async driver: [`LiveTx`] and [`LiveClient`] prepare each
//! statement once per connection (deadpool's `prepare_cached`, keyed by the
//! SQL text, which is one of a fixed set of templates, values always
//! parameters) and then only bind and execute it, one round trip.
//!
//! A write's transaction also remembers the event it inserted
//! ([`Sql::inserted`]), to number it after commit (`feed.rs`).

use std::future::Future;

use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::errors::Res;

/// Statement parameters, as the driver takes them.
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
    /// Statements without parameters, sent as one simple query (a
    /// savepoint, a lock): not prepared.
    fn batch(&mut self, sql: &str) -> impl Future<Output = Res<()>> + Send;
    /// The transaction inserted the event with this internal id.
    fn inserted(&mut self, id: i64);
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

    async fn batch(&mut self, sql: &str) -> Res<()> {
        Ok(self.tx.batch_execute(sql).await?)
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

    async fn batch(&mut self, sql: &str) -> Res<()> {
        Ok(self.0.batch_execute(sql).await?)
    }

    /// Outside a transaction nothing is numbered after a commit.
    fn inserted(&mut self, _id: i64) {}
}
