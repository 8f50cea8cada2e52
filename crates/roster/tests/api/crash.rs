//! Durability under group commit: the real binary is killed with SIGKILL
//! while 16 writers keep batches of join/leave commands in flight, then
//! restarted on the same file, cycle after cycle. After every restart each
//! acknowledged write is there, none is half-applied, the invariants hold
//! and the feed has exactly one event per change found.
//!
//! What a kill may leave is bounded, not exact: each writer sends one
//! request at a time, so at most its last request (sent, never answered)
//! is in doubt. That request either committed with its event or left no
//! trace; everything answered before it must be present.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::common::binary::{free_port, ok, serve};

const WRITERS: usize = 16;
const COMMUNITIES: usize = 3;
const CYCLES: usize = 20;
/// Requests one writer sends in a cycle at most (the kill usually comes first).
const MAX_REQUESTS_PER_CYCLE: usize = 400;

/// A small generator seeded from the clock; the seed is printed so that a
/// failing run can be told apart from the next.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound
    }
}

/// One writer: a user with a token, in one community.
struct Writer {
    user_id: String,
    token: String,
    community: usize,
    /// Its events found in the feed at the last check.
    events: usize,
    /// Is it a member (as found at the last check)?
    member: bool,
}

/// What a writer learned during one cycle.
#[derive(Default)]
struct Cycle {
    /// Acknowledged answers that changed something (one event each).
    acknowledged_changes: usize,
    /// The standing in the last acknowledged answer.
    last_acknowledged_member: Option<bool>,
    /// A request was sent and never answered: it may or may not have committed.
    in_doubt: bool,
}

async fn run_writer(
    base: String,
    token: String,
    community_id: String,
    mut member: bool,
    acknowledged: Arc<AtomicUsize>,
) -> Cycle {
    let client = reqwest::Client::new();
    let mut cycle = Cycle::default();
    for _ in 0..MAX_REQUESTS_PER_CYCLE {
        let verb = if member { "leave" } else { "join" };
        let sent = client
            .post(format!("{base}/v1/communities/{community_id}/{verb}"))
            .bearer_auth(&token)
            .send()
            .await;
        let body = match sent {
            Ok(response) if response.status().is_success() => response.json::<Value>().await,
            Ok(response) => panic!("{verb}: unexpected status {}", response.status()),
            Err(_) => {
                cycle.in_doubt = true;
                return cycle;
            }
        };
        let Ok(body) = body else {
            // The server died while sending the answer.
            cycle.in_doubt = true;
            return cycle;
        };
        assert_eq!(body["changed"], true, "{verb} by one writer alone: {body}");
        member = body["standing"] == "member";
        assert_eq!(member, verb == "join", "{verb}: {body}");
        cycle.acknowledged_changes += 1;
        cycle.last_acknowledged_member = Some(member);
        acknowledged.fetch_add(1, Ordering::Relaxed);
    }
    cycle
}

async fn get_json(client: &reqwest::Client, url: String, token: &str) -> Value {
    let response = client.get(&url).bearer_auth(token).send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

/// The whole feed of a community, oldest first.
async fn feed(client: &reqwest::Client, base: &str, community: &str, token: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let page = get_json(
            client,
            format!("{base}/v1/communities/{community}/events?after={after}&limit=1000"),
            token,
        )
        .await;
        let items = page["items"].as_array().unwrap().clone();
        if items.is_empty() {
            return events;
        }
        after = page["next"].as_i64().unwrap();
        events.extend(items);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_dash_nine_during_group_commits() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let password = ["--password", "a long password"];
    let owner_id = ok(
        &db,
        &[&["user", "create", "--username", "owner"][..], &password].concat(),
    );
    let owner_token = ok(&db, &["token", "create", "--username", "owner"]);
    let communities: Vec<String> = (0..COMMUNITIES)
        .map(|c| {
            let name = format!("Crash {c}");
            ok(
                &db,
                &["community", "create", "--name", &name, "--owner", "owner"],
            )
        })
        .collect();
    let mut writers: Vec<Writer> = (0..WRITERS)
        .map(|w| {
            let name = format!("writer{w}");
            let user_id = ok(
                &db,
                &[&["user", "create", "--username", &name][..], &password].concat(),
            );
            let token = ok(&db, &["token", "create", "--username", &name]);
            Writer {
                user_id,
                token,
                community: w % COMMUNITIES,
                events: 0,
                member: false,
            }
        })
        .collect();

    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("crash test seed {seed}");
    let mut random = Lcg(seed);
    let client = reqwest::Client::new();
    let mut seen_feeds: Vec<Vec<Value>> = vec![Vec::new(); COMMUNITIES];
    let mut total_acknowledged = 0;
    for cycle_number in 0..CYCLES {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut server = serve(&db, port).await;
        check(
            &client,
            &base,
            &owner_token,
            &owner_id,
            &communities,
            &mut writers,
            &mut seen_feeds,
            None,
        )
        .await;

        let acknowledged = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = writers
            .iter()
            .map(|w| {
                tokio::spawn(run_writer(
                    base.clone(),
                    w.token.clone(),
                    communities[w.community].clone(),
                    w.member,
                    Arc::clone(&acknowledged),
                ))
            })
            .collect();
        // Kill once writes are flowing, at a random point after that.
        for _ in 0..400 {
            if acknowledged.load(Ordering::Relaxed) >= WRITERS {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if cycle_number == 0 {
            assert_write_queue_metrics(&client, &base).await;
        }
        tokio::time::sleep(Duration::from_millis(random.below(300))).await;
        server.0.kill().unwrap();
        server.0.wait().unwrap();
        let mut cycles = Vec::new();
        for task in tasks {
            cycles.push(task.await.unwrap());
        }
        total_acknowledged += cycles.iter().map(|c| c.acknowledged_changes).sum::<usize>();
        drop(server);

        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let _server = serve(&db, port).await;
        check(
            &client,
            &base,
            &owner_token,
            &owner_id,
            &communities,
            &mut writers,
            &mut seen_feeds,
            Some(&cycles),
        )
        .await;
        eprintln!("cycle {cycle_number}: {total_acknowledged} acknowledged changes so far");
    }
    assert!(
        total_acknowledged >= CYCLES * WRITERS,
        "the writers got too few answers to test anything ({total_acknowledged})"
    );
}

/// `/metrics` shows the write queue: its depth, and the batches so far.
async fn assert_write_queue_metrics(client: &reqwest::Client, base: &str) {
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("roster_store_write_queue_depth ")),
        "{text}"
    );
    let batches: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("roster_store_write_batch_size_count "))
        .unwrap_or_else(|| panic!("no batch-size histogram: {text}"))
        .trim()
        .parse()
        .unwrap();
    assert!(batches >= 1, "{text}");
    assert!(
        text.contains("roster_store_write_batch_size_bucket{le=\"256\"}"),
        "{text}"
    );
}

/// After a (re)start: the feed keeps every event seen before, each writer's
/// events are within what its answers allow, its row agrees with its last
/// event, and the counters equal the rows.
#[allow(clippy::too_many_arguments)]
async fn check(
    client: &reqwest::Client,
    base: &str,
    owner_token: &str,
    owner_id: &str,
    communities: &[String],
    writers: &mut [Writer],
    seen_feeds: &mut [Vec<Value>],
    cycles: Option<&[Cycle]>,
) {
    for (c, community) in communities.iter().enumerate() {
        let events = feed(client, base, community, owner_token).await;
        assert!(
            events.starts_with(&seen_feeds[c]),
            "events seen before a restart are gone"
        );
        assert_eq!(events[0]["kind"], "created");
        for (w, writer) in writers
            .iter_mut()
            .enumerate()
            .filter(|(_, w)| w.community == c)
        {
            let mine: Vec<&Value> = events
                .iter()
                .filter(|e| e["actor_id"] == writer.user_id.as_str())
                .collect();
            // Alternating joined/left from a non-member: one event per change.
            for (i, event) in mine.iter().enumerate() {
                let kind = if i % 2 == 0 { "joined" } else { "left" };
                assert_eq!(event["kind"], kind, "writer {w}'s event {i}: {event}");
            }
            let member = mine.len() % 2 == 1;
            if let Some(cycles) = cycles {
                let cycle = &cycles[w];
                let least = writer.events + cycle.acknowledged_changes;
                let most = least + usize::from(cycle.in_doubt);
                assert!(
                    (least..=most).contains(&mine.len()),
                    "writer {w}: {} events, acknowledged {least}, at most {most}",
                    mine.len()
                );
                if !cycle.in_doubt {
                    if let Some(last) = cycle.last_acknowledged_member {
                        assert_eq!(member, last, "writer {w}'s last acknowledged standing");
                    }
                }
            }
            let shown = get_json(
                client,
                format!("{base}/v1/communities/{community}"),
                &writer.token,
            )
            .await;
            let standing = if member { "member" } else { "none" };
            assert_eq!(
                shown["standing"], standing,
                "writer {w}'s row and its events: {shown}"
            );
            writer.events = mine.len();
            writer.member = member;
        }
        let shown = get_json(
            client,
            format!("{base}/v1/communities/{community}"),
            owner_token,
        )
        .await;
        let members = get_json(
            client,
            format!("{base}/v1/communities/{community}/members?limit=1000"),
            owner_token,
        )
        .await;
        let listed = members["items"].as_array().unwrap();
        let expected = 1 + writers
            .iter()
            .filter(|w| w.community == c && w.member)
            .count();
        assert_eq!(listed.len(), expected, "members of {community}");
        assert_eq!(
            shown["member_count"], expected as i64,
            "counter = rows: {shown}"
        );
        assert_eq!(shown["owner_count"], 1, "{shown}");
        assert!(
            listed.iter().any(|m| m.to_string().contains(owner_id)),
            "the owner is present: {members}"
        );
        // Every event is the creation or a writer's change found above.
        let counted = 1 + writers
            .iter()
            .filter(|w| w.community == c)
            .map(|w| w.events)
            .sum::<usize>();
        assert_eq!(events.len(), counted, "one event per accepted change");
        seen_feeds[c] = events;
    }
}
