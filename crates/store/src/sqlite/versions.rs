//! Data versions (issue 11): telling a caller who holds a result read
//! earlier (a rendered page of members) whether the database changed since,
//! without reading the result again.
//!
//! SQLite's `PRAGMA data_version` changes on a connection when any other
//! connection, in this process or another (the writer, `roster` commands
//! run beside the server), committed since that connection's last read.
//! Its values are the connection's own, so they are not comparable across
//! connections; [`Versions`] turns them into one number for the store:
//!
//! - the store's generation is read *before* a read's snapshot begins;
//! - inside the read, the connection's data version is compared with the
//!   one it saw on its previous read; if it moved, the generation moves on
//!   and this read has no version (its result is not to be kept);
//! - otherwise the read is at the generation read before it began.
//!
//! Two reads at the same version saw the same commits: a commit in one
//! snapshot and not the other would have been seen first by some reader
//! (every connection's first snapshot after a commit sees its data version
//! move), which moved the generation on after the commit was durable; a
//! read that took its generation after that move began its snapshot after
//! the commit, and a read that took it before has an older version.

use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::Connection;

use crate::{DataVersion, Result};

/// The store's generation: moved on whenever a reader sees a change.
#[derive(Debug, Default)]
pub(super) struct Versions {
    generation: AtomicU64,
}

impl Versions {
    /// The generation, taken before the read transaction's snapshot.
    pub(super) fn before_snapshot(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Inside a read transaction on `conn`, whose data version on its last
    /// read is `seen`: the version this read is at, or `None` when the
    /// database changed since (then the generation moves on).
    pub(super) fn confirm(
        &self,
        conn: &Connection,
        seen: &mut Option<i64>,
        before: u64,
    ) -> Result<Option<DataVersion>> {
        let now: i64 = conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |row| row.get(0))?;
        if seen.replace(now) == Some(now) {
            Ok(Some(DataVersion(before)))
        } else {
            self.generation.fetch_add(1, Ordering::SeqCst);
            Ok(None)
        }
    }
}
