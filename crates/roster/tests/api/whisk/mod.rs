//! Whisk Community API v2 over HTTP: leave, join, get one community, list
//! the caller's communities; every status and body compared exactly.

mod access;
mod bad_input;
mod join;
mod leave;
mod list;

use crate::common::whisk::*;
use crate::common::{json, TestServer};
use roster_engine::{
    Command, ContributionMode, JoinPolicy, Role, SettingsPatch, Standing, Visibility,
};
use roster_store::{Community, User};
use serde_json::{json, Value};

/// An owner, a second user, and an open public community owned by the first.
async fn setup(s: &TestServer) -> (User, User, Community) {
    let owner = s.user("olga").await;
    let user = s.user("ulf").await;
    let c = s
        .community(&owner, "bakers", Visibility::Public, JoinPolicy::Open)
        .await;
    (owner, user, c)
}
