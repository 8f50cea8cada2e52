//! The SQLite schema, one plain SQL file per version in `migrations/`,
//! applied in order when the store opens a file and recorded in
//! `schema_migrations`.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::rows;
use crate::{Error, Result};

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

/// Apply every migration the file has not seen, in one IMMEDIATE
/// transaction (two processes starting at once apply it once).
pub(super) fn run(conn: &Connection) -> Result<()> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )?;
    let current: i64 = tx.query_row(
        "SELECT coalesce(max(version), 0) FROM schema_migrations",
        [],
        |row| row.get(0),
    )?;
    let latest = MIGRATIONS.last().map_or(0, |m| m.0);
    if current > latest {
        return Err(Error::Backend(format!(
            "sqlite: the database schema (version {current}) is newer than this build \
             (version {latest}); use a newer roster"
        )));
    }
    for &(version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, name, rows::fmt_ts(rows::now())],
        )?;
        tracing::info!(version, name, "sqlite: applied migration");
    }
    tx.commit()?;
    Ok(())
}
