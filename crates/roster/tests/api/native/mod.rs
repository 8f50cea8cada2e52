//! The native API (`/v1/...`) over HTTP: every route's happy path, every
//! authentication failure, every class of bad input (each a problem
//! document, never a 500, never a partial write), the membership rules as a
//! client sees them, the event feed, and the OpenAPI document.

mod bad_input;
mod bans;
mod communities;
mod events;
mod invitations;
mod member_pages;
mod members;
mod openapi;
// /readyz and /metrics on the pool (issue 13).
mod pool;
mod requests;
mod tokens;
mod users;

use crate::common::native::*;
use crate::common::{self, TestServer, PASSWORD};
use chrono::{DateTime, Utc};
use reqwest::Method;
use roster_engine::{Command, JoinPolicy, Role, Standing, Visibility};
use roster_store::{Community, User};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Server, site admin (with an admin token), and two users with tokens.
struct World {
    s: TestServer,
    root: User,
    root_token: String,
    ann: User,
    ann_token: String,
    bob: User,
    bob_token: String,
}

async fn world() -> World {
    let s = TestServer::start().await;
    let root = s.admin("root").await;
    let root_token = s
        .token_with(&root, "community:read,community:write,admin")
        .await;
    let ann = s.user("ann").await;
    let ann_token = s.token(&ann).await;
    let bob = s.user("bob").await;
    let bob_token = s.token(&bob).await;
    World {
        s,
        root,
        root_token,
        ann,
        ann_token,
        bob,
        bob_token,
    }
}
