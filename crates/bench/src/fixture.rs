//! The system under test: the real server (`roster::server::router` and
//! `serve`) on 127.0.0.1:random over a temporary SQLite file, as the API
//! tests start it, and the people and communities the rows act on, made
//! through `roster::admin` and the store the way an operator would.
//!
//! Set-up order matters: the bench users and the filler members are made
//! before the first admin, so that they are not in the site community (the
//! Wix row starts with them outside it, and the site stays small).

use anyhow::{anyhow, Context, Result};
use roster::admin::{self, UserSpec};
use roster::app::AppState;
use roster_engine::{
    Actor, Command, ContributionMode, JoinPolicy, NewCommunity, Settings, Visibility,
};
use roster_store::{Community, CommunityKey, EventQuery, NewUser, Profile, Store, User};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "bench horse battery staple";
/// The small community of the leave comparison: its owner and nine members.
pub const SMALL: usize = 10;

/// A user and a token with `community:read,community:write`.
#[derive(Clone)]
pub struct Account {
    pub user: User,
    pub token: String,
}

/// What the rows need to exist, decided from the selected rows.
pub struct Needs {
    pub bench_users: usize,
    pub small: bool,
    /// Members of the big community (owner included), if it is needed.
    pub big: Option<usize>,
}

/// How long making the big community took.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Population {
    pub members: usize,
    pub users_seconds: f64,
    pub adds_seconds: f64,
}

impl Population {
    pub fn seconds(&self) -> f64 {
        self.users_seconds + self.adds_seconds
    }
}

pub struct Fixture {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub state: AppState,
    pub owner: Account,
    pub bench: Vec<Account>,
    /// Public, open: native join/leave.
    pub native: Community,
    /// Public, open: Whisk join/leave.
    pub whisk: Community,
    /// Private, invitation only: Rocket.Chat invite/leave.
    pub group: Community,
    /// Public, open: the course API's join/leave.
    pub course: Community,
    pub small: Option<Community>,
    pub big: Option<Community>,
    pub population: Option<Population>,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Fixture {
    pub async fn start(needs: &Needs) -> Result<Fixture> {
        let dir = tempfile::tempdir().context("temporary directory")?;
        let path = dir.path().join("roster.db");
        let store = roster_store::sqlite::SqliteStore::open(&path)
            .map_err(|e| anyhow!("open {}: {e}", path.display()))?;
        let state = AppState::new(Arc::new(store));
        let app = roster::server::router(state.clone(), Duration::from_secs(30));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(roster::server::serve(listener, app, async move {
            let _ = rx.await;
        }));

        // One argon2 hash for everyone: hashing is the CLI's cost, not the server's.
        let owner = admin::create_user(&state, spec("bench-owner", false))
            .await
            .map_err(|e| anyhow!("create owner: {e}"))?;
        let hash = owner.password_hash.clone();
        let owner = account(&state, owner).await?;
        let mut bench = Vec::with_capacity(needs.bench_users);
        for i in 0..needs.bench_users {
            let user = new_user(&state, format!("bench-{i:04}"), hash.clone()).await?;
            bench.push(account(&state, user).await?);
        }
        let fillers = needs
            .big
            .map_or(0, |n| n - 1)
            .max(if needs.small { SMALL - 1 } else { 0 });
        let started = Instant::now();
        let fillers = make_fillers(&state, fillers, hash).await?;
        let users_seconds = started.elapsed().as_secs_f64();

        // The first admin creates and owns the site community (Wix).
        admin::create_user(&state, spec("bench-admin", true))
            .await
            .map_err(|e| anyhow!("create admin: {e}"))?;

        let open = (Visibility::Public, JoinPolicy::Open);
        let native = community(&state, &owner.user, "bench-native", open).await?;
        let whisk = community(&state, &owner.user, "bench-whisk", open).await?;
        let invite = (Visibility::Private, JoinPolicy::Invite);
        let group = community(&state, &owner.user, "bench-group", invite).await?;
        let course = community(&state, &owner.user, "bench-course", open).await?;
        let small = if needs.small {
            let c = community(&state, &owner.user, "bench-small", open).await?;
            add_all(&state, &owner.user, &c, fillers[..SMALL - 1].to_vec()).await?;
            Some(reload(&state, &c).await?)
        } else {
            None
        };
        let (big, population) = match needs.big {
            Some(members) => {
                let c = community(&state, &owner.user, "bench-big", open).await?;
                let started = Instant::now();
                add_all(&state, &owner.user, &c, fillers[..members - 1].to_vec()).await?;
                let population = Population {
                    members,
                    users_seconds,
                    adds_seconds: started.elapsed().as_secs_f64(),
                };
                (Some(reload(&state, &c).await?), Some(population))
            }
            None => (None, None),
        };
        Ok(Fixture {
            base,
            state,
            owner,
            bench,
            native,
            whisk,
            group,
            course,
            small,
            big,
            population,
            _dir: dir,
            shutdown: Some(tx),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The community as stored now.
    pub async fn reload(&self, community: &Community) -> Result<Community> {
        reload(&self.state, community).await
    }

    /// The site community (Wix's), as stored now.
    pub async fn site(&self) -> Result<Community> {
        self.state
            .run(|store| store.site_community())
            .await
            .map_err(|e| anyhow!("read site: {e}"))?
            .ok_or_else(|| anyhow!("no site community"))
    }

    /// The number of the newest event (0 when none).
    pub async fn last_event(&self) -> Result<i64> {
        let mut after = 0;
        loop {
            let page = self.events_after(after).await?;
            match page.last() {
                Some(&last) => after = last,
                None => return Ok(after),
            }
        }
    }

    /// How many events were written after `after`; moves `after` to the newest.
    pub async fn count_events(&self, after: &mut i64) -> Result<usize> {
        let mut count = 0;
        loop {
            let page = self.events_after(*after).await?;
            let Some(&last) = page.last() else {
                return Ok(count);
            };
            *after = last;
            count += page.len();
        }
    }

    async fn events_after(&self, after: i64) -> Result<Vec<i64>> {
        let query = EventQuery {
            community: None,
            after,
            limit: 1000,
        };
        let events = self
            .state
            .run(move |store| store.events(&query))
            .await
            .map_err(|e| anyhow!("read events: {e}"))?;
        Ok(events.into_iter().map(|e| e.seq).collect())
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn spec(username: &str, admin: bool) -> UserSpec {
    UserSpec {
        username: username.to_owned(),
        password: PASSWORD.to_owned(),
        email: Some(format!("{username}@example.com")),
        admin,
        ..UserSpec::default()
    }
}

fn new_user_record(username: String, password_hash: String) -> NewUser {
    NewUser {
        username,
        password_hash,
        email: None,
        admin: false,
        profile: Profile::default(),
    }
}

async fn new_user(state: &AppState, username: String, hash: String) -> Result<User> {
    state
        .run(move |store| store.create_user(new_user_record(username, hash)))
        .await
        .map_err(|e| anyhow!("create user: {e}"))
}

async fn account(state: &AppState, user: User) -> Result<Account> {
    let scopes = roster::auth::parse_scopes("community:read,community:write")
        .map_err(|e| anyhow!("scopes: {e}"))?;
    let (token, _) = admin::issue_token(state, &user, scopes, "bench", None)
        .await
        .map_err(|e| anyhow!("issue token: {e}"))?;
    Ok(Account { user, token })
}

/// `count` plain users, one store call each in a single blocking task.
async fn make_fillers(state: &AppState, count: usize, hash: String) -> Result<Vec<User>> {
    let store = Arc::clone(&state.store);
    let made = tokio::task::spawn_blocking(move || {
        let mut users = Vec::with_capacity(count);
        for i in 0..count {
            let user = store
                .create_user(new_user_record(format!("filler-{i:06}"), hash.clone()))
                .map_err(|e| anyhow!("create filler {i}: {e}"))?;
            users.push(user);
            progress("users", i + 1, count);
        }
        Ok::<_, anyhow::Error>(users)
    });
    made.await?
}

/// The owner adds every user as a member (`Command::Add`), one command each.
async fn add_all(
    state: &AppState,
    owner: &User,
    community: &Community,
    users: Vec<User>,
) -> Result<()> {
    let store: Arc<dyn Store> = Arc::clone(&state.store);
    let actor = Actor {
        user: owner.id,
        admin: false,
    };
    let key = CommunityKey::Id(community.id());
    let added = tokio::task::spawn_blocking(move || {
        let count = users.len();
        for (i, user) in users.into_iter().enumerate() {
            store
                .execute(actor, &key, Command::Add { subject: user.id })
                .map_err(|e| anyhow!("add member {i}: {e}"))?;
            progress("adds", i + 1, count);
        }
        Ok::<_, anyhow::Error>(())
    });
    added.await?
}

fn progress(what: &str, done: usize, of: usize) {
    const STEP: usize = 10_000;
    if of >= STEP && (done / STEP * STEP == done || done == of) {
        eprintln!("  population: {what} {done}/{of}");
    }
}

async fn community(
    state: &AppState,
    owner: &User,
    name: &str,
    (visibility, join_policy): (Visibility, JoinPolicy),
) -> Result<Community> {
    let new = NewCommunity {
        settings: Settings {
            name: name.to_owned(),
            description: format!("benchmark community {name}"),
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
    Ok(state
        .run(move |store| store.create_community(actor, new))
        .await
        .map_err(|e| anyhow!("create community: {e}"))?
        .community)
}

async fn reload(state: &AppState, community: &Community) -> Result<Community> {
    let key = CommunityKey::Id(community.id());
    state
        .run(move |store| store.community(&key, None))
        .await
        .map_err(|e| anyhow!("read community: {e}"))?
        .map(|(c, _)| c)
        .ok_or_else(|| anyhow!("community vanished"))
}
