//! The native API (`/v1/…`) as a test client sees it, written once: the
//! request verbs, the reply (status, content type, body), the two answer
//! shapes (`ok` JSON and `problem` documents), and [`NativeClient`], a
//! method per route for one caller's token.

use super::{json, TestServer};
use chrono::DateTime;
use reqwest::Method;
use roster_store::{Community, User};
use serde_json::{json, Value};

pub const JSON_CT: &str = "application/json";

pub const PROBLEM_CT: &str = "application/problem+json";

/// A response: status, content type and JSON body (`Null` when empty).
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
}

pub async fn send(
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

pub async fn send_raw(
    s: &TestServer,
    method: Method,
    path: &str,
    token: &str,
    body: &str,
) -> Reply {
    let request = s
        .client
        .request(method, s.url(path))
        .bearer_auth(token)
        .header("content-type", JSON_CT)
        .body(body.to_owned());
    reply(request.send().await.expect("send")).await
}

pub async fn reply(response: reqwest::Response) -> Reply {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let (status, body) = json(response).await;
    Reply {
        status,
        content_type,
        body,
    }
}

pub async fn get(s: &TestServer, path: &str, token: &str) -> Reply {
    send(s, Method::GET, path, Some(token), None).await
}

pub async fn post(s: &TestServer, path: &str, token: &str, body: Value) -> Reply {
    send(s, Method::POST, path, Some(token), Some(body)).await
}

/// A 2xx JSON answer with this status; returns its body.
#[track_caller]
pub fn ok(reply: Reply, status: u16) -> Value {
    assert_eq!(reply.status, status, "unexpected answer: {}", reply.body);
    if status != 204 {
        assert_eq!(reply.content_type, JSON_CT, "{}", reply.body);
    }
    reply.body
}

/// A problem document with this status and code; returns its body.
#[track_caller]
pub fn problem(reply: Reply, status: u16, code: &str) -> Value {
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
pub fn is_timestamp(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"));
    assert!(
        DateTime::parse_from_rfc3339(text).is_ok() && text.ends_with('Z'),
        "not an RFC 3339 UTC time: {text}"
    );
}

pub fn cpath(c: &Community, rest: &str) -> String {
    format!("/v1/communities/{}{rest}", c.id())
}

pub async fn events_of(s: &TestServer, c: &Community, token: &str, after: i64) -> Vec<String> {
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

/// `POST /v1/tokens` with this body (no token).
pub async fn login_with(s: &TestServer, body: Value) -> Reply {
    send(s, Method::POST, "/v1/tokens", None, Some(body)).await
}

/// `POST /v1/tokens` with a username and password (no token).
pub async fn login(s: &TestServer, username: &str, password: &str) -> Reply {
    login_with(s, json!({"username": username, "password": password})).await
}

/// One caller of the native API: `server.native(token)`.
pub struct NativeClient<'a> {
    server: &'a TestServer,
    token: &'a str,
}

impl TestServer {
    /// The native API with this bearer token.
    pub fn native<'a>(&'a self, token: &'a str) -> NativeClient<'a> {
        NativeClient {
            server: self,
            token,
        }
    }
}

impl NativeClient<'_> {
    /// `GET path`.
    pub async fn get(&self, path: &str) -> Reply {
        get(self.server, path, self.token).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        post(self.server, path, self.token, body).await
    }

    /// `PATCH path` with a JSON body.
    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        send(
            self.server,
            Method::PATCH,
            path,
            Some(self.token),
            Some(body),
        )
        .await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> Reply {
        send(self.server, Method::DELETE, path, Some(self.token), None).await
    }

    /// `POST /v1/users` (an admin's token).
    pub async fn create_user(&self, body: Value) -> Reply {
        self.post("/v1/users", body).await
    }

    /// `PATCH /v1/users/me`.
    pub async fn update_me(&self, body: Value) -> Reply {
        self.patch("/v1/users/me", body).await
    }

    /// `GET /v1/users/me`.
    pub async fn me(&self) -> Reply {
        self.get("/v1/users/me").await
    }

    /// `GET /v1/users/{id}`.
    pub async fn user(&self, user: &User) -> Reply {
        self.get(&format!("/v1/users/{}", user.id)).await
    }

    /// `GET /v1/tokens`.
    pub async fn tokens(&self) -> Reply {
        self.get("/v1/tokens").await
    }

    /// `DELETE /v1/tokens/{id}`.
    pub async fn revoke_token(&self, id: &str) -> Reply {
        let path = format!("/v1/tokens/{id}");
        send(self.server, Method::DELETE, &path, Some(self.token), None).await
    }

    /// `GET /v1/communities/{id}`.
    pub async fn community(&self, c: &Community) -> Reply {
        self.get(&cpath(c, "")).await
    }

    /// `POST /v1/communities/{id}/join`.
    pub async fn join(&self, c: &Community) -> Reply {
        self.post(&cpath(c, "/join"), json!({})).await
    }

    /// `POST /v1/communities/{id}/leave`.
    pub async fn leave(&self, c: &Community) -> Reply {
        self.post(&cpath(c, "/leave"), json!({})).await
    }

    /// `GET /v1/communities/{id}/members` with a query (`""` for none).
    pub async fn members(&self, c: &Community, query: &str) -> Reply {
        self.get(&cpath(c, &format!("/members{query}"))).await
    }

    /// `POST /v1/communities/{id}/invitations`.
    pub async fn invite(&self, c: &Community, user: &User) -> Reply {
        let body = json!({"user_id": user.id.to_string()});
        self.post(&cpath(c, "/invitations"), body).await
    }

    /// `POST /v1/communities/{id}/requests/{user_id}/approve`.
    pub async fn approve(&self, c: &Community, user: &User) -> Reply {
        let path = cpath(c, &format!("/requests/{}/approve", user.id));
        self.post(&path, json!({})).await
    }

    /// `POST /v1/communities/{id}/requests/{user_id}/reject`.
    pub async fn reject(&self, c: &Community, user: &User) -> Reply {
        let path = cpath(c, &format!("/requests/{}/reject", user.id));
        self.post(&path, json!({})).await
    }

    /// `GET /v1/communities/{id}/events` (every event).
    pub async fn events(&self, c: &Community) -> Reply {
        self.get(&cpath(c, "/events")).await
    }
}
