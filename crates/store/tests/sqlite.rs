//! The SQLite store against a real database file: users, tokens, every
//! membership round trip, paging, the event feed, reopening the file, and
//! concurrent commands. After each step the counters are compared with the
//! rows (`SELECT count(*)` on a separate connection) and the number of
//! events with the number of accepted changes.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{Duration, Utc};
use roster_engine::{
    Actor, Command, CommunityId, ContributionMode, DomainError, EventKind, JoinPolicy,
    NewCommunity, Role, Settings, SettingsPatch, Standing, UserId, Visibility,
};
use roster_store::sqlite::SqliteStore;
use roster_store::{
    CommunityKey, Error, EventQuery, MemberQuery, MembershipQuery, NewToken, NewUser, Outcome,
    Paging, Profile, Scopes, Store, User, UserKey, UserPatch,
};
use rusqlite::{Connection, OpenFlags};
use tempfile::TempDir;

// --- fixtures ----------------------------------------------------------------

struct Env {
    _dir: TempDir,
    path: PathBuf,
    store: SqliteStore,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("roster.db");
        let store = SqliteStore::open(&path).expect("open");
        Env {
            _dir: dir,
            path,
            store,
        }
    }

    /// A separate connection to the same file, to check rows directly.
    fn raw(&self) -> Connection {
        raw(&self.path)
    }

    fn user(&self, name: &str) -> User {
        self.store
            .create_user(new_user(name, false))
            .expect("create user")
    }

    fn admin(&self, name: &str) -> User {
        self.store
            .create_user(new_user(name, true))
            .expect("create admin")
    }

    fn community(&self, owner: &User, name: &str, policy: JoinPolicy) -> CommunityId {
        let outcome = self
            .store
            .create_community(act(owner), new_community(name, policy))
            .expect("create community");
        outcome.community.id()
    }

    fn events(&self) -> i64 {
        scalar(&self.raw(), "SELECT count(*) FROM events")
    }

    /// Run a command that must be accepted with a change (one more event).
    fn changed(&self, actor: &User, community: CommunityId, command: Command) -> Outcome {
        let before = self.events();
        let outcome = self
            .store
            .execute(act(actor), &CommunityKey::Id(community), command.clone())
            .unwrap_or_else(|e| panic!("{command:?} by {}: {e:?}", actor.username));
        let event = outcome.event.as_ref().expect("an event for a change");
        assert_eq!(self.events(), before + 1, "one event for {command:?}");
        assert_eq!(event.community, community);
        assert_eq!(event.actor, actor.id);
        assert_invariants(&self.raw());
        if event.kind == EventKind::Deleted {
            return outcome;
        }
        assert_eq!(
            outcome.community.state.counters,
            counters_of(&self.raw(), community),
            "the outcome carries the committed counters"
        );
        outcome
    }

    /// Run a command that must be accepted without a change (no event).
    fn unchanged(&self, actor: &User, community: CommunityId, command: Command) -> Outcome {
        let before = self.events();
        let outcome = self
            .store
            .execute(act(actor), &CommunityKey::Id(community), command.clone())
            .unwrap_or_else(|e| panic!("{command:?} by {}: {e:?}", actor.username));
        assert!(outcome.event.is_none(), "{command:?} should change nothing");
        assert_eq!(self.events(), before, "no event for unchanged {command:?}");
        assert_invariants(&self.raw());
        outcome
    }

    /// Run a command that must be refused with `expected`, writing nothing.
    fn refused(
        &self,
        actor: &User,
        community: CommunityId,
        command: Command,
        expected: DomainError,
    ) {
        let before_events = self.events();
        let before = snapshot(&self.raw());
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
        assert_eq!(
            snapshot(&self.raw()),
            before,
            "refused {command:?} wrote rows"
        );
    }

    fn standing(&self, community: CommunityId, user: &User) -> Standing {
        self.store.standing(community, user.id).expect("standing")
    }
}

fn raw(path: &Path) -> Connection {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("raw");
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .expect("busy timeout");
    conn
}

fn scalar(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0)).expect(sql)
}

fn new_user(name: &str, admin: bool) -> NewUser {
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

fn settings(name: &str, policy: JoinPolicy) -> Settings {
    Settings {
        name: name.to_owned(),
        description: format!("about {name}"),
        visibility: Visibility::Public,
        join_policy: policy,
        contribution_mode: ContributionMode::Anyone,
    }
}

fn new_community(name: &str, policy: JoinPolicy) -> NewCommunity {
    NewCommunity {
        settings: settings(name, policy),
        site: false,
    }
}

fn act(user: &User) -> Actor {
    Actor {
        user: user.id,
        admin: false,
    }
}

fn counters_of(conn: &Connection, community: CommunityId) -> roster_engine::Counters {
    conn.query_row(
        "SELECT members, owners, pending, invited FROM communities WHERE id = ?1",
        [community.to_string()],
        |row| {
            Ok(roster_engine::Counters {
                members: row.get(0)?,
                owners: row.get(1)?,
                pending: row.get(2)?,
                invited: row.get(3)?,
            })
        },
    )
    .expect("counters")
}

/// Every community's counters equal its rows, and a community with members
/// has an owner. Runs in one read transaction: one consistent snapshot.
fn assert_invariants(conn: &Connection) {
    let tx = conn.unchecked_transaction().expect("read tx");
    let mut stmt = tx
        .prepare(
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
        )
        .expect("prepare");
    let rows = stmt
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                [row.get::<_, i64>(1)?, row.get(2)?, row.get(3)?, row.get(4)?],
                [row.get::<_, i64>(5)?, row.get(6)?, row.get(7)?, row.get(8)?],
            ))
        })
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows");
    for (name, counters, counted) in rows {
        assert_eq!(
            counters, counted,
            "counters of {name} (members, owners, pending, invited)"
        );
        if counters[0] > 0 {
            assert!(counters[1] >= 1, "{name} has members but no owner");
        }
    }
}

/// Everything a refused command must leave alone.
fn snapshot(conn: &Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare(
            "SELECT 'c' || num || name || description || join_policy || archived || members
                    || owners || pending || invited || updated_at FROM communities
             UNION ALL
             SELECT 'm' || community_num || '/' || user_num || standing || since FROM memberships
             ORDER BY 1",
        )
        .expect("prepare");
    stmt.query_map([], |row| row.get(0))
        .expect("query")
        .collect::<Result<Vec<String>, _>>()
        .expect("rows")
}

fn domain<T: std::fmt::Debug>(result: Result<T, Error>) -> DomainError {
    match result {
        Err(Error::Domain(error)) => error,
        other => panic!("expected a domain error, got {other:?}"),
    }
}

fn member_query(standings: Vec<Standing>, paging: Paging, limit: u32) -> MemberQuery {
    MemberQuery {
        standings,
        paging,
        limit,
    }
}

// --- opening -----------------------------------------------------------------

#[test]
fn open_creates_the_file_sets_wal_and_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/roster.db");
    assert!(!path.exists());
    let store = SqliteStore::open(&path).unwrap();
    assert!(path.exists());
    store.ping().unwrap();
    let conn = raw(&path);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let migrations: Vec<(i64, String)> = conn
        .prepare("SELECT version, name FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        migrations,
        vec![(1, "init".to_owned()), (2, "idempotency".to_owned())]
    );
    drop(store);

    // Reopening applies nothing again; every URL form opens the same file.
    let url_forms = [
        format!("sqlite://{}", path.display()),
        format!("sqlite:{}", path.display()),
        path.display().to_string(),
    ];
    for url in &url_forms {
        let store = SqliteStore::open_url(url).unwrap();
        assert_eq!(store.path(), path.as_path(), "{url}");
        store.ping().unwrap();
    }
    assert_eq!(
        scalar(&raw(&path), "SELECT count(*) FROM schema_migrations"),
        2
    );

    assert!(matches!(
        SqliteStore::open_url("sqlite://"),
        Err(Error::Backend(_))
    ));
    assert!(matches!(
        SqliteStore::open(Path::new(":memory:")),
        Err(Error::Backend(_))
    ));
}

#[test]
fn a_newer_schema_is_refused() {
    let env = Env::new();
    let path = env.path.clone();
    drop(env.store);
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')",
        [],
    )
    .unwrap();
    drop(conn);
    match SqliteStore::open(&path) {
        Err(Error::Backend(message)) => assert!(message.contains("newer"), "{message}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

// --- users -------------------------------------------------------------------

#[test]
fn users_are_unique_and_the_first_admin_founds_the_site_community() {
    let env = Env::new();
    let early = env.user("early");
    assert!(env.store.site_community().unwrap().is_none());
    assert_eq!(env.events(), 0, "no site, no event");

    let admin = env.admin("alice");
    let site = env.store.site_community().unwrap().expect("site community");
    assert!(site.state.site);
    assert_eq!(site.state.settings.name, "Site members");
    assert_eq!(site.state.settings.join_policy, JoinPolicy::Open);
    assert_eq!(site.state.settings.visibility, Visibility::Public);
    assert_eq!(site.state.settings.description, "");
    assert_eq!(site.creator.id, admin.id);
    assert_eq!(site.creator.username, "alice");
    assert_eq!(
        (site.state.counters.members, site.state.counters.owners),
        (1, 1)
    );
    assert_eq!(
        env.standing(site.id(), &admin),
        Standing::Member(Role::Owner)
    );
    assert_eq!(
        env.standing(site.id(), &early),
        Standing::None,
        "earlier users stay outside"
    );

    let carol = env.user("carol");
    let second_admin = env.admin("dave");
    assert_eq!(
        env.standing(site.id(), &carol),
        Standing::Member(Role::Member)
    );
    assert_eq!(
        env.standing(site.id(), &second_admin),
        Standing::Member(Role::Member)
    );
    let site = env.store.site_community().unwrap().unwrap();
    assert_eq!(
        (site.state.counters.members, site.state.counters.owners),
        (3, 1)
    );
    assert_invariants(&env.raw());

    let events = env
        .store
        .events(&EventQuery {
            community: Some(site.id()),
            after: 0,
            limit: 100,
        })
        .unwrap();
    let kinds: Vec<_> = events
        .iter()
        .map(|e| (e.kind, e.actor, e.subject))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (EventKind::Created, admin.id, Some(admin.id)),
            (EventKind::Joined, carol.id, Some(carol.id)),
            (EventKind::Joined, second_admin.id, Some(second_admin.id)),
        ]
    );

    // Usernames and emails are unique, case-insensitively; nothing is written.
    let before = env.events();
    let users_before = scalar(&env.raw(), "SELECT count(*) FROM users");
    assert_eq!(
        domain(env.store.create_user(new_user("alice", false))),
        DomainError::UsernameTaken
    );
    assert_eq!(
        domain(env.store.create_user(new_user("ALICE", false))),
        DomainError::UsernameTaken
    );
    let mut clash = new_user("zed", false);
    clash.email = Some("Carol@Example.org".into());
    assert_eq!(
        domain(env.store.create_user(clash)),
        DomainError::EmailTaken
    );
    assert_eq!(env.events(), before);
    assert_eq!(
        scalar(&env.raw(), "SELECT count(*) FROM users"),
        users_before
    );

    // Users without an email do not clash with each other.
    for name in ["noemail1", "noemail2"] {
        let mut user = new_user(name, false);
        user.email = None;
        assert_eq!(env.store.create_user(user).unwrap().email, None);
    }
}

#[test]
fn the_site_community_takes_a_free_name() {
    let env = Env::new();
    let early = env.user("early");
    env.community(&early, "Site members", JoinPolicy::Open);
    let admin = env.admin("root");
    let site = env.store.site_community().unwrap().unwrap();
    assert_eq!(site.state.settings.name, "Site members (2)");
    assert_eq!(site.creator.id, admin.id);
}

#[test]
fn find_update_login_and_list_users() {
    let env = Env::new();
    let bob = env.user("bob");
    let eve = env.user("eve");
    for key in [
        UserKey::Id(bob.id),
        UserKey::Num(bob.num),
        UserKey::Username("bob".into()),
        UserKey::Username("BOB".into()),
        UserKey::Email("bob@example.org".into()),
        UserKey::Email("Bob@Example.ORG".into()),
    ] {
        let found = env
            .store
            .find_user(&key)
            .unwrap()
            .unwrap_or_else(|| panic!("{key:?}"));
        assert_eq!(found.id, bob.id);
        assert_eq!(found.num, bob.num);
        assert_eq!(found.profile.nickname, "bob nick");
        assert_eq!(
            found.created_at, bob.created_at,
            "timestamps round-trip exactly"
        );
    }
    assert!(env
        .store
        .find_user(&UserKey::Id(UserId::random()))
        .unwrap()
        .is_none());
    assert!(env.store.find_user(&UserKey::Num(-1)).unwrap().is_none());
    assert!(env
        .store
        .find_user(&UserKey::Username("' OR 1=1 --".into()))
        .unwrap()
        .is_none());

    // Mark bob's email verified behind the store's back, to see a change reset it.
    {
        let conn = Connection::open(&env.path).unwrap();
        conn.execute(
            "UPDATE users SET email_verified = 1 WHERE num = ?1",
            [bob.num],
        )
        .unwrap();
    }
    let patch = UserPatch {
        nickname: Some("Bobby".into()),
        last_name: Some("Builder".into()),
        ..UserPatch::default()
    };
    let updated = env.store.update_user(bob.id, &patch).unwrap();
    assert_eq!(updated.profile.nickname, "Bobby");
    assert_eq!(updated.profile.last_name, "Builder");
    assert_eq!(updated.email.as_deref(), Some("bob@example.org"));
    assert!(updated.email_verified, "unchanged email stays verified");
    assert!(updated.updated_at >= bob.updated_at);
    assert_eq!(updated.password_hash, bob.password_hash);

    let moved = env
        .store
        .update_user(
            bob.id,
            &UserPatch {
                email: Some("robert@example.org".into()),
                ..UserPatch::default()
            },
        )
        .unwrap();
    assert_eq!(moved.email.as_deref(), Some("robert@example.org"));
    assert!(!moved.email_verified, "a new address starts unverified");
    assert_eq!(
        moved.profile.nickname, "Bobby",
        "a patch keeps the other fields"
    );

    let clash = UserPatch {
        email: Some("EVE@example.org".into()),
        ..UserPatch::default()
    };
    assert_eq!(
        domain(env.store.update_user(bob.id, &clash)),
        DomainError::EmailTaken
    );
    let own = UserPatch {
        email: Some("eve@example.org".into()),
        ..UserPatch::default()
    };
    assert_eq!(
        env.store
            .update_user(eve.id, &own)
            .unwrap()
            .email
            .as_deref(),
        Some("eve@example.org")
    );
    assert_eq!(
        domain(env.store.update_user(UserId::random(), &patch)),
        DomainError::UserNotFound
    );

    assert!(bob.last_login_at.is_none());
    env.store.record_login(bob.id).unwrap();
    let after = env.store.find_user(&UserKey::Id(bob.id)).unwrap().unwrap();
    let login = after.last_login_at.expect("login recorded");
    assert!((Utc::now() - login).num_seconds().abs() < 60);
    assert_eq!(
        domain(env.store.record_login(UserId::random())),
        DomainError::UserNotFound
    );

    let more: Vec<User> = (0..5).map(|i| env.user(&format!("u{i}"))).collect();
    let all = env.store.list_users(None, 100).unwrap();
    assert_eq!(all.len(), 7);
    let nums: Vec<i64> = all.iter().map(|u| u.num).collect();
    assert!(nums.windows(2).all(|w| w[0] < w[1]), "creation order");
    let page = env.store.list_users(Some(eve.num), 2).unwrap();
    assert_eq!(
        page.iter().map(|u| u.id).collect::<Vec<_>>(),
        vec![more[0].id, more[1].id]
    );
    assert_eq!(
        env.store.list_users(None, 0).unwrap().len(),
        1,
        "limit clamps to 1"
    );
    assert!(env.store.list_users(Some(i64::MAX), 10).unwrap().is_empty());
}

// --- tokens ------------------------------------------------------------------

#[test]
fn tokens_round_trip() {
    let env = Env::new();
    let bob = env.user("bob");
    let eve = env.user("eve");
    let expires = Utc::now() + Duration::days(30);
    let first = env
        .store
        .create_token(NewToken {
            user: bob.id,
            hash: [1; 32],
            scopes: Scopes {
                read: true,
                write: false,
                admin: false,
            },
            label: "cli".into(),
            expires_at: Some(expires),
        })
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let second = env
        .store
        .create_token(NewToken {
            user: bob.id,
            hash: [2; 32],
            scopes: Scopes {
                read: true,
                write: true,
                admin: true,
            },
            label: "ci".into(),
            expires_at: None,
        })
        .unwrap();
    assert_ne!(first.id, second.id);
    assert_eq!(
        first.expires_at.unwrap().timestamp_millis(),
        expires.timestamp_millis()
    );

    let (found, user) = env.store.find_token(&[1; 32]).unwrap().expect("token");
    assert_eq!(found.id, first.id);
    assert_eq!(found.user, bob.id);
    assert_eq!(
        found.scopes,
        Scopes {
            read: true,
            write: false,
            admin: false
        }
    );
    assert_eq!(found.label, "cli");
    assert_eq!(found.expires_at, first.expires_at);
    assert_eq!(found.created_at, first.created_at);
    assert_eq!(user.id, bob.id);
    assert!(env.store.find_token(&[9; 32]).unwrap().is_none());
    let (admin_token, _) = env.store.find_token(&[2; 32]).unwrap().unwrap();
    assert_eq!(
        admin_token.scopes,
        Scopes {
            read: true,
            write: true,
            admin: true
        }
    );

    let listed: Vec<_> = env
        .store
        .list_tokens(bob.id)
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(listed, vec![second.id, first.id], "newest first");
    assert!(env.store.list_tokens(eve.id).unwrap().is_empty());

    assert!(
        !env.store.revoke_token(eve.id, first.id).unwrap(),
        "not hers"
    );
    assert!(
        !env.store
            .revoke_token(bob.id, uuid::Uuid::new_v4())
            .unwrap(),
        "unknown"
    );
    assert!(env.store.revoke_token(bob.id, first.id).unwrap());
    assert!(
        !env.store.revoke_token(bob.id, first.id).unwrap(),
        "already revoked"
    );
    let (revoked, _) = env.store.find_token(&[1; 32]).unwrap().unwrap();
    assert!(
        revoked.revoked_at.is_some(),
        "found whatever its revocation"
    );
    let (live, _) = env.store.find_token(&[2; 32]).unwrap().unwrap();
    assert!(live.revoked_at.is_none());

    let orphan = NewToken {
        user: UserId::random(),
        hash: [3; 32],
        scopes: Scopes::default(),
        label: String::new(),
        expires_at: None,
    };
    assert_eq!(
        domain(env.store.create_token(orphan)),
        DomainError::UserNotFound
    );
}

// --- community creation ------------------------------------------------------

#[test]
fn creating_communities() {
    let env = Env::new();
    let admin = env.admin("root");
    let owner = env.user("olga");
    let outcome = env
        .store
        .create_community(act(&owner), new_community("Rustaceans", JoinPolicy::Open))
        .unwrap();
    let community = &outcome.community;
    assert_eq!(community.state.settings.name, "Rustaceans");
    assert_eq!(community.creator.id, owner.id);
    assert_eq!(community.state.creator, owner.id);
    assert_eq!(
        (
            community.state.counters.members,
            community.state.counters.owners
        ),
        (1, 1)
    );
    assert_eq!(outcome.actor_standing, Standing::Member(Role::Owner));
    assert_eq!(outcome.subject_standing, Standing::Member(Role::Owner));
    let event = outcome.event.as_ref().unwrap();
    assert_eq!(
        (event.kind, event.actor, event.subject),
        (EventKind::Created, owner.id, Some(owner.id))
    );
    assert_eq!(
        env.standing(community.id(), &owner),
        Standing::Member(Role::Owner)
    );
    assert_invariants(&env.raw());

    // Every key finds it; the viewer's standing comes along.
    for key in [
        CommunityKey::Id(community.id()),
        CommunityKey::Num(community.num),
        CommunityKey::Name("Rustaceans".into()),
    ] {
        let (found, standing) = env.store.community(&key, Some(owner.id)).unwrap().unwrap();
        assert_eq!(found.id(), community.id());
        assert_eq!(found.creator.username, "olga");
        assert_eq!(standing, Standing::Member(Role::Owner));
    }
    let (_, none) = env
        .store
        .community(&CommunityKey::Num(community.num), None)
        .unwrap()
        .unwrap();
    assert_eq!(none, Standing::None);
    let (_, stranger) = env
        .store
        .community(&CommunityKey::Num(community.num), Some(UserId::random()))
        .unwrap()
        .unwrap();
    assert_eq!(stranger, Standing::None);
    assert!(env
        .store
        .community(&CommunityKey::Name("rustaceans ".into()), None)
        .unwrap()
        .is_none());

    let before = env.events();
    let communities = scalar(&env.raw(), "SELECT count(*) FROM communities");
    let taken = env
        .store
        .create_community(act(&admin), new_community("Rustaceans", JoinPolicy::Open));
    assert_eq!(domain(taken), DomainError::NameTaken);
    let site = NewCommunity {
        settings: settings("Another site", JoinPolicy::Open),
        site: true,
    };
    assert_eq!(
        domain(env.store.create_community(act(&admin), site)),
        DomainError::Invalid {
            field: "site",
            reason: "a site community exists"
        }
    );
    let ghost = Actor {
        user: UserId::random(),
        admin: false,
    };
    assert_eq!(
        domain(
            env.store
                .create_community(ghost, new_community("Ghosts", JoinPolicy::Open))
        ),
        DomainError::UserNotFound
    );
    assert!(matches!(
        domain(
            env.store
                .create_community(act(&owner), new_community(" padded", JoinPolicy::Open))
        ),
        DomainError::Invalid { field: "name", .. }
    ));
    assert_eq!(env.events(), before, "refusals write no event");
    assert_eq!(
        scalar(&env.raw(), "SELECT count(*) FROM communities"),
        communities
    );
    // root and olga in the site community, olga in Rustaceans.
    assert_eq!(scalar(&env.raw(), "SELECT count(*) FROM memberships"), 3);
}

// --- membership round trips --------------------------------------------------

#[test]
fn membership_round_trips_keep_counters_and_events_exact() {
    let env = Env::new();
    let owner = env.user("olga");
    let (u1, u2, u3, u4) = (
        env.user("u1"),
        env.user("u2"),
        env.user("u3"),
        env.user("u4"),
    );
    let c = env.community(&owner, "Rust", JoinPolicy::Request);

    // Request, repeat, approve.
    let out = env.changed(&u1, c, Command::Join);
    assert_eq!(out.event.as_ref().unwrap().kind, EventKind::Requested);
    assert_eq!(out.actor_standing, Standing::Requested);
    assert_eq!(out.subject_standing, Standing::Requested);
    assert_eq!(out.community.state.counters.pending, 1);
    env.unchanged(&u1, c, Command::Join);
    env.refused(
        &u1,
        c,
        Command::Approve { subject: u1.id },
        DomainError::NotPermitted,
    );
    let out = env.changed(&owner, c, Command::Approve { subject: u1.id });
    assert_eq!(out.event.as_ref().unwrap().kind, EventKind::Approved);
    assert_eq!(out.event.as_ref().unwrap().subject, Some(u1.id));
    assert_eq!(out.actor_standing, Standing::Member(Role::Owner));
    assert_eq!(out.subject_standing, Standing::Member(Role::Member));
    assert_eq!(out.community.state.counters.members, 2);
    assert_eq!(out.community.state.counters.pending, 0);
    env.unchanged(&u1, c, Command::Join);

    // Request, reject; reject again is refused.
    env.changed(&u2, c, Command::Join);
    let out = env.changed(&owner, c, Command::Reject { subject: u2.id });
    assert_eq!(out.event.as_ref().unwrap().kind, EventKind::Rejected);
    assert_eq!(out.subject_standing, Standing::None);
    env.refused(
        &owner,
        c,
        Command::Reject { subject: u2.id },
        DomainError::NoRequest,
    );

    // Invite, accept by joining; inviting a member changes nothing.
    let out = env.changed(&owner, c, Command::Invite { subject: u3.id });
    assert_eq!(out.community.state.counters.invited, 1);
    assert_eq!(env.standing(c, &u3), Standing::Invited);
    let out = env.changed(&u3, c, Command::Join);
    assert_eq!(
        out.event.as_ref().unwrap().kind,
        EventKind::InvitationAccepted
    );
    assert_eq!(out.community.state.counters.invited, 0);
    env.unchanged(&owner, c, Command::Invite { subject: u3.id });

    // Invite then decline by leaving.
    env.changed(&owner, c, Command::Invite { subject: u4.id });
    let out = env.changed(&u4, c, Command::Leave);
    assert_eq!(
        out.event.as_ref().unwrap().kind,
        EventKind::InvitationDeclined
    );

    // A role change keeps `since`.
    let since = |user: &User| -> String {
        env.raw()
            .query_row(
                "SELECT since FROM memberships WHERE user_num = ?1",
                [user.num],
                |r| r.get(0),
            )
            .unwrap()
    };
    let joined = since(&u3);
    std::thread::sleep(std::time::Duration::from_millis(5));
    let out = env.changed(
        &owner,
        c,
        Command::SetRole {
            subject: u3.id,
            role: Role::Manager,
            expect: None,
        },
    );
    assert_eq!(out.subject_standing, Standing::Member(Role::Manager));
    assert_eq!(since(&u3), joined);
    env.unchanged(
        &owner,
        c,
        Command::SetRole {
            subject: u3.id,
            role: Role::Manager,
            expect: None,
        },
    );
    env.refused(
        &owner,
        c,
        Command::SetRole {
            subject: u3.id,
            role: Role::Member,
            expect: Some(Role::Owner),
        },
        DomainError::RoleMismatch {
            actual: Role::Manager,
        },
    );

    // The last owner can neither leave nor be removed; members leave.
    env.refused(&owner, c, Command::Leave, DomainError::LastOwner);
    env.refused(
        &u3,
        c,
        Command::Remove { subject: owner.id },
        DomainError::LastOwner,
    );
    let out = env.changed(&u1, c, Command::Leave);
    assert_eq!(out.event.as_ref().unwrap().kind, EventKind::Left);
    assert_eq!(out.actor_standing, Standing::None);
    env.refused(&u1, c, Command::Leave, DomainError::NotMember);

    // Ban ends a request; the banned cannot join; unban.
    env.changed(&u2, c, Command::Join);
    let reason = Some("spam".to_owned());
    let out = env.changed(
        &u3,
        c,
        Command::Ban {
            subject: u2.id,
            reason: reason.clone(),
        },
    );
    let event = out.event.as_ref().unwrap();
    assert_eq!(
        (event.kind, event.reason.clone()),
        (EventKind::Banned, reason)
    );
    assert_eq!(out.community.state.counters.pending, 0);
    env.unchanged(
        &owner,
        c,
        Command::Ban {
            subject: u2.id,
            reason: None,
        },
    );
    env.refused(&u2, c, Command::Join, DomainError::Banned);
    env.refused(
        &owner,
        c,
        Command::Invite { subject: u2.id },
        DomainError::SubjectBanned,
    );
    let out = env.changed(&owner, c, Command::Unban { subject: u2.id });
    assert_eq!(out.subject_standing, Standing::None);
    env.unchanged(&owner, c, Command::Unban { subject: u2.id });

    // Add directly, remove by rank.
    env.changed(&owner, c, Command::Add { subject: u4.id });
    let out = env.changed(&u3, c, Command::Remove { subject: u4.id });
    assert_eq!(out.event.as_ref().unwrap().kind, EventKind::Removed);
    env.refused(
        &u3,
        c,
        Command::Remove { subject: u4.id },
        DomainError::SubjectNotMember,
    );

    // Transfer: subject owner, actor manager, in one event; then the old owner may leave.
    let owners_before = out.community.state.counters.owners;
    let out = env.changed(&owner, c, Command::TransferOwnership { subject: u3.id });
    assert_eq!(
        out.event.as_ref().unwrap().kind,
        EventKind::OwnershipTransferred
    );
    assert_eq!(out.actor_standing, Standing::Member(Role::Manager));
    assert_eq!(out.subject_standing, Standing::Member(Role::Owner));
    assert_eq!(out.community.state.counters.owners, owners_before);
    assert_eq!(env.standing(c, &owner), Standing::Member(Role::Manager));
    assert_eq!(env.standing(c, &u3), Standing::Member(Role::Owner));
    env.changed(&owner, c, Command::Leave);
    env.refused(&u3, c, Command::Leave, DomainError::LastOwner);

    // Unknown ids change nothing.
    env.refused(
        &u3,
        c,
        Command::Invite {
            subject: UserId::random(),
        },
        DomainError::UserNotFound,
    );
    let ghost = Actor {
        user: UserId::random(),
        admin: false,
    };
    let result = env
        .store
        .execute(ghost, &CommunityKey::Id(c), Command::Join);
    assert_eq!(domain(result), DomainError::UserNotFound);
    let result = env.store.execute(
        act(&u1),
        &CommunityKey::Id(CommunityId::random()),
        Command::Join,
    );
    assert_eq!(domain(result), DomainError::CommunityNotFound);
    let result = env
        .store
        .execute(act(&u1), &CommunityKey::Name("nope".into()), Command::Join);
    assert_eq!(domain(result), DomainError::CommunityNotFound);

    // One event per accepted change, in order, with the subjects named.
    let feed = env
        .store
        .events(&EventQuery {
            community: Some(c),
            after: 0,
            limit: 1000,
        })
        .unwrap();
    let kinds: Vec<EventKind> = feed.iter().map(|e| e.kind).collect();
    use EventKind::*;
    assert_eq!(
        kinds,
        vec![
            Created,
            Requested,
            Approved,
            Requested,
            Rejected,
            Invited,
            InvitationAccepted,
            Invited,
            InvitationDeclined,
            RoleChanged,
            Left,
            Requested,
            Banned,
            Unbanned,
            Added,
            Removed,
            OwnershipTransferred,
            Left,
        ]
    );
    assert!(feed.windows(2).all(|w| w[0].seq < w[1].seq));
    let final_counters = counters_of(&env.raw(), c);
    assert_eq!((final_counters.members, final_counters.owners), (1, 1));
}

#[test]
fn an_admin_acts_without_a_membership() {
    let env = Env::new();
    let admin = env.admin("root");
    let owner = env.user("olga");
    let member = env.user("mia");
    let c = env.community(&owner, "Guarded", JoinPolicy::Invite);
    env.refused(&member, c, Command::Join, DomainError::InvitationRequired);
    let elevated = Actor {
        user: admin.id,
        admin: true,
    };
    let out = env
        .store
        .execute(
            elevated,
            &CommunityKey::Id(c),
            Command::Add { subject: member.id },
        )
        .unwrap();
    assert_eq!(out.actor_standing, Standing::None);
    assert_eq!(out.subject_standing, Standing::Member(Role::Member));
    let out = env
        .store
        .execute(
            elevated,
            &CommunityKey::Id(c),
            Command::TransferOwnership { subject: member.id },
        )
        .unwrap();
    assert_eq!(
        out.community.state.counters.owners, 2,
        "admin transfer adds an owner"
    );
    assert_invariants(&env.raw());
}

#[test]
fn settings_archive_and_delete() {
    let env = Env::new();
    let owner = env.user("olga");
    let other = env.user("otto");
    let mia = env.user("mia");
    let c = env.community(&owner, "Books", JoinPolicy::Open);
    env.community(&other, "Films", JoinPolicy::Open);
    env.changed(&mia, c, Command::Join);

    let rename = |name: &str| {
        Command::Update(SettingsPatch {
            name: Some(name.into()),
            ..SettingsPatch::default()
        })
    };
    env.refused(&owner, c, rename("Films"), DomainError::NameTaken);
    env.refused(&mia, c, rename("Novels"), DomainError::NotPermitted);
    env.unchanged(&owner, c, rename("Books"));
    let created = env
        .store
        .community(&CommunityKey::Id(c), None)
        .unwrap()
        .unwrap()
        .0;
    std::thread::sleep(std::time::Duration::from_millis(5));
    let out = env.changed(&owner, c, rename("Novels"));
    assert_eq!(out.event.as_ref().unwrap().kind, EventKind::Updated);
    assert_eq!(out.community.state.settings.name, "Novels");
    assert!(
        out.community.updated_at > created.updated_at,
        "updated_at bumped"
    );
    assert_eq!(out.community.created_at, created.created_at);
    let (found, _) = env
        .store
        .community(&CommunityKey::Name("Novels".into()), None)
        .unwrap()
        .unwrap();
    assert_eq!(found.id(), c);
    assert_eq!(found.updated_at, out.community.updated_at);
    assert!(env
        .store
        .community(&CommunityKey::Name("Books".into()), None)
        .unwrap()
        .is_none());

    let out = env.changed(&owner, c, Command::Archive);
    assert!(out.community.state.archived);
    env.refused(&mia, c, Command::Leave, DomainError::Archived);
    env.refused(&owner, c, rename("Tomes"), DomainError::Archived);
    env.changed(&owner, c, Command::Unarchive);
    env.unchanged(&owner, c, Command::Unarchive);

    env.refused(&mia, c, Command::Delete, DomainError::NotPermitted);
    let out = env.changed(&owner, c, Command::Delete);
    assert_eq!(out.event.as_ref().unwrap().kind, EventKind::Deleted);
    assert_eq!(
        out.community.state.counters.members, 2,
        "the community as it was"
    );
    assert_eq!(out.community.state.settings.name, "Novels");
    assert!(env
        .store
        .community(&CommunityKey::Id(c), None)
        .unwrap()
        .is_none());
    assert_eq!(env.standing(c, &mia), Standing::None);
    assert_eq!(
        scalar(&env.raw(), "SELECT count(*) FROM memberships m JOIN users u ON u.num = m.user_num WHERE u.username = 'mia'"),
        0,
        "memberships cascade with their community"
    );
    let feed = env
        .store
        .events(&EventQuery {
            community: Some(c),
            after: 0,
            limit: 100,
        })
        .unwrap();
    assert_eq!(
        feed.last().map(|e| e.kind),
        Some(EventKind::Deleted),
        "history outlives the community"
    );
    let missing = env
        .store
        .execute(act(&owner), &CommunityKey::Id(c), Command::Join);
    assert_eq!(domain(missing), DomainError::CommunityNotFound);

    // The site community cannot be archived or deleted.
    let admin = env.admin("root");
    let site = env.store.site_community().unwrap().unwrap().id();
    env.refused(&admin, site, Command::Delete, DomainError::NotPermitted);
    env.refused(&admin, site, Command::Archive, DomainError::NotPermitted);
}

// --- reads -------------------------------------------------------------------

#[test]
fn members_paging_filters_and_totals() {
    let env = Env::new();
    let owner = env.user("olga");
    let c = env.community(&owner, "Big", JoinPolicy::Open);
    let people: Vec<User> = (0..25).map(|i| env.user(&format!("p{i:02}"))).collect();
    for person in &people {
        env.changed(person, c, Command::Join);
    }
    let patch = SettingsPatch {
        join_policy: Some(JoinPolicy::Request),
        ..SettingsPatch::default()
    };
    env.changed(&owner, c, Command::Update(patch));
    let askers: Vec<User> = (0..3).map(|i| env.user(&format!("ask{i}"))).collect();
    for asker in &askers {
        env.changed(asker, c, Command::Join);
    }
    env.changed(
        &owner,
        c,
        Command::Ban {
            subject: people[3].id,
            reason: None,
        },
    );
    env.changed(
        &owner,
        c,
        Command::SetRole {
            subject: people[0].id,
            role: Role::Manager,
            expect: None,
        },
    );

    let expected: Vec<i64> = {
        let conn = env.raw();
        let mut stmt = conn
            .prepare(
                "SELECT m.user_num FROM memberships m JOIN communities c ON c.num = m.community_num
                 WHERE c.id = ?1 AND m.standing IN ('owner','manager','member') ORDER BY m.user_num",
            )
            .unwrap();
        stmt.query_map([c.to_string()], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(expected.len(), 25, "owner + 25 people - 1 banned");

    // Keyset pages of 10: 10, 10, 5, each `next` the last row's number.
    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = env
            .store
            .members(c, &member_query(vec![], Paging::After(cursor), 10))
            .unwrap();
        assert_eq!(page.total, 25);
        pages += 1;
        seen.extend(page.items.iter().map(|row| row.user.num));
        match page.next {
            Some(next) => {
                assert_eq!(Some(next), page.items.last().map(|r| r.user.num));
                cursor = Some(next);
            }
            None => break,
        }
        assert!(pages < 10, "paging must end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected);

    // Offset pages.
    let page = env
        .store
        .members(c, &member_query(vec![], Paging::Offset(10), 10))
        .unwrap();
    let nums: Vec<i64> = page.items.iter().map(|r| r.user.num).collect();
    assert_eq!(nums, expected[10..20]);
    assert_eq!(page.next, Some(expected[19]));
    let page = env
        .store
        .members(c, &member_query(vec![], Paging::Offset(20), 10))
        .unwrap();
    assert_eq!(page.items.len(), 5);
    assert_eq!(page.next, None);
    let page = env
        .store
        .members(c, &member_query(vec![], Paging::Offset(u64::MAX), 10))
        .unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.total, 25);

    // Rows carry the user, the standing and `since`.
    let first = env
        .store
        .members(c, &member_query(vec![], Paging::After(None), 2))
        .unwrap();
    assert_eq!(first.items[0].user.id, owner.id);
    assert_eq!(first.items[0].standing, Standing::Member(Role::Owner));
    assert_eq!(first.items[1].user.id, people[0].id);
    assert_eq!(first.items[1].standing, Standing::Member(Role::Manager));
    assert!(first.items[1].since >= first.items[0].since);

    // Filters: from counters, or counted.
    let requested = env
        .store
        .members(
            c,
            &member_query(vec![Standing::Requested], Paging::After(None), 100),
        )
        .unwrap();
    assert_eq!(requested.total, 3);
    assert_eq!(
        requested
            .items
            .iter()
            .map(|r| r.user.id)
            .collect::<Vec<_>>(),
        askers.iter().map(|u| u.id).collect::<Vec<_>>()
    );
    let banned = env
        .store
        .members(
            c,
            &member_query(vec![Standing::Banned], Paging::After(None), 100),
        )
        .unwrap();
    assert_eq!(banned.total, 1);
    assert_eq!(banned.items[0].user.id, people[3].id);
    let mixed = vec![Standing::Banned, Standing::Requested, Standing::Banned];
    let mixed = env
        .store
        .members(c, &member_query(mixed, Paging::After(None), 2))
        .unwrap();
    assert_eq!(mixed.total, 4);
    assert_eq!(mixed.items.len(), 2);
    assert!(mixed.next.is_some());
    let managers = env
        .store
        .members(
            c,
            &member_query(
                vec![Standing::Member(Role::Manager)],
                Paging::After(None),
                10,
            ),
        )
        .unwrap();
    assert_eq!((managers.total, managers.items.len()), (1, 1));
    let owners = env
        .store
        .members(
            c,
            &member_query(vec![Standing::Member(Role::Owner)], Paging::After(None), 10),
        )
        .unwrap();
    assert_eq!(owners.total, 1);
    let explicit_members = vec![
        Standing::Member(Role::Member),
        Standing::Member(Role::Owner),
        Standing::Member(Role::Manager),
    ];
    let explicit = env
        .store
        .members(
            c,
            &member_query(explicit_members, Paging::After(None), 1000),
        )
        .unwrap();
    assert_eq!(explicit.total, 25);
    assert_eq!(explicit.items.len(), 25);

    // Limits clamp to 1..=1000.
    let one = env
        .store
        .members(c, &member_query(vec![], Paging::After(None), 0))
        .unwrap();
    assert_eq!(one.items.len(), 1);
    assert_eq!(one.next, Some(expected[0]));
    let all = env
        .store
        .members(c, &member_query(vec![], Paging::After(None), u32::MAX))
        .unwrap();
    assert_eq!(all.items.len(), 25);
    assert_eq!(all.next, None);
    let end = env
        .store
        .members(c, &member_query(vec![], Paging::After(Some(i64::MAX)), 10))
        .unwrap();
    assert!(end.items.is_empty() && end.next.is_none());

    let missing = env.store.members(
        CommunityId::random(),
        &member_query(vec![], Paging::After(None), 10),
    );
    assert_eq!(domain(missing), DomainError::CommunityNotFound);
}

#[test]
fn communities_of_a_user() {
    let env = Env::new();
    let admin = env.admin("root");
    let owner = env.user("olga");
    let user = env.user("uma");
    let communities: Vec<CommunityId> = (0..4)
        .map(|i| env.community(&owner, &format!("c{i}"), JoinPolicy::Open))
        .collect();
    for &c in &communities[..3] {
        env.changed(&user, c, Command::Join);
    }
    env.changed(&admin, communities[3], Command::Join);
    env.changed(&owner, communities[3], Command::Invite { subject: user.id });

    let query = |include_site: bool, paging: Paging, limit: u32, standings: Vec<Standing>| {
        MembershipQuery {
            standings,
            include_site,
            paging,
            limit,
        }
    };
    let with_site = env
        .store
        .communities_of(user.id, &query(true, Paging::After(None), 100, vec![]))
        .unwrap();
    assert_eq!(with_site.total, 4);
    assert!(
        with_site.items[0].0.state.site,
        "the site community was joined first"
    );
    let without = env
        .store
        .communities_of(user.id, &query(false, Paging::After(None), 100, vec![]))
        .unwrap();
    assert_eq!(without.total, 3);
    assert_eq!(
        without
            .items
            .iter()
            .map(|(c, _)| c.id())
            .collect::<Vec<_>>(),
        communities[..3]
    );
    assert!(without
        .items
        .iter()
        .all(|(_, s)| *s == Standing::Member(Role::Member)));

    let page1 = env
        .store
        .communities_of(user.id, &query(false, Paging::After(None), 2, vec![]))
        .unwrap();
    assert_eq!(page1.items.len(), 2);
    assert_eq!(page1.next, Some(page1.items[1].0.num));
    let page2 = env
        .store
        .communities_of(user.id, &query(false, Paging::After(page1.next), 2, vec![]))
        .unwrap();
    assert_eq!(page2.items.len(), 1);
    assert_eq!(page2.items[0].0.id(), communities[2]);
    assert_eq!(page2.next, None);
    let offset = env
        .store
        .communities_of(user.id, &query(false, Paging::Offset(1), 1, vec![]))
        .unwrap();
    assert_eq!(offset.items[0].0.id(), communities[1]);
    assert_eq!(offset.total, 3);

    let invited = env
        .store
        .communities_of(
            user.id,
            &query(false, Paging::After(None), 10, vec![Standing::Invited]),
        )
        .unwrap();
    assert_eq!(invited.total, 1);
    assert_eq!(invited.items[0].0.id(), communities[3]);
    assert_eq!(invited.items[0].1, Standing::Invited);

    let owned = env
        .store
        .communities_of(
            owner.id,
            &query(
                true,
                Paging::After(None),
                10,
                vec![Standing::Member(Role::Owner)],
            ),
        )
        .unwrap();
    assert_eq!(owned.total, 4);
    let missing = env.store.communities_of(
        UserId::random(),
        &query(true, Paging::After(None), 10, vec![]),
    );
    assert_eq!(domain(missing), DomainError::UserNotFound);
}

#[test]
fn the_event_feed_pages_oldest_first() {
    let env = Env::new();
    let owner = env.user("olga");
    let a = env.community(&owner, "A", JoinPolicy::Open);
    let b = env.community(&owner, "B", JoinPolicy::Open);
    let people: Vec<User> = (0..5).map(|i| env.user(&format!("p{i}"))).collect();
    for person in &people {
        env.changed(person, a, Command::Join);
        env.changed(person, b, Command::Join);
    }
    let all = env
        .store
        .events(&EventQuery {
            community: None,
            after: 0,
            limit: 1000,
        })
        .unwrap();
    assert_eq!(all.len(), 12);
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
    let after = env
        .store
        .events(&EventQuery {
            community: None,
            after: all[4].seq,
            limit: 3,
        })
        .unwrap();
    assert_eq!(
        after.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![all[5].seq, all[6].seq, all[7].seq]
    );
    let only_b = env
        .store
        .events(&EventQuery {
            community: Some(b),
            after: 0,
            limit: 1000,
        })
        .unwrap();
    assert_eq!(only_b.len(), 6);
    assert!(only_b.iter().all(|e| e.community == b));
    assert_eq!(only_b[1].subject, Some(people[0].id));
    assert_eq!(only_b[1].kind, EventKind::Joined);
    let tail = env
        .store
        .events(&EventQuery {
            community: Some(b),
            after: only_b[4].seq,
            limit: 1000,
        })
        .unwrap();
    assert_eq!(tail.len(), 1);
    assert_eq!(
        env.store
            .events(&EventQuery {
                community: None,
                after: i64::MIN,
                limit: 0
            })
            .unwrap()
            .len(),
        1
    );
    assert!(env
        .store
        .events(&EventQuery {
            community: None,
            after: i64::MAX,
            limit: 10
        })
        .unwrap()
        .is_empty());
    let round_trip = env
        .store
        .events(&EventQuery {
            community: Some(a),
            after: 0,
            limit: 1,
        })
        .unwrap();
    assert_eq!(round_trip[0].kind, EventKind::Created);
    assert_eq!(round_trip[0].actor, owner.id);
}

#[test]
fn data_survives_reopening_the_file() {
    let env = Env::new();
    let path = env.path.clone();
    let admin = env.admin("root");
    let bob = env.user("bob");
    let c = env.community(&admin, "Durable", JoinPolicy::Open);
    env.changed(&bob, c, Command::Join);
    env.store
        .create_token(NewToken {
            user: bob.id,
            hash: [7; 32],
            scopes: Scopes {
                read: true,
                write: true,
                admin: false,
            },
            label: "kept".into(),
            expires_at: None,
        })
        .unwrap();
    let events = env.events();
    let Env {
        _dir: dir, store, ..
    } = env;
    drop(store);

    let store = SqliteStore::open(&path).unwrap();
    let found = store
        .find_user(&UserKey::Username("bob".into()))
        .unwrap()
        .unwrap();
    assert_eq!(found.id, bob.id);
    assert_eq!(found.created_at, bob.created_at);
    let (community, standing) = store
        .community(&CommunityKey::Name("Durable".into()), Some(bob.id))
        .unwrap()
        .unwrap();
    assert_eq!(community.id(), c);
    assert_eq!(standing, Standing::Member(Role::Member));
    assert_eq!(community.state.counters.members, 2);
    assert!(store.site_community().unwrap().is_some());
    let (token, user) = store.find_token(&[7; 32]).unwrap().unwrap();
    assert_eq!((token.label.as_str(), user.id), ("kept", bob.id));
    let feed = store
        .events(&EventQuery {
            community: None,
            after: 0,
            limit: 1000,
        })
        .unwrap();
    assert_eq!(feed.len() as i64, events);
    // Writes continue where they stopped.
    let out = store
        .execute(act(&bob), &CommunityKey::Id(c), Command::Leave)
        .unwrap();
    assert!(out.event.unwrap().seq > feed.last().unwrap().seq);
    assert_invariants(&raw(&path));
    drop(dir);
}

#[test]
fn hostile_input_is_refused_not_panicked_on() {
    let env = Env::new();
    let owner = env.user("olga");
    let nasty = "Robert'); DROP TABLE users; --\u{0}\u{202e}";
    assert!(env
        .store
        .find_user(&UserKey::Username(nasty.into()))
        .unwrap()
        .is_none());
    assert!(env
        .store
        .find_user(&UserKey::Email(nasty.into()))
        .unwrap()
        .is_none());
    assert!(env
        .store
        .community(&CommunityKey::Name(nasty.into()), Some(owner.id))
        .unwrap()
        .is_none());
    assert!(env
        .store
        .community(&CommunityKey::Num(i64::MIN), None)
        .unwrap()
        .is_none());
    let long = "x".repeat(1 << 20);
    assert!(env
        .store
        .community(&CommunityKey::Name(long.clone()), None)
        .unwrap()
        .is_none());
    assert!(matches!(
        domain(
            env.store
                .create_community(act(&owner), new_community(&long, JoinPolicy::Open))
        ),
        DomainError::Invalid { field: "name", .. }
    ));
    // Quotes and unicode are data, stored as given.
    let odd = "O'Brien \"quoted\" ünïcødé";
    let c = env.community(&owner, odd, JoinPolicy::Open);
    let (found, _) = env
        .store
        .community(&CommunityKey::Name(odd.into()), None)
        .unwrap()
        .unwrap();
    assert_eq!(found.id(), c);
    assert_eq!(scalar(&env.raw(), "SELECT count(*) FROM users"), 1);
    let ban = Command::Ban {
        subject: owner.id,
        reason: Some("\u{0}".into()),
    };
    env.refused(&owner, c, ban, DomainError::NotPermitted);
}

// --- concurrency -------------------------------------------------------------

/// A small deterministic generator, one per thread.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % bound as u64) as usize
    }
}

#[test]
fn concurrent_commands_keep_every_invariant() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 100;
    const WANTED: [EventKind; 5] = [
        EventKind::Joined,
        EventKind::Left,
        EventKind::OwnershipTransferred,
        EventKind::RoleChanged,
        EventKind::Removed,
    ];
    let env = Env::new();
    // Thread 0 acts as the creator (the first owner); the others start outside.
    let everyone: Vec<User> = (0..THREADS).map(|i| env.user(&format!("t{i}"))).collect();
    let c = env.community(&everyone[0], "Busy", JoinPolicy::Open);
    // Start with everyone in and three owners, so that every thread has
    // something to do from its first round.
    for person in &everyone[1..] {
        env.changed(person, c, Command::Join);
    }
    for subject in [everyone[1].id, everyone[2].id] {
        let promote = Command::SetRole {
            subject,
            role: Role::Owner,
            expect: None,
        };
        env.changed(&everyone[0], c, promote);
    }
    let setup_events = env.events();
    let everyone = Arc::new(everyone);
    let start = Arc::new(std::sync::Barrier::new(THREADS));
    let seen = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let store = Arc::new(env.store);
    let done = Arc::new(AtomicBool::new(false));

    // A reader checking snapshots while the writers run.
    let checker = {
        let (path, done) = (env.path.clone(), done.clone());
        std::thread::spawn(move || {
            let conn = raw(&path);
            let mut checks = 0;
            while !done.load(Ordering::Relaxed) {
                assert_invariants(&conn);
                checks += 1;
            }
            checks
        })
    };

    let workers: Vec<_> = (0..THREADS)
        .map(|i| {
            let (store, everyone, start) = (store.clone(), everyone.clone(), start.clone());
            let seen = seen.clone();
            std::thread::spawn(move || {
                start.wait();
                let me = everyone[i].clone();
                let mut rng = Lcg(i as u64 + 1);
                let mut accepted = 0usize;
                let mut kinds = std::collections::HashSet::new();
                // At least ROUNDS commands each, and on until the run as a
                // whole has seen every kind of change it is meant to exercise
                // (scheduling may starve the owners for a while).
                for round in 0.. {
                    let covered = seen.load(Ordering::Relaxed) == (1 << WANTED.len()) - 1;
                    if round >= ROUNDS && (covered || round >= ROUNDS * 20) {
                        break;
                    }
                    let other = everyone[rng.next(everyone.len())].id;
                    let command = match rng.next(8) {
                        0 | 1 => Command::Join,
                        2 => Command::Leave,
                        3 | 4 => Command::TransferOwnership { subject: other },
                        5 | 6 => Command::SetRole {
                            subject: other,
                            role: [Role::Owner, Role::Manager, Role::Member][rng.next(3)],
                            expect: None,
                        },
                        _ => Command::Remove { subject: other },
                    };
                    match store.execute(act(&me), &CommunityKey::Id(c), command) {
                        Ok(outcome) => {
                            let counters = outcome.community.state.counters;
                            if counters.members > 0 {
                                assert!(
                                    counters.owners >= 1,
                                    "members without an owner: {counters:?}"
                                );
                            }
                            if let Some(event) = outcome.event {
                                accepted += 1;
                                kinds.insert(event.kind);
                                if let Some(bit) = WANTED.iter().position(|k| *k == event.kind) {
                                    seen.fetch_or(1 << bit, Ordering::Relaxed);
                                }
                            }
                        }
                        Err(Error::Domain(_)) => {}
                        Err(Error::Backend(error)) => panic!("backend failure: {error}"),
                    }
                }
                (accepted, kinds)
            })
        })
        .collect();

    let mut accepted = 0;
    let mut kinds = std::collections::HashSet::new();
    for worker in workers {
        let (n, k) = worker.join().expect("worker");
        accepted += n;
        kinds.extend(k);
    }
    done.store(true, Ordering::Relaxed);
    let checks = checker.join().expect("checker");
    assert!(checks > 0);

    let conn = raw(&env.path);
    assert_invariants(&conn);
    let events = store
        .events(&EventQuery {
            community: Some(c),
            after: 0,
            limit: 1000,
        })
        .unwrap();
    assert_eq!(
        events.len() as i64,
        setup_events + accepted as i64,
        "one event per accepted change, plus the setup's"
    );
    assert!(
        accepted >= THREADS,
        "the run must accept changes (got {accepted})"
    );
    for kind in WANTED {
        assert!(kinds.contains(&kind), "the run exercised {kind}: {kinds:?}");
    }
    let counters = counters_of(&conn, c);
    assert!(counters.owners >= 1 || counters.members == 0);
    let members = store
        .members(c, &member_query(vec![], Paging::After(None), 1000))
        .unwrap();
    assert_eq!(members.total as i64, counters.members);
    assert_eq!(members.items.len() as i64, counters.members);
}
