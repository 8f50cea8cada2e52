//! The native API (`/v1/...`) over HTTP: every route's happy path, every
//! authentication failure, every class of bad input (each a problem
//! document, never a 500, never a partial write), the membership rules as a
//! client sees them, the event feed, and the OpenAPI document.

mod bad_input;
mod bans;
mod communities;
mod events;
mod invitations;
mod members;
mod openapi;
mod requests;
mod tokens;
mod users;

use crate::common::{self, TestServer, PASSWORD};
use chrono::{DateTime, Utc};
use reqwest::Method;
use roster_engine::{Command, JoinPolicy, Role, Standing, Visibility};
use roster_store::{Community, User};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const JSON_CT: &str = "application/json";
const PROBLEM_CT: &str = "application/problem+json";

/// A response: status, content type and JSON body (`Null` when empty).
struct Reply {
    status: u16,
    content_type: String,
    body: Value,
}

async fn send(
    s: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let mut request = s.client.request(method, s.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    reply(request.send().await.expect("send")).await
}

async fn send_raw(s: &TestServer, method: Method, path: &str, token: &str, body: &str) -> Reply {
    let request = s
        .client
        .request(method, s.url(path))
        .bearer_auth(token)
        .header("content-type", JSON_CT)
        .body(body.to_owned());
    reply(request.send().await.expect("send")).await
}

async fn reply(response: reqwest::Response) -> Reply {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let (status, body) = common::json(response).await;
    Reply {
        status,
        content_type,
        body,
    }
}

async fn get(s: &TestServer, path: &str, token: &str) -> Reply {
    send(s, Method::GET, path, Some(token), None).await
}

async fn post(s: &TestServer, path: &str, token: &str, body: Value) -> Reply {
    send(s, Method::POST, path, Some(token), Some(body)).await
}

/// A 2xx JSON answer with this status; returns its body.
#[track_caller]
fn ok(reply: Reply, status: u16) -> Value {
    assert_eq!(reply.status, status, "unexpected answer: {}", reply.body);
    if status != 204 {
        assert_eq!(reply.content_type, JSON_CT, "{}", reply.body);
    }
    reply.body
}

/// A problem document with this status and code; returns its body.
#[track_caller]
fn problem(reply: Reply, status: u16, code: &str) -> Value {
    assert_eq!(reply.status, status, "unexpected answer: {}", reply.body);
    assert_eq!(reply.content_type, PROBLEM_CT, "{}", reply.body);
    let body = reply.body;
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(
        body["type"],
        format!("https://roster.dev/problems/{code}"),
        "{body}"
    );
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    body
}

#[track_caller]
fn is_timestamp(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"));
    assert!(
        DateTime::parse_from_rfc3339(text).is_ok() && text.ends_with('Z'),
        "not an RFC 3339 UTC time: {text}"
    );
}

fn cpath(c: &Community, rest: &str) -> String {
    format!("/v1/communities/{}{rest}", c.id())
}

/// Server, site admin (with an admin token), and two users with tokens.
struct World {
    s: TestServer,
    root: User,
    root_token: String,
    ann: User,
    ann_token: String,
    bob: User,
    bob_token: String,
}

async fn world() -> World {
    let s = TestServer::start().await;
    let root = s.admin("root").await;
    let root_token = s
        .token_with(&root, "community:read,community:write,admin")
        .await;
    let ann = s.user("ann").await;
    let ann_token = s.token(&ann).await;
    let bob = s.user("bob").await;
    let bob_token = s.token(&bob).await;
    World {
        s,
        root,
        root_token,
        ann,
        ann_token,
        bob,
        bob_token,
    }
}

async fn events_of(s: &TestServer, c: &Community, token: &str, after: i64) -> Vec<String> {
    let body = ok(
        get(s, &cpath(c, &format!("/events?after={after}")), token).await,
        200,
    );
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind").to_owned())
        .collect()
}
