//! PostgreSQL's async driver (issue 13): a statement is prepared once per
//! connection, and the hot paths need no blocking thread.

use roster_engine::{Command, JoinPolicy, Sight, Standing};
use roster_store::postgres::{PgOptions, PgStore};
use roster_store::{CommunityKey, Ruling, Store};

use crate::env::*;

fn url(env: &Env) -> String {
    match &env.backend {
        Backend::Postgres { db } => db.url().to_owned(),
        Backend::Sqlite { .. } => unreachable!("a PostgreSQL test"),
    }
}

#[test]
fn a_command_prepares_its_statements_once_per_connection() {
    let Some(env) = Env::postgres() else { return };
    let owner = env.user("owner");
    let alice = env.user("alice");
    let c = env.community(&owner, "one", JoinPolicy::Open);
    // Two connections: one for the async pool (every command), one for
    // the synchronous pool.
    let options = PgOptions {
        pool_size: 2,
        ..PgOptions::default()
    };
    let store = PgStore::open_url_with(&url(&env), &options).expect("open");
    let runs = 10;
    for n in 0..runs {
        let command = if n % 2 == 0 {
            Command::Join
        } else {
            Command::Leave
        };
        let outcome = store
            .execute(act(&alice), &CommunityKey::Id(c), command)
            .expect("command");
        assert!(outcome.changed());
    }
    let prepared = store.prepared_statements().expect("prepared statements");
    let lock: Vec<_> = prepared
        .iter()
        .filter(|(sql, _)| sql.contains("FOR UPDATE OF c"))
        .collect();
    assert_eq!(
        lock.len(),
        1,
        "the community lock prepared once: {prepared:?}"
    );
    assert!(
        lock[0].1 >= runs,
        "and run by every command on that one preparation: {prepared:?}"
    );
    let mut texts: Vec<&String> = prepared.iter().map(|(sql, _)| sql).collect();
    let all = texts.len();
    texts.sort();
    texts.dedup();
    assert_eq!(
        texts.len(),
        all,
        "no statement prepared twice: {prepared:?}"
    );
}

#[test]
fn the_hot_paths_run_without_any_tokio_runtime_of_the_callers() {
    let Some(env) = Env::postgres() else { return };
    let owner = env.user("owner");
    let alice = env.user("alice");
    let c = env.community(&owner, "one", JoinPolicy::Open);
    let store = PgStore::open_url(&url(&env)).expect("open");
    // Polled by a plain executor on a thread with no tokio runtime: a
    // `spawn_blocking` (or any `tokio::spawn`) on the caller's runtime
    // would panic here, and a blocking wait would need one.
    let writes = store.async_writes().expect("async writes");
    let reads = store.async_reads().expect("async reads");
    let key = CommunityKey::Id(c);
    let ruling = pollster::block_on(writes.execute_in_sight(
        Sight::Any,
        act(&alice),
        key.clone(),
        Command::Join,
    ))
    .expect("command");
    let Ruling::Accepted(outcome) = ruling else {
        panic!("refused: {ruling:?}")
    };
    assert!(
        outcome.event.as_ref().is_some_and(|e| e.seq > 0),
        "numbered"
    );
    pollster::block_on(reads.ping()).expect("ping");
    let (_, standing) =
        pollster::block_on(reads.community_in_sight(Sight::Any, key, act(&alice))).expect("read");
    assert_eq!(standing, Standing::Member(roster_engine::Role::Member));
    assert_eq!(env.standing(c, &alice), standing, "committed");
}
