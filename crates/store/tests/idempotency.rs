//! Idempotency keys in the SQLite store, against a real database file:
//! holding a key, replaying its stored response, refusing its reuse for
//! another request, releasing it, scoping it to one user, and forgetting it
//! after 24 hours (checked by ageing rows through a separate connection).

use std::path::PathBuf;

use chrono::{Duration, SecondsFormat, Utc};
use roster_store::sqlite::SqliteStore;
use roster_store::{
    Error, IdempotencyBegin, NewUser, Profile, RequestFingerprint, Store, StoredResponse, User,
    IDEMPOTENCY_TTL_SECONDS,
};
use rusqlite::Connection;
use tempfile::TempDir;

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

    fn user(&self, name: &str) -> User {
        self.store
            .create_user(NewUser {
                username: name.to_owned(),
                password_hash: format!("$argon2id$fake${name}"),
                email: None,
                admin: false,
                profile: Profile::default(),
            })
            .expect("create user")
    }

    /// A read-write connection beside the store's, to age rows.
    fn raw(&self) -> Connection {
        let conn = Connection::open(&self.path).expect("raw");
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .expect("busy timeout");
        conn
    }

    fn begin(&self, user: &User, key: &str, fingerprint: &RequestFingerprint) -> IdempotencyBegin {
        self.store
            .begin_idempotent(user.id, key, fingerprint)
            .expect("begin")
    }

    fn finish(&self, user: &User, key: &str, response: &StoredResponse) {
        self.store
            .finish_idempotent(user.id, key, response)
            .expect("finish");
    }

    /// Make every row of `key` look `age` old.
    fn age(&self, key: &str, age: Duration) {
        let at = (Utc::now() - age).to_rfc3339_opts(SecondsFormat::Millis, true);
        let changed = self
            .raw()
            .execute(
                "UPDATE idempotency_keys SET created_at = ?1 WHERE key = ?2",
                rusqlite::params![at, key],
            )
            .expect("age");
        assert!(changed > 0, "no row for {key}");
    }

    fn rows(&self) -> i64 {
        self.raw()
            .query_row("SELECT count(*) FROM idempotency_keys", [], |row| {
                row.get(0)
            })
            .expect("count")
    }
}

fn request(method: &str, path: &str, body: &[u8]) -> RequestFingerprint {
    // Any 32 bytes will do for the store; make them depend on the body.
    let mut body_sha256 = [0u8; 32];
    for (i, byte) in body.iter().enumerate() {
        body_sha256[i % 32] ^= byte.wrapping_add(i as u8);
    }
    body_sha256[31] ^= body.len() as u8;
    RequestFingerprint {
        method: method.to_owned(),
        path: path.to_owned(),
        body_sha256,
    }
}

fn created() -> StoredResponse {
    StoredResponse {
        status: 201,
        headers: vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("location".to_owned(), "/v1/communities/abc".to_owned()),
        ],
        body: b"{\"name\":\"Chess\"}".to_vec(),
    }
}

#[test]
fn a_key_is_held_then_replayed_byte_for_byte() {
    let env = Env::new();
    let ann = env.user("ann");
    let post = request("POST", "/v1/communities", b"{\"name\":\"Chess\"}");
    assert_eq!(env.begin(&ann, "k-1", &post), IdempotencyBegin::Started);
    assert_eq!(env.begin(&ann, "k-1", &post), IdempotencyBegin::InFlight);
    env.finish(&ann, "k-1", &created());
    assert_eq!(
        env.begin(&ann, "k-1", &post),
        IdempotencyBegin::Replay(created())
    );
    // Replaying does not consume the key.
    assert_eq!(
        env.begin(&ann, "k-1", &post),
        IdempotencyBegin::Replay(created())
    );
    assert_eq!(env.rows(), 1);
}

#[test]
fn an_empty_body_and_a_no_content_answer_replay() {
    let env = Env::new();
    let ann = env.user("ann");
    let delete = request("DELETE", "/v1/communities/abc", b"");
    assert_eq!(env.begin(&ann, "del", &delete), IdempotencyBegin::Started);
    let no_content = StoredResponse {
        status: 204,
        headers: Vec::new(),
        body: Vec::new(),
    };
    env.finish(&ann, "del", &no_content);
    assert_eq!(
        env.begin(&ann, "del", &delete),
        IdempotencyBegin::Replay(no_content)
    );
}

#[test]
fn a_key_reused_for_another_request_is_a_mismatch() {
    let env = Env::new();
    let ann = env.user("ann");
    let post = request("POST", "/v1/communities", b"{\"name\":\"Chess\"}");
    assert_eq!(env.begin(&ann, "k", &post), IdempotencyBegin::Started);
    // Even while the first is in flight, another request is a mismatch.
    let other_body = request("POST", "/v1/communities", b"{\"name\":\"Go\"}");
    assert_eq!(
        env.begin(&ann, "k", &other_body),
        IdempotencyBegin::Mismatch
    );
    env.finish(&ann, "k", &created());
    assert_eq!(
        env.begin(&ann, "k", &other_body),
        IdempotencyBegin::Mismatch
    );
    let other_path = request("POST", "/v1/communities/x/leave", b"{\"name\":\"Chess\"}");
    assert_eq!(
        env.begin(&ann, "k", &other_path),
        IdempotencyBegin::Mismatch
    );
    let other_method = request("PATCH", "/v1/communities", b"{\"name\":\"Chess\"}");
    assert_eq!(
        env.begin(&ann, "k", &other_method),
        IdempotencyBegin::Mismatch
    );
    // The mismatches changed nothing: the original still replays.
    assert_eq!(
        env.begin(&ann, "k", &post),
        IdempotencyBegin::Replay(created())
    );
}

#[test]
fn keys_are_per_user_and_case_sensitive() {
    let env = Env::new();
    let ann = env.user("ann");
    let bob = env.user("bob");
    let post = request("POST", "/v1/communities", b"{}");
    assert_eq!(env.begin(&ann, "shared", &post), IdempotencyBegin::Started);
    assert_eq!(env.begin(&bob, "shared", &post), IdempotencyBegin::Started);
    assert_eq!(env.begin(&ann, "SHARED", &post), IdempotencyBegin::Started);
    env.finish(&ann, "shared", &created());
    // Bob's key is still his own, in flight.
    assert_eq!(env.begin(&bob, "shared", &post), IdempotencyBegin::InFlight);
    assert_eq!(env.rows(), 3);
}

#[test]
fn abandoning_releases_an_in_flight_key_but_not_a_completed_one() {
    let env = Env::new();
    let ann = env.user("ann");
    let post = request("POST", "/v1/communities", b"{}");
    assert_eq!(env.begin(&ann, "k", &post), IdempotencyBegin::Started);
    env.store.abandon_idempotent(ann.id, "k").expect("abandon");
    assert_eq!(env.rows(), 0);
    // Released: the key is free, even for another request.
    let other = request("POST", "/v1/communities", b"{\"name\":\"x\"}");
    assert_eq!(env.begin(&ann, "k", &other), IdempotencyBegin::Started);
    env.finish(&ann, "k", &created());
    env.store.abandon_idempotent(ann.id, "k").expect("abandon");
    assert_eq!(
        env.begin(&ann, "k", &other),
        IdempotencyBegin::Replay(created())
    );
    // Abandoning a key nobody holds is not an error.
    env.store
        .abandon_idempotent(ann.id, "never")
        .expect("abandon unknown");
}

#[test]
fn server_errors_are_never_stored() {
    let env = Env::new();
    let ann = env.user("ann");
    let post = request("POST", "/v1/communities", b"{}");
    assert_eq!(env.begin(&ann, "k", &post), IdempotencyBegin::Started);
    let failure = StoredResponse {
        status: 500,
        headers: Vec::new(),
        body: b"{}".to_vec(),
    };
    let refused = env.store.finish_idempotent(ann.id, "k", &failure);
    assert!(matches!(refused, Err(Error::Backend(_))), "{refused:?}");
    assert_eq!(env.begin(&ann, "k", &post), IdempotencyBegin::InFlight);
}

#[test]
fn finishing_twice_keeps_the_first_response() {
    let env = Env::new();
    let ann = env.user("ann");
    let post = request("POST", "/v1/communities", b"{}");
    assert_eq!(env.begin(&ann, "k", &post), IdempotencyBegin::Started);
    env.finish(&ann, "k", &created());
    let later = StoredResponse {
        status: 409,
        headers: Vec::new(),
        body: b"later".to_vec(),
    };
    env.finish(&ann, "k", &later);
    assert_eq!(
        env.begin(&ann, "k", &post),
        IdempotencyBegin::Replay(created())
    );
}

#[test]
fn keys_expire_after_24_hours_and_are_purged_on_insert() {
    let env = Env::new();
    let ann = env.user("ann");
    let bob = env.user("bob");
    let post = request("POST", "/v1/communities", b"{}");
    assert_eq!(IDEMPOTENCY_TTL_SECONDS, 24 * 3600);

    // 23 hours old: still remembered.
    assert_eq!(env.begin(&ann, "young", &post), IdempotencyBegin::Started);
    env.finish(&ann, "young", &created());
    env.age("young", Duration::hours(23));
    assert_eq!(
        env.begin(&ann, "young", &post),
        IdempotencyBegin::Replay(created())
    );

    // Just over 24 hours old: forgotten, the key is free again.
    assert_eq!(env.begin(&ann, "old", &post), IdempotencyBegin::Started);
    env.finish(&ann, "old", &created());
    env.age("old", Duration::hours(24) + Duration::seconds(1));
    let other = request("PATCH", "/v1/users/me", b"{}");
    assert_eq!(env.begin(&ann, "old", &other), IdempotencyBegin::Started);

    // An expired key in flight (its server died) is released the same way,
    // and any user's begin purges every expired row.
    assert_eq!(env.begin(&ann, "stuck", &post), IdempotencyBegin::Started);
    env.age("stuck", Duration::hours(25));
    assert_eq!(env.rows(), 3);
    assert_eq!(env.begin(&bob, "fresh", &post), IdempotencyBegin::Started);
    assert_eq!(env.rows(), 3, "stuck purged, fresh added");
    let stuck: i64 = env
        .raw()
        .query_row(
            "SELECT count(*) FROM idempotency_keys WHERE key = 'stuck'",
            [],
            |row| row.get(0),
        )
        .expect("count");
    assert_eq!(stuck, 0);
}

#[test]
fn an_unknown_user_holds_no_key() {
    let env = Env::new();
    let post = request("POST", "/v1/communities", b"{}");
    let result =
        env.store
            .begin_idempotent(roster_engine::UserId(uuid::Uuid::new_v4()), "k", &post);
    assert!(
        matches!(
            result,
            Err(Error::Domain(roster_engine::DomainError::UserNotFound))
        ),
        "{result:?}"
    );
}

#[test]
fn the_migration_is_recorded_and_survives_reopening() {
    let env = Env::new();
    let ann = env.user("ann");
    let post = request("POST", "/v1/communities", b"{}");
    assert_eq!(env.begin(&ann, "k", &post), IdempotencyBegin::Started);
    env.finish(&ann, "k", &created());
    let version: i64 = env
        .raw()
        .query_row("SELECT max(version) FROM schema_migrations", [], |row| {
            row.get(0)
        })
        .expect("version");
    assert_eq!(version, 2);
    let Env { _dir, path, store } = env;
    drop(store);
    let store = SqliteStore::open(&path).expect("reopen");
    assert_eq!(
        store.begin_idempotent(ann.id, "k", &post).expect("begin"),
        IdempotencyBegin::Replay(created())
    );
}
