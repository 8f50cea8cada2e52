//! The read side's connections: a small r2d2 pool of read-only connections
//! for reads made on blocking threads, and inline readers for reads run on
//! the caller's own thread. Every read is one read transaction.
//!
//! Inline reads (issue 11): the async handlers'
//! short hot reads (a token, a community with the caller's standing, a
//! page of members) skip the hand-off to a blocking thread. A profile of
//! the read rows showed that hand-off (waking a blocking thread, which then
//! waited on the reader pool's condition variable with 63 others, and
//! waking the runtime back) costing more than the SQL itself.
//!
//! Such a read must never wait, since it holds an async worker thread: it
//! takes a connection of its own from [`InlineReaders`], a stack that
//! opens another one when it is empty (so it never blocks on a lock held
//! for a read) and keeps at most [`KEEP`] for reuse. At most one read per
//! runtime worker thread is in flight inline at a time, so in practice the
//! stack holds as many connections as the runtime has workers. A WAL reader
//! does not wait for the writer either: it reads the last commit.
//!
//! Whether a read of the store runs inline is a property of the call, not
//! of the store: [`inline`] marks the current thread for the duration of a
//! closure, and [`Readers::read`] checks the mark.
//!
//! Every connection plans a statement once ([`plan_once`]): without the
//! query planner stability guarantee, SQLite (built with STAT4, as
//! rusqlite's bundled copy is) re-prepares a cached statement on each new
//! binding of a parameter the planner looked at once `ANALYZE` has stored
//! samples; the profile of the membership read (issue 11, round 2) spent
//! 40 % of the server's CPU parsing and planning again in
//! `sqlite3Reprepare`.

use std::cell::Cell;
use std::path::Path;
use std::sync::Mutex;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

use super::versions::Versions;
use super::{BUSY_TIMEOUT, STATEMENT_CACHE};
use crate::{DataVersion, Result};

/// Read-only connections in the blocking pool.
const READERS: u32 = 4;

/// Where a store's reads run.
pub(super) struct Readers {
    pool: r2d2::Pool<SqliteConnectionManager>,
    inline: InlineReaders,
    versions: Versions,
}

impl Readers {
    pub(super) fn open(path: &Path) -> Result<Readers> {
        let manager = SqliteConnectionManager::file(path)
            .with_flags(OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_init(|conn| {
                conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
                plan_once(conn)?;
                conn.busy_timeout(BUSY_TIMEOUT)
            });
        // Every pooled reader stays open for the life of the store, with
        // its statement cache: none is reaped for idleness or age.
        let pool = r2d2::Pool::builder()
            .max_size(READERS)
            .min_idle(Some(READERS))
            .idle_timeout(None)
            .max_lifetime(None)
            .connection_timeout(BUSY_TIMEOUT)
            .build(manager)?;
        Ok(Readers {
            pool,
            inline: InlineReaders::new(path),
            versions: Versions::default(),
        })
    }

    /// Run `f` in one read transaction, so that its queries (a page and
    /// its total) see one snapshot: on an inline reader inside [`inline`],
    /// else on a pooled one.
    pub(super) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        if is_inline() {
            self.inline.with(|reader| in_transaction(&reader.conn, f))
        } else {
            in_transaction(&*self.pool.get()?, f)
        }
    }

    /// [`read`](Self::read), with the data version the read is at (see
    /// `versions.rs`) when it has one: inline reads only.
    pub(super) fn read_versioned<T>(
        &self,
        f: impl FnOnce(&Connection, Option<DataVersion>) -> Result<T>,
    ) -> Result<T> {
        if !is_inline() {
            return in_transaction(&*self.pool.get()?, |conn| f(conn, None));
        }
        let before = self.versions.before_snapshot();
        self.inline.with(|Reader { conn, seen }| {
            in_transaction(conn, |conn| {
                let version = self.versions.confirm(conn, seen, before)?;
                f(conn, version)
            })
        })
    }
}

fn in_transaction<T>(conn: &Connection, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    conn.prepare_cached("BEGIN DEFERRED")?.execute([])?;
    let result = f(conn);
    let ended = conn
        .prepare_cached("ROLLBACK")
        .and_then(|mut end| end.execute([]));
    if let Err(error) = ended {
        if !conn.is_autocommit() {
            tracing::warn!(%error, "sqlite: ending a read transaction failed");
            // A reader left inside a transaction must not serve again.
            let _ = conn.execute_batch("ROLLBACK");
        }
    }
    result
}

/// Connections kept for reuse; more are opened when needed, then closed.
const KEEP: usize = 16;

thread_local! {
    /// Set while this thread runs a closure under [`inline`].
    static INLINE: Cell<bool> = const { Cell::new(false) };
}

/// Run `f` with this thread's reads of a SQLite store served by its inline
/// readers instead of the blocking pool. Writes must not be made inside.
pub fn inline<T>(f: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            INLINE.with(|flag| flag.set(self.0));
        }
    }
    let _reset = Reset(INLINE.with(|flag| flag.replace(true)));
    f()
}

/// Is this thread inside [`inline`]?
pub(super) fn is_inline() -> bool {
    INLINE.with(Cell::get)
}

/// Read-only connections for inline reads: taken, used, given back.
struct InlineReaders {
    path: std::path::PathBuf,
    idle: Mutex<Vec<Reader>>,
}

/// An inline reader's connection and the data version of its last
/// versioned read (`versions.rs`).
struct Reader {
    conn: Connection,
    seen: Option<i64>,
}

impl InlineReaders {
    fn new(path: &Path) -> InlineReaders {
        InlineReaders {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Run `f` on an idle connection, or on a new one when none is idle.
    fn with<T>(&self, f: impl FnOnce(&mut Reader) -> Result<T>) -> Result<T> {
        let mut reader = match self.lock().pop() {
            Some(reader) => reader,
            None => Reader {
                conn: open(&self.path)?,
                seen: None,
            },
        };
        let result = f(&mut reader);
        // A connection left inside a transaction is closed, never reused.
        if reader.conn.is_autocommit() {
            let mut idle = self.lock();
            if idle.len() < KEEP {
                idle.push(reader);
            }
        }
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Reader>> {
        // A list of idle connections stays valid if a holder panicked.
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn open(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    plan_once(&conn)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

/// Turn on SQLite's query planner stability guarantee (QPSG): a statement
/// keeps the plan it was prepared with whatever values are bound to it, so
/// a cached statement is never re-prepared because a binding changed (with
/// `sqlite_stat4` samples present, every binding of an indexed column's
/// parameter would otherwise re-prepare it). Roster's statements look rows
/// up by primary and unique keys, whose plan no value changes.
pub(super) fn plan_once(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::StatementStatus;

    /// With `sqlite_stat4` samples (what `ANALYZE` stores), a cached
    /// statement whose parameter the planner probed is re-prepared on each
    /// new binding, unless the connection plans once.
    fn reprepares(conn: &Connection) -> i32 {
        conn.execute_batch(
            "CREATE TABLE m (c INTEGER, u INTEGER, s TEXT, PRIMARY KEY (c, u));
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
             INSERT INTO m SELECT i % 7, i, 'member' FROM n;
             ANALYZE;",
        )
        .unwrap();
        let samples: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_stat4", [], |row| row.get(0))
            .unwrap();
        assert!(samples > 0, "ANALYZE stored no samples");
        let sql = "SELECT u, s FROM m WHERE c = ?1 AND u > ?2 ORDER BY u LIMIT 50";
        for round in 0..20i64 {
            let mut stmt = conn.prepare_cached(sql).unwrap();
            let rows = stmt
                .query_map([round % 7, round], |row| row.get::<_, i64>(0))
                .unwrap()
                .count();
            assert!(rows > 0);
        }
        let stmt = conn.prepare_cached(sql).unwrap();
        stmt.get_status(StatementStatus::RePrepare)
    }

    #[test]
    fn cached_statements_are_not_reprepared_after_analyze() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.db");
        let unplanned = Connection::open(&path).unwrap();
        // What a connection without the guarantee does (so this test can fail).
        assert!(reprepares(&unplanned) > 0);
        drop(unplanned);

        let other = dir.path().join("planned.db");
        let planned = Connection::open(&other).unwrap();
        plan_once(&planned).unwrap();
        assert_eq!(reprepares(&planned), 0);
    }
}
