//! `/v1/webhooks`: who may subscribe, what a create answers, the checks
//! on its body, the private-address refusal, and the log, pause, resume
//! and redelivery of one subscription.

use super::receiver::Receiver;
use super::{admin_and_community, delivering, fast_config, joins, seqs_after};
use crate::common::native::{ok, problem};
use crate::common::TestServer;
use roster::webhooks::HookConfig;
use roster_engine::{Command, JoinPolicy, Visibility};
use serde_json::json;

#[tokio::test]
async fn admins_follow_anything_owners_only_their_communities() {
    let server = TestServer::start_with(|s| s.with_hooks(fast_config())).await;
    let (_, admin, community) = admin_and_community(&server).await;
    let owner = server.user("olga").await;
    let owner_token = server.token(&owner).await;
    let mine = server
        .community(&owner, "olgas", Visibility::Public, JoinPolicy::Open)
        .await;
    let member = server.user("mo").await;
    server.exec(&member, &mine, Command::Join).await;
    let member_token = server.token(&member).await;
    let url = "http://127.0.0.1:9/hook/x";

    let all = ok(
        server
            .native(&admin)
            .post("/v1/webhooks", json!({"url": url}))
            .await,
        201,
    );
    assert!(all["secret"].as_str().unwrap().len() >= 32);
    assert_eq!(all["community"], json!(null));
    assert_eq!(all["state"], "active");
    let own = ok(
        server
            .native(&owner_token)
            .post(
                "/v1/webhooks",
                json!({"url": url, "community": mine.id().0, "kinds": ["joined", "left"]}),
            )
            .await,
        201,
    );
    assert_eq!(own["kinds"], json!(["joined", "left"]));
    // An owner may not follow every community, nor someone else's.
    let me = server.native(&owner_token);
    problem(
        me.post("/v1/webhooks", json!({"url": url})).await,
        403,
        "not_permitted",
    );
    problem(
        me.post(
            "/v1/webhooks",
            json!({"url": url, "community": community.id().0}),
        )
        .await,
        403,
        "not_permitted",
    );
    // A member (not owner) may not follow their community.
    problem(
        server
            .native(&member_token)
            .post(
                "/v1/webhooks",
                json!({"url": url, "community": mine.id().0}),
            )
            .await,
        403,
        "not_permitted",
    );
    // Lists: the owner sees theirs, the admin every one; the secret never again.
    let listed = ok(me.get("/v1/webhooks").await, 200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert!(listed["items"][0].get("secret").is_none());
    let listed = ok(server.native(&admin).get("/v1/webhooks").await, 200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    // Another user sees the owner's subscription as missing.
    let path = format!("/v1/webhooks/{}", own["id"].as_str().unwrap());
    problem(
        server.native(&member_token).get(&path).await,
        404,
        "webhook_not_found",
    );
    problem(
        server.native(&member_token).delete(&path).await,
        404,
        "webhook_not_found",
    );
    ok(me.get(&path).await, 200);
    assert_eq!(me.delete(&path).await.status, 204);
    problem(me.get(&path).await, 404, "webhook_not_found");
}

#[tokio::test]
async fn bad_bodies_are_refused() {
    let server = TestServer::start_with(|s| s.with_hooks(fast_config())).await;
    let (_, admin, _) = admin_and_community(&server).await;
    let client = server.native(&admin);
    for (body, code) in [
        (json!({"url": "ftp://example.com/x"}), "webhook_url_refused"),
        (json!({"url": "not a url"}), "webhook_url_refused"),
        (
            json!({"url": "http://u:p@127.0.0.1/x"}),
            "webhook_url_refused",
        ),
        (
            json!({"url": "http://127.0.0.1/x", "kinds": ["nope"]}),
            "invalid",
        ),
        (json!({"url": "http://127.0.0.1/x", "after": -1}), "invalid"),
    ] {
        problem(client.post("/v1/webhooks", body).await, 422, code);
    }
    let reply = client
        .post(
            "/v1/webhooks",
            json!({"url": "http://127.0.0.1/x", "extra": 1}),
        )
        .await;
    assert_eq!(reply.status, 422);
    let reply = client.post("/v1/webhooks", json!({})).await;
    assert_eq!(reply.status, 422);
    problem(
        client.get("/v1/webhooks/not-a-uuid").await,
        400,
        "invalid_id",
    );
    let unknown = format!("/v1/webhooks/{}", uuid::Uuid::new_v4());
    problem(client.get(&unknown).await, 404, "webhook_not_found");
    problem(
        client.post(&format!("{unknown}/resume"), json!({})).await,
        404,
        "webhook_not_found",
    );
}

#[tokio::test]
async fn private_targets_are_refused_without_the_flag() {
    // The default settings: no --webhook-allow-private.
    let config = HookConfig {
        allow_private: false,
        ..fast_config()
    };
    let server = delivering(config).await;
    let (_, admin, community) = admin_and_community(&server).await;
    let receiver = Receiver::start().await;
    let client = server.native(&admin);
    let port = receiver.base.rsplit(':').next().unwrap().to_owned();
    for url in [
        receiver.url("a"),
        format!("http://localhost:{port}/hook/a"),
        format!("http://[::1]:{port}/hook/a"),
        "http://10.0.0.1/hook".to_owned(),
        "http://169.254.169.254/latest".to_owned(),
        "http://[::ffff:127.0.0.1]/x".to_owned(),
    ] {
        let refused = problem(
            client.post("/v1/webhooks", json!({"url": url})).await,
            422,
            "webhook_url_refused",
        );
        assert!(
            refused["detail"]
                .as_str()
                .unwrap()
                .contains("allow-private")
                || refused["detail"].as_str().unwrap().contains("resolve"),
            "{refused}"
        );
    }
    // One that slipped in (the operator's CLI, or DNS changed since) is
    // refused at delivery too: logged, never sent.
    let url = receiver.url("a");
    let id = uuid::Uuid::new_v4();
    server
        .state
        .run(move |store| {
            store.create_webhook(roster_store::NewWebhook {
                id,
                url,
                community: None,
                kinds: Vec::new(),
                secret: "s".into(),
                created_by: None,
                after: None,
            })
        })
        .await
        .unwrap();
    server.state.hooks.subscriptions.notify_one();
    joins(&server, &community, "p", 1).await;
    let path = format!("/v1/webhooks/{id}/deliveries");
    let mut refused = false;
    for _ in 0..200 {
        let log = ok(client.get(&path).await, 200);
        if let Some(first) = log["items"].as_array().unwrap().last() {
            assert_eq!(first["outcome"], "refused", "{first}");
            assert!(first["error"].as_str().unwrap().contains("loopback"));
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(refused, "no refused attempt was logged");
    assert!(receiver.received().is_empty());
}

#[tokio::test]
async fn a_failing_receiver_pauses_the_subscription_until_resumed() {
    let config = HookConfig {
        max_failures: 3,
        ..fast_config()
    };
    let server = delivering(config).await;
    let (_, admin, community) = admin_and_community(&server).await;
    let receiver = Receiver::start().await;
    receiver.fail_always(true);
    let client = server.native(&admin);
    let created = ok(
        client
            .post(
                "/v1/webhooks",
                json!({"url": receiver.url("p"), "community": community.id().0}),
            )
            .await,
        201,
    );
    let path = format!("/v1/webhooks/{}", created["id"].as_str().unwrap());
    let start = created["cursor"].as_i64().unwrap();
    joins(&server, &community, "q", 2).await;
    let mut paused = serde_json::Value::Null;
    for _ in 0..400 {
        paused = ok(client.get(&path).await, 200);
        if paused["state"] == "paused" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(paused["state"], "paused", "{paused}");
    assert!(
        paused["paused_reason"]
            .as_str()
            .unwrap()
            .contains("HTTP 500"),
        "{paused}"
    );
    assert_eq!(paused["cursor"].as_i64(), Some(start));
    let log = ok(client.get(&format!("{path}/deliveries")).await, 200);
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{log}");
    assert!(items
        .iter()
        .all(|i| i["status"] == 500 && i["outcome"] == "failed"));
    // Fixed and resumed: everything since the cursor arrives, in order.
    receiver.fail_always(false);
    let resumed = ok(client.post(&format!("{path}/resume"), json!({})).await, 200);
    assert_eq!(resumed["state"], "active");
    let expected = seqs_after(&server, Some(&community), start).await;
    receiver.wait_for("p", &expected).await;
    let got: Vec<i64> = receiver
        .deduplicated("p")
        .iter()
        .map(|r| r.seq_header)
        .collect();
    assert_eq!(got, expected);
    // A redelivery sends one event again under a new delivery id.
    let seq = expected[0];
    let again = ok(
        client
            .post(&format!("{path}/redeliver"), json!({"seq": seq}))
            .await,
        200,
    );
    assert_eq!(again["outcome"], "delivered", "{again}");
    assert!(again["redelivery"].as_bool().unwrap());
    let first = &receiver.deduplicated("p")[0];
    assert_ne!(again["delivery_id"].as_str().unwrap(), first.delivery);
    problem(
        client
            .post(&format!("{path}/redeliver"), json!({"seq": 999_999}))
            .await,
        404,
        "event_not_found",
    );
}
