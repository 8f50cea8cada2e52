//! PostgreSQL's async driver (issue 13): a statement is prepared once per
//! connection, and neither the hot paths nor any other call needs a
//! blocking thread.

use roster_engine::{Action, Command, JoinPolicy, Level, Sight, Standing};
use roster_store::postgres::{PgOptions, PgStore};
use roster_store::{
    CommunityKey, EventQuery, IdempotencyBegin, NewToken, NewUser, NewWebhook, Profile,
    RequestFingerprint, Ruling, Store, StoredResponse, UserKey, UserPatch,
};

use std::time::Duration;

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
    // Two connections, both in the one pool.
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

#[test]
fn every_other_call_runs_without_any_tokio_runtime_of_the_callers() {
    let Some(env) = Env::postgres() else { return };
    let admin = env.admin("root");
    let c = env.community(&admin, "one", JoinPolicy::Open);
    let store = PgStore::open_url(&url(&env)).expect("open");
    // As above: `AsyncStore` is PostgreSQL's own (not the blocking adapter,
    // whose `spawn_blocking` would panic on this runtime-less thread), and
    // each kind of call (a retried write, a snapshot read, one statement,
    // a write whose event is numbered) answers here.
    let calls = store.async_store().expect("PostgreSQL's own AsyncStore");
    let root = roster_engine::Actor {
        user: admin.id,
        admin: true,
    };
    let new = NewUser {
        username: "zoe".into(),
        password_hash: "x".into(),
        email: Some("zoe@example.com".into()),
        admin: false,
        profile: Profile::default(),
    };
    let zoe = pollster::block_on(calls.create_user(new)).expect("create user");
    let patch = UserPatch {
        nickname: Some("Z".into()),
        ..UserPatch::default()
    };
    let patched = pollster::block_on(calls.update_user(zoe.id, patch)).expect("patch");
    assert_eq!(patched.profile.nickname, "Z");
    let found = pollster::block_on(calls.find_user(UserKey::Username("ZOE".into())))
        .expect("find")
        .expect("found");
    assert_eq!(found.id, zoe.id);
    let token = NewToken {
        user: zoe.id,
        hash: [7; 32],
        scopes: roster_store::Scopes {
            read: true,
            write: false,
            admin: false,
        },
        label: "t".into(),
        expires_at: None,
    };
    let token = pollster::block_on(calls.create_token(token)).expect("token");
    assert!(pollster::block_on(calls.revoke_token(zoe.id, token.id)).expect("revoke"));

    let fingerprint = RequestFingerprint {
        method: "POST".into(),
        path: "/v1/x".into(),
        body_sha256: [1; 32],
    };
    let begun = pollster::block_on(calls.begin_idempotent(zoe.id, "k".into(), fingerprint));
    assert!(matches!(begun, Ok(IdempotencyBegin::Started)), "{begun:?}");
    let response = StoredResponse {
        status: 201,
        headers: Vec::new(),
        body: b"{}".to_vec(),
    };
    pollster::block_on(calls.finish_idempotent(zoe.id, "k".into(), response)).expect("finish");

    let changes = vec![(Action::Create, Level::Admin)];
    let update = pollster::block_on(calls.set_policy(root, changes)).expect("policy");
    assert!(update.event.as_ref().is_some_and(|e| e.seq > 0), "numbered");
    let stored = pollster::block_on(calls.policy()).expect("stored policy");
    assert_eq!(stored.policy.level(Action::Create), Level::Admin);

    let hook = NewWebhook {
        id: uuid::Uuid::new_v4(),
        url: "https://example.com/hook".into(),
        community: Some(c),
        kinds: Vec::new(),
        secret: "s".into(),
        created_by: Some(admin.id),
        after: None,
    };
    let hook = pollster::block_on(calls.create_webhook(hook)).expect("webhook");
    assert!(
        pollster::block_on(calls.lease_webhook(hook.id, "n1".into(), Duration::from_secs(5)))
            .expect("lease")
    );

    let query = EventQuery {
        community: Some(c),
        after: 0,
        limit: 10,
    };
    assert!(!pollster::block_on(calls.events(query))
        .expect("events")
        .is_empty());
    let deleted = pollster::block_on(calls.delete_user(root, zoe.id, false));
    assert_eq!(deleted.expect("delete"), 1, "zoe left the site community");
    assert!(pollster::block_on(calls.find_user(UserKey::Id(zoe.id)))
        .expect("find")
        .is_none());
    env.assert_invariants();
}
