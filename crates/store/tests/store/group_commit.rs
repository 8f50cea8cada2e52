//! SQLite's group commit, through the `Store` trait: writes queued while
//! the writer is busy share one transaction, each in its own savepoint, so
//! a refusal or an error in the middle of a batch rolls back only itself
//! and reaches only its own caller; many concurrent writers still give one
//! event per change; a full queue makes callers wait, never drops them.
//!
//! To make a batch deterministic, a test holds SQLite's write lock on a
//! connection of its own: the writer takes the first job and waits for the
//! lock (up to its 5 s busy timeout), so the jobs sent meanwhile queue up
//! and form the next batch once the test lets go.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use roster_engine::{Command, CommunityId, DomainError, JoinPolicy, Sight, Standing};
use roster_store::sqlite::{SqliteStore, WriterConfig};
use roster_store::{CommunityKey, Error, Outcome, Result, Store, WriteStats};
use rusqlite::Connection;
use tempfile::TempDir;

use crate::env::{act, assert_invariants, new_community, new_user, sqlite_raw, Lcg};

/// A store with the given queue, beside a raw connection to its file.
struct Setup {
    _dir: TempDir,
    path: PathBuf,
    store: Arc<SqliteStore>,
}

fn setup(config: WriterConfig) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("group.db");
    let store = Arc::new(SqliteStore::open_with(&path, config).unwrap());
    Setup {
        _dir: dir,
        path,
        store,
    }
}

fn stats(store: &SqliteStore) -> WriteStats {
    store.write_stats().expect("SQLite reports its writer")
}

/// Wait (bounded) until `done` holds; the outcome is asserted by the caller.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..2000 {
        if done() {
            return;
        }
        thread::sleep(Duration::from_millis(1));
    }
    panic!("gave up waiting for {what}");
}

/// SQLite's write lock, held on a connection of the test's own.
fn hold_write_lock(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    conn
}

fn count(path: &Path, sql: &str) -> i64 {
    let conn = Connection::open(path).unwrap();
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

fn execute(
    store: &Arc<SqliteStore>,
    user: &roster_store::User,
    community: CommunityId,
    command: Command,
) -> thread::JoinHandle<Result<Outcome>> {
    let store = Arc::clone(store);
    let actor = act(user);
    thread::spawn(move || store.execute(actor, &CommunityKey::Id(community), command))
}

#[test]
fn a_refusal_in_a_batch_rolls_back_only_itself_and_reaches_only_its_caller() {
    let Setup { _dir, path, store } = setup(WriterConfig::default());
    let owner = store.create_user(new_user("owner", false)).unwrap();
    let users: Vec<_> = (0..4)
        .map(|i| {
            store
                .create_user(new_user(&format!("u{i}"), false))
                .unwrap()
        })
        .collect();
    let community = store
        .create_community(act(&owner), new_community("Batch", JoinPolicy::Open))
        .unwrap()
        .community
        .id();
    let events_before = count(&path, "SELECT count(*) FROM events");
    let batches_before = stats(&store).batches;

    let lock = hold_write_lock(&path);
    let first = execute(&store, &users[0], community, Command::Join);
    wait_for("the writer to take the first job", || {
        stats(&store).batches == batches_before + 1
    });
    let joins = execute(&store, &users[1], community, Command::Join);
    let refused = execute(&store, &users[2], community, Command::Leave);
    let duplicate = {
        let store = Arc::clone(&store);
        thread::spawn(move || store.create_user(new_user("u1", false)))
    };
    let also_joins = execute(&store, &users[3], community, Command::Join);
    wait_for("four queued writes", || stats(&store).queue_depth == 4);
    drop(lock); // rolls back the test's empty transaction

    assert!(first.join().unwrap().unwrap().changed());
    assert!(joins.join().unwrap().unwrap().changed());
    match refused.join().unwrap() {
        Err(Error::Domain(DomainError::NotMember)) => {}
        other => panic!("a leave by a non-member: {other:?}"),
    }
    match duplicate.join().unwrap() {
        Err(Error::Domain(DomainError::UsernameTaken)) => {}
        other => panic!("a second u1: {other:?}"),
    }
    assert!(also_joins.join().unwrap().unwrap().changed());

    let after = stats(&store);
    assert_eq!(
        after.batches,
        batches_before + 2,
        "the four queued writes shared one batch"
    );
    let four = after
        .batch_size_buckets
        .iter()
        .find(|(bound, _)| *bound == 4.0)
        .map(|(_, n)| *n);
    assert_eq!(four, Some(1), "one batch of 3 or 4 writes: {after:?}");
    assert_eq!(
        count(&path, "SELECT count(*) FROM events"),
        events_before + 3,
        "one event per accepted change, none for the refusals"
    );
    assert_eq!(
        count(&path, "SELECT count(*) FROM users WHERE username = 'u1'"),
        1
    );
    for (i, user) in users.iter().enumerate() {
        let expected = if i == 2 {
            Standing::None
        } else {
            Standing::Member(roster_engine::Role::Member)
        };
        assert_eq!(
            store.standing(community, user.id).unwrap(),
            expected,
            "u{i}"
        );
    }
    assert_eq!(
        store
            .community(&CommunityKey::Id(community), None)
            .unwrap()
            .unwrap()
            .0
            .state
            .counters
            .members,
        4
    );
}

#[test]
fn many_concurrent_writers_give_one_event_per_change() {
    let Setup { _dir, path, store } = setup(WriterConfig::default());
    let owner = store.create_user(new_user("owner", false)).unwrap();
    let communities: Vec<CommunityId> = (0..2)
        .map(|c| {
            store
                .create_community(
                    act(&owner),
                    new_community(&format!("Busy {c}"), JoinPolicy::Open),
                )
                .unwrap()
                .community
                .id()
        })
        .collect();
    let users: Vec<_> = (0..32)
        .map(|i| {
            store
                .create_user(new_user(&format!("w{i}"), false))
                .unwrap()
        })
        .collect();
    let writes_before = stats(&store).batched_writes;
    let events_before = count(&path, "SELECT count(*) FROM events");
    let changes = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = users
        .into_iter()
        .enumerate()
        .map(|(i, user)| {
            let store = Arc::clone(&store);
            let changes = Arc::clone(&changes);
            let communities = communities.clone();
            thread::spawn(move || {
                let mut random = Lcg(i as u64 + 1);
                for _ in 0..20 {
                    let community = communities[random.next(communities.len())];
                    let command = if random.next(2) == 0 {
                        Command::Join
                    } else {
                        Command::Leave
                    };
                    match store.execute(act(&user), &CommunityKey::Id(community), command) {
                        Ok(outcome) if outcome.changed() => {
                            changes.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(_) | Err(Error::Domain(DomainError::NotMember)) => {}
                        Err(other) => panic!("{other:?}"),
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let changes = changes.load(Ordering::Relaxed) as i64;
    assert_eq!(
        count(&path, "SELECT count(*) FROM events"),
        events_before + changes
    );
    assert_eq!(
        stats(&store).batched_writes - writes_before,
        32 * 20,
        "every write went through the writer"
    );
    assert_eq!(stats(&store).queue_depth, 0);
    assert_invariants(sqlite_raw(path).as_mut());
}

#[test]
fn a_full_queue_makes_callers_wait_and_drops_none() {
    let Setup { _dir, path, store } = setup(WriterConfig {
        queue_capacity: 2,
        max_batch: 256,
    });
    let owner = store.create_user(new_user("owner", false)).unwrap();
    let community = store
        .create_community(act(&owner), new_community("Full", JoinPolicy::Open))
        .unwrap()
        .community
        .id();
    let users: Vec<_> = (0..6)
        .map(|i| {
            store
                .create_user(new_user(&format!("q{i}"), false))
                .unwrap()
        })
        .collect();
    let events_before = count(&path, "SELECT count(*) FROM events");
    let batches_before = stats(&store).batches;

    let lock = hold_write_lock(&path);
    let answered = Arc::new(AtomicUsize::new(0));
    let spawn = |user: &roster_store::User| {
        let store = Arc::clone(&store);
        let answered = Arc::clone(&answered);
        let actor = act(user);
        thread::spawn(move || {
            let result = store.execute(actor, &CommunityKey::Id(community), Command::Join);
            answered.fetch_add(1, Ordering::SeqCst);
            result
        })
    };
    let mut threads = vec![spawn(&users[0])];
    wait_for("the writer to take the first job", || {
        stats(&store).batches == batches_before + 1
    });
    threads.extend(users[1..].iter().map(spawn));
    wait_for("a full queue", || stats(&store).queue_depth == 2);
    // Three callers are waiting to enqueue: the queue never holds more.
    thread::sleep(Duration::from_millis(50));
    assert_eq!(stats(&store).queue_depth, 2);
    assert_eq!(
        answered.load(Ordering::SeqCst),
        0,
        "nobody is answered before the commit"
    );
    drop(lock);

    for thread in threads {
        assert!(thread.join().unwrap().unwrap().changed());
    }
    assert_eq!(
        count(&path, "SELECT count(*) FROM events"),
        events_before + 6
    );
    assert_eq!(
        store
            .community(&CommunityKey::Id(community), None)
            .unwrap()
            .unwrap()
            .0
            .state
            .counters
            .members,
        7
    );
}

#[test]
fn async_submissions_are_answered_once_committed() {
    let Setup { _dir, path, store } = setup(WriterConfig::default());
    let owner = store.create_user(new_user("owner", false)).unwrap();
    let community = store
        .create_community(act(&owner), new_community("Async", JoinPolicy::Open))
        .unwrap()
        .community
        .id();
    let users: Vec<_> = (0..64)
        .map(|i| {
            store
                .create_user(new_user(&format!("a{i}"), false))
                .unwrap()
        })
        .collect();
    let events_before = count(&path, "SELECT count(*) FROM events");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let outcomes = runtime.block_on(async {
        let tasks: Vec<_> = users
            .iter()
            .map(|user| {
                let writes = store.async_writes().expect("SQLite writes asynchronously");
                let submitted = writes.execute_in_sight(
                    Sight::Any,
                    act(user),
                    CommunityKey::Id(community),
                    Command::Join,
                );
                tokio::spawn(submitted)
            })
            .collect();
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap());
        }
        outcomes
    });
    for outcome in outcomes {
        let outcome = outcome.unwrap().accepted().unwrap();
        assert!(outcome.changed());
        assert!(outcome.event.is_some());
    }
    assert_eq!(
        count(&path, "SELECT count(*) FROM events"),
        events_before + 64
    );
    assert_eq!(
        store
            .community(&CommunityKey::Id(community), None)
            .unwrap()
            .unwrap()
            .0
            .state
            .counters
            .members,
        65
    );
}
