//! Unit tests of the SQLite store's set-up (durability settings, URLs).

use super::*;

#[test]
fn the_writer_is_durable_and_enforces_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("p.db")).unwrap();
    let (pragmas, mode) = store
        .write(|writer| {
            let pragma = |name: &str| -> Result<i64> {
                Ok(writer.query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))?)
            };
            let pragmas = [
                pragma("synchronous")?,
                pragma("foreign_keys")?,
                pragma("busy_timeout")?,
            ];
            let mode: String = writer.query_row("PRAGMA journal_mode", [], |row| row.get(0))?;
            Ok((pragmas, mode))
        })
        .unwrap();
    assert_eq!(
        pragmas,
        [2, 1, 5000],
        "synchronous FULL, foreign keys, busy timeout"
    );
    assert_eq!(mode, "wal");
    let write = |conn: &Connection| Ok(conn.execute_batch("CREATE TABLE nope (x)").is_err());
    assert!(store.read(write).unwrap(), "pooled readers are read-only");
    let inline = super::inline(|| store.read(write)).unwrap();
    assert!(inline, "inline readers are read-only");
}
