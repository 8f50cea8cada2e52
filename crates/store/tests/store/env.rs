//! The test environment, one per test: a fresh store on either backend (a
//! SQLite file in a temporary directory, or a database of its own on the
//! local PostgreSQL server), a raw connection beside it to check rows
//! directly, and the helpers every case uses. After each step a case can
//! compare the counters with the rows and the number of events with the
//! number of accepted changes, whichever backend holds them.
//!
//! PostgreSQL tests need a server (`scripts/test` starts the local one).
//! When none answers they FAIL, saying so; `ROSTER_SKIP_POSTGRES=1` skips
//! them instead, and `ROSTER_TEST_POSTGRES_URL` names another server.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use roster_engine::{
    Actor, Command, CommunityId, ContributionMode, Counters, DomainError, EventKind, JoinPolicy,
    NewCommunity, Settings, Standing, Visibility,
};
use roster_store::postgres::scratch::{self, ScratchDatabase};
use roster_store::postgres::PgStore;
use roster_store::sqlite::SqliteStore;
use roster_store::{
    CommunityKey, Error, MemberQuery, NewUser, Outcome, Paging, Profile, Store, User,
};
use tempfile::TempDir;

/// SQL run beside the store: every column comes back as text (NULL as
/// `None`), so one query text serves both backends.
pub trait Raw: Send {
    fn rows(&mut self, sql: &str) -> Vec<Vec<Option<String>>>;
    /// Run a write; returns the rows it changed.
    fn exec(&mut self, sql: &str) -> u64;
}

struct SqliteRaw {
    path: PathBuf,
    read: rusqlite::Connection,
}

impl SqliteRaw {
    fn open(path: PathBuf) -> SqliteRaw {
        let read = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("raw sqlite");
        read.busy_timeout(std::time::Duration::from_secs(5))
            .expect("busy timeout");
        SqliteRaw { path, read }
    }
}

impl Raw for SqliteRaw {
    fn rows(&mut self, sql: &str) -> Vec<Vec<Option<String>>> {
        use rusqlite::types::ValueRef;
        let mut stmt = self.read.prepare(sql).expect(sql);
        let width = stmt.column_count();
        stmt.query_map([], |row| {
            (0..width)
                .map(|i| {
                    Ok(match row.get_ref(i)? {
                        ValueRef::Null => None,
                        ValueRef::Integer(n) => Some(n.to_string()),
                        ValueRef::Real(x) => Some(x.to_string()),
                        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                        ValueRef::Blob(b) => Some(format!("{b:?}")),
                    })
                })
                .collect()
        })
        .expect(sql)
        .collect::<Result<_, _>>()
        .expect(sql)
    }

    fn exec(&mut self, sql: &str) -> u64 {
        let conn = rusqlite::Connection::open(&self.path).expect("raw sqlite writer");
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .expect("busy timeout");
        conn.execute(sql, []).expect(sql) as u64
    }
}

struct PgRaw(postgres::Client);

impl PgRaw {
    fn open(url: &str) -> PgRaw {
        PgRaw(postgres::Client::connect(url, postgres::NoTls).expect("raw postgres"))
    }
}

impl Raw for PgRaw {
    fn rows(&mut self, sql: &str) -> Vec<Vec<Option<String>>> {
        self.0
            .simple_query(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
            .into_iter()
            .filter_map(|message| match message {
                postgres::SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|i| row.get(i).map(str::to_owned))
                        .collect(),
                ),
                _ => None,
            })
            .collect()
    }

    fn exec(&mut self, sql: &str) -> u64 {
        self.0
            .execute(sql, &[])
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
    }
}

/// Where the store's data lives.
pub enum Backend {
    Sqlite { _dir: TempDir, path: PathBuf },
    Postgres { db: ScratchDatabase },
}

pub struct Env {
    pub store: Arc<dyn Store>,
    raw: Mutex<Box<dyn Raw>>,
    pub backend: Backend,
}

impl Env {
    pub fn sqlite() -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("roster.db");
        let store = SqliteStore::open(&path).expect("open sqlite");
        Env {
            store: Arc::new(store),
            raw: Mutex::new(Box::new(SqliteRaw::open(path.clone()))),
            backend: Backend::Sqlite { _dir: dir, path },
        }
    }

    /// A store on a fresh database of the local PostgreSQL server; `None`
    /// when `ROSTER_SKIP_POSTGRES=1`.
    pub fn postgres() -> Option<Env> {
        let db = scratch_database()?;
        let store = PgStore::open_url(db.url()).expect("open postgres");
        Some(Env {
            store: Arc::new(store),
            raw: Mutex::new(Box::new(PgRaw::open(db.url()))),
            backend: Backend::Postgres { db },
        })
    }

    /// Open the same data again, as a restarted (or another) node would.
    pub fn open_again(&self) -> Result<Arc<dyn Store>, Error> {
        open(&self.backend)
    }

    /// Close the store (every connection), then open the same data again.
    pub fn reopen(self) -> Env {
        let Env {
            store,
            raw,
            backend,
        } = self;
        drop(store);
        let store = open(&backend).expect("reopen");
        Env {
            store,
            raw,
            backend,
        }
    }

    /// A raw connection of its own (for a checker thread).
    pub fn new_raw(&self) -> Box<dyn Raw> {
        match &self.backend {
            Backend::Sqlite { path, .. } => Box::new(SqliteRaw::open(path.clone())),
            Backend::Postgres { db } => Box::new(PgRaw::open(db.url())),
        }
    }

    fn with_raw<T>(&self, f: impl FnOnce(&mut dyn Raw) -> T) -> T {
        let mut raw = self.raw.lock().unwrap_or_else(|p| p.into_inner());
        f(raw.as_mut())
    }

    /// The first column of the first row, as a number.
    pub fn scalar(&self, sql: &str) -> i64 {
        self.with_raw(|raw| scalar(raw, sql))
    }

    /// The first column of every row, as text.
    pub fn texts(&self, sql: &str) -> Vec<String> {
        self.with_raw(|raw| raw.rows(sql))
            .into_iter()
            .map(|row| row.into_iter().next().flatten().unwrap_or_default())
            .collect()
    }

    /// The first column of every row, as numbers.
    pub fn ints(&self, sql: &str) -> Vec<i64> {
        self.texts(sql)
            .iter()
            .map(|t| t.parse().expect("a number"))
            .collect()
    }

    pub fn exec(&self, sql: &str) -> u64 {
        self.with_raw(|raw| raw.exec(sql))
    }

    pub fn assert_invariants(&self) {
        self.with_raw(assert_invariants)
    }

    pub fn counters_of(&self, community: CommunityId) -> Counters {
        self.with_raw(|raw| counters_of(raw, community))
    }

    fn snapshot(&self) -> Vec<String> {
        self.texts(
            "SELECT 'c' || num || name || description || join_policy || archived || members
                    || owners || pending || invited || updated_at FROM communities
             UNION ALL
             SELECT 'm' || community_num || '/' || user_num || standing || since FROM memberships
             ORDER BY 1",
        )
    }

    pub fn user(&self, name: &str) -> User {
        self.store
            .create_user(new_user(name, false))
            .expect("create user")
    }

    pub fn admin(&self, name: &str) -> User {
        self.store
            .create_user(new_user(name, true))
            .expect("create admin")
    }

    pub fn community(&self, owner: &User, name: &str, policy: JoinPolicy) -> CommunityId {
        let outcome = self
            .store
            .create_community(act(owner), new_community(name, policy))
            .expect("create community");
        outcome.community.id()
    }

    pub fn events(&self) -> i64 {
        self.scalar("SELECT count(*) FROM events")
    }

    /// Run a command that must be accepted with a change (one more event).
    pub fn changed(&self, actor: &User, community: CommunityId, command: Command) -> Outcome {
        let before = self.events();
        let outcome = self
            .store
            .execute(act(actor), &CommunityKey::Id(community), command.clone())
            .unwrap_or_else(|e| panic!("{command:?} by {}: {e:?}", actor.username));
        let event = outcome.event.as_ref().expect("an event for a change");
        assert_eq!(self.events(), before + 1, "one event for {command:?}");
        assert_eq!(event.community, community);
        assert_eq!(event.actor, actor.id);
        self.assert_invariants();
        if event.kind == EventKind::Deleted {
            return outcome;
        }
        assert_eq!(
            outcome.community.state.counters,
            self.counters_of(community),
            "the outcome carries the committed counters"
        );
        outcome
    }

    /// Run a command that must be accepted without a change (no event).
    pub fn unchanged(&self, actor: &User, community: CommunityId, command: Command) -> Outcome {
        let before = self.events();
        let outcome = self
            .store
            .execute(act(actor), &CommunityKey::Id(community), command.clone())
            .unwrap_or_else(|e| panic!("{command:?} by {}: {e:?}", actor.username));
        assert!(outcome.event.is_none(), "{command:?} should change nothing");
        assert_eq!(self.events(), before, "no event for unchanged {command:?}");
        self.assert_invariants();
        outcome
    }

    /// Run a command that must be refused with `expected`, writing nothing.
    pub fn refused(
        &self,
        actor: &User,
        community: CommunityId,
        command: Command,
        expected: DomainError,
    ) {
        let before_events = self.events();
        let before = self.snapshot();
        let result = self
            .store
            .execute(act(actor), &CommunityKey::Id(community), command.clone());
        match result {
            Err(Error::Domain(error)) => assert_eq!(error, expected, "{command:?}"),
            other => panic!("{command:?}: expected {expected:?}, got {other:?}"),
        }
        assert_eq!(
            self.events(),
            before_events,
            "no event for refused {command:?}"
        );
        assert_eq!(self.snapshot(), before, "refused {command:?} wrote rows");
    }

    pub fn standing(&self, community: CommunityId, user: &User) -> Standing {
        self.store.standing(community, user.id).expect("standing")
    }
}

/// A raw connection to a SQLite file a test opened itself.
pub fn sqlite_raw(path: PathBuf) -> Box<dyn Raw> {
    Box::new(SqliteRaw::open(path))
}

fn open(backend: &Backend) -> Result<Arc<dyn Store>, Error> {
    Ok(match backend {
        Backend::Sqlite { path, .. } => Arc::new(SqliteStore::open(path)?),
        Backend::Postgres { db } => Arc::new(PgStore::open_url(db.url())?),
    })
}

/// A fresh database on the test server, or `None` when PostgreSQL tests
/// are skipped; a clear failure when the server does not answer.
pub fn scratch_database() -> Option<ScratchDatabase> {
    if scratch::skipped() {
        eprintln!("PostgreSQL test skipped: ROSTER_SKIP_POSTGRES=1");
        return None;
    }
    let server = scratch::server_url();
    match ScratchDatabase::create(&server) {
        Ok(db) => Some(db),
        Err(error) => panic!(
            "PostgreSQL is required for this test and not reachable at {server}: {error}\n\
             Start it (./scripts/test does: pg_ctlcluster <version> main start), point \
             ROSTER_TEST_POSTGRES_URL at a server whose role may CREATE DATABASE, or set \
             ROSTER_SKIP_POSTGRES=1 to skip the PostgreSQL tests."
        ),
    }
}

pub fn scalar(raw: &mut dyn Raw, sql: &str) -> i64 {
    let rows = raw.rows(sql);
    let text = rows
        .first()
        .and_then(|row| row.first())
        .cloned()
        .flatten()
        .unwrap_or_else(|| panic!("no value from {sql}"));
    text.parse()
        .unwrap_or_else(|_| panic!("{sql}: not a number: {text}"))
}

pub fn counters_of(raw: &mut dyn Raw, community: CommunityId) -> Counters {
    let rows = raw.rows(&format!(
        "SELECT members, owners, pending, invited FROM communities WHERE id = '{community}'"
    ));
    let row = rows.first().expect("the community's counters");
    let n = |i: usize| -> i64 { row[i].as_deref().unwrap_or("").parse().expect("counter") };
    Counters {
        members: n(0),
        owners: n(1),
        pending: n(2),
        invited: n(3),
    }
}

/// Every community's counters equal its rows, and a community with members
/// has an owner. One statement: one consistent snapshot on both backends.
pub fn assert_invariants(raw: &mut dyn Raw) {
    let rows = raw.rows(
        "SELECT c.name, c.members, c.owners, c.pending, c.invited,
                (SELECT count(*) FROM memberships m WHERE m.community_num = c.num
                   AND m.standing IN ('owner', 'manager', 'member')),
                (SELECT count(*) FROM memberships m WHERE m.community_num = c.num
                   AND m.standing = 'owner'),
                (SELECT count(*) FROM memberships m WHERE m.community_num = c.num
                   AND m.standing = 'requested'),
                (SELECT count(*) FROM memberships m WHERE m.community_num = c.num
                   AND m.standing = 'invited')
         FROM communities c",
    );
    for row in rows {
        let name = row[0].clone().unwrap_or_default();
        let n = |i: usize| -> i64 { row[i].as_deref().unwrap_or("").parse().expect("count") };
        let counters = [n(1), n(2), n(3), n(4)];
        let counted = [n(5), n(6), n(7), n(8)];
        assert_eq!(
            counters, counted,
            "counters of {name} (members, owners, pending, invited)"
        );
        if counters[0] > 0 {
            assert!(counters[1] >= 1, "{name} has members but no owner");
        }
    }
}

pub fn new_user(name: &str, admin: bool) -> NewUser {
    NewUser {
        username: name.to_owned(),
        password_hash: format!("$argon2id$fake${name}"),
        email: Some(format!("{name}@example.org")),
        admin,
        profile: Profile {
            nickname: format!("{name} nick"),
            ..Profile::default()
        },
    }
}

pub fn settings(name: &str, policy: JoinPolicy) -> Settings {
    Settings {
        name: name.to_owned(),
        description: format!("about {name}"),
        visibility: Visibility::Public,
        join_policy: policy,
        contribution_mode: ContributionMode::Anyone,
    }
}

pub fn new_community(name: &str, policy: JoinPolicy) -> NewCommunity {
    NewCommunity {
        settings: settings(name, policy),
        site: false,
        members: Vec::new(),
    }
}

pub fn act(user: &User) -> Actor {
    Actor {
        user: user.id,
        admin: false,
    }
}

pub fn domain<T: std::fmt::Debug>(result: Result<T, Error>) -> DomainError {
    match result {
        Err(Error::Domain(error)) => error,
        other => panic!("expected a domain error, got {other:?}"),
    }
}

pub fn member_query(standings: Vec<Standing>, paging: Paging, limit: u32) -> MemberQuery {
    MemberQuery {
        standings,
        paging,
        limit,
    }
}

/// A small deterministic generator, one per thread.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % bound as u64) as usize
    }
}
