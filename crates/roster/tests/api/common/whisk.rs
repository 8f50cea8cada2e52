//! The Whisk Community API v2 as a test client sees it, written once: the
//! two verbs with a bearer token, the route paths, the permissions block of
//! its bodies, and [`WhiskClient`], a method per route for one caller.

use super::{answer, raw_json, TestServer};
use reqwest::{Method, RequestBuilder};
use roster_store::Community;
use serde_json::{json, Value};

pub const LAST_OWNER: &str = "the last owner cannot leave; transfer ownership first";

pub const BAD_ID: &str = "community_id must be 32 lowercase hex digits";

/// A request with the bearer token.
pub fn request(s: &TestServer, method: Method, path: &str, token: &str) -> RequestBuilder {
    s.client
        .request(method, s.url(path))
        .header("Authorization", format!("Bearer {token}"))
}

pub async fn post(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    answer(request(s, Method::POST, path, token)).await
}

pub async fn get(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    answer(request(s, Method::GET, path, token)).await
}

pub fn leave_path(c: &Community) -> String {
    format!("/community/v2/{}/leave", c.id().simple())
}

pub fn join_path(c: &Community) -> String {
    format!("/community/v2/{}/join", c.id().simple())
}

pub fn perms(role: &str, mode: &str, visibility: &str) -> Value {
    json!({
        "role": format!("COMMUNITY_ROLE_{role}"),
        "mode": format!("COMMUNITY_CONTRIBUTION_PERMISSION_MODE_{mode}"),
        "visibility": format!("COMMUNITY_VISIBILITY_{visibility}"),
    })
}

pub fn permissions(role: &str, mode: &str, visibility: &str) -> Value {
    json!({ "permissions": perms(role, mode, visibility) })
}

pub async fn post_body(
    s: &TestServer,
    path: &str,
    token: &str,
    body: reqwest::Body,
) -> (u16, Value) {
    answer(raw_json(request(s, Method::POST, path, token), body)).await
}

/// One caller of the Whisk API: `server.whisk(token)`.
pub struct WhiskClient<'a> {
    server: &'a TestServer,
    token: &'a str,
}

impl TestServer {
    /// The Whisk API with this bearer token.
    pub fn whisk<'a>(&'a self, token: &'a str) -> WhiskClient<'a> {
        WhiskClient {
            server: self,
            token,
        }
    }
}

impl WhiskClient<'_> {
    /// `POST /community/v2/{id}/leave`.
    pub async fn leave(&self, c: &Community) -> (u16, Value) {
        post(self.server, &leave_path(c), self.token).await
    }

    /// `POST /community/v2/{id}/join`.
    pub async fn join(&self, c: &Community) -> (u16, Value) {
        post(self.server, &join_path(c), self.token).await
    }

    /// `GET /community/v2/{id}`.
    pub async fn community(&self, c: &Community) -> (u16, Value) {
        let path = format!("/community/v2/{}", c.id().simple());
        get(self.server, &path, self.token).await
    }

    /// `GET /community/v2` with a query (`""` for none).
    pub async fn list(&self, query: &str) -> (u16, Value) {
        get(self.server, &format!("/community/v2{query}"), self.token).await
    }
}
