//! The system under test and its data: the database (a temporary SQLite
//! file, or a scratch PostgreSQL database with `--postgres`), the people
//! and communities the rows act on, made in-process through `roster::admin`
//! and the store the way an operator would, the big communities filled by
//! the bulk loader, then the real server started on it as a process of its
//! own (see `server.rs`). The in-process store stays open for the checks
//! (events written, member counts).
//!
//! The first account founds the site community and later ones join it;
//! the bench users leave it again at set-up, so that the Wix row starts
//! with them outside it (the bulk-loaded fillers are never in it).

use crate::bulk;
use crate::server::Server;
use crate::storage;
use anyhow::{anyhow, Context, Result};
use roster::admin::{self, UserSpec};
use roster::app::AppState;
use roster_engine::{
    Actor, Command, ContributionMode, JoinPolicy, NewCommunity, Settings, Sight, Visibility,
};
use roster_store::postgres::scratch::ScratchDatabase;
use roster_store::{Community, CommunityKey, EventQuery, NewUser, Profile, User};

const PASSWORD: &str = "bench horse battery staple";

/// A user and a token with `community:read,community:write`.
#[derive(Clone)]
pub struct Account {
    pub user: User,
    pub token: String,
}

/// What the rows need to exist, decided from the selected rows.
pub struct Needs {
    pub bench_users: usize,
    /// Members of the small community (owner included), if it is needed.
    pub small: Option<usize>,
    /// Members of the big community (owner included), if it is needed.
    pub big: Option<usize>,
    /// `--postgres`: the server URL to make scratch databases on.
    pub postgres: Option<String>,
}

/// How long the bulk load took.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Population {
    pub fillers: usize,
    pub users_seconds: f64,
    pub memberships_seconds: f64,
}

pub struct Fixture {
    pub server: Server,
    pub backend: &'static str,
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
    /// Baseline 1's own database.
    pub storage: storage::Target,
    /// The server's database URL (`--nodes` starts more servers on it).
    pub database: String,
    _dir: tempfile::TempDir,
    _scratch: Vec<ScratchDatabase>,
}

impl Fixture {
    pub async fn start(needs: &Needs, client: &reqwest::Client) -> Result<Fixture> {
        let dir = tempfile::tempdir().context("temporary directory")?;
        let mut scratch = Vec::new();
        let mut database = |name: &str| -> Result<String> {
            match &needs.postgres {
                Some(server) => {
                    let db = ScratchDatabase::create(server)
                        .map_err(|e| anyhow!("scratch database: {e}"))?;
                    let url = db.url().to_owned();
                    scratch.push(db);
                    Ok(url)
                }
                None => Ok(format!("sqlite://{}", dir.path().join(name).display())),
            }
        };
        let url = database("roster.db")?;
        let storage_url = database("storage.db")?;
        let state = AppState::new(roster::cli::open_store(&url)?);

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
        admin::create_user(&state, spec("bench-admin", true))
            .await
            .map_err(|e| anyhow!("create admin: {e}"))?;
        // The first account (bench-owner) founded the site community and
        // every later one joined it: the bench users leave it, so that the
        // Wix row starts with them outside it.
        let site = state
            .run(|store| store.site_community())
            .await
            .map_err(|e| anyhow!("read site: {e}"))?
            .ok_or_else(|| anyhow!("no site community"))?;
        for account in &bench {
            let actor = Actor {
                user: account.user.id,
                admin: false,
            };
            state
                .execute(
                    Sight::Any,
                    actor,
                    CommunityKey::Num(site.num),
                    Command::Leave,
                )
                .await
                .map_err(|e| anyhow!("leave the site: {e}"))?;
        }

        let open = (Visibility::Public, JoinPolicy::Open);
        let native = community(&state, &owner.user, "bench-native", open).await?;
        let whisk = community(&state, &owner.user, "bench-whisk", open).await?;
        let invite = (Visibility::Private, JoinPolicy::Invite);
        let group = community(&state, &owner.user, "bench-group", invite).await?;
        let course = community(&state, &owner.user, "bench-course", open).await?;
        let small = match needs.small {
            Some(_) => Some(community(&state, &owner.user, "bench-small", open).await?),
            None => None,
        };
        let big = match needs.big {
            Some(_) => Some(community(&state, &owner.user, "bench-big", open).await?),
            None => None,
        };
        let fillers = needs.big.max(needs.small).map_or(0, |n| n - 1);
        let population = if fillers > 0 {
            let db_url = url.clone();
            let plan = [(&small, needs.small), (&big, needs.big)]
                .map(|(c, n)| c.as_ref().map(|c| c.num).zip(n));
            let loaded = tokio::task::spawn_blocking(move || {
                let db = db_of(&db_url);
                let ((first, _), users_seconds) = bulk::users(&db.as_db(), fillers, &hash)?;
                let mut memberships_seconds = 0.0;
                for (num, members) in plan.into_iter().flatten() {
                    memberships_seconds += bulk::members(&db.as_db(), num, first, members - 1)?;
                }
                Ok::<_, anyhow::Error>(Population {
                    fillers,
                    users_seconds,
                    memberships_seconds,
                })
            });
            Some(loaded.await??)
        } else {
            None
        };
        let small = match small {
            Some(c) => Some(reload(&state, &c).await?),
            None => None,
        };
        let big = match big {
            Some(c) => Some(reload(&state, &c).await?),
            None => None,
        };
        let storage = storage_target(&storage_url, needs.bench_users).await?;
        let server = Server::start(&url, client).await?;
        Ok(Fixture {
            server,
            backend: if needs.postgres.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            },
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
            storage,
            database: url,
            _dir: dir,
            _scratch: scratch,
        })
    }

    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
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

/// A database URL as the bulk loader takes it.
enum DbUrl {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl DbUrl {
    fn as_db(&self) -> bulk::Db<'_> {
        match self {
            DbUrl::Sqlite(path) => bulk::Db::Sqlite(path),
            DbUrl::Postgres(url) => bulk::Db::Postgres(url),
        }
    }
}

fn db_of(url: &str) -> DbUrl {
    match url.strip_prefix("sqlite://") {
        Some(path) => DbUrl::Sqlite(path.into()),
        None => DbUrl::Postgres(url.to_owned()),
    }
}

/// Baseline 1's database: its own owner, one open community and `users`
/// users, made by the real store (so the schema is the real one).
async fn storage_target(url: &str, users: usize) -> Result<storage::Target> {
    let state = AppState::new(roster::cli::open_store(url)?);
    let hash = roster::password::hash(PASSWORD);
    let owner = new_user(&state, "storage-owner".into(), hash.clone()).await?;
    let open = (Visibility::Public, JoinPolicy::Open);
    let community = community(&state, &owner, "storage", open).await?;
    let mut made = Vec::with_capacity(users);
    for i in 0..users {
        let user = new_user(&state, format!("storage-{i:04}"), hash.clone()).await?;
        made.push((user.num, user.id.0.to_string()));
    }
    let backend = match db_of(url) {
        DbUrl::Sqlite(path) => storage::Backend::Sqlite(path),
        DbUrl::Postgres(url) => storage::Backend::Postgres(url),
    };
    Ok(storage::Target {
        backend,
        community: community.num,
        community_id: community.id().0.to_string(),
        users: made,
    })
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

pub async fn community(
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
