//! Tests of the Rocket.Chat dialect (`/api/v1/…`): authentication by
//! `X-User-Id` + `X-Auth-Token`, login and logout, users, and every
//! `groups.*` route with its exact success and error bodies.

mod auth;
mod bad_input;
mod create_leave;
mod reads;
mod roles;

use crate::common::{json, TestServer, PASSWORD};
use roster::http::timestamp;
use roster_engine::{Command, JoinPolicy, Role, Standing, Visibility};
use roster_store::{Community, CommunityKey, User};
use serde_json::{json, Value};

const LOGGED_OUT: &str = "You must be logged in to do this.";
const NOT_FOUND: &str =
    "The required \"roomId\" or \"roomName\" param provided does not match any group";

/// The two headers of a Rocket.Chat client.
struct Auth {
    user_id: String,
    token: String,
}

async fn auth(s: &TestServer, user: &User) -> Auth {
    Auth {
        user_id: user.id.to_string(),
        token: s.token(user).await,
    }
}

async fn post(s: &TestServer, auth: &Auth, route: &str, body: Value) -> (u16, Value) {
    let response = s
        .client
        .post(s.url(&format!("/api/v1/{route}")))
        .header("X-User-Id", &auth.user_id)
        .header("X-Auth-Token", &auth.token)
        .json(&body)
        .send()
        .await
        .expect("request");
    json(response).await
}

async fn get(s: &TestServer, auth: &Auth, route_and_query: &str) -> (u16, Value) {
    let response = s
        .client
        .get(s.url(&format!("/api/v1/{route_and_query}")))
        .header("X-User-Id", &auth.user_id)
        .header("X-Auth-Token", &auth.token)
        .send()
        .await
        .expect("request");
    json(response).await
}

/// A Rocket.Chat error body.
fn error(kind: &str, reason: &str, method: &str) -> Value {
    json!({
        "success": false,
        "error": format!("{reason} [{kind}]"),
        "errorType": kind,
        "details": { "method": method },
    })
}

fn unauthorized() -> Value {
    json!({"success": false, "error": LOGGED_OUT, "status": "error", "message": LOGGED_OUT})
}

/// A private, invite-only community, as `groups.create` makes one.
async fn group(s: &TestServer, owner: &User, name: &str) -> Community {
    s.community(owner, name, Visibility::Private, JoinPolicy::Invite)
        .await
}

fn add(user: &User) -> Command {
    Command::Add { subject: user.id }
}

fn role(user: &User, role: Role) -> Command {
    Command::SetRole {
        subject: user.id,
        role,
        expect: None,
    }
}

/// The group as `groups.create`, `groups.info` and `groups.list` show it.
fn group_doc(c: &Community, owner: &User) -> Value {
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

async fn by_name(s: &TestServer, name: &str) -> Option<Community> {
    let key = CommunityKey::Name(name.to_owned());
    s.state
        .run(move |store| store.community(&key, None))
        .await
        .expect("read")
        .map(|(c, _)| c)
}
