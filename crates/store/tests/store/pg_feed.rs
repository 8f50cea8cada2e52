//! PostgreSQL's feed without a lock shared by every write (issue 13):
//! commands on different communities commit while each other's
//! transactions are open, and the feed numbers events in commit order.
//!
//! The evidence is ordering and blocking, never time: a trigger installed
//! in the scratch database parks command A inside its transaction, after
//! it has locked community 1 and appended its event, on an advisory lock
//! the test holds from a session of its own. Command B on community 2 must
//! then commit (and be numbered) while A is parked; were a lock shared by
//! all writes (as before issue 13), B would queue behind A, which the test
//! sees in `pg_locks` as a second waiter and reports as a failure.

use std::sync::Arc;

use roster_engine::{Command, JoinPolicy};
use roster_store::{CommunityKey, EventQuery, Store};

use crate::env::*;

/// The key the test's own session holds to park A.
const GATE: i64 = 0x6761_7465; // "gate"

fn url(env: &Env) -> String {
    match &env.backend {
        Backend::Postgres { db } => db.url().to_owned(),
        Backend::Sqlite { .. } => unreachable!("a PostgreSQL test"),
    }
}

/// How many sessions of this database wait for a lock they have not been
/// granted, and how many of them wait for the gate (other tests share the
/// server: their sessions are in other databases).
fn waiters(raw: &mut postgres::Client) -> (i64, i64) {
    let row = raw
        .query_one(
            "SELECT count(*),
                    count(*) FILTER (WHERE l.locktype = 'advisory'
                                     AND ((l.classid::bigint << 32) | l.objid::bigint) = $1)
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE NOT l.granted AND a.datname = current_database()",
            &[&GATE],
        )
        .expect("pg_locks");
    (row.get(0), row.get(1))
}

#[test]
fn commands_on_two_communities_commit_while_the_other_is_open() {
    let Some(env) = Env::postgres() else { return };
    let second = env.open_again().expect("second node");
    let owner = env.user("owner");
    let (alice, bob) = (env.user("alice"), env.user("bob"));
    let c1 = env.community(&owner, "one", JoinPolicy::Open);
    let c2 = env.community(&owner, "two", JoinPolicy::Open);
    let url = url(&env);

    // Park any transaction appending an event about community 1.
    let mut gate = postgres::Client::connect(&url, postgres::NoTls).expect("gate session");
    gate.batch_execute(&format!(
        "CREATE FUNCTION test_gate() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             IF NEW.community_id = '{c1}' THEN PERFORM pg_advisory_xact_lock_shared({GATE}); END IF;
             RETURN NEW;
         END $$;
         CREATE TRIGGER test_gate AFTER INSERT ON events
             FOR EACH ROW EXECUTE FUNCTION test_gate();",
        c1 = c1.0
    ))
    .expect("trigger");
    gate.execute("SELECT pg_advisory_lock($1)", &[&GATE])
        .expect("hold the gate");

    let first: Arc<dyn Store> = env.store.clone();
    let a = {
        let alice = alice.clone();
        std::thread::spawn(move || {
            first
                .execute(act(&alice), &CommunityKey::Id(c1), Command::Join)
                .expect("command A")
        })
    };
    let mut watch = postgres::Client::connect(&url, postgres::NoTls).expect("watcher");
    // A is parked once it waits for the gate: its row lock and its event
    // are taken, its transaction open.
    while waiters(&mut watch).1 == 0 {
        assert!(!a.is_finished(), "A finished through a closed gate");
        std::thread::yield_now();
    }
    let mut probe = postgres::Client::connect(&url, postgres::NoTls).expect("probe");
    let c1_locked = |probe: &mut postgres::Client| {
        let mut tx = probe.transaction().expect("probe tx");
        let locked = tx
            .query_opt(
                "SELECT 1 FROM communities WHERE id = $1 FOR UPDATE NOWAIT",
                &[&c1.0],
            )
            .is_err();
        drop(tx);
        locked
    };
    assert!(c1_locked(&mut probe), "A holds community 1's row lock");

    // B, on the other node and the other community, while A is open.
    let b = {
        let bob = bob.clone();
        std::thread::spawn(move || {
            second
                .execute(act(&bob), &CommunityKey::Id(c2), Command::Join)
                .expect("command B")
        })
    };
    while !b.is_finished() {
        let (all, at_gate) = waiters(&mut watch);
        assert!(
            all <= at_gate,
            "B waits for a lock while A is open: writes are serialized"
        );
        std::thread::yield_now();
    }
    let b_outcome = b.join().expect("B");
    assert!(b_outcome.changed());
    assert!(!a.is_finished(), "A is still open when B has committed");
    assert!(c1_locked(&mut probe), "A still holds its row lock");
    let b_seq = b_outcome.event.as_ref().expect("B's event").seq;
    assert!(b_seq > 0, "B's event is numbered while A is open: {b_seq}");
    let feed = env
        .store
        .events(&EventQuery {
            community: None,
            after: 0,
            limit: 100,
        })
        .expect("feed");
    assert_eq!(
        feed.last().map(|e| e.seq),
        Some(b_seq),
        "B's event is the newest in the feed"
    );
    assert!(
        feed.iter()
            .all(|e| e.community != c1 || e.actor != alice.id),
        "A's event, not committed, is not in the feed"
    );

    // Open the gate: A commits, and is numbered after B (commit order).
    gate.execute("SELECT pg_advisory_unlock($1)", &[&GATE])
        .expect("open the gate");
    let a_outcome = a.join().expect("A");
    let a_seq = a_outcome.event.as_ref().expect("A's event").seq;
    assert!(
        a_seq > b_seq,
        "A, committed last, is numbered last: {a_seq} > {b_seq}"
    );
    let all = env.ints("SELECT seq FROM events ORDER BY seq");
    assert_eq!(all.last(), Some(&a_seq));
    assert_eq!(
        env.scalar("SELECT count(*) FROM events WHERE seq IS NULL"),
        0
    );
    env.assert_invariants();
}

#[test]
fn an_event_left_unnumbered_is_numbered_by_the_next_write() {
    // A node that dies between its commit and its stamp: simulated by
    // inserting an unnumbered event by hand.
    let Some(env) = Env::postgres() else { return };
    let owner = env.user("owner");
    let alice = env.user("alice");
    let c = env.community(&owner, "one", JoinPolicy::Open);
    let before = env.scalar("SELECT max(seq) FROM events");
    env.exec(&format!(
        "INSERT INTO events (at, community_id, actor_id, kind)
         VALUES (now(), '{}', '{}', 'joined')",
        c.0, alice.id.0
    ));
    let page = |after| {
        env.store
            .events(&EventQuery {
                community: None,
                after,
                limit: 100,
            })
            .expect("feed")
    };
    assert!(
        page(before).is_empty(),
        "an unnumbered event is not in the feed"
    );
    let outcome = env.changed(&alice, c, Command::Join);
    let seq = outcome.event.expect("event").seq;
    let seen: Vec<i64> = page(before).iter().map(|e| e.seq).collect();
    assert_eq!(
        seen,
        vec![before + 1, seq],
        "the orphan first, then the write's own"
    );
    assert_eq!(seq, before + 2);
}

/// The stamp lock's key (`postgres/feed.rs`: `STAMP_LOCK`).
const STAMP_LOCK: i64 = 0x726f_7374_6572_0004;

/// Sessions of this database waiting for the stamp lock.
fn stamp_waiters(raw: &mut postgres::Client) -> i64 {
    raw.query_one(
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE NOT l.granted AND a.datname = current_database() AND l.locktype = 'advisory'
           AND ((l.classid::bigint << 32) | l.objid::bigint) = $1",
        &[&STAMP_LOCK],
    )
    .expect("pg_locks")
    .get(0)
}

#[test]
fn a_nodes_writers_wait_for_one_stamp_not_each_for_the_lock() {
    // The test holds the stamp lock, so no stamp can finish: every writer
    // commits, then waits for its number. With one stamp in flight per
    // node, one session waits for the lock however many writers there are
    // (each writer stamping for itself would make as many waiters).
    let Some(env) = Env::postgres() else { return };
    let owner = env.user("owner");
    const WRITERS: usize = 8;
    let people: Vec<_> = (0..WRITERS)
        .map(|i| env.user(&format!("writer{i}")))
        .collect();
    let places: Vec<_> = (0..WRITERS)
        .map(|i| env.community(&owner, &format!("place{i}"), JoinPolicy::Open))
        .collect();
    let url = url(&env);
    let mut holder = postgres::Client::connect(&url, postgres::NoTls).expect("holder");
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&STAMP_LOCK])
        .expect("hold the stamp lock");
    let writers: Vec<_> = people
        .iter()
        .zip(&places)
        .map(|(person, place)| {
            let (store, person, place): (Arc<dyn Store>, _, _) =
                (env.store.clone(), person.clone(), *place);
            std::thread::spawn(move || {
                store
                    .execute(act(&person), &CommunityKey::Id(place), Command::Join)
                    .expect("join")
            })
        })
        .collect();
    let mut watch = postgres::Client::connect(&url, postgres::NoTls).expect("watcher");
    let committed = |watch: &mut postgres::Client| -> i64 {
        watch
            .query_one(
                "SELECT count(*) FROM events WHERE kind = 'joined' AND seq IS NULL",
                &[],
            )
            .expect("count")
            .get(0)
    };
    loop {
        let waiting = stamp_waiters(&mut watch);
        assert!(waiting <= 1, "{waiting} sessions wait for the stamp lock");
        if committed(&mut watch) == WRITERS as i64 && waiting == 1 {
            break;
        }
        std::thread::yield_now();
    }
    assert!(
        writers.iter().all(|w| !w.is_finished()),
        "no writer answers before its event is numbered"
    );
    holder
        .execute("SELECT pg_advisory_unlock($1)", &[&STAMP_LOCK])
        .expect("let the stamp go");
    let mut seqs: Vec<i64> = writers
        .into_iter()
        .map(|w| w.join().expect("writer").event.expect("event").seq)
        .collect();
    assert!(
        seqs.iter().all(|&seq| seq > 0),
        "every event numbered: {seqs:?}"
    );
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), WRITERS, "each its own number");
    assert_eq!(
        env.scalar("SELECT count(*) FROM events WHERE seq IS NULL"),
        0
    );
    env.assert_invariants();
}
