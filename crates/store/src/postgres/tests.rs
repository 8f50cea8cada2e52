//! Unit tests of the PostgreSQL store's URL handling (no server needed).

use super::connect::describe_target;
use super::*;

#[test]
fn targets_never_show_the_password() {
    let config: Config = "postgres://alice:secret@db.example:6543/roster"
        .parse()
        .unwrap();
    assert_eq!(describe_target(&config), "alice@db.example:6543/roster");
    let config: Config = "postgresql://bob@localhost".parse().unwrap();
    assert_eq!(describe_target(&config), "bob@localhost:5432/bob");
}

#[test]
fn bad_urls_are_refused_without_echoing_them() {
    match PgStore::open_url("postgres://u:secret@host:notaport/db") {
        Err(Error::Backend(message)) => {
            assert!(message.contains("invalid database URL"), "{message}");
            assert!(!message.contains("secret"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}
