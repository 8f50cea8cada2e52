//! Eight threads racing commands on one community through one store, with
//! a reader checking the invariants on its own connection meanwhile.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use roster_engine::{Command, EventKind, JoinPolicy, Role};
use roster_store::{CommunityKey, Error, Paging, User};

use crate::env::*;

pub fn concurrent_commands_keep_every_invariant(env: Env) {
    const THREADS: usize = 8;
    const ROUNDS: usize = 100;
    const WANTED: [EventKind; 5] = [
        EventKind::Joined,
        EventKind::Left,
        EventKind::OwnershipTransferred,
        EventKind::RoleChanged,
        EventKind::Removed,
    ];
    // Thread 0 acts as the creator (the first owner); the others start outside.
    let everyone: Vec<User> = (0..THREADS).map(|i| env.user(&format!("t{i}"))).collect();
    let c = env.community(&everyone[0], "Busy", JoinPolicy::Open);
    // Start with everyone in and three owners, so that every thread has
    // something to do from its first round.
    for person in &everyone[1..] {
        env.changed(person, c, Command::Join);
    }
    for subject in [everyone[1].id, everyone[2].id] {
        let promote = Command::SetRole {
            subject,
            role: Role::Owner,
            expect: None,
        };
        env.changed(&everyone[0], c, promote);
    }
    // This community's own (the site community has its joins too).
    let setup_events = env.scalar(&format!(
        "SELECT count(*) FROM events WHERE community_id = '{c}'"
    ));
    let everyone = Arc::new(everyone);
    let start = Arc::new(std::sync::Barrier::new(THREADS));
    let seen = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let store = env.store.clone();
    let done = Arc::new(AtomicBool::new(false));

    // A reader checking snapshots while the writers run.
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

    let workers: Vec<_> = (0..THREADS)
        .map(|i| {
            let (store, everyone, start) = (store.clone(), everyone.clone(), start.clone());
            let seen = seen.clone();
            std::thread::spawn(move || {
                start.wait();
                let me = everyone[i].clone();
                let mut rng = Lcg(i as u64 + 1);
                let mut accepted = 0usize;
                let mut kinds = std::collections::HashSet::new();
                // At least ROUNDS commands each, and on until the run as a
                // whole has seen every kind of change it is meant to exercise
                // (scheduling may starve the owners for a while).
                for round in 0.. {
                    let covered = seen.load(Ordering::Relaxed) == (1 << WANTED.len()) - 1;
                    if round >= ROUNDS && (covered || round >= ROUNDS * 20) {
                        break;
                    }
                    let other = everyone[rng.next(everyone.len())].id;
                    let command = match rng.next(8) {
                        0 | 1 => Command::Join,
                        2 => Command::Leave,
                        3 | 4 => Command::TransferOwnership { subject: other },
                        5 | 6 => Command::SetRole {
                            subject: other,
                            role: [Role::Owner, Role::Manager, Role::Member][rng.next(3)],
                            expect: None,
                        },
                        _ => Command::Remove { subject: other },
                    };
                    match store.execute(act(&me), &CommunityKey::Id(c), command) {
                        Ok(outcome) => {
                            let counters = outcome.community.state.counters;
                            if counters.members > 0 {
                                assert!(
                                    counters.owners >= 1,
                                    "members without an owner: {counters:?}"
                                );
                            }
                            if let Some(event) = outcome.event {
                                accepted += 1;
                                kinds.insert(event.kind);
                                if let Some(bit) = WANTED.iter().position(|k| *k == event.kind) {
                                    seen.fetch_or(1 << bit, Ordering::Relaxed);
                                }
                            }
                        }
                        Err(Error::Domain(_)) => {}
                        Err(Error::Backend(error)) => panic!("backend failure: {error}"),
                    }
                }
                (accepted, kinds)
            })
        })
        .collect();

    let mut accepted = 0;
    let mut kinds = std::collections::HashSet::new();
    for worker in workers {
        let (n, k) = worker.join().expect("worker");
        accepted += n;
        kinds.extend(k);
    }
    done.store(true, Ordering::Relaxed);
    let checks = checker.join().expect("checker");
    assert!(checks > 0);

    env.assert_invariants();
    let events = env.scalar(&format!(
        "SELECT count(*) FROM events WHERE community_id = '{c}'"
    ));
    assert_eq!(
        events,
        setup_events + accepted as i64,
        "one event per accepted change, plus the setup's"
    );
    assert!(
        accepted >= THREADS,
        "the run must accept changes (got {accepted})"
    );
    for kind in WANTED {
        assert!(kinds.contains(&kind), "the run exercised {kind}: {kinds:?}");
    }
    let counters = env.counters_of(c);
    assert!(counters.owners >= 1 || counters.members == 0);
    let members = store
        .members(c, &member_query(vec![], Paging::After(None), 1000))
        .unwrap();
    assert_eq!(members.total as i64, counters.members);
    assert_eq!(members.items.len() as i64, counters.members);
}
