//! `roster backup PATH`: a consistent copy of a live SQLite database while
//! the server keeps serving (the store's `VACUUM INTO`), and how to restore
//! it. PostgreSQL has its own tool for this, `pg_dump`, which takes a
//! consistent snapshot of a live database without stopping writers; the
//! command says so rather than reimplement it.

use std::path::PathBuf;

use anyhow::{bail, Context as _};
use roster_store::Backend;

pub async fn run(database: &str, path: PathBuf, json: bool) -> anyhow::Result<()> {
    if roster_store::backend_of(database) == Backend::Postgres {
        bail!(
            "roster backup copies SQLite databases; for PostgreSQL use pg_dump \
             (pg_dump -Fc -f roster.dump DBNAME), which takes a consistent snapshot \
             while the servers keep writing, and pg_restore to restore it"
        );
    }
    let source = roster_store::sqlite::path_of_url(database).map_err(|e| anyhow::anyhow!("{e}"))?;
    let dest = path.clone();
    let report = tokio::task::spawn_blocking(move || roster_store::sqlite::backup(&source, &dest))
        .await
        .context("the backup thread failed")?
        .map_err(|e| anyhow::anyhow!("backup failed: {e}"))?;
    if json {
        println!(
            "{}",
            serde_json::json!({"path": path, "bytes": report.bytes, "last_event": report.last_event})
        );
    } else {
        println!("{}", path.display());
        eprintln!(
            "backup: {} bytes, events up to {}. To restore: stop the server, then \
             replace the database file with this copy (remove its -wal and -shm \
             files too) and start the server again.",
            report.bytes, report.last_event
        );
    }
    Ok(())
}
