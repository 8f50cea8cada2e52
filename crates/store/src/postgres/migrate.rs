//! The PostgreSQL schema, one plain SQL file per version in `migrations/`,
//! applied in order when a node opens the database and recorded in
//! `schema_migrations`.
//!
//! Several nodes may start at once against a new (or older) database, so
//! the whole check-and-apply runs in one transaction that first takes a
//! transaction-level advisory lock: the first node applies what is missing,
//! the others wait for it, then find nothing left to do. PostgreSQL's DDL is
//! transactional, so a migration that fails leaves no half-applied schema.

use tokio_postgres::Client;

use super::errors::{Fault, Res};
use super::rows;

/// The schema, one plain SQL file per version, applied in order on start.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("migrations/0001_init.sql")),
    (
        2,
        "idempotency",
        include_str!("migrations/0002_idempotency.sql"),
    ),
    // Webhooks (issue 16).
    (3, "webhooks", include_str!("migrations/0003_webhooks.sql")),
    // Configurable permissions (issue 14).
    (4, "policy", include_str!("migrations/0004_policy.sql")),
    // The web console's sessions and member-search index (issue 17).
    (5, "console", include_str!("migrations/0005_console.sql")),
    // The event feed numbered after commit (issue 13, postgres/feed.rs).
    (
        6,
        "event_stamps",
        include_str!("migrations/0006_event_stamps.sql"),
    ),
];

/// Advisory lock key serialising migrations across nodes.
const MIGRATION_LOCK: i64 = 0x726f_7374_6572_0001; // "roster" 1

/// The newest schema version this build knows.
pub(super) fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// Apply every migration the database has not seen.
pub(super) async fn run(client: &mut Client) -> Res<()> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    // No "already exists, skipping" notice in the log on every start.
    tx.batch_execute("SET LOCAL client_min_messages = warning")
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    bigint      PRIMARY KEY,
             name       text        NOT NULL,
             applied_at timestamptz NOT NULL
         )",
    )
    .await?;
    let current: i64 = tx
        .query_one(
            "SELECT coalesce(max(version), 0)::bigint FROM schema_migrations",
            &[],
        )
        .await?
        .try_get(0)?;
    let latest = latest();
    if current > latest {
        return Err(Fault::Other(format!(
            "the database schema (version {current}) is newer than this build \
             (version {latest}); use a newer roster"
        )));
    }
    for &(version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[&version, &name, &rows::now()],
        )
        .await?;
        tracing::info!(version, name, "postgres: applied migration");
    }
    tx.commit().await?;
    Ok(())
}
