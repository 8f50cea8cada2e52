//! Wix Members REST v1 as a test client sees it, written once: calls with
//! a bare token and an optional `X-Roster-Member-Id`, the route paths,
//! Wix's error envelope and member fieldsets, and [`WixClient`], a method
//! per route for one caller.

use super::{answer, raw_json, TestServer};
use roster::http::timestamp;
use roster_store::User;
use serde_json::{json, Value};

pub const MEMBERS: &str = "/members/v1/members";

pub async fn call(
    s: &TestServer,
    method: &str,
    path: &str,
    auth: Option<&str>,
    member: Option<&str>,
) -> (u16, Value) {
    let mut request = match method {
        "POST" => s.client.post(s.url(path)).body("{}"),
        _ => s.client.get(s.url(path)),
    };
    if let Some(auth) = auth {
        request = request.header("Authorization", auth);
    }
    if let Some(member) = member {
        request = request.header("X-Roster-Member-Id", member);
    }
    answer(request).await
}

/// Wix sends the token bare.
pub async fn post(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    call(s, "POST", path, Some(token), None).await
}

pub async fn get(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    call(s, "GET", path, Some(token), None).await
}

pub fn leave() -> String {
    format!("{MEMBERS}/leave-community")
}

pub fn join() -> String {
    format!("{MEMBERS}/join-community")
}

pub fn envelope(code: &str, description: &str) -> Value {
    json!({
        "message": description,
        "details": {
            "applicationError": { "code": code, "description": description, "data": {} }
        }
    })
}

/// The FULL member, with `updatedDate` as given.
pub fn full(user: &User, privacy: &str, status: &str, updated: &str) -> Value {
    let id = user.id.to_string();
    json!({
        "id": id,
        "loginEmail": format!("{}@example.com", user.username),
        "loginEmailVerified": false,
        "status": status,
        "contactId": id,
        "contact": {
            "contactId": id,
            "firstName": "",
            "lastName": "",
            "phones": [],
            "emails": [],
            "addresses": [],
            "customFields": {},
        },
        "profile": {
            "nickname": user.username,
            "slug": user.username,
            "photo": { "id": "", "url": "", "height": 0, "width": 0 },
        },
        "privacyStatus": privacy,
        "activityStatus": "ACTIVE",
        "createdDate": timestamp(user.created_at),
        "updatedDate": updated,
    })
}

/// The PUBLIC fieldset: id and profile, statuses unknown.
pub fn public(user: &User) -> Value {
    json!({
        "id": user.id.to_string(),
        "profile": {
            "nickname": user.username,
            "slug": user.username,
            "photo": { "id": "", "url": "", "height": 0, "width": 0 },
        },
        "status": "UNKNOWN",
        "privacyStatus": "UNKNOWN",
        "activityStatus": "UNKNOWN",
    })
}

pub fn updated(body: &Value) -> String {
    body["member"]["updatedDate"]
        .as_str()
        .expect("updatedDate")
        .to_owned()
}

pub async fn post_raw(
    s: &TestServer,
    path: &str,
    token: &str,
    body: reqwest::Body,
) -> (u16, Value) {
    let request = s.client.post(s.url(path)).header("Authorization", token);
    answer(raw_json(request, body)).await
}

/// One caller of the Wix API: `server.wix(token)`.
pub struct WixClient<'a> {
    server: &'a TestServer,
    token: &'a str,
}

impl TestServer {
    /// The Wix API with this (bare) token.
    pub fn wix<'a>(&'a self, token: &'a str) -> WixClient<'a> {
        WixClient {
            server: self,
            token,
        }
    }
}

impl WixClient<'_> {
    /// `POST /members/v1/members/leave-community`.
    pub async fn leave(&self) -> (u16, Value) {
        post(self.server, &leave(), self.token).await
    }

    /// `POST /members/v1/members/join-community`.
    pub async fn join(&self) -> (u16, Value) {
        post(self.server, &join(), self.token).await
    }

    /// `GET /members/v1/members/my`.
    pub async fn my_member(&self) -> (u16, Value) {
        get(self.server, &format!("{MEMBERS}/my"), self.token).await
    }

    /// `GET /members/v1/members/{id}`.
    pub async fn member(&self, user: &User) -> (u16, Value) {
        get(self.server, &format!("{MEMBERS}/{}", user.id), self.token).await
    }

    /// `GET /members/v1/members` with a query (`""` for none).
    pub async fn members(&self, query: &str) -> (u16, Value) {
        get(self.server, &format!("{MEMBERS}{query}"), self.token).await
    }
}
