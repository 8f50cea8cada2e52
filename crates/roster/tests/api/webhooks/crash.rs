//! The real binary killed with SIGKILL while a delivery is in flight, then
//! restarted: the receiver, dropping duplicates by `Roster-Delivery`, has
//! every change exactly once and in order. Also the CLI's `webhook`
//! commands.

use super::receiver::{signature_ok, Receiver};
use super::{admin_and_community, joins, seqs_after};
use crate::common::binary::{free_port, serve_with, Server};
use crate::common::TestServer;
use std::process::Command;

/// Start `roster serve` on `database` with fast webhook settings.
pub async fn node(database: &str, port: u16, extra: &[&str]) -> Server {
    let fast = [
        "--webhook-allow-private",
        "--webhook-retry-base",
        "20ms",
        "--webhook-retry-max",
        "200ms",
        "--webhook-poll",
        "50ms",
        "--webhook-timeout",
        "1s",
        "--webhook-lease",
        "2s",
    ];
    let flags: Vec<&str> = fast.iter().chain(extra).copied().collect();
    serve_with(database, port, &flags).await
}

/// Run the binary's CLI on `database`.
fn cli(database: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["--database", database])
        .args(args)
        .env_remove("ROSTER_DATABASE_URL")
        .output()
        .expect("run roster");
    assert!(
        out.status.success(),
        "roster {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
async fn a_kill_mid_delivery_loses_nothing_and_duplicates_carry_the_same_id() {
    let server = TestServer::start().await;
    let (_, _, community) = admin_and_community(&server).await;
    let database = server.database_url();
    let receiver = Receiver::start().await;
    receiver.fail_first(2);
    // The operator subscribes with the CLI: id and secret.
    let added = cli(
        &database,
        &["webhook", "add", "--url", &receiver.url("crash")],
    );
    let (id, secret) = added.split_once('\t').expect("id and secret");
    let listed = cli(&database, &["webhook", "list"]);
    assert!(listed.contains(id) && listed.contains("active"), "{listed}");
    let start: i64 = listed.split('\t').nth(2).unwrap().parse().unwrap();

    joins(&server, &community, "a", 4).await;
    let before = seqs_after(&server, None, start).await;
    // Hold the delivery of the 5th event, and kill the server while it waits.
    receiver.hold(before[4]);
    let mut first = node(&database, free_port(), &[]).await;
    receiver.wait_held().await;
    first.0.kill().expect("SIGKILL");
    let _ = first.0.wait();
    receiver.release();
    joins(&server, &community, "b", 3).await;
    let _second = node(&database, free_port(), &[]).await;
    let expected = seqs_after(&server, None, start).await;
    receiver.wait_for("crash", &expected).await;

    let processed = receiver.deduplicated("crash");
    let got: Vec<i64> = processed.iter().map(|r| r.seq_header).collect();
    assert_eq!(got, expected);
    assert!(processed
        .iter()
        .all(|r| signature_ok(secret, &r.signature, &r.body)));
    // Every duplicate repeats a delivery id already processed.
    let ids: std::collections::HashSet<_> = processed.iter().map(|r| r.delivery.clone()).collect();
    assert!(receiver
        .received()
        .iter()
        .all(|r| ids.contains(&r.delivery)));

    assert_eq!(cli(&database, &["webhook", "remove", id]), id);
    assert!(!cli(&database, &["webhook", "list"]).contains(id));
}
