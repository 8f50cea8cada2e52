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

/// `url` with one more query parameter.
fn with_param(url: &str, param: &str) -> String {
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}{param}")
}

/// Do the store's connections to this database use TLS?
/// (sessions, encrypted sessions) of the store opened as `application`.
fn store_sessions_encrypted(env: &Env, application: &str) -> (i64, i64) {
    let all = env.scalar(&format!(
        "SELECT count(*) FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = '{application}'"
    ));
    let encrypted = env.scalar(&format!(
        "SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
         WHERE a.datname = current_database() AND a.application_name = '{application}'
           AND s.ssl"
    ));
    (all, encrypted)
}

fn refused(url: &str, what: &str) -> String {
    match PgStore::open_url(url) {
        Err(Error::Backend(message)) => {
            assert!(message.contains("cannot connect"), "{what}: {message}");
            message
        }
        Err(other) => panic!("{what}: expected a backend error, got {other:?}"),
        Ok(_) => panic!("{what}: opened"),
    }
}

#[test]
fn sslmode_is_honoured() {
    // The local cluster is shared and is not restarted for a test: what is
    // shown depends on whether it has `ssl = on` (Debian's default, with
    // its self-signed "snakeoil" certificate) or not.
    let Some(env) = Env::postgres() else { return };
    let url = url(&env);
    let ssl_on = env.texts("SHOW ssl") == ["on"];
    let plain = with_param(&url, "sslmode=disable&application_name=plain");
    let plain = PgStore::open_url(&plain).expect("disable");
    plain.ping().expect("disable");
    let (all, encrypted) = store_sessions_encrypted(&env, "plain");
    assert!(all >= 1 && encrypted == 0, "sslmode=disable: no TLS");
    drop(plain);
    let preferred = PgStore::open_url(&with_param(&url, "sslmode=prefer")).expect("prefer");
    preferred.ping().expect("prefer");
    drop(preferred);
    if !ssl_on {
        for mode in [
            "sslmode=require",
            "sslmode=verify-full",
            "sslmode=verify-ca",
        ] {
            let message = refused(&with_param(&url, mode), mode);
            assert!(message.contains("TLS"), "{mode}: {message}");
        }
        return;
    }
    // require: encrypted, the certificate not checked (as libpq).
    let required = with_param(&url, "sslmode=require&application_name=required");
    let required = PgStore::open_url(&required).expect("require");
    required.ping().expect("require");
    let (all, encrypted) = store_sessions_encrypted(&env, "required");
    assert!(
        all >= 1 && encrypted == all,
        "every session encrypted: {encrypted} of {all}"
    );
    drop(required);
    // verify-full against the built-in roots: a self-signed certificate
    // is refused, with the reason.
    let message = refused(&with_param(&url, "sslmode=verify-full"), "verify-full");
    eprintln!("verify-full against the built-in roots: {message}");
    assert!(message.to_lowercase().contains("certificate"), "{message}");
    // With the server's own certificate as the root (when this process
    // may read it), verify-ca accepts it.
    let cert = env.texts("SHOW ssl_cert_file").concat();
    if std::fs::read(&cert).is_ok() {
        let pinned = with_param(&url, &format!("sslmode=verify-ca&sslrootcert={cert}"));
        match PgStore::open_url(&pinned) {
            Ok(store) => store.ping().expect("verify-ca"),
            // A certificate webpki will not take as its own root (a
            // version 1 or CA:TRUE one) is refused with the reason.
            Err(Error::Backend(message)) => {
                eprintln!("verify-ca with the server's certificate: {message}");
                assert!(message.to_lowercase().contains("certificate"), "{message}")
            }
            Err(other) => panic!("verify-ca: {other:?}"),
        }
    }
    let missing = with_param(&url, "sslmode=verify-full&sslrootcert=/nonexistent.pem");
    match PgStore::open_url(&missing) {
        Err(Error::Backend(message)) => assert!(message.contains("sslrootcert"), "{message}"),
        other => panic!("a missing root file: {other:?}"),
    }
}
