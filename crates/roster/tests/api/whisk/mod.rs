//! Whisk Community API v2 over HTTP: leave, join, get one community, list
//! the caller's communities; every status and body compared exactly.

mod access;
mod bad_input;
mod join;
mod leave;
mod list;

use crate::common::{json, TestServer};
use chrono::{Duration, Utc};
use roster_engine::{
    Command, ContributionMode, JoinPolicy, Role, SettingsPatch, Standing, Visibility,
};
use roster_store::{Community, Scopes, User};
use serde_json::{json, Value};

const LAST_OWNER: &str = "the last owner cannot leave; transfer ownership first";
const BAD_ID: &str = "community_id must be 32 lowercase hex digits";

async fn post(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    let response = s
        .client
        .post(s.url(path))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .expect("request");
    json(response).await
}

async fn get(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    let response = s
        .client
        .get(s.url(path))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .expect("request");
    json(response).await
}

fn leave_path(c: &Community) -> String {
    format!("/community/v2/{}/leave", c.id().simple())
}

fn join_path(c: &Community) -> String {
    format!("/community/v2/{}/join", c.id().simple())
}

fn perms(role: &str, mode: &str, visibility: &str) -> Value {
    json!({
        "role": format!("COMMUNITY_ROLE_{role}"),
        "mode": format!("COMMUNITY_CONTRIBUTION_PERMISSION_MODE_{mode}"),
        "visibility": format!("COMMUNITY_VISIBILITY_{visibility}"),
    })
}

fn permissions(role: &str, mode: &str, visibility: &str) -> Value {
    json!({ "permissions": perms(role, mode, visibility) })
}

/// An owner, a second user, and an open public community owned by the first.
async fn setup(s: &TestServer) -> (User, User, Community) {
    let owner = s.user("olga").await;
    let user = s.user("ulf").await;
    let c = s
        .community(&owner, "bakers", Visibility::Public, JoinPolicy::Open)
        .await;
    (owner, user, c)
}
