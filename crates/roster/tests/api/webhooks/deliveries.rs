//! What a receiver gets: every change once (after dropping duplicates by
//! `Roster-Delivery`), in `seq` order, signed, with the feed's fields,
//! even when it fails the first attempts; and only the kinds it asked for.

use super::receiver::{signature_ok, Receiver};
use super::{admin_and_community, delivering, fast_config, joins, seqs_after};
use crate::common::native::ok;
use roster_engine::Command;
use serde_json::json;

#[tokio::test]
async fn every_change_arrives_once_in_order_signed_despite_failures() {
    let server = delivering(fast_config()).await;
    let (_, admin, community) = admin_and_community(&server).await;
    let receiver = Receiver::start().await;
    receiver.fail_first(4);
    let created = ok(
        server
            .native(&admin)
            .post("/v1/webhooks", json!({"url": receiver.url("all")}))
            .await,
        201,
    );
    let secret = created["secret"].as_str().unwrap().to_owned();
    let start = created["cursor"].as_i64().unwrap();
    joins(&server, &community, "j", 8).await;
    let expected = seqs_after(&server, None, start).await;
    assert!(expected.len() >= 16, "joins of the site and the community");
    receiver.wait_for("all", &expected).await;

    let processed = receiver.deduplicated("all");
    let got: Vec<i64> = processed.iter().map(|r| r.seq_header).collect();
    assert_eq!(got, expected, "once each, in seq order");
    let failures = receiver
        .received()
        .iter()
        .filter(|r| r.status == 503)
        .count();
    assert_eq!(failures, 4);
    for request in &processed {
        assert!(
            signature_ok(&secret, &request.signature, &request.body),
            "{}",
            request.signature
        );
        assert!(!signature_ok(
            "another secret",
            &request.signature,
            &request.body
        ));
        let body = request.json();
        assert_eq!(body["seq"].as_i64(), Some(request.seq_header));
        for field in ["kind", "community", "actor", "at"] {
            assert!(body.get(field).is_some(), "{field} in {body}");
        }
        assert!(body.get("subject").is_some() && body.get("reason").is_some());
    }
    // Retries of one event carry the same delivery id.
    let first = &receiver.received()[0];
    let retried: Vec<_> = receiver
        .received()
        .into_iter()
        .filter(|r| r.seq_header == first.seq_header)
        .collect();
    assert_eq!(retried.len(), 5);
    assert!(retried.iter().all(|r| r.delivery == first.delivery));
    // The subscription's cursor is at the last event, and the log says so.
    let path = format!("/v1/webhooks/{}", created["id"].as_str().unwrap());
    let shown = ok(server.native(&admin).get(&path).await, 200);
    for _ in 0..100 {
        let shown = ok(server.native(&admin).get(&path).await, 200);
        if shown["cursor"].as_i64() == expected.last().copied() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(shown["failures"], 0);
    let log = ok(
        server
            .native(&admin)
            .get(&format!("{path}/deliveries?limit=1000"))
            .await,
        200,
    );
    let outcomes: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes.iter().filter(|o| **o == "failed").count(), 4);
    // The metrics count them.
    let metrics = server.metrics().await;
    assert!(
        metrics.contains("roster_webhook_deliveries_total{outcome=\"failed\"} 4"),
        "{metrics}"
    );
    assert!(metrics.contains("roster_webhook_lag_events"));
}

#[tokio::test]
async fn a_subscription_gets_only_its_kinds_and_community() {
    let server = delivering(fast_config()).await;
    let (_, admin, community) = admin_and_community(&server).await;
    let receiver = Receiver::start().await;
    let created = ok(
        server
            .native(&admin)
            .post(
                "/v1/webhooks",
                json!({"url": receiver.url("left"), "community": community.id().0, "kinds": ["left"]}),
            )
            .await,
        201,
    );
    let start = created["cursor"].as_i64().unwrap();
    joins(&server, &community, "k", 3).await;
    let leaver = server.user("leaver").await;
    server.exec(&leaver, &community, Command::Join).await;
    server.exec(&leaver, &community, Command::Leave).await;
    joins(&server, &community, "after", 2).await;
    let left: Vec<i64> = {
        let query = roster_store::EventQuery {
            community: Some(community.id()),
            after: start,
            limit: 1000,
        };
        server
            .state
            .run(move |s| s.events(&query))
            .await
            .unwrap()
            .iter()
            .filter(|e| e.kind == roster_engine::EventKind::Left)
            .map(|e| e.seq)
            .collect()
    };
    assert_eq!(left.len(), 1);
    receiver.wait_for("left", &left).await;
    // The cursor moves past the unwanted events after it.
    let last = *seqs_after(&server, Some(&community), start)
        .await
        .last()
        .unwrap();
    let path = format!("/v1/webhooks/{}", created["id"].as_str().unwrap());
    let mut cursor = 0;
    for _ in 0..200 {
        cursor = ok(server.native(&admin).get(&path).await, 200)["cursor"]
            .as_i64()
            .unwrap();
        if cursor == last {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(cursor, last);
    let got: Vec<i64> = receiver
        .deduplicated("left")
        .iter()
        .map(|r| r.seq_header)
        .collect();
    assert_eq!(got, left);
    assert_eq!(receiver.deduplicated("left")[0].json()["kind"], "left");
}
