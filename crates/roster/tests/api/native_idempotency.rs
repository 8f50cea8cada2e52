//! `Idempotency-Key` on the native API's writes, over HTTP: a retried write
//! is answered with the first answer, byte for byte, and applied once; a
//! key reused for another request is 422; keys are per user; malformed
//! keys are 400; concurrent retries apply once and are answered with the
//! first answer or 409 in flight; requests without the header, reads and
//! `POST /v1/tokens` behave as if the header did not exist.

use crate::common::{TestServer, PASSWORD};
use reqwest::header::HeaderMap;
use reqwest::Method;
use roster_engine::{Command, JoinPolicy, Visibility};
use roster_store::{CommunityKey, MembershipQuery, Paging, User};
use serde_json::{json, Value};
use std::time::Duration;

const PROBLEM_CT: &str = "application/problem+json";
const KEY: &str = "idempotency-key";
const REPLAYED: &str = "idempotent-replayed";

/// A raw answer: status, headers and the body's exact bytes.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn replayed(&self) -> bool {
        self.header(REPLAYED) == Some("true")
    }
}

async fn send(
    s: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    keys: &[&[u8]],
    body: Option<Value>,
) -> Answer {
    let mut request = s.client.request(method, s.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for key in keys {
        let value = reqwest::header::HeaderValue::from_bytes(key).expect("header value");
        request = request.header(KEY, value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("send");
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.bytes().await.expect("body").to_vec(),
    }
}

/// POST as `token` with one key.
async fn post(s: &TestServer, path: &str, token: &str, key: &str, body: Value) -> Answer {
    send(
        s,
        Method::POST,
        path,
        Some(token),
        &[key.as_bytes()],
        Some(body),
    )
    .await
}

/// `POST /v1/communities {"name"}` under an idempotency key.
async fn create(s: &TestServer, token: &str, key: &str, name: &str) -> Answer {
    post(s, "/v1/communities", token, key, json!({ "name": name })).await
}

/// The problem document of a refusal by this middleware.
fn problem(status: u16, code: &str, title: &str, detail: &str) -> Value {
    json!({
        "type": format!("https://roster.dev/problems/{code}"),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    })
}

fn reused() -> Value {
    problem(
        422,
        "idempotency_key_reused",
        "Idempotency-Key reused",
        "this Idempotency-Key was used for a different request (method, path or body); \
         use a new key for a new request",
    )
}

fn in_flight() -> Value {
    problem(
        409,
        "idempotency_key_in_flight",
        "Request in flight",
        "the first request with this Idempotency-Key has not finished; retry later",
    )
}

fn invalid() -> Value {
    problem(
        400,
        "invalid_idempotency_key",
        "Invalid Idempotency-Key",
        "an Idempotency-Key is 1 to 255 printable ASCII characters",
    )
}

#[track_caller]
fn assert_problem(answer: &Answer, expected: Value) {
    assert_eq!(
        answer.header("content-type"),
        Some(PROBLEM_CT),
        "{answer:?}"
    );
    assert_eq!(answer.json(), expected);
    assert!(!answer.replayed(), "{answer:?}");
}

/// Assert that `retry` is `first` again, byte for byte, marked as replayed.
#[track_caller]
fn assert_replay(first: &Answer, retry: &Answer) {
    assert!(!first.replayed(), "the first answer is not a replay");
    assert!(retry.replayed(), "{retry:?}");
    assert_eq!(retry.status, first.status);
    assert_eq!(retry.body, first.body);
    assert_eq!(retry.header("content-type"), first.header("content-type"));
    assert_eq!(retry.header("location"), first.header("location"));
}

/// How many communities `user` owns or belongs to (the site one aside).
async fn communities_of(s: &TestServer, user: &User) -> u64 {
    let id = user.id;
    s.state
        .run(move |store| {
            store.communities_of(
                id,
                &MembershipQuery {
                    standings: Vec::new(),
                    include_site: false,
                    paging: Paging::After(None),
                    limit: 100,
                },
            )
        })
        .await
        .expect("communities of")
        .total
}

#[tokio::test]
async fn a_retried_create_makes_one_community_and_replays_the_first_answer() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let token = s.token(&ann).await;
    let body = json!({"name": "Chess", "description": "Openings"});
    let events = s.event_count().await;

    let first = post(
        &s,
        "/v1/communities",
        &token,
        "create-chess-1",
        body.clone(),
    )
    .await;
    assert_eq!(first.status, 201, "{:?}", first.json());
    let id = first.json()["community"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        first.header("location"),
        Some(format!("/v1/communities/{id}").as_str())
    );
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert_eq!(s.event_count().await, events + 1);

    // Without the key this retry would be 409 name_taken.
    let retry = post(
        &s,
        "/v1/communities",
        &token,
        "create-chess-1",
        body.clone(),
    )
    .await;
    assert_replay(&first, &retry);
    let again = post(&s, "/v1/communities", &token, "create-chess-1", body).await;
    assert_replay(&first, &again);

    assert_eq!(communities_of(&s, &ann).await, 1);
    assert_eq!(s.event_count().await, events + 1);
}

#[tokio::test]
async fn a_retried_leave_writes_no_second_event() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let c = s
        .community(&ann, "Go", Visibility::Public, JoinPolicy::Open)
        .await;
    s.exec(&bob, &c, Command::Join).await;
    let token = s.token(&bob).await;
    let path = format!("/v1/communities/{}/leave", c.id());
    let events = s.event_count().await;

    let first = post(&s, &path, &token, "leave-go", json!({})).await;
    assert_eq!(first.status, 200, "{:?}", first.json());
    assert_eq!(first.json()["standing"], "none");
    assert_eq!(first.json()["changed"], true);
    assert_eq!(s.event_count().await, events + 1);

    let retry = post(&s, &path, &token, "leave-go", json!({})).await;
    assert_replay(&first, &retry);
    assert_eq!(s.event_count().await, events + 1);

    // Run again without the key, the leave is refused: the retry was not.
    let fresh = send(&s, Method::POST, &path, Some(&token), &[], Some(json!({}))).await;
    assert_eq!(fresh.status, 409);
    assert_eq!(fresh.json()["code"], "not_member");
    assert_eq!(s.event_count().await, events + 1);
}

#[tokio::test]
async fn a_key_reused_for_another_request_is_422() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let token = s.token(&ann).await;
    let first = create(&s, &token, "k1", "Chess").await;
    assert_eq!(first.status, 201);

    let other_body = create(&s, &token, "k1", "Go").await;
    assert_eq!(other_body.status, 422);
    assert_problem(&other_body, reused());
    // The key covers the body's bytes: the same JSON spelled otherwise is
    // another request.
    let with_key = |body: &'static str| {
        s.client
            .post(s.url("/v1/communities"))
            .bearer_auth(&token)
            .header(KEY, "k1")
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let respelled = with_key(r#"{ "name": "Chess" }"#).await.expect("send");
    assert_eq!(respelled.status(), 422);
    let exact = with_key(r#"{"name":"Chess"}"#).await.expect("send");
    assert_eq!(exact.status(), 201, "the same bytes are replayed");
    assert_eq!(exact.headers()[REPLAYED], "true");

    let id = first.json()["community"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let other_path = post(
        &s,
        &format!("/v1/communities/{id}/archive"),
        &token,
        "k1",
        json!({"name": "Chess"}),
    )
    .await;
    assert_problem(&other_path, reused());
    let other_method = send(
        &s,
        Method::PATCH,
        &format!("/v1/communities/{id}"),
        Some(&token),
        &[b"k1"],
        Some(json!({"name": "Chess"})),
    )
    .await;
    assert_problem(&other_method, reused());

    assert_eq!(communities_of(&s, &ann).await, 1);
    let community = community_by_id(&s, &id).await;
    assert!(!community.state.archived, "the archive did not run");
}

#[tokio::test]
async fn another_user_may_use_the_same_key() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let (ann_token, bob_token) = (s.token(&ann).await, s.token(&bob).await);
    let ann_answer = create(&s, &ann_token, "same", "A").await;
    let bob_answer = create(&s, &bob_token, "same", "B").await;
    assert_eq!(ann_answer.status, 201);
    assert_eq!(bob_answer.status, 201, "{:?}", bob_answer.json());
    assert!(!bob_answer.replayed());
    assert_eq!(bob_answer.json()["community"]["name"], "B");
    // Ann's key still holds her own answer.
    let ann_retry = create(&s, &ann_token, "same", "A").await;
    assert_replay(&ann_answer, &ann_retry);
    // Even an identical request by another user is that user's own.
    let bob_same = create(&s, &bob_token, "same-2", "C").await;
    let ann_same = create(&s, &ann_token, "same-2", "C").await;
    assert_eq!(bob_same.status, 201);
    assert_eq!(ann_same.status, 409, "a new request: the name is taken");
    assert_eq!(ann_same.json()["code"], "name_taken");
    assert_eq!(communities_of(&s, &ann).await, 1);
    assert_eq!(communities_of(&s, &bob).await, 2);
}

#[tokio::test]
async fn malformed_keys_are_400_and_write_nothing() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let token = s.token(&ann).await;
    let long = "k".repeat(256);
    let bad: [&[u8]; 7] = [
        b"",
        long.as_bytes(),
        b"tab\there",
        "caf\u{e9}".as_bytes(),
        b"\"unterminated",
        b"\"bad\\escape\"",
        b"\"\"",
    ];
    for key in bad {
        let answer = send(
            &s,
            Method::POST,
            "/v1/communities",
            Some(&token),
            &[key],
            Some(json!({"name": "Chess"})),
        )
        .await;
        assert_eq!(answer.status, 400, "{key:?}: {:?}", answer.json());
        assert_problem(&answer, invalid());
    }
    let two = send(
        &s,
        Method::POST,
        "/v1/communities",
        Some(&token),
        &[b"a", b"b"],
        Some(json!({"name": "Chess"})),
    )
    .await;
    assert_problem(
        &two,
        problem(
            400,
            "invalid_idempotency_key",
            "Invalid Idempotency-Key",
            "send one Idempotency-Key header, not several",
        ),
    );
    assert_eq!(communities_of(&s, &ann).await, 0);

    // The longest key is fine, and the draft's quoted form names the bare key.
    let longest = "k".repeat(255);
    let ok = post(
        &s,
        "/v1/communities",
        &token,
        &longest,
        json!({"name": "A"}),
    )
    .await;
    assert_eq!(ok.status, 201);
    let quoted = post(
        &s,
        "/v1/communities",
        &token,
        "\"q-1\"",
        json!({"name": "B"}),
    )
    .await;
    assert_eq!(quoted.status, 201);
    let bare = create(&s, &token, "q-1", "B").await;
    assert_replay(&quoted, &bare);
}

#[tokio::test]
async fn requests_without_the_header_behave_as_before() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let token = s.token(&ann).await;
    let create = |name: &'static str| {
        send(
            &s,
            Method::POST,
            "/v1/communities",
            Some(&token),
            &[],
            Some(json!({ "name": name })),
        )
    };
    let first = create("Chess").await;
    assert_eq!(first.status, 201);
    assert!(!first.replayed());
    let second = create("Chess").await;
    assert_eq!(second.status, 409);
    assert_eq!(second.json()["code"], "name_taken");
    assert!(!second.replayed());

    // Reads ignore the header, even a malformed one.
    for key in [b"read-1".as_slice(), b"".as_slice()] {
        let read = send(&s, Method::GET, "/v1/users/me", Some(&token), &[key], None).await;
        assert_eq!(read.status, 200);
        assert!(!read.replayed());
    }

    // Without a valid token, the header changes nothing: the usual 401.
    for token in [None, Some("rst_not-a-real-token")] {
        for key in [b"k".as_slice(), b"".as_slice()] {
            let answer = send(
                &s,
                Method::POST,
                "/v1/communities",
                token,
                &[key],
                Some(json!({"name": "Go"})),
            )
            .await;
            assert_eq!(answer.status, 401, "{:?}", answer.json());
            assert_eq!(answer.header("content-type"), Some(PROBLEM_CT));
            assert!(answer.header("www-authenticate").is_some());
        }
    }
    assert_eq!(communities_of(&s, &ann).await, 1);
}

#[tokio::test]
async fn concurrent_retries_apply_once() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let token = s.token(&ann).await;
    let events = s.event_count().await;
    let body = json!({"name": "Race"});
    let sends = (0..8).map(|_| {
        let request = s
            .client
            .post(s.url("/v1/communities"))
            .bearer_auth(&token)
            .header(KEY, "race-key")
            .json(&body);
        tokio::spawn(async move {
            let response = request.send().await.expect("send");
            Answer {
                status: response.status().as_u16(),
                headers: response.headers().clone(),
                body: response.bytes().await.expect("body").to_vec(),
            }
        })
    });
    let sends: Vec<_> = sends.collect();
    let mut answers = Vec::new();
    for send in sends {
        answers.push(send.await.expect("task"));
    }

    let originals: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status == 201 && !a.replayed())
        .collect();
    assert_eq!(originals.len(), 1, "{answers:?}");
    let original = originals[0];
    for answer in &answers {
        if answer.status == 409 {
            assert_problem(answer, in_flight());
        } else {
            assert_eq!(answer.status, 201, "{answer:?}");
            assert_eq!(answer.body, original.body);
            assert_eq!(answer.header("location"), original.header("location"));
        }
    }
    assert_eq!(communities_of(&s, &ann).await, 1);
    assert_eq!(s.event_count().await, events + 1);

    // Once the first has finished, a retry is a replay.
    let late = post(&s, "/v1/communities", &token, "race-key", body).await;
    assert_replay(original, &late);
}

#[tokio::test]
async fn a_request_cut_by_the_timeout_still_completes_and_replays() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let token = s.token(&ann).await;
    // A second server on the same database, whose requests time out at once.
    let (base, stop) =
        crate::common::serve_timing_out(s.state.clone(), Duration::from_nanos(1)).await;
    let body = json!({"name": "Patience"});
    let cut = s
        .client
        .post(format!("{base}/v1/communities"))
        .bearer_auth(&token)
        .header(KEY, "slow")
        .json(&body)
        .send()
        .await
        .expect("send");
    // 408 unless this machine beat a one-nanosecond timer. Cut before it
    // held the key, the request did nothing; cut after, it runs to its end
    // and its answer is kept: either way the retry is answered 201, never
    // stuck in flight, and one community exists.
    assert!([201, 408].contains(&cut.status().as_u16()), "{cut:?}");
    let _ = stop.send(());

    let mut retry = post(&s, "/v1/communities", &token, "slow", body.clone()).await;
    for _ in 0..400 {
        if retry.status != 409 {
            break;
        }
        assert_problem(&retry, in_flight());
        tokio::time::sleep(Duration::from_millis(25)).await;
        retry = post(&s, "/v1/communities", &token, "slow", body.clone()).await;
    }
    assert_eq!(retry.status, 201, "{:?}", retry.json());
    assert_eq!(retry.json()["community"]["name"], "Patience");
    let again = post(&s, "/v1/communities", &token, "slow", body).await;
    assert_eq!(again.body, retry.body);
    assert!(again.replayed());
    assert_eq!(communities_of(&s, &ann).await, 1);
}

#[tokio::test]
async fn a_refusal_is_replayed_too() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let c = s
        .community(&ann, "Club", Visibility::Public, JoinPolicy::Invite)
        .await;
    let token = s.token(&bob).await;
    let path = format!("/v1/communities/{}/join", c.id());
    let first = post(&s, &path, &token, "join-club", json!({})).await;
    assert_eq!(first.status, 403);
    assert_eq!(first.json()["code"], "invitation_required");

    s.exec(&ann, &c, Command::Invite { subject: bob.id }).await;
    // The retry is the same request: it gets the same answer.
    let retry = post(&s, &path, &token, "join-club", json!({})).await;
    assert_replay(&first, &retry);
    assert_eq!(s.standing(&c, &bob).await, roster_engine::Standing::Invited);
    // A new key is a new request.
    let fresh = post(&s, &path, &token, "join-club-2", json!({})).await;
    assert_eq!(fresh.status, 200);
    assert_eq!(fresh.json()["standing"], "member");
}

#[tokio::test]
async fn a_retried_delete_replays_its_204() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let token = s.token(&ann).await;
    let c = s
        .community(&ann, "Gone", Visibility::Public, JoinPolicy::Open)
        .await;
    let path = format!("/v1/communities/{}", c.id());
    let first = send(&s, Method::DELETE, &path, Some(&token), &[b"del"], None).await;
    assert_eq!(first.status, 204);
    assert!(first.body.is_empty());
    let retry = send(&s, Method::DELETE, &path, Some(&token), &[b"del"], None).await;
    assert_replay(&first, &retry);
    let fresh = send(&s, Method::DELETE, &path, Some(&token), &[], None).await;
    assert_eq!(fresh.status, 404, "without the key the delete runs again");
}

#[tokio::test]
async fn post_tokens_ignores_the_key() {
    let s = TestServer::start().await;
    s.user("ann").await;
    let body = json!({"username": "ann", "password": PASSWORD});
    let first = send(
        &s,
        Method::POST,
        "/v1/tokens",
        None,
        &[b"t"],
        Some(body.clone()),
    )
    .await;
    let second = send(&s, Method::POST, "/v1/tokens", None, &[b"t"], Some(body)).await;
    assert_eq!((first.status, second.status), (201, 201));
    assert!(!second.replayed());
    assert_ne!(first.json()["token"], second.json()["token"]);
    assert!(first.json()["token"].is_string(), "{:?}", first.json());
}

#[tokio::test]
async fn the_header_is_documented_on_every_keyed_write() {
    let s = TestServer::start().await;
    let answer = send(&s, Method::GET, "/openapi.json", None, &[], None).await;
    let doc = answer.json();
    let mut keyed = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let header = op["parameters"].as_array().and_then(|ps| {
                ps.iter()
                    .find(|p| p["in"] == "header" && p["name"] == "Idempotency-Key")
            });
            let write = method != "get";
            let public = path == "/v1/tokens" && method == "post";
            if write && !public {
                let header = header.unwrap_or_else(|| panic!("{method} {path}"));
                assert_eq!(header["required"], false);
                // Bare (at most 255 printable ASCII) or an sf-string.
                let forms = header["schema"]["oneOf"].as_array().expect("oneOf");
                assert_eq!(forms.len(), 2, "{method} {path}");
                assert_eq!(forms[0]["maxLength"], 255, "{method} {path}");
                assert!(forms.iter().all(|f| f["pattern"].is_string()));
                assert!(op["responses"]["422"].is_object(), "{method} {path}");
                keyed += 1;
            } else {
                assert!(header.is_none(), "{method} {path}");
            }
        }
    }
    // 20, PUT /v1/policy (issue 14) and the webhooks' 4 writes (issue 16).
    assert_eq!(keyed, 20 + 1 + 4);
}

/// A community by the id text of an answer, from the store.
async fn community_by_id(s: &TestServer, id: &str) -> roster_store::Community {
    let key = CommunityKey::Id(roster_engine::CommunityId::parse(id).expect("id"));
    s.state
        .run(move |store| store.community(&key, None))
        .await
        .expect("read")
        .expect("exists")
        .0
}
