//! Wix Members REST v1 over HTTP: leave and join the site community, my
//! member, the public member list, one member; elevation with
//! `X-Roster-Member-Id`; Wix's error envelope.

mod access;
mod bad_input;
mod members;
mod membership;

use crate::common::wix::*;
use crate::common::{json, TestServer, PASSWORD};
use roster::http::timestamp;
use roster_engine::{Command, JoinPolicy, Role, Standing, Visibility};
use roster_store::{Community, User, UserKey};
use serde_json::json;

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

/// The site owner (first admin) and one member created after it.
async fn setup(s: &TestServer) -> (User, User) {
    let owner = s.admin("root").await;
    let ann = s.user("ann").await;
    (owner, ann)
}
