//! What only the SQLite backend has: a database file, created with its
//! directories, in WAL mode, named by several URL forms.

use std::path::Path;

use roster_store::sqlite::SqliteStore;
use roster_store::{Error, Store};
use rusqlite::{Connection, OpenFlags};

fn raw(path: &Path) -> Connection {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("raw");
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .expect("busy timeout");
    conn
}

fn scalar(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0)).expect(sql)
}

#[test]
fn open_creates_the_file_sets_wal_and_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/roster.db");
    assert!(!path.exists());
    let store = SqliteStore::open(&path).unwrap();
    assert!(path.exists());
    store.ping().unwrap();
    let conn = raw(&path);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let migrations: Vec<(i64, String)> = conn
        .prepare("SELECT version, name FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        migrations,
        vec![
            (1, "init".to_owned()),
            (2, "idempotency".to_owned()),
            (3, "webhooks".to_owned()),     // issue 16
            (4, "policy".to_owned()),       // issue 14
            (5, "console".to_owned()),      // issue 17
            (6, "event_stamps".to_owned()), // issue 13
        ]
    );
    drop(store);

    // Reopening applies nothing again; every URL form opens the same file.
    let url_forms = [
        format!("sqlite://{}", path.display()),
        format!("sqlite:{}", path.display()),
        path.display().to_string(),
    ];
    for url in &url_forms {
        let store = SqliteStore::open_url(url).unwrap();
        assert_eq!(store.path(), path.as_path(), "{url}");
        store.ping().unwrap();
    }
    assert_eq!(
        scalar(&raw(&path), "SELECT count(*) FROM schema_migrations"),
        6 // 1, 2, 3 webhooks, 4 policy, 5 console, 6 event stamps
    );

    assert!(matches!(
        SqliteStore::open_url("sqlite://"),
        Err(Error::Backend(_))
    ));
    assert!(matches!(
        SqliteStore::open(Path::new(":memory:")),
        Err(Error::Backend(_))
    ));
}
