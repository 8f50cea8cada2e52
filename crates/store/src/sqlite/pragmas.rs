//! The write connection's settings: WAL, `synchronous=FULL` (durability
//! against power loss), foreign keys, the busy timeout and statement cache.

use rusqlite::Connection;

use super::{BUSY_TIMEOUT, STATEMENT_CACHE};
use crate::{Error, Result};

/// The writer's settings.
pub(super) fn configure_writer(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Plan each cached statement once, whatever is bound (see `readers`).
    super::readers::plan_once(conn)?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Backend(format!(
            "sqlite: cannot enable WAL journal mode (got '{mode}')"
        )));
    }
    // FULL, not NORMAL: an acknowledged write must survive kill -9 AND power
    // loss. In WAL mode NORMAL skips the fsync of the WAL at each commit, so a
    // committed transaction survives a process crash but may be rolled back
    // by a power failure or OS crash; FULL syncs the WAL on every commit.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Enforced per connection: membership rows cascade with their community.
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}
