//! What only the PostgreSQL backend promises: several nodes (several
//! `PgStore`s, each its own pool) on one database. Nodes starting at once
//! migrate once; racing owners and members on both nodes keep every
//! invariant; a follower paging the feed meanwhile misses no event; the
//! races that no row lock covers (one username, one community name, the
//! site community, one idempotency key) have exactly one winner; an
//! unreachable server is reported at once, with its reason; and a database
//! dropped under a running store is an error, not a crash.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use roster_engine::{Command, DomainError, EventKind, JoinPolicy, Role};
use roster_store::postgres::{scratch, PgStore};
use roster_store::{CommunityKey, Error, EventQuery, IdempotencyBegin, Store, User};

use crate::env::*;

/// Two nodes on one fresh database (`None` when PostgreSQL tests are skipped).
fn two_nodes() -> Option<(Env, Arc<dyn Store>)> {
    let env = Env::postgres()?;
    let second = env.open_again().expect("second node");
    Some((env, second))
}

/// Run `f(i)` on `n` threads released together; their results in order.
fn race<T: Send + 'static>(n: usize, f: impl Fn(usize) -> T + Send + Sync + 'static) -> Vec<T> {
    let f = Arc::new(f);
    let start = Arc::new(Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let (f, start) = (f.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                f(i)
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().expect("racer"))
        .collect()
}

#[test]
fn nodes_starting_together_migrate_once() {
    let Some(db) = scratch_database() else { return };
    let url = db.url().to_owned();
    let opened = race(6, move |_| {
        PgStore::open_url(&url).map(|store| store.ping())
    });
    for result in opened {
        result.expect("open").expect("ping");
    }
    let mut raw = postgres::Client::connect(db.url(), postgres::NoTls).expect("raw");
    let versions: Vec<i64> = raw
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .expect("versions")
        .iter()
        .map(|row| row.get(0))
        .collect();
    // 3 webhooks, 4 policy, 5 console, 6 event stamps
    assert_eq!(versions, vec![1, 2, 3, 4, 5, 6]);
}

#[test]
fn an_unreachable_server_is_reported_at_once_without_the_password() {
    // Port 1 on loopback: nothing listens there, the connection is refused.
    match PgStore::open_url("postgres://roster:secret@127.0.0.1:1/roster") {
        Err(Error::Backend(message)) => {
            assert!(message.contains("cannot connect"), "{message}");
            assert!(message.contains("127.0.0.1:1"), "{message}");
            assert!(!message.contains("secret"), "{message}");
        }
        other => panic!("expected a connection failure, got {other:?}"),
    }
}

#[test]
fn two_nodes_racing_owners_and_members_keep_every_invariant() {
    const PEOPLE: usize = 12;
    const OWNERS: usize = 4;
    const ROUNDS: usize = 60;
    let Some((env, second)) = two_nodes() else {
        return;
    };
    let nodes: [Arc<dyn Store>; 2] = [env.store.clone(), second];
    let everyone: Vec<User> = (0..PEOPLE).map(|i| env.user(&format!("p{i}"))).collect();
    let c = env.community(&everyone[0], "Contested", JoinPolicy::Open);
    for person in &everyone[1..] {
        env.changed(person, c, Command::Join);
    }
    for owner in &everyone[1..OWNERS] {
        let promote = Command::SetRole {
            subject: owner.id,
            role: Role::Owner,
            expect: None,
        };
        env.changed(&everyone[0], c, promote);
    }
    // This community's own (the site community has its joins too).
    let setup_events = env.scalar(&format!(
        "SELECT count(*) FROM events WHERE community_id = '{c}'"
    ));
    let done = Arc::new(AtomicBool::new(false));
    let checker = {
        let (mut raw, done) = (env.new_raw(), done.clone());
        std::thread::spawn(move || {
            let mut checks = 0;
            while !done.load(Ordering::Relaxed) {
                assert_invariants(raw.as_mut());
                checks += 1;
            }
            checks
        })
    };
    let last_owner_refusals = Arc::new(AtomicUsize::new(0));
    let everyone = Arc::new(everyone);
    let refusals = last_owner_refusals.clone();
    // Person i runs on node i % 2. Owners leave (all but one may; they race
    // for it), promote others to owner so that there is always someone to
    // race, and everyone joins and leaves.
    let results = race(PEOPLE, move |i| {
        let store = &nodes[i % 2];
        let me = &everyone[i];
        let mut rng = Lcg(i as u64 * 7 + 3);
        let mut accepted = Vec::new();
        for _ in 0..ROUNDS {
            let command = match rng.next(4) {
                0 => Command::Join,
                1 | 2 => Command::Leave,
                _ => Command::SetRole {
                    subject: everyone[rng.next(everyone.len())].id,
                    role: Role::Owner,
                    expect: None,
                },
            };
            match store.execute(act(me), &CommunityKey::Id(c), command) {
                Ok(outcome) => {
                    let counters = outcome.community.state.counters;
                    if counters.members > 0 {
                        assert!(counters.owners >= 1, "no owner: {counters:?}");
                    }
                    if let Some(event) = outcome.event {
                        accepted.push((event.seq, event.kind));
                    }
                }
                Err(Error::Domain(DomainError::LastOwner)) => {
                    refusals.fetch_add(1, Ordering::Relaxed);
                }
                Err(Error::Domain(_)) => {}
                Err(Error::Backend(error)) => panic!("backend failure: {error}"),
            }
        }
        accepted
    });
    done.store(true, Ordering::Relaxed);
    assert!(checker.join().expect("checker") > 0);

    env.assert_invariants();
    let accepted: Vec<(i64, EventKind)> = results.into_iter().flatten().collect();
    let events = env.scalar(&format!(
        "SELECT count(*) FROM events WHERE community_id = '{c}'"
    ));
    assert_eq!(
        events,
        setup_events + accepted.len() as i64,
        "one event per accepted change, on either node"
    );
    let seqs: BTreeSet<i64> = accepted.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs.len(), accepted.len(), "every event has its own seq");
    for kind in [EventKind::Left, EventKind::Joined, EventKind::RoleChanged] {
        assert!(
            accepted.iter().any(|(_, k)| *k == kind),
            "the race exercised {kind}"
        );
    }
    assert!(
        last_owner_refusals.load(Ordering::Relaxed) > 0,
        "some owner was refused as the last one"
    );
    let counters = env.counters_of(c);
    assert!(counters.members > 0 && counters.owners >= 1, "{counters:?}");
}

#[test]
fn a_follower_paging_the_feed_while_nodes_write_misses_no_event() {
    // 64 writers over two nodes (issue 13: no lock shared by all writes).
    const WRITERS: usize = 64;
    const ROUNDS: usize = 12;
    let Some((env, second)) = two_nodes() else {
        return;
    };
    let nodes: [Arc<dyn Store>; 2] = [env.store.clone(), second.clone()];
    let owner = env.user("owner");
    // One community per writer: writes run in parallel, only the numbering
    // of committed events is ordered.
    let writers: Vec<(User, roster_engine::CommunityId)> = (0..WRITERS)
        .map(|i| {
            let user = env.user(&format!("w{i}"));
            (
                user,
                env.community(&owner, &format!("c{i}"), JoinPolicy::Open),
            )
        })
        .collect();
    let done = Arc::new(AtomicBool::new(false));
    let follower = {
        let (store, done) = (second, done.clone());
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            let mut cursor = 0;
            loop {
                let finished = done.load(Ordering::Acquire);
                let page = store
                    .events(&EventQuery {
                        community: None,
                        after: cursor,
                        limit: 50,
                    })
                    .expect("feed");
                if let Some(last) = page.last() {
                    cursor = last.seq;
                }
                let empty = page.is_empty();
                seen.extend(page.into_iter().map(|e| e.seq));
                if finished && empty {
                    return seen;
                }
            }
        })
    };
    let writers = Arc::new(writers);
    race(WRITERS, move |i| {
        let (user, c) = &writers[i];
        let store = &nodes[i % 2];
        for round in 0..ROUNDS {
            let command = if round % 2 == 0 {
                Command::Join
            } else {
                Command::Leave
            };
            let outcome = store
                .execute(act(user), &CommunityKey::Id(*c), command)
                .expect("command");
            assert!(outcome.changed());
        }
    });
    done.store(true, Ordering::Release);
    let seen = follower.join().expect("follower");
    let all = env.ints("SELECT seq FROM events ORDER BY seq");
    // The site community's (issue 14): owner founds it, each writer joins.
    let site_events = 1 + WRITERS;
    assert_eq!(
        all.len(),
        site_events + WRITERS * (ROUNDS + 1),
        "created, then joined and left"
    );
    assert_eq!(
        seen, all,
        "the follower saw every event, in seq order, with no gap skipped"
    );
}

#[test]
fn two_nodes_creating_one_name_make_one_and_refuse_the_rest() {
    let Some((env, second)) = two_nodes() else {
        return;
    };
    let nodes: Arc<[Arc<dyn Store>; 2]> = Arc::new([env.store.clone(), second]);
    let users_before = env.scalar("SELECT count(*) FROM users");
    let racers = nodes.clone();
    let results = race(8, move |i| {
        // The same name in different cases: one account.
        let name = if i % 2 == 0 { "alice" } else { "ALICE" };
        let mut new = new_user(name, false);
        new.email = Some(format!("alice{i}@example.org"));
        racers[i % 2].create_user(new)
    });
    let created: Vec<_> = results.iter().filter(|r| r.is_ok()).collect();
    assert_eq!(created.len(), 1, "{results:?}");
    for result in &results {
        if let Err(error) = result {
            assert!(
                matches!(error, Error::Domain(DomainError::UsernameTaken)),
                "{error:?}"
            );
        }
    }
    assert_eq!(env.scalar("SELECT count(*) FROM users"), users_before + 1);

    let racers = nodes.clone();
    let results = race(8, move |i| {
        let mut new = new_user(&format!("e{i}"), false);
        new.email = Some(
            if i % 2 == 0 {
                "same@example.org"
            } else {
                "SAME@example.org"
            }
            .into(),
        );
        racers[i % 2].create_user(new)
    });
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(results
        .iter()
        .all(|r| matches!(r, Ok(_) | Err(Error::Domain(DomainError::EmailTaken)))));

    let founder = env.user("founder");
    let racers = nodes.clone();
    let results = race(8, move |i| {
        racers[i % 2].create_community(act(&founder), new_community("Chess", JoinPolicy::Open))
    });
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(results
        .iter()
        .all(|r| matches!(r, Ok(_) | Err(Error::Domain(DomainError::NameTaken)))));
    assert_eq!(
        env.scalar("SELECT count(*) FROM events WHERE kind = 'created'"),
        2,
        "one community, one event (and the site community's, issue 14)"
    );
    env.assert_invariants();
}

#[test]
fn two_nodes_creating_the_first_admins_found_one_site_community() {
    const ADMINS: usize = 8;
    let Some((env, second)) = two_nodes() else {
        return;
    };
    let nodes: [Arc<dyn Store>; 2] = [env.store.clone(), second];
    let results = race(ADMINS, move |i| {
        nodes[i % 2]
            .create_user(new_user(&format!("admin{i}"), true))
            .expect("create admin")
    });
    assert_eq!(env.scalar("SELECT count(*) FROM communities WHERE site"), 1);
    let site = env.store.site_community().unwrap().expect("site community");
    assert_eq!(site.state.settings.name, "Site members");
    assert_eq!(
        site.state.counters.members, ADMINS as i64,
        "everyone is in it"
    );
    assert_eq!(site.state.counters.owners, 1, "its founder owns it");
    assert!(results.iter().any(|admin| admin.id == site.creator.id));
    let kinds = env.texts(&format!(
        "SELECT kind FROM events WHERE community_id = '{}' ORDER BY seq",
        site.id()
    ));
    assert_eq!(kinds.len(), ADMINS);
    assert_eq!(kinds[0], "created");
    assert!(kinds[1..].iter().all(|k| k == "joined"), "{kinds:?}");
    env.assert_invariants();
}

#[test]
fn two_nodes_beginning_one_idempotency_key_run_it_once() {
    let Some((env, second)) = two_nodes() else {
        return;
    };
    let nodes: [Arc<dyn Store>; 2] = [env.store.clone(), second];
    let ann = env.user("ann");
    let post = crate::idempotency::request("POST", "/v1/communities", b"{}");
    let results = race(8, move |i| {
        nodes[i % 2]
            .begin_idempotent(ann.id, "once", &post)
            .expect("begin")
    });
    let started = results
        .iter()
        .filter(|r| **r == IdempotencyBegin::Started)
        .count();
    assert_eq!(started, 1, "{results:?}");
    assert!(results
        .iter()
        .all(|r| matches!(r, IdempotencyBegin::Started | IdempotencyBegin::InFlight)));
}

#[test]
fn a_database_gone_under_a_running_store_is_a_backend_error_not_a_crash() {
    let Some(db) = scratch_database() else { return };
    let store = PgStore::open_url(db.url()).expect("open");
    store.ping().expect("ping");
    let mut admin = postgres::Client::connect(&scratch::server_url(), postgres::NoTls).unwrap();
    let name = db.name().to_owned();
    admin
        .batch_execute(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .expect("drop under the store");
    match store.ping() {
        Err(Error::Backend(message)) => assert!(message.contains("postgres"), "{message}"),
        other => panic!("expected a backend error, got {other:?}"),
    }
}

/// Webhooks (issue 16): nodes racing for one subscription's lease have
/// exactly one winner, round after round.
#[test]
fn one_node_wins_a_webhook_lease() {
    let Some((env, second)) = two_nodes() else {
        return;
    };
    let id = env
        .store
        .create_webhook(roster_store::NewWebhook {
            id: uuid::Uuid::new_v4(),
            url: "http://127.0.0.1:9/".into(),
            community: None,
            kinds: Vec::new(),
            secret: "s".into(),
            created_by: None,
            after: Some(0),
        })
        .expect("create")
        .id;
    let stores = [Arc::clone(&env.store), second];
    for round in 0..5 {
        let stores = stores.clone();
        let won = race(8, move |i| {
            stores[i % 2]
                .lease_webhook(
                    id,
                    &format!("node-{round}-{i}"),
                    std::time::Duration::from_secs(60),
                )
                .expect("lease")
        });
        assert_eq!(
            won.iter().filter(|w| **w).count(),
            1,
            "round {round}: {won:?}"
        );
        env.exec(&format!(
            "UPDATE webhooks SET lease_node = NULL WHERE id = '{id}'"
        ));
    }
}
