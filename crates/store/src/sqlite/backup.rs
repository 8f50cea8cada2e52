//! Online backup of a live SQLite database (`roster backup`, issue 15):
//! `VACUUM INTO` from a connection of its own. It reads the source inside
//! one read transaction, so the copy is one consistent snapshot (every
//! transaction committed before it began, none after), and under WAL it
//! never blocks the server's writer, which keeps committing meanwhile. The
//! copy is compacted, in rollback-journal mode, and checked before it is
//! called done.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::{Error, Result};

/// What a backup wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupReport {
    pub bytes: u64,
    /// The event feed's last sequence number in the copy.
    pub last_event: i64,
}

/// Copy the database at `source` to `dest`, which must not exist yet.
pub fn backup(source: &Path, dest: &Path) -> Result<BackupReport> {
    if dest.exists() {
        return Err(Error::Backend(format!(
            "{} exists already; choose a new file",
            dest.display()
        )));
    }
    if !source.exists() {
        return Err(Error::Backend(format!(
            "no database at {}",
            source.display()
        )));
    }
    let conn = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    let dest_text = dest
        .to_str()
        .ok_or_else(|| Error::Backend("the backup path must be UTF-8".into()))?;
    conn.execute("VACUUM INTO ?1", [dest_text])?;
    drop(conn);
    let copy = Connection::open_with_flags(dest, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let check: String = copy.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    if check != "ok" {
        return Err(Error::Backend(format!(
            "the copy failed its integrity check: {check}"
        )));
    }
    let last_event: i64 =
        copy.query_row("SELECT coalesce(max(seq), 0) FROM events", [], |row| {
            row.get(0)
        })?;
    let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    Ok(BackupReport { bytes, last_event })
}
