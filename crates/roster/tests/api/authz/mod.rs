//! The authorization matrix: every route of the five APIs (native `/v1`,
//! Whisk, Rocket.Chat, course, Wix), table-driven, against every kind of
//! caller a hostile client can be: no token, an unknown, expired or revoked
//! token, a token without the route's scope, another user's token where the
//! dialect binds a token to a user, and the roles (member, manager, owner,
//! admin). Each case asserts the exact status and the dialect's error code,
//! and that a refusal changed nothing (events, the community, users,
//! tokens).
//!
//! `fixture` builds one world for a whole table; `routes` lists every route
//! with the scope it needs; `credentials` and `roles` are the two tables.

mod credentials;
mod roles;
mod routes;

use crate::common::{json, TestServer};
use roster::admin;
use roster_engine::{Command, CommunityState, JoinPolicy, Role, Visibility};
use roster_store::{Community, Scopes, User};
use serde_json::Value;

/// The APIs, which differ in how a token is sent and errors are shaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    Native,
    Whisk,
    RocketChat,
    Course,
    Wix,
}

/// What a route needs the token to carry (`None`: any valid token).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    Read,
    Write,
    Admin,
    Any,
}

/// One request of the matrix.
#[derive(Clone, Debug)]
pub struct Route {
    pub api: Api,
    pub method: reqwest::Method,
    pub path: String,
    pub body: Option<Value>,
    pub need: Need,
}

/// The people and tokens every table uses: a public, open community owned
/// by `owner`, with `manager` and `member`; `outsider` has no standing;
/// `admin` is a site admin with an admin-scoped token.
pub struct World {
    pub server: TestServer,
    pub community: Community,
    pub owner: User,
    pub manager: User,
    pub member: User,
    pub outsider: User,
    pub admin: User,
    pub tokens: Tokens,
}

/// Tokens of `member` (except `admin`'s and the role tokens).
pub struct Tokens {
    pub owner: String,
    pub manager: String,
    pub member: String,
    pub outsider: String,
    pub admin: String,
    pub read_only: String,
    pub write_only: String,
    pub read_write: String,
    pub expired: String,
    pub revoked: String,
    pub unknown: String,
}

pub async fn world() -> World {
    let server = TestServer::start().await;
    let admin_user = server.admin("root").await;
    let owner = server.user("olga").await;
    let manager = server.user("mona").await;
    let member = server.user("mike").await;
    let outsider = server.user("otto").await;
    let community = server
        .community(&owner, "matrix", Visibility::Public, JoinPolicy::Open)
        .await;
    server.exec(&manager, &community, Command::Join).await;
    server.exec(&member, &community, Command::Join).await;
    let promote = Command::SetRole {
        subject: manager.id,
        role: Role::Manager,
        expect: None,
    };
    server.exec(&owner, &community, promote).await;

    let rw = "community:read,community:write";
    let issue = |user: &User, scopes: &str, expires_in_hours: Option<i64>| {
        let state = server.state.clone();
        let user = user.clone();
        let scopes: Scopes = roster::auth::parse_scopes(scopes).expect("scopes");
        async move {
            let expires_at =
                expires_in_hours.map(|h| chrono::Utc::now() + chrono::Duration::hours(h));
            admin::issue_token(&state, &user, scopes, "matrix", expires_at)
                .await
                .expect("token")
        }
    };
    let (revoked, record) = issue(&member, rw, None).await;
    let (user, id) = (member.id, record.id);
    let was_revoked = server
        .state
        .run(move |store| store.revoke_token(user, id))
        .await
        .expect("revoke");
    assert!(was_revoked, "the fixture's token is revoked");
    let read_write = issue(&member, rw, None).await.0;
    // Well-formed (same prefix, alphabet and length) but never issued.
    let unknown = format!("{}AAAA", &read_write[..read_write.len() - 4]);
    let tokens = Tokens {
        owner: issue(&owner, rw, None).await.0,
        manager: issue(&manager, rw, None).await.0,
        member: issue(&member, rw, None).await.0,
        outsider: issue(&outsider, rw, None).await.0,
        admin: issue(&admin_user, "community:read,community:write,admin", None)
            .await
            .0,
        read_only: issue(&member, "community:read", None).await.0,
        write_only: issue(&member, "community:write", None).await.0,
        read_write,
        expired: issue(&member, rw, Some(-1)).await.0,
        revoked,
        unknown,
    };
    World {
        server,
        community,
        owner,
        manager,
        member,
        outsider,
        admin: admin_user,
        tokens,
    }
}

/// Everything a refused request must leave as it was.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    events: usize,
    community: Option<CommunityState>,
    users: usize,
    live_tokens: Vec<usize>,
}

impl World {
    pub async fn snapshot(&self) -> Snapshot {
        let key = roster_store::CommunityKey::Id(self.community.id());
        let people: Vec<_> = [
            &self.owner,
            &self.manager,
            &self.member,
            &self.outsider,
            &self.admin,
        ]
        .iter()
        .map(|u| u.id)
        .collect();
        let (community, users, live_tokens) = self
            .server
            .state
            .run(move |store| {
                let community = store.community(&key, None)?.map(|(c, _)| c.state);
                let users = store.list_users(None, 1000)?.len();
                let mut live = Vec::new();
                for id in &people {
                    let tokens = store.list_tokens(*id)?;
                    live.push(tokens.iter().filter(|t| t.revoked_at.is_none()).count());
                }
                Ok((community, users, live))
            })
            .await
            .expect("snapshot");
        Snapshot {
            events: self.server.event_count().await,
            community,
            users,
            live_tokens,
        }
    }

    /// Send `route` with `token` as the API expects it; `user_id` is the
    /// Rocket.Chat `X-User-Id` (ignored elsewhere).
    pub async fn send(
        &self,
        route: &Route,
        token: Option<&str>,
        user_id: Option<&User>,
    ) -> (u16, Value) {
        let client = &self.server.client;
        let mut request = client.request(route.method.clone(), self.server.url(&route.path));
        if let Some(token) = token {
            request = match route.api {
                Api::Native | Api::Whisk | Api::Course => request.bearer_auth(token),
                Api::Wix => request.header("authorization", token),
                Api::RocketChat => {
                    let user = user_id.map(|u| u.id.to_string()).unwrap_or_default();
                    request
                        .header("x-auth-token", token)
                        .header("x-user-id", user)
                }
            };
        }
        if let Some(body) = &route.body {
            request = request.json(body);
        }
        json(request.send().await.expect("send")).await
    }
}

/// The dialect's error code in a refusal body (Whisk: `code`, or
/// `error_code` for its rule errors; Rocket.Chat: `errorType`, or `status`
/// for its 401, which has no type).
pub fn error_code(api: Api, body: &Value) -> String {
    let code = match api {
        Api::Native => &body["code"],
        Api::Whisk if body["error_code"].is_string() => &body["error_code"],
        Api::Whisk => &body["code"],
        Api::Course => &body["errors"][0]["code"],
        Api::Wix => &body["details"]["applicationError"]["code"],
        Api::RocketChat => {
            if body["errorType"].is_string() {
                &body["errorType"]
            } else {
                &body["status"]
            }
        }
    };
    code.as_str().unwrap_or("").to_owned()
}
