//! Wix Members REST v1 over HTTP: leave and join the site community, my
//! member, the public member list, one member; elevation with
//! `X-Roster-Member-Id`; Wix's error envelope.

mod access;
mod bad_input;
mod members;
mod membership;

use crate::common::{json, TestServer, PASSWORD};
use roster::http::timestamp;
use roster_engine::{Command, JoinPolicy, Role, Standing, Visibility};
use roster_store::{Community, User, UserKey};
use serde_json::{json, Value};

const MEMBERS: &str = "/members/v1/members";

async fn call(
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
    json(request.send().await.expect("request")).await
}

/// Wix sends the token bare.
async fn post(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    call(s, "POST", path, Some(token), None).await
}

async fn get(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    call(s, "GET", path, Some(token), None).await
}

fn leave() -> String {
    format!("{MEMBERS}/leave-community")
}

fn join() -> String {
    format!("{MEMBERS}/join-community")
}

fn envelope(code: &str, description: &str) -> Value {
    json!({
        "message": description,
        "details": {
            "applicationError": { "code": code, "description": description, "data": {} }
        }
    })
}

async fn site(s: &TestServer) -> Community {
    s.state
        .run(|st| st.site_community())
        .await
        .expect("read")
        .expect("site community")
}

async fn reread(s: &TestServer, user: &User) -> User {
    let id = user.id;
    s.state
        .run(move |st| st.find_user(&UserKey::Id(id)))
        .await
        .expect("read")
        .expect("user")
}

/// The FULL member, with `updatedDate` as given.
fn full(user: &User, privacy: &str, status: &str, updated: &str) -> Value {
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
fn public(user: &User) -> Value {
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

fn updated(body: &Value) -> String {
    body["member"]["updatedDate"]
        .as_str()
        .expect("updatedDate")
        .to_owned()
}

/// The site owner (first admin) and one member created after it.
async fn setup(s: &TestServer) -> (User, User) {
    let owner = s.admin("root").await;
    let ann = s.user("ann").await;
    (owner, ann)
}
