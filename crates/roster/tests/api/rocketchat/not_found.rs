//! Unserved paths under `/api/v1/` answer Rocket.Chat's 404 envelope, a
//! served route called with another method a 405 in the same envelope,
//! and the catch-all takes nothing from the other APIs.

use super::*;

#[tokio::test]
async fn an_unserved_route_answers_the_json_404_envelope() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let a = auth(&s, &ann).await;
    let rc = s.rocketchat(&a);
    assert_eq!(
        rc.get("chat.postMessage").await,
        (404, resource_not_found())
    );
    assert_eq!(
        rc.post("im.create", json!({"username": "ann"})).await,
        (404, resource_not_found())
    );
    // Without credentials too: the route is unknown before anyone is asked.
    let (status, body) = json(
        s.client
            .get(s.url("/api/v1/no/such/thing"))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!((status, body), (404, resource_not_found()));
}

#[tokio::test]
async fn a_wrong_method_answers_405_in_the_envelope() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let a = auth(&s, &ann).await;
    let rc = s.rocketchat(&a);
    assert_eq!(
        rc.get("groups.delete").await,
        (405, failure("Method not allowed"))
    );
    assert_eq!(
        rc.post("channels.list", json!({})).await,
        (405, failure("Method not allowed"))
    );
}

#[tokio::test]
async fn the_catch_all_leaves_the_other_apis_alone() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let token = s.token(&ann).await;
    // The native API keeps its problem documents, the other dialects their shapes.
    let native = s
        .client
        .get(s.url("/v1/no/such/route"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(native.status(), 404);
    assert_eq!(
        native
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let (status, body) = json(
        s.client
            .get(s.url("/v1/users/me"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!((status, &body["username"]), (200, &json!("ann")));
    let (status, _) = json(s.client.get(s.url("/healthz")).send().await.expect("send")).await;
    assert_eq!(status, 200);
    let (status, body) = json(
        s.client
            .get(s.url("/api/v1/me"))
            .header("X-User-Id", ann.id.to_string())
            .header("X-Auth-Token", &token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!((status, &body["username"]), (200, &json!("ann")));
}
