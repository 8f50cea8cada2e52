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

// --- feature `rooms`: channels, the rest of groups.*, users.* ---------------

pub const CHANNEL_NOT_FOUND: &str =
    "The required \"roomId\" or \"roomName\" param provided does not match any channel";

/// Rocket.Chat's body for a path under `/api/v1/` that nothing serves.
pub fn resource_not_found() -> Value {
    json!({"success": false, "error": "Resource not found"})
}

/// `{"success": false, "error": reason}` (Rocket.Chat's `API.v1.failure`).
pub fn failure(reason: &str) -> Value {
    json!({"success": false, "error": reason})
}

impl RocketChatClient<'_> {
    /// `POST /api/v1/{family}.{route}` naming the room by id, with more fields.
    pub async fn room_post(&self, route: &str, room: &Community, extra: Value) -> (u16, Value) {
        let mut body = json!({"roomId": room.id().to_string()});
        if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
            body.extend(extra);
        }
        self.post(route, body).await
    }

    /// `GET /api/v1/{route}?roomId=…`.
    pub async fn room_get(&self, route: &str, room: &Community) -> (u16, Value) {
        self.get(&format!("{route}?roomId={}", room.id())).await
    }

    /// `POST /api/v1/channels.join`.
    pub async fn join(&self, channel: &Community) -> (u16, Value) {
        self.room_post("channels.join", channel, json!({})).await
    }

    /// `POST /api/v1/users.create`.
    pub async fn create_user(&self, username: &str, extra: Value) -> (u16, Value) {
        let mut body = json!({
            "username": username,
            "password": "correct horse battery",
            "email": format!("{username}@example.com"),
            "name": username.to_uppercase(),
        });
        if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
            body.extend(extra);
        }
        self.post("users.create", body).await
    }

    /// `POST /api/v1/users.delete` by user id.
    pub async fn delete_user(&self, user: &User, confirm_relinquish: bool) -> (u16, Value) {
        let body = json!({"userId": user.id.to_string(), "confirmRelinquish": confirm_relinquish});
        self.post("users.delete", body).await
    }
}

/// Auth headers of an admin holding an `admin` token.
pub async fn admin_auth(s: &TestServer, admin: &User) -> Auth {
    Auth {
        user_id: admin.id.to_string(),
        token: s
            .token_with(admin, "community:read,community:write,admin")
            .await,
    }
}
