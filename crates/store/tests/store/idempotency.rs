//! Idempotency keys on either backend: holding a key, replaying its stored
//! response, refusing its reuse for another request, releasing it, scoping
//! it to one user, and forgetting it after 24 hours (checked by ageing rows
//! through the raw connection). Two nodes racing for one key are in
//! `postgres_only.rs`.

use chrono::{Duration, SecondsFormat, Utc};
use roster_store::{
    Error, IdempotencyBegin, NewUser, Profile, RequestFingerprint, StoredResponse, User,
    IDEMPOTENCY_TTL_SECONDS,
};

use crate::env::Env;

fn user(env: &Env, name: &str) -> User {
    env.store
        .create_user(NewUser {
            username: name.to_owned(),
            password_hash: format!("$argon2id$fake${name}"),
            email: None,
            admin: false,
            profile: Profile::default(),
        })
        .expect("create user")
}

fn begin(env: &Env, user: &User, key: &str, fingerprint: &RequestFingerprint) -> IdempotencyBegin {
    env.store
        .begin_idempotent(user.id, key, fingerprint)
        .expect("begin")
}

fn finish(env: &Env, user: &User, key: &str, response: &StoredResponse) {
    env.store
        .finish_idempotent(user.id, key, response)
        .expect("finish");
}

/// Make every row of `key` look `age` old.
fn age(env: &Env, key: &str, age: Duration) {
    let at = (Utc::now() - age).to_rfc3339_opts(SecondsFormat::Millis, true);
    let changed = env.exec(&format!(
        "UPDATE idempotency_keys SET created_at = '{at}' WHERE key = '{key}'"
    ));
    assert!(changed > 0, "no row for {key}");
}

fn rows(env: &Env) -> i64 {
    env.scalar("SELECT count(*) FROM idempotency_keys")
}

pub fn request(method: &str, path: &str, body: &[u8]) -> RequestFingerprint {
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

pub fn created() -> StoredResponse {
    StoredResponse {
        status: 201,
        headers: vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("location".to_owned(), "/v1/communities/abc".to_owned()),
        ],
        body: b"{\"name\":\"Chess\"}".to_vec(),
    }
}

pub fn a_key_is_held_then_replayed_byte_for_byte(env: Env) {
    let ann = user(&env, "ann");
    let post = request("POST", "/v1/communities", b"{\"name\":\"Chess\"}");
    assert_eq!(begin(&env, &ann, "k-1", &post), IdempotencyBegin::Started);
    assert_eq!(begin(&env, &ann, "k-1", &post), IdempotencyBegin::InFlight);
    finish(&env, &ann, "k-1", &created());
    assert_eq!(
        begin(&env, &ann, "k-1", &post),
        IdempotencyBegin::Replay(created())
    );
    // Replaying does not consume the key.
    assert_eq!(
        begin(&env, &ann, "k-1", &post),
        IdempotencyBegin::Replay(created())
    );
    assert_eq!(rows(&env), 1);
}

pub fn an_empty_body_and_a_no_content_answer_replay(env: Env) {
    let ann = user(&env, "ann");
    let delete = request("DELETE", "/v1/communities/abc", b"");
    assert_eq!(begin(&env, &ann, "del", &delete), IdempotencyBegin::Started);
    let no_content = StoredResponse {
        status: 204,
        headers: Vec::new(),
        body: Vec::new(),
    };
    finish(&env, &ann, "del", &no_content);
    assert_eq!(
        begin(&env, &ann, "del", &delete),
        IdempotencyBegin::Replay(no_content)
    );
}

pub fn a_key_reused_for_another_request_is_a_mismatch(env: Env) {
    let ann = user(&env, "ann");
    let post = request("POST", "/v1/communities", b"{\"name\":\"Chess\"}");
    assert_eq!(begin(&env, &ann, "k", &post), IdempotencyBegin::Started);
    // Even while the first is in flight, another request is a mismatch.
    let other_body = request("POST", "/v1/communities", b"{\"name\":\"Go\"}");
    assert_eq!(
        begin(&env, &ann, "k", &other_body),
        IdempotencyBegin::Mismatch
    );
    finish(&env, &ann, "k", &created());
    assert_eq!(
        begin(&env, &ann, "k", &other_body),
        IdempotencyBegin::Mismatch
    );
    let other_path = request("POST", "/v1/communities/x/leave", b"{\"name\":\"Chess\"}");
    assert_eq!(
        begin(&env, &ann, "k", &other_path),
        IdempotencyBegin::Mismatch
    );
    let other_method = request("PATCH", "/v1/communities", b"{\"name\":\"Chess\"}");
    assert_eq!(
        begin(&env, &ann, "k", &other_method),
        IdempotencyBegin::Mismatch
    );
    // The mismatches changed nothing: the original still replays.
    assert_eq!(
        begin(&env, &ann, "k", &post),
        IdempotencyBegin::Replay(created())
    );
}

pub fn keys_are_per_user_and_case_sensitive(env: Env) {
    let ann = user(&env, "ann");
    let bob = user(&env, "bob");
    let post = request("POST", "/v1/communities", b"{}");
    assert_eq!(
        begin(&env, &ann, "shared", &post),
        IdempotencyBegin::Started
    );
    assert_eq!(
        begin(&env, &bob, "shared", &post),
        IdempotencyBegin::Started
    );
    assert_eq!(
        begin(&env, &ann, "SHARED", &post),
        IdempotencyBegin::Started
    );
    finish(&env, &ann, "shared", &created());
    // Bob's key is still his own, in flight.
    assert_eq!(
        begin(&env, &bob, "shared", &post),
        IdempotencyBegin::InFlight
    );
    assert_eq!(rows(&env), 3);
}

pub fn abandoning_releases_an_in_flight_key_but_not_a_completed_one(env: Env) {
    let ann = user(&env, "ann");
    let post = request("POST", "/v1/communities", b"{}");
    assert_eq!(begin(&env, &ann, "k", &post), IdempotencyBegin::Started);
    env.store.abandon_idempotent(ann.id, "k").expect("abandon");
    assert_eq!(rows(&env), 0);
    // Released: the key is free, even for another request.
    let other = request("POST", "/v1/communities", b"{\"name\":\"x\"}");
    assert_eq!(begin(&env, &ann, "k", &other), IdempotencyBegin::Started);
    finish(&env, &ann, "k", &created());
    env.store.abandon_idempotent(ann.id, "k").expect("abandon");
    assert_eq!(
        begin(&env, &ann, "k", &other),
        IdempotencyBegin::Replay(created())
    );
    // Abandoning a key nobody holds is not an error.
    env.store
        .abandon_idempotent(ann.id, "never")
        .expect("abandon unknown");
}

pub fn server_errors_are_never_stored(env: Env) {
    let ann = user(&env, "ann");
    let post = request("POST", "/v1/communities", b"{}");
    assert_eq!(begin(&env, &ann, "k", &post), IdempotencyBegin::Started);
    let failure = StoredResponse {
        status: 500,
        headers: Vec::new(),
        body: b"{}".to_vec(),
    };
    let refused = env.store.finish_idempotent(ann.id, "k", &failure);
    assert!(matches!(refused, Err(Error::Backend(_))), "{refused:?}");
    assert_eq!(begin(&env, &ann, "k", &post), IdempotencyBegin::InFlight);
}

pub fn finishing_twice_keeps_the_first_response(env: Env) {
    let ann = user(&env, "ann");
    let post = request("POST", "/v1/communities", b"{}");
    assert_eq!(begin(&env, &ann, "k", &post), IdempotencyBegin::Started);
    finish(&env, &ann, "k", &created());
    let later = StoredResponse {
        status: 409,
        headers: Vec::new(),
        body: b"later".to_vec(),
    };
    finish(&env, &ann, "k", &later);
    assert_eq!(
        begin(&env, &ann, "k", &post),
        IdempotencyBegin::Replay(created())
    );
}

pub fn keys_expire_after_24_hours_and_are_purged_on_insert(env: Env) {
    let ann = user(&env, "ann");
    let bob = user(&env, "bob");
    let post = request("POST", "/v1/communities", b"{}");
    assert_eq!(IDEMPOTENCY_TTL_SECONDS, 24 * 3600);

    // 23 hours old: still remembered.
    assert_eq!(begin(&env, &ann, "young", &post), IdempotencyBegin::Started);
    finish(&env, &ann, "young", &created());
    age(&env, "young", Duration::hours(23));
    assert_eq!(
        begin(&env, &ann, "young", &post),
        IdempotencyBegin::Replay(created())
    );

    // Just over 24 hours old: forgotten, the key is free again.
    assert_eq!(begin(&env, &ann, "old", &post), IdempotencyBegin::Started);
    finish(&env, &ann, "old", &created());
    age(&env, "old", Duration::hours(24) + Duration::seconds(1));
    let other = request("PATCH", "/v1/users/me", b"{}");
    assert_eq!(begin(&env, &ann, "old", &other), IdempotencyBegin::Started);

    // An expired key in flight (its server died) is released the same way,
    // and any user's begin purges every expired row.
    assert_eq!(begin(&env, &ann, "stuck", &post), IdempotencyBegin::Started);
    age(&env, "stuck", Duration::hours(25));
    assert_eq!(rows(&env), 3);
    assert_eq!(begin(&env, &bob, "fresh", &post), IdempotencyBegin::Started);
    assert_eq!(rows(&env), 3, "stuck purged, fresh added");
    let stuck = env.scalar("SELECT count(*) FROM idempotency_keys WHERE key = 'stuck'");
    assert_eq!(stuck, 0);
}

pub fn an_unknown_user_holds_no_key(env: Env) {
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

pub fn the_migration_is_recorded_and_survives_reopening(env: Env) {
    let ann = user(&env, "ann");
    let post = request("POST", "/v1/communities", b"{}");
    assert_eq!(begin(&env, &ann, "k", &post), IdempotencyBegin::Started);
    finish(&env, &ann, "k", &created());
    let version = env.scalar("SELECT count(*) FROM schema_migrations WHERE version = 2");
    assert_eq!(version, 1);
    let env = env.reopen();
    assert_eq!(
        env.store
            .begin_idempotent(ann.id, "k", &post)
            .expect("begin"),
        IdempotencyBegin::Replay(created())
    );
}
