//! Two `roster serve` nodes on one PostgreSQL: each subscription is
//! delivered by one node at a time (the receiver never sees two of its
//! requests in flight at once), every change still arrives once and in
//! order, and when a node dies the other takes its subscriptions over.
//! On SQLite (one node) there is nothing to share: the test passes empty.

use super::crash::node;
use super::receiver::Receiver;
use super::{admin_and_community, joins, seqs_after};
use crate::common::binary::free_port;
use crate::common::native::ok;
use crate::common::TestServer;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn two_nodes_never_deliver_one_subscription_at_once() {
    if std::env::var("ROSTER_TEST_DATABASE").as_deref() != Ok("postgres") {
        return;
    }
    let server = TestServer::start_with(|s| s.with_hooks(super::fast_config())).await;
    let (_, admin, community) = admin_and_community(&server).await;
    let database = server.database_url();
    let receiver = Receiver::start().await;
    receiver.delay(Duration::from_millis(15));
    let names = ["n0", "n1", "n2"];
    let mut starts = Vec::new();
    for name in names {
        let created = ok(
            server
                .native(&admin)
                .post("/v1/webhooks", json!({"url": receiver.url(name)}))
                .await,
            201,
        );
        starts.push(created["cursor"].as_i64().unwrap());
    }
    let mut a = node(&database, free_port(), &[]).await;
    let _b = node(&database, free_port(), &[]).await;
    joins(&server, &community, "x", 6).await;
    for (name, start) in names.iter().zip(&starts) {
        let expected = seqs_after(&server, None, *start).await;
        receiver.wait_for(name, &expected).await;
    }
    // One node dies; the other takes over once the lease lapses.
    a.0.kill().expect("SIGKILL");
    let _ = a.0.wait();
    joins(&server, &community, "y", 4).await;
    for (name, start) in names.iter().zip(&starts) {
        let expected = seqs_after(&server, None, *start).await;
        receiver.wait_for(name, &expected).await;
        let got: Vec<i64> = receiver
            .deduplicated(name)
            .iter()
            .map(|r| r.seq_header)
            .collect();
        assert_eq!(got, expected, "{name}");
        assert_eq!(
            receiver.max_in_flight(name),
            1,
            "{name}: two requests in flight at once"
        );
    }
}
