//! The course API (SelfCommunity course API v2) as a test client sees it,
//! written once: calls with a bearer token, course paths, the
//! `{"errors":[…]}` shape, and [`CourseClient`], a method per route for one
//! caller.

use super::{answer, raw_json, TestServer};
use reqwest::RequestBuilder;
use roster_store::Community;
use serde_json::{json, Value};

pub const NO_PERMISSION: &str = "You do not have permission to perform this action.";

pub const CREATOR: &str =
    "The creator of the course cannot leave it, be removed from it or change role.";

pub fn error(code: &str, message: &str) -> Value {
    json!({"errors": [{"code": code, "message": message}]})
}

pub fn not_found() -> Value {
    error("not_found", "Not found.")
}

pub fn path(course: &Community, rest: &str) -> String {
    format!("/api/v2/course/{}/{rest}", course.num)
}

/// One call with a bearer token and an optional JSON body.
/// A request with the bearer token.
pub fn request(s: &TestServer, method: &str, path: &str, token: &str) -> RequestBuilder {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    s.client
        .request(method, s.url(path))
        .header("Authorization", format!("Bearer {token}"))
}

pub async fn call(
    s: &TestServer,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = request(s, method, path, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    answer(request).await
}

/// A call whose raw body text matters (204 must be empty).
pub async fn call_text(s: &TestServer, method: &str, path: &str, token: &str) -> (u16, String) {
    let response = request(s, method, path, token).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

pub async fn status_of(s: &TestServer, course: &Community, token: &str) -> (u16, Value) {
    call(s, "GET", &path(course, "status/"), token, None).await
}

pub async fn post_raw(
    s: &TestServer,
    path: &str,
    token: &str,
    body: reqwest::Body,
) -> (u16, Value) {
    answer(raw_json(request(s, "POST", path, token), body)).await
}

/// One caller of the course API: `server.course(token)`.
pub struct CourseClient<'a> {
    server: &'a TestServer,
    token: &'a str,
}

impl TestServer {
    /// The course API with this bearer token.
    pub fn course<'a>(&'a self, token: &'a str) -> CourseClient<'a> {
        CourseClient {
            server: self,
            token,
        }
    }
}

impl CourseClient<'_> {
    /// `GET /api/v2/course/{id}/`.
    pub async fn course(&self, course: &Community) -> (u16, Value) {
        call(self.server, "GET", &path(course, ""), self.token, None).await
    }

    /// `GET /api/v2/course/{id}/status/`.
    pub async fn status(&self, course: &Community) -> (u16, Value) {
        status_of(self.server, course, self.token).await
    }

    /// `POST /api/v2/course/{id}/join/`.
    pub async fn join(&self, course: &Community) -> (u16, Value) {
        call(
            self.server,
            "POST",
            &path(course, "join/"),
            self.token,
            None,
        )
        .await
    }

    /// `DELETE /api/v2/course/{id}/join/`, with the raw body text (a 204
    /// must be empty).
    pub async fn leave(&self, course: &Community) -> (u16, String) {
        call_text(self.server, "DELETE", &path(course, "join/"), self.token).await
    }

    /// `GET /api/v2/course/{id}/join/` with a query (`""` for none): the
    /// joined list.
    pub async fn joined(&self, course: &Community, query: &str) -> (u16, Value) {
        let path = path(course, &format!("join/{query}"));
        call(self.server, "GET", &path, self.token, None).await
    }

    /// `POST /api/v2/course/{id}/role/` with a JSON body.
    pub async fn set_roles(&self, course: &Community, body: Value) -> (u16, Value) {
        let path = path(course, "role/");
        call(self.server, "POST", &path, self.token, Some(body)).await
    }

    /// `POST /api/v2/course/` with a JSON body.
    pub async fn create(&self, body: Value) -> (u16, Value) {
        call(
            self.server,
            "POST",
            "/api/v2/course/",
            self.token,
            Some(body),
        )
        .await
    }
}
