//! Tests of the Rocket.Chat dialect (`/api/v1/…`): authentication by
//! `X-User-Id` + `X-Auth-Token`, login and logout, users, and every
//! `groups.*` route with its exact success and error bodies.

mod auth;
mod bad_input;
mod create_leave;
mod reads;
mod roles;
// feature `rooms`
mod channels;
mod group_settings;
mod not_found;
mod users;

use crate::common::rocketchat::*;
use crate::common::{json, TestServer, PASSWORD};
use roster::http::timestamp;
use roster_engine::{Command, JoinPolicy, Role, Standing, Visibility};
use roster_store::{Community, CommunityKey, User};
use serde_json::{json, Value};

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

async fn by_name(s: &TestServer, name: &str) -> Option<Community> {
    let key = CommunityKey::Name(name.to_owned());
    s.state
        .run(move |store| store.community(&key, None))
        .await
        .expect("read")
        .map(|(c, _)| c)
}
