//! Webhook subscriptions in the store (issue 16): the cursor starts at the
//! newest event and moves only on a 2xx recorded by the lease holder (or a
//! skip), failures in a row pause it, resume clears that, only one node
//! holds a lease until it lapses, and the log keeps the newest attempts.

use std::time::Duration;

use roster_engine::{Command, JoinPolicy};
use roster_store::{Attempt, AttemptEffect, NewWebhook, Store, DELIVERY_LOG_LEN};

use crate::env::*;

fn new_webhook(after: Option<i64>) -> NewWebhook {
    NewWebhook {
        id: uuid::Uuid::new_v4(),
        url: "http://127.0.0.1:9/hook".into(),
        community: None,
        kinds: vec![roster_engine::EventKind::Joined],
        secret: "secret".into(),
        created_by: None,
        after,
    }
}

fn attempt(id: uuid::Uuid, node: &str, seq: i64, status: Option<u16>) -> Attempt {
    Attempt {
        webhook: id,
        node: node.into(),
        seq,
        delivery_id: format!("{id}.{seq}"),
        at: chrono::Utc::now(),
        status,
        error: status.is_none().then(|| "timed out".to_owned()),
        latency: Duration::from_millis(3),
        redelivery: false,
        max_failures: 3,
    }
}

const LONG: Duration = Duration::from_secs(60);

pub fn the_cursor_moves_only_on_an_acknowledgement_by_the_lease_holder(env: Env) {
    let store = &env.store;
    let owner = env.user("ann");
    let community = env.community(&owner, "hooked", JoinPolicy::Open);
    let latest = store.latest_event_seq().unwrap();
    assert!(latest > 0);
    let webhook = store.create_webhook(new_webhook(None)).unwrap();
    assert_eq!(webhook.cursor, latest, "starts after the newest event");
    assert_eq!(webhook.kinds, vec![roster_engine::EventKind::Joined]);
    assert_eq!(
        store.find_webhook(webhook.id).unwrap().as_ref(),
        Some(&webhook)
    );
    let from_start = store.create_webhook(new_webhook(Some(0))).unwrap();
    assert_eq!(from_start.cursor, 0);
    let bob = env.user("bob");
    env.changed(&bob, community, Command::Join);
    let seq = store.latest_event_seq().unwrap();

    let id = webhook.id;
    // Without the lease nothing moves; a failure does not move it either.
    assert_eq!(
        store
            .record_attempt(&attempt(id, "a", seq, Some(204)))
            .unwrap(),
        AttemptEffect::Logged
    );
    assert!(store.lease_webhook(id, "a", LONG).unwrap());
    assert!(!store.lease_webhook(id, "b", LONG).unwrap(), "held by a");
    assert_eq!(
        store
            .record_attempt(&attempt(id, "b", seq, Some(204)))
            .unwrap(),
        AttemptEffect::Logged
    );
    assert_eq!(
        store
            .record_attempt(&attempt(id, "a", seq, Some(500)))
            .unwrap(),
        AttemptEffect::Failed {
            failures: 1,
            paused: false
        }
    );
    assert_eq!(store.find_webhook(id).unwrap().unwrap().cursor, latest);
    assert_eq!(
        store
            .record_attempt(&attempt(id, "a", seq, Some(204)))
            .unwrap(),
        AttemptEffect::Advanced
    );
    let now = store.find_webhook(id).unwrap().unwrap();
    assert_eq!((now.cursor, now.failures), (seq, 0));
    // Never backwards.
    store
        .record_attempt(&attempt(id, "a", seq - 1, Some(200)))
        .unwrap();
    assert!(!store.skip_webhook_to(id, "a", seq - 1).unwrap());
    assert_eq!(store.find_webhook(id).unwrap().unwrap().cursor, seq);
    assert!(store.skip_webhook_to(id, "a", seq + 5).unwrap());
    assert_eq!(store.find_webhook(id).unwrap().unwrap().cursor, seq + 5);
    // The log, newest first.
    let log = store.deliveries(id, 100).unwrap();
    assert_eq!(log.len(), 5);
    assert_eq!(log[0].seq, seq - 1);
    assert_eq!(log[0].status, Some(200));
    assert_eq!(log[2].status, Some(500));
    // A released lease is free for another node.
    store.release_webhook(id, "a").unwrap();
    assert!(store.lease_webhook(id, "b", LONG).unwrap());
    assert_eq!(store.list_webhooks(None).unwrap().len(), 2);
    assert!(store.delete_webhook(id).unwrap());
    assert!(!store.delete_webhook(id).unwrap());
    assert!(store.find_webhook(id).unwrap().is_none());
    assert!(store.deliveries(id, 10).unwrap().is_empty());
}

pub fn failures_in_a_row_pause_until_resumed(env: Env) {
    let store = &env.store;
    let webhook = store.create_webhook(new_webhook(Some(0))).unwrap();
    let id = webhook.id;
    assert!(store.lease_webhook(id, "a", LONG).unwrap());
    for n in 1..=2 {
        assert_eq!(
            store.record_attempt(&attempt(id, "a", 1, None)).unwrap(),
            AttemptEffect::Failed {
                failures: n,
                paused: false
            }
        );
    }
    assert_eq!(
        store
            .record_attempt(&attempt(id, "a", 1, Some(503)))
            .unwrap(),
        AttemptEffect::Failed {
            failures: 3,
            paused: true
        }
    );
    let paused = store.find_webhook(id).unwrap().unwrap();
    assert!(paused.paused_at.is_some());
    assert!(paused.paused_reason.unwrap().contains("HTTP 503"));
    assert!(
        !store.lease_webhook(id, "a", LONG).unwrap(),
        "a paused one is not delivered"
    );
    let resumed = store.resume_webhook(id).unwrap().unwrap();
    assert_eq!((resumed.failures, resumed.paused_at), (0, None));
    assert!(store.lease_webhook(id, "a", LONG).unwrap());
    store.pause_webhook(id, "why").unwrap();
    assert_eq!(
        store
            .find_webhook(id)
            .unwrap()
            .unwrap()
            .paused_reason
            .as_deref(),
        Some("why")
    );
}

pub fn a_lapsed_lease_is_taken_over(env: Env) {
    let store = &env.store;
    let id = store.create_webhook(new_webhook(Some(0))).unwrap().id;
    assert!(store
        .lease_webhook(id, "a", Duration::from_millis(200))
        .unwrap());
    assert!(!store.lease_webhook(id, "b", LONG).unwrap());
    std::thread::sleep(Duration::from_millis(400));
    assert!(
        store.lease_webhook(id, "b", LONG).unwrap(),
        "a's lease lapsed"
    );
    assert!(!store.lease_webhook(id, "a", LONG).unwrap());
    // a's late acknowledgement no longer moves the cursor.
    assert_eq!(
        store
            .record_attempt(&attempt(id, "a", 7, Some(200)))
            .unwrap(),
        AttemptEffect::Logged
    );
    assert_eq!(store.find_webhook(id).unwrap().unwrap().cursor, 0);
}

pub fn the_log_keeps_the_newest_attempts(env: Env) {
    let store: &dyn Store = env.store.as_ref();
    let id = store.create_webhook(new_webhook(Some(0))).unwrap().id;
    let total = DELIVERY_LOG_LEN + 5;
    for seq in 1..=total {
        let mut redelivery = attempt(id, "a", seq, Some(200));
        redelivery.redelivery = true;
        assert_eq!(
            store.record_attempt(&redelivery).unwrap(),
            AttemptEffect::Logged
        );
    }
    let log = store.deliveries(id, 1000).unwrap();
    assert_eq!(i64::try_from(log.len()).unwrap(), DELIVERY_LOG_LEN);
    assert_eq!(log[0].seq, total);
    assert!(log.iter().all(|r| r.redelivery));
    assert_eq!(
        store.find_webhook(id).unwrap().unwrap().cursor,
        0,
        "redeliveries move nothing"
    );
}
