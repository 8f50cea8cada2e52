//! The course API (SelfCommunity course API v2) over HTTP: leaving in every
//! standing, removal and rejection by managers, the creator's protection,
//! join by privacy, invitations, roles, lists, create/read/delete, and the
//! error shape `{"errors":[{"code","message"}]}` for every refusal.

mod bad_input;
mod courses;
mod errors;
mod join;
mod leave;
mod removal;

use crate::common::course::*;
use crate::common::{json as read, TestServer};
use roster_engine::{Command, JoinPolicy, Role, Standing, Visibility};
use roster_store::{Community, User, UserPatch};
use serde_json::{json, Value};

/// A creator, a course of the given kind, and a second user with a token.
struct Setup {
    s: TestServer,
    owner: User,
    owner_token: String,
    course: Community,
}

async fn setup(visibility: Visibility, policy: JoinPolicy) -> Setup {
    let s = TestServer::start().await;
    let owner = s.user("owner").await;
    let owner_token = s.token(&owner).await;
    let course = s.community(&owner, "Rust 101", visibility, policy).await;
    Setup {
        s,
        owner,
        owner_token,
        course,
    }
}

async fn open() -> Setup {
    setup(Visibility::Public, JoinPolicy::Open).await
}

/// A user the owner added as a plain member, with a token.
async fn member(t: &Setup, name: &str) -> (User, String) {
    let user = t.s.user(name).await;
    let token = t.s.token(&user).await;
    t.s.exec(&t.owner, &t.course, Command::Add { subject: user.id })
        .await;
    (user, token)
}

async fn manager(t: &Setup, name: &str) -> (User, String) {
    let (user, token) = member(t, name).await;
    let command = Command::SetRole {
        subject: user.id,
        role: Role::Manager,
        expect: None,
    };
    t.s.exec(&t.owner, &t.course, command).await;
    (user, token)
}
