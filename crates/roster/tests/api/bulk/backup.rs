//! `roster backup` of a live SQLite database while a server keeps writing:
//! the copy opens, holds a consistent snapshot (invariants hold, the feed
//! has no gap), and serves again when restored.

use super::{check_invariants, path_str, Db};
use crate::common::binary;
use roster_store::{CommunityKey, EventQuery, Store};

#[tokio::test]
async fn a_backup_taken_under_writes_is_a_consistent_snapshot() {
    let db = Db::sqlite();
    let mut file = String::new();
    for n in 0..40 {
        file.push_str(&format!("{{\"type\":\"user\",\"username\":\"u{n}\"}}\n"));
    }
    file.push_str("{\"type\":\"community\",\"name\":\"busy\",\"owner\":\"u0\"}\n");
    let input = db.file("people.jsonl", file.as_bytes());
    db.ok(&["import", path_str(&input)]);
    let busy = db.ok(&["community", "show", "busy"]);
    let busy_id = busy.split('\t').next().unwrap().trim().to_owned();
    let mut tokens = Vec::new();
    for n in 1..40 {
        let username = format!("u{n}");
        tokens.push(
            db.ok(&["token", "create", "--username", &username])
                .trim()
                .to_owned(),
        );
    }

    let port = binary::free_port();
    let _server = binary::serve(&db.sqlite_path(), port).await;
    let client = reqwest::Client::new();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for token in tokens {
        let (client, stop, id) = (client.clone(), stop.clone(), busy_id.clone());
        writers.push(tokio::spawn(async move {
            let mut writes = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for action in ["join", "leave"] {
                    let url = format!("http://127.0.0.1:{port}/v1/communities/{id}/{action}");
                    let reply = client
                        .post(url)
                        .bearer_auth(&token)
                        .json(&serde_json::json!({}))
                        .send()
                        .await;
                    if reply.is_ok_and(|r| r.status().is_success()) {
                        writes += 1;
                    }
                }
            }
            writes
        }));
    }
    // Let the writers get going, then take backups while they write.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut copies = Vec::new();
    for n in 0..3 {
        let copy = db.dir.path().join(format!("copy{n}.db"));
        let out = tokio::task::spawn_blocking({
            let (url, copy) = (
                format!("sqlite://{}", db.sqlite_path().display()),
                copy.clone(),
            );
            move || {
                std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
                    .args(["--database", &url, "backup", copy.to_str().unwrap()])
                    .output()
                    .unwrap()
            }
        })
        .await
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        copies.push(copy);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut writes = 0;
    for writer in writers {
        writes += writer.await.unwrap();
    }
    assert!(writes > 0, "the server was writing during the backups");
    let live_events = check_invariants(db.store().as_ref());

    let mut seen = Vec::new();
    for copy in &copies {
        // Restore: the copy is a database file of its own.
        let restored = roster_store::sqlite::SqliteStore::open(copy).unwrap();
        let events = check_invariants(&restored);
        let community = restored
            .community(&CommunityKey::Name("busy".into()), None)
            .unwrap()
            .unwrap()
            .0;
        assert!(community.state.counters.owners == 1);
        let feed = restored
            .events(&EventQuery {
                community: None,
                after: 0,
                limit: 100_000,
            })
            .unwrap();
        assert_eq!(feed.len(), events);
        seen.push(events);
    }
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "later copies hold more: {seen:?}"
    );
    assert!(*seen.last().unwrap() <= live_events);

    // A restored copy serves.
    let port = binary::free_port();
    let _restored = binary::serve(&copies[0], port).await;
    let ready = client
        .get(format!("http://127.0.0.1:{port}/readyz"))
        .send()
        .await
        .unwrap();
    assert!(ready.status().is_success());
}

#[test]
fn postgres_databases_are_pointed_to_pg_dump() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .args([
            "--database",
            "postgres://nobody@127.0.0.1:1/none",
            "backup",
            "/tmp/never.db",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pg_dump"), "{err}");
}
