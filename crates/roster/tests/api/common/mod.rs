//! The test harness: a real server on 127.0.0.1:random over a temporary
//! SQLite file, plus helpers to create users, tokens and communities the
//! way an operator would (through the same code as the CLI).
//!
//! `ROSTER_TEST_DATABASE=postgres` runs every server on a fresh database of
//! the local PostgreSQL server instead (dropped with the server), so that
//! the whole black-box suite also checks the PostgreSQL store
//! (`ROSTER_TEST_POSTGRES_URL` names another server).
//!
//! Beside it, one typed client per API (`native`, `whisk`, `rocketchat`,
//! `course`, `wix`): each holds that API's request helpers and answer
//! shapes, written once, and a client (`server.native(token)`, …) with a
//! method per route.

#![allow(dead_code)]

pub mod binary;
// The web console's browser-like client (issue 17).
pub mod console;
pub mod course;
pub mod native;
pub mod rocketchat;
pub mod whisk;
pub mod wix;

use roster::admin::{self, UserSpec};
use roster::app::AppState;
use roster_engine::{
    Actor, Command, ContributionMode, JoinPolicy, NewCommunity, Settings, Standing, Visibility,
};
use roster_store::{Community, CommunityKey, Scopes, Store, User};
use std::sync::Arc;
use std::time::Duration;

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery";

pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub state: AppState,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// The PostgreSQL database, when the suite runs on one; declared last
    /// so that it is dropped after the store.
    database: Option<roster_store::postgres::scratch::ScratchDatabase>,
}

/// Serve `state` on a free local port: the base URL, and the sender that
/// stops the server when it is dropped or sent on.
pub async fn serve(state: AppState) -> (String, tokio::sync::oneshot::Sender<()>) {
    serve_timing_out(state, Duration::from_secs(30)).await
}

/// [`serve`] with requests timing out after `timeout`.
pub async fn serve_timing_out(
    state: AppState,
    timeout: Duration,
) -> (String, tokio::sync::oneshot::Sender<()>) {
    let app = roster::server::router(state, timeout);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(roster::server::serve(listener, app, async move {
        let _ = rx.await;
    }));
    (base, tx)
}

impl TestServer {
    /// Start a fresh server with an empty database.
    pub async fn start() -> TestServer {
        Self::start_with(|state| state).await
    }

    /// Start a fresh server whose state `configure` adjusts (limits, pool).
    pub async fn start_with(configure: impl FnOnce(AppState) -> AppState) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, database) = open_store(&dir.path().join("roster.db"));
        let state = configure(AppState::new(store));
        let (base, tx) = serve(state.clone()).await;
        TestServer {
            base,
            state,
            client: reqwest::Client::new(),
            dir,
            shutdown: Some(tx),
            database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The text `GET /metrics` answers (no token needed).
    pub async fn metrics(&self) -> String {
        let response = self.client.get(self.url("/metrics")).send().await;
        response
            .expect("scrape")
            .text()
            .await
            .expect("metrics text")
    }

    /// The URL of this server's database, for a second node on it.
    pub fn database_url(&self) -> String {
        match &self.database {
            Some(database) => database.url().to_owned(),
            None => format!("sqlite://{}", self.dir.path().join("roster.db").display()),
        }
    }

    /// The store. From an async test, call it through `state.run(…)`: the
    /// PostgreSQL store blocks on its own runtime, which panics on an async
    /// worker thread (`ROSTER_TEST_DATABASE=postgres`).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.state.store
    }

    /// Three tokens of `user` that must each be refused: one expired an hour
    /// ago, one revoked, and one never issued.
    pub async fn refused_tokens(&self, user: &User) -> RefusedTokens {
        let past = Some(chrono::Utc::now() - chrono::Duration::hours(1));
        let scopes = Scopes {
            read: true,
            write: true,
            admin: false,
        };
        let (expired, _) = admin::issue_token(&self.state, user, scopes, "old", past)
            .await
            .expect("token");
        let (revoked, record) = admin::issue_token(&self.state, user, scopes, "gone", None)
            .await
            .expect("token");
        let revoke = self.state.revoke_token(user.id, record.id).await;
        assert!(revoke.expect("revoke"), "the token was revoked");
        RefusedTokens {
            expired,
            revoked,
            unknown: roster::auth::generate_token().0,
        }
    }

    /// Create a user (password [`PASSWORD`]).
    pub async fn user(&self, username: &str) -> User {
        self.create_user(username, false).await
    }

    /// Create an admin user. The first admin owns the site community.
    pub async fn admin(&self, username: &str) -> User {
        self.create_user(username, true).await
    }

    async fn create_user(&self, username: &str, is_admin: bool) -> User {
        admin::create_user(
            &self.state,
            UserSpec {
                username: username.to_owned(),
                password: PASSWORD.to_owned(),
                email: Some(format!("{username}@example.com")),
                admin: is_admin,
                ..UserSpec::default()
            },
        )
        .await
        .expect("create user")
    }

    /// A token with `community:read,community:write`.
    pub async fn token(&self, user: &User) -> String {
        self.token_with(user, "community:read,community:write")
            .await
    }

    /// A token with the given comma-separated scopes.
    pub async fn token_with(&self, user: &User, scopes: &str) -> String {
        let scopes: Scopes = roster::auth::parse_scopes(scopes).expect("scopes");
        admin::issue_token(&self.state, user, scopes, "test", None)
            .await
            .expect("token")
            .0
    }

    /// A community owned by `owner`.
    pub async fn community(
        &self,
        owner: &User,
        name: &str,
        visibility: Visibility,
        join_policy: JoinPolicy,
    ) -> Community {
        let new = NewCommunity {
            settings: Settings {
                name: name.to_owned(),
                description: format!("about {name}"),
                visibility,
                join_policy,
                contribution_mode: ContributionMode::Anyone,
            },
            site: false,
            members: Vec::new(),
        };
        let actor = Actor {
            user: owner.id,
            admin: false,
        };
        self.state
            .run(move |store| store.create_community(actor, new))
            .await
            .expect("create community")
            .community
    }

    /// Run a command directly on the store (test set-up), panicking on refusal.
    pub async fn exec(&self, actor: &User, community: &Community, command: Command) {
        let actor = Actor {
            user: actor.id,
            admin: false,
        };
        let key = CommunityKey::Id(community.id());
        self.state
            .run(move |store| store.execute(actor, &key, command))
            .await
            .expect("command");
    }

    /// A user's standing in a community, read from the store.
    pub async fn standing(&self, community: &Community, user: &User) -> Standing {
        let (c, u) = (community.id(), user.id);
        self.state
            .run(move |store| store.standing(c, u))
            .await
            .expect("standing")
    }

    /// The community as it is now.
    pub async fn reload(&self, community: &Community) -> Community {
        let key = CommunityKey::Id(community.id());
        self.state
            .run(move |store| store.community(&key, None))
            .await
            .expect("read")
            .expect("exists")
            .0
    }

    /// How many events the store holds (for "no event written" checks).
    pub async fn event_count(&self) -> usize {
        self.state
            .run(|store| {
                store.events(&roster_store::EventQuery {
                    community: None,
                    after: 0,
                    limit: 1000,
                })
            })
            .await
            .expect("events")
            .len()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The store the suite runs on: `ROSTER_TEST_DATABASE` is `sqlite` (the
/// default: a file at `path`) or `postgres` (a fresh database).
fn open_store(
    path: &std::path::Path,
) -> (
    Arc<dyn Store>,
    Option<roster_store::postgres::scratch::ScratchDatabase>,
) {
    use roster_store::postgres::{scratch, PgStore};
    match std::env::var("ROSTER_TEST_DATABASE").as_deref() {
        Err(_) | Ok("" | "sqlite") => {
            let store = roster_store::sqlite::SqliteStore::open(path).expect("open sqlite");
            (Arc::new(store), None)
        }
        Ok("postgres") => {
            let server = scratch::server_url();
            let database = scratch::ScratchDatabase::create(&server).unwrap_or_else(|e| {
                panic!(
                    "ROSTER_TEST_DATABASE=postgres, but PostgreSQL is not reachable at \
                     {server}: {e}\nStart it (./scripts/test does) or unset ROSTER_TEST_DATABASE."
                )
            });
            let store = PgStore::open_url(database.url()).expect("open postgres");
            (Arc::new(store), Some(database))
        }
        Ok(other) => panic!("ROSTER_TEST_DATABASE is sqlite or postgres, not '{other}'"),
    }
}

/// Status and JSON body of a response (`Value::Null` for an empty body).
pub async fn json(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body");
    let body = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned())
        })
    };
    (status, body)
}

/// Send a request; its status and JSON body, as [`json`] reads them.
pub async fn answer(request: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
    json(request.send().await.expect("request")).await
}

/// `body` sent as it is, declared as JSON: for the bodies `.json()` cannot
/// make (malformed, oversized, chunked).
pub fn raw_json(request: reqwest::RequestBuilder, body: reqwest::Body) -> reqwest::RequestBuilder {
    request
        .header("Content-Type", "application/json")
        .body(body)
}

/// `bytes` as a chunked request body (no `Content-Length`), 8 KiB a chunk.
pub fn chunked(bytes: impl Into<Vec<u8>>) -> reqwest::Body {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = bytes
        .into()
        .chunks(8 * 1024)
        .map(|chunk| Ok(chunk.to_vec()))
        .collect();
    reqwest::Body::wrap_stream(futures_util::stream::iter(chunks))
}

/// What [`TestServer::refused_tokens`] issues.
pub struct RefusedTokens {
    pub expired: String,
    pub revoked: String,
    pub unknown: String,
}
