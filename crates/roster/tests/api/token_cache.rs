//! The token cache as a client sees it: a revoked token is refused at once
//! on the node that revoked it, a change to the user shows at once, and a
//! second node sharing the database sees a revocation within its bound
//! (polled with a bounded wait, never timed).

use crate::common::TestServer;
use reqwest::StatusCode;
use std::time::Duration;

/// A second server ("node") over the same database, with its own cache.
struct SecondNode {
    base: String,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl SecondNode {
    async fn start(first: &TestServer) -> SecondNode {
        let store = roster::cli::open_store(&first.database_url()).expect("open the same database");
        let state = roster::app::AppState::new(store);
        let (base, tx) = crate::common::serve(state).await;
        SecondNode {
            base,
            _shutdown: tx,
        }
    }
}

async fn me(server: &TestServer, base: &str, token: &str) -> reqwest::Response {
    server
        .client
        .get(format!("{base}/v1/users/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

async fn token_id(server: &TestServer, user: &roster_store::User) -> uuid::Uuid {
    let id = user.id;
    let tokens = server
        .state
        .run(move |store| store.list_tokens(id))
        .await
        .expect("list tokens");
    assert_eq!(tokens.len(), 1);
    tokens[0].id
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_once_on_this_node() {
    let server = TestServer::start().await;
    let alice = server.user("alice").await;
    let token = server.token(&alice).await;
    // Used twice, so the second answer comes from the cache.
    for _ in 0..2 {
        assert_eq!(
            me(&server, &server.base, &token).await.status(),
            StatusCode::OK
        );
    }
    let id = token_id(&server, &alice).await;
    let revoked = server
        .client
        .delete(server.url(&format!("/v1/tokens/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        me(&server, &server.base, &token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_rocketchat_logout_is_refused_at_once_on_this_node() {
    let server = TestServer::start().await;
    let alice = server.user("alice").await;
    let token = server.token(&alice).await;
    assert_eq!(
        me(&server, &server.base, &token).await.status(),
        StatusCode::OK
    );
    let logout = server
        .client
        .post(server.url("/api/v1/logout"))
        .header("x-user-id", alice.id.to_string())
        .header("x-auth-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::OK);
    assert_eq!(
        me(&server, &server.base, &token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_change_to_the_user_shows_at_once() {
    let server = TestServer::start().await;
    let alice = server.user("alice").await;
    let token = server
        .token_with(&alice, "community:read,community:write")
        .await;
    assert_eq!(
        me(&server, &server.base, &token).await.status(),
        StatusCode::OK
    );
    let patched = server
        .client
        .patch(server.url("/v1/users/me"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"nickname": "Ally"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    let body: serde_json::Value = me(&server, &server.base, &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["profile"]["nickname"], "Ally", "{body}");
}

#[tokio::test]
async fn another_node_sees_a_revocation_within_the_bound() {
    let server = TestServer::start().await;
    let other = SecondNode::start(&server).await;
    let alice = server.user("alice").await;
    let token = server.token(&alice).await;
    // The other node has the token cached.
    for _ in 0..2 {
        assert_eq!(
            me(&server, &other.base, &token).await.status(),
            StatusCode::OK
        );
    }
    let id = token_id(&server, &alice).await;
    let revoked = server
        .client
        .delete(server.url(&format!("/v1/tokens/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    // The bound is 1 s; allow far more before calling it a failure.
    let mut status = StatusCode::OK;
    for _ in 0..200 {
        status = me(&server, &other.base, &token).await.status();
        if status != StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
