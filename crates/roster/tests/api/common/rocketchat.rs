//! The Rocket.Chat REST API (`/api/v1/…`) as a test client sees it, written
//! once: the `X-User-Id` + `X-Auth-Token` pair, the two verbs, its error
//! bodies and group document, and [`RocketChatClient`], a method per route
//! for one caller.

use super::{answer, raw_json, TestServer};
use reqwest::{Method, RequestBuilder};
use roster::http::timestamp;
use roster_store::{Community, User};
use serde_json::{json, Value};

pub const LOGGED_OUT: &str = "You must be logged in to do this.";

pub const NOT_FOUND: &str =
    "The required \"roomId\" or \"roomName\" param provided does not match any group";

/// The two headers of a Rocket.Chat client.
pub struct Auth {
    pub user_id: String,
    pub token: String,
}

pub async fn auth(s: &TestServer, user: &User) -> Auth {
    Auth {
        user_id: user.id.to_string(),
        token: s.token(user).await,
    }
}

/// A request to `/api/v1/{route}` with the caller's two headers.
pub fn request(s: &TestServer, method: Method, auth: &Auth, route: &str) -> RequestBuilder {
    s.client
        .request(method, s.url(&format!("/api/v1/{route}")))
        .header("X-User-Id", &auth.user_id)
        .header("X-Auth-Token", &auth.token)
}

pub async fn post(s: &TestServer, auth: &Auth, route: &str, body: Value) -> (u16, Value) {
    answer(request(s, Method::POST, auth, route).json(&body)).await
}

pub async fn get(s: &TestServer, auth: &Auth, route_and_query: &str) -> (u16, Value) {
    answer(request(s, Method::GET, auth, route_and_query)).await
}

/// A Rocket.Chat error body.
pub fn error(kind: &str, reason: &str, method: &str) -> Value {
    json!({
        "success": false,
        "error": format!("{reason} [{kind}]"),
        "errorType": kind,
        "details": { "method": method },
    })
}

pub fn unauthorized() -> Value {
    json!({"success": false, "error": LOGGED_OUT, "status": "error", "message": LOGGED_OUT})
}

/// The group as `groups.create`, `groups.info` and `groups.list` show it.
pub fn group_doc(c: &Community, owner: &User) -> Value {
    json!({
        "_id": c.id().to_string(),
        "name": c.state.settings.name,
        "fname": c.state.settings.name,
        "t": "p",
        "usersCount": c.state.counters.members,
        "msgs": 0,
        "u": {"_id": owner.id.to_string(), "username": owner.username},
        "ts": timestamp(c.created_at),
        "ro": false,
        "sysMes": true,
        "_updatedAt": timestamp(c.updated_at),
    })
}

pub async fn post_raw(
    s: &TestServer,
    auth: &Auth,
    route: &str,
    body: reqwest::Body,
) -> (u16, Value) {
    answer(raw_json(request(s, Method::POST, auth, route), body)).await
}

/// One caller of the Rocket.Chat API: `server.rocketchat(&auth)`.
pub struct RocketChatClient<'a> {
    server: &'a TestServer,
    auth: &'a Auth,
}

impl TestServer {
    /// The Rocket.Chat API with this user id and token.
    pub fn rocketchat<'a>(&'a self, auth: &'a Auth) -> RocketChatClient<'a> {
        RocketChatClient { server: self, auth }
    }
}

impl RocketChatClient<'_> {
    /// `POST /api/v1/{route}` with a JSON body.
    pub async fn post(&self, route: &str, body: Value) -> (u16, Value) {
        post(self.server, self.auth, route, body).await
    }

    /// `GET /api/v1/{route_and_query}`.
    pub async fn get(&self, route_and_query: &str) -> (u16, Value) {
        get(self.server, self.auth, route_and_query).await
    }

    /// `GET /api/v1/me`.
    pub async fn me(&self) -> (u16, Value) {
        self.get("me").await
    }

    /// `POST /api/v1/groups.leave` by room id.
    pub async fn leave(&self, group: &Community) -> (u16, Value) {
        let body = json!({"roomId": group.id().to_string()});
        self.post("groups.leave", body).await
    }

    /// `GET /api/v1/groups.info` by room id.
    pub async fn info(&self, group: &Community) -> (u16, Value) {
        self.get(&format!("groups.info?roomId={}", group.id()))
            .await
    }

    /// `GET /api/v1/groups.list`.
    pub async fn list(&self) -> (u16, Value) {
        self.get("groups.list").await
    }
}
