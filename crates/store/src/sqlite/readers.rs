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

use std::cell::Cell;
use std::path::Path;
use std::sync::Mutex;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags};

use super::{BUSY_TIMEOUT, STATEMENT_CACHE};
use crate::Result;

/// Read-only connections in the blocking pool.
const READERS: u32 = 4;

/// Where a store's reads run.
pub(super) struct Readers {
    pool: r2d2::Pool<SqliteConnectionManager>,
    inline: InlineReaders,
}

impl Readers {
    pub(super) fn open(path: &Path) -> Result<Readers> {
        let manager = SqliteConnectionManager::file(path)
            .with_flags(OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_init(|conn| {
                conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
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
        })
    }

    /// Run `f` in one read transaction, so that its queries (a page and
    /// its total) see one snapshot: on an inline reader inside [`inline`],
    /// else on a pooled one.
    pub(super) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        if is_inline() {
            self.inline.with(|conn| in_transaction(conn, f))
        } else {
            in_transaction(&*self.pool.get()?, f)
        }
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
    idle: Mutex<Vec<Connection>>,
}

impl InlineReaders {
    fn new(path: &Path) -> InlineReaders {
        InlineReaders {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Run `f` on an idle connection, or on a new one when none is idle.
    fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = match self.lock().pop() {
            Some(conn) => conn,
            None => open(&self.path)?,
        };
        let result = f(&conn);
        // A connection left inside a transaction is closed, never reused.
        if conn.is_autocommit() {
            let mut idle = self.lock();
            if idle.len() < KEEP {
                idle.push(conn);
            }
        }
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
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
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}
