//! PostgreSQL's pool settings (issue 13): the size and statement timeout a
//! node is opened with, and its health checks.

use roster_engine::{Command, JoinPolicy};
use roster_store::postgres::{PgOptions, PgStore};
use roster_store::{CommunityKey, Error, Store};

use crate::env::*;

fn url(env: &Env) -> String {
    match &env.backend {
        Backend::Postgres { db } => db.url().to_owned(),
        Backend::Sqlite { .. } => unreachable!("a PostgreSQL test"),
    }
}

#[test]
fn the_pool_has_the_size_it_was_given_and_counts_its_checkouts() {
    let Some(env) = Env::postgres() else { return };
    let options = PgOptions {
        pool_size: 3,
        ..PgOptions::default()
    };
    let store = PgStore::open_url_with(&url(&env), &options).expect("open");
    store.ping().expect("ping");
    let stats = store.pool_stats().expect("a pool");
    assert_eq!(stats.max_size, 3);
    assert!(stats.open >= 1 && stats.open <= 3, "{stats:?}");
    assert_eq!(stats.in_use, 0, "nothing checked out between calls");
    assert!(stats.checkouts >= 1);
    let counted: u64 = stats.wait_buckets.iter().map(|b| b.1).sum();
    assert_eq!(counted, stats.checkouts, "every checkout in one bucket");
}

#[test]
fn a_statement_stuck_behind_a_lock_is_cancelled_by_the_statement_timeout() {
    let Some(env) = Env::postgres() else { return };
    let owner = env.user("owner");
    let alice = env.user("alice");
    let c = env.community(&owner, "one", JoinPolicy::Open);
    let options = PgOptions {
        statement_timeout: std::time::Duration::from_millis(200),
        ..PgOptions::default()
    };
    let store = PgStore::open_url_with(&url(&env), &options).expect("open");
    let events = env.events();
    // Another session holds the community's row: the command's first
    // statement waits for it until the server cancels it.
    let mut holder = postgres::Client::connect(&url(&env), postgres::NoTls).expect("holder");
    let mut tx = holder.transaction().expect("tx");
    tx.execute(
        "SELECT 1 FROM communities WHERE id = $1 FOR UPDATE",
        &[&c.0],
    )
    .expect("lock");
    match store.execute(act(&alice), &CommunityKey::Id(c), Command::Join) {
        Err(Error::Backend(message)) => {
            assert!(
                message.contains("57014"),
                "a cancelled statement: {message}"
            )
        }
        other => panic!("expected the statement timeout, got {other:?}"),
    }
    tx.rollback().expect("release");
    assert_eq!(env.events(), events, "nothing written");
    // Once the lock is free the same store serves the command.
    let outcome = store
        .execute(act(&alice), &CommunityKey::Id(c), Command::Join)
        .expect("command");
    assert!(outcome.changed());
}

#[test]
fn connections_the_server_closed_are_replaced_not_reported() {
    let Some(env) = Env::postgres() else { return };
    let owner = env.user("owner");
    let alice = env.user("alice");
    let c = env.community(&owner, "one", JoinPolicy::Open);
    // Close every connection the store holds, as a server restart or an
    // idle-connection reaper would.
    let killed = env.scalar(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'roster'",
    );
    assert!(killed >= 1, "the store had a connection open");
    let outcome = env
        .store
        .execute(act(&alice), &CommunityKey::Id(c), Command::Join)
        .expect("served on a fresh connection");
    assert!(outcome.changed());
    assert_eq!(
        env.standing(c, &alice),
        roster_engine::Standing::Member(roster_engine::Role::Member)
    );
}
