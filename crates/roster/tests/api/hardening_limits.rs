//! The API rate limits (issue 12): per client address and per token, on
//! every API, refused with 429 and `Retry-After` in each API's own error
//! shape; health probes are never limited, and loopback is exempt unless
//! the operator says otherwise.

use crate::common::{json, TestServer};
use roster::ratelimit::{LimitConfig, Limits, Rate};
use serde_json::json;
use std::time::Duration;

/// API limits only (no login limits), loopback included.
fn api_limits(per_address: Rate, per_token: Rate) -> Limits {
    Limits::new(LimitConfig {
        per_address,
        per_token,
        limit_loopback: true,
        login_per_address: Rate::OFF,
        login_per_account: Rate::OFF,
        backoff_after: None,
        ..LimitConfig::default()
    })
}

fn one_an_hour() -> Rate {
    Rate::per(1, Duration::from_secs(3600))
}

async fn get(s: &TestServer, path: &str, token: &str) -> reqwest::Response {
    s.client
        .get(s.url(path))
        .bearer_auth(token)
        .header("x-auth-token", token)
        .send()
        .await
        .expect("answered")
}

/// Status, `Retry-After` and JSON body.
async fn refused(response: reqwest::Response) -> (u16, u64, serde_json::Value) {
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse::<u64>().expect("whole seconds"))
        .expect("Retry-After");
    let (status, body) = json(response).await;
    (status, retry_after, body)
}

#[tokio::test]
async fn the_per_address_limit_answers_429_in_all_five_shapes() {
    let s = TestServer::start_with(|state| state.with_limits(api_limits(one_an_hour(), Rate::OFF)))
        .await;
    let ann = s.user("ann").await;
    let token = s.token(&ann).await;
    // The one request of the hour.
    assert_eq!(get(&s, "/v1/users/me", &token).await.status(), 200);

    let (status, wait, body) = refused(get(&s, "/api/v1/me", &token).await).await;
    assert_eq!((status, body["success"].clone()), (429, json!(false)));
    assert!(wait > 3000, "{wait}");
    assert_eq!(body["errorType"], "error-too-many-requests");
    assert_eq!(
        body["error"],
        format!("Error, too many requests. Please slow down. You must wait {wait} seconds before trying this endpoint again. [error-too-many-requests]")
    );
    assert_eq!(body["details"]["seconds"], wait);

    let (status, _, body) = refused(get(&s, "/community/v2", &token).await).await;
    assert_eq!(status, 429);
    assert_eq!(body["code"], "general.tooManyRequests");
    assert!(
        body["message"].as_str().unwrap().contains("try again"),
        "{body}"
    );

    let (status, wait, body) = refused(get(&s, "/api/v2/course/", &token).await).await;
    assert_eq!(status, 429);
    assert_eq!(
        body,
        json!({"errors": [{"code": "throttled", "message": format!("Request was throttled. Expected available in {wait} seconds.")}]})
    );

    let (status, _, body) = refused(get(&s, "/members/v1/members/my", &token).await).await;
    assert_eq!(status, 429);
    let error = &body["details"]["applicationError"];
    assert_eq!(error["code"], "TOO_MANY_REQUESTS");
    assert_eq!(error["description"], body["message"]);

    let response = get(&s, "/v1/communities", &token).await;
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let (status, _, body) = refused(response).await;
    assert_eq!(status, 429);
    assert_eq!(body["code"], "too_many_requests");
    assert_eq!(body["title"], "Too many requests");

    // Probes answer whatever the limits.
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(get(&s, path, &token).await.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn the_per_token_limit_counts_each_token_apart() {
    let s = TestServer::start_with(|state| state.with_limits(api_limits(Rate::OFF, one_an_hour())))
        .await;
    let ann = s.user("ann").await;
    let first = s.token(&ann).await;
    let second = s.token(&ann).await;
    assert_eq!(get(&s, "/v1/users/me", &first).await.status(), 200);
    let (status, _, body) = refused(get(&s, "/v1/users/me", &first).await).await;
    assert_eq!(
        (status, body["code"].clone()),
        (429, json!("too_many_requests"))
    );
    // Rocket.Chat's X-Auth-Token is the same token.
    let (status, _, _) = refused(get(&s, "/api/v1/me", &first).await).await;
    assert_eq!(status, 429);
    assert_eq!(get(&s, "/v1/users/me", &second).await.status(), 200);
    // Guessed tokens are limited too: each one counts as a token.
    let guess = "rst_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(get(&s, "/v1/users/me", guess).await.status(), 401);
    assert_eq!(get(&s, "/v1/users/me", guess).await.status(), 429);
}

#[tokio::test]
async fn loopback_is_exempt_from_the_api_limits_by_default() {
    let s = TestServer::start_with(|state| {
        state.with_limits(Limits::new(LimitConfig {
            per_address: one_an_hour(),
            per_token: one_an_hour(),
            ..LimitConfig::default()
        }))
    })
    .await;
    let ann = s.user("ann").await;
    let token = s.token(&ann).await;
    for _ in 0..5 {
        assert_eq!(get(&s, "/v1/users/me", &token).await.status(), 200);
    }
}
