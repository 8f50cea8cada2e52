//! The native API (`/v1/...`) over HTTP: every route's happy path, every
//! authentication failure, every class of bad input (each a problem
//! document, never a 500, never a partial write), the membership rules as a
//! client sees them, the event feed, and the OpenAPI document.

use crate::common::{self, TestServer, PASSWORD};
use chrono::{DateTime, Utc};
use reqwest::Method;
use roster_engine::{Command, JoinPolicy, Role, Standing, Visibility};
use roster_store::{Community, User};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const JSON_CT: &str = "application/json";
const PROBLEM_CT: &str = "application/problem+json";

/// A response: status, content type and JSON body (`Null` when empty).
struct Reply {
    status: u16,
    content_type: String,
    body: Value,
}

async fn send(
    s: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let mut request = s.client.request(method, s.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    reply(request.send().await.expect("send")).await
}

async fn send_raw(s: &TestServer, method: Method, path: &str, token: &str, body: &str) -> Reply {
    let request = s
        .client
        .request(method, s.url(path))
        .bearer_auth(token)
        .header("content-type", JSON_CT)
        .body(body.to_owned());
    reply(request.send().await.expect("send")).await
}

async fn reply(response: reqwest::Response) -> Reply {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let (status, body) = common::json(response).await;
    Reply {
        status,
        content_type,
        body,
    }
}

async fn get(s: &TestServer, path: &str, token: &str) -> Reply {
    send(s, Method::GET, path, Some(token), None).await
}

async fn post(s: &TestServer, path: &str, token: &str, body: Value) -> Reply {
    send(s, Method::POST, path, Some(token), Some(body)).await
}

/// A 2xx JSON answer with this status; returns its body.
#[track_caller]
fn ok(reply: Reply, status: u16) -> Value {
    assert_eq!(reply.status, status, "unexpected answer: {}", reply.body);
    if status != 204 {
        assert_eq!(reply.content_type, JSON_CT, "{}", reply.body);
    }
    reply.body
}

/// A problem document with this status and code; returns its body.
#[track_caller]
fn problem(reply: Reply, status: u16, code: &str) -> Value {
    assert_eq!(reply.status, status, "unexpected answer: {}", reply.body);
    assert_eq!(reply.content_type, PROBLEM_CT, "{}", reply.body);
    let body = reply.body;
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(
        body["type"],
        format!("https://roster.dev/problems/{code}"),
        "{body}"
    );
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    body
}

#[track_caller]
fn is_timestamp(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"));
    assert!(
        DateTime::parse_from_rfc3339(text).is_ok() && text.ends_with('Z'),
        "not an RFC 3339 UTC time: {text}"
    );
}

fn cpath(c: &Community, rest: &str) -> String {
    format!("/v1/communities/{}{rest}", c.id())
}

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

async fn events_of(s: &TestServer, c: &Community, token: &str, after: i64) -> Vec<String> {
    let body = ok(
        get(s, &cpath(c, &format!("/events?after={after}")), token).await,
        200,
    );
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind").to_owned())
        .collect()
}

// --- operations and the document -------------------------------------------

#[tokio::test]
async fn healthz_and_readyz_answer_without_a_token() {
    let s = TestServer::start().await;
    let health = s.client.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok\n");
    let ready = s.client.get(s.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready\n");
}

/// Every route this module serves, as (method, OpenAPI path).
const ROUTES: &[(&str, &str)] = &[
    ("post", "/v1/users"),
    ("get", "/v1/users/me"),
    ("patch", "/v1/users/me"),
    ("get", "/v1/users/{id}"),
    ("post", "/v1/tokens"),
    ("get", "/v1/tokens"),
    ("delete", "/v1/tokens/{id}"),
    ("post", "/v1/communities"),
    ("get", "/v1/communities"),
    ("get", "/v1/communities/{id}"),
    ("patch", "/v1/communities/{id}"),
    ("delete", "/v1/communities/{id}"),
    ("post", "/v1/communities/{id}/archive"),
    ("post", "/v1/communities/{id}/unarchive"),
    ("get", "/v1/communities/{id}/members"),
    ("post", "/v1/communities/{id}/members"),
    ("post", "/v1/communities/{id}/join"),
    ("post", "/v1/communities/{id}/leave"),
    ("delete", "/v1/communities/{id}/members/{user_id}"),
    ("put", "/v1/communities/{id}/members/{user_id}/role"),
    ("post", "/v1/communities/{id}/transfer"),
    ("get", "/v1/communities/{id}/invitations"),
    ("post", "/v1/communities/{id}/invitations"),
    ("delete", "/v1/communities/{id}/invitations/{user_id}"),
    ("get", "/v1/communities/{id}/requests"),
    ("post", "/v1/communities/{id}/requests/{user_id}/approve"),
    ("post", "/v1/communities/{id}/requests/{user_id}/reject"),
    ("get", "/v1/communities/{id}/bans"),
    ("post", "/v1/communities/{id}/bans"),
    ("delete", "/v1/communities/{id}/bans/{user_id}"),
    ("get", "/v1/communities/{id}/events"),
    ("get", "/v1/events"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/openapi.json"),
];

/// Every `$ref` in the document, for resolving.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn openapi_document_describes_every_route() {
    let s = TestServer::start().await;
    let reply = send(&s, Method::GET, "/openapi.json", None, None).await;
    let doc = ok(reply, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"],
        json!({"type": "http", "scheme": "bearer"})
    );
    assert_eq!(doc["security"], json!([{"bearer": []}]));

    let mut documented = BTreeSet::new();
    let mut operation_ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            documented.insert((method.clone(), path.clone()));
            let id = op["operationId"].as_str().expect("operationId").to_owned();
            assert!(
                operation_ids.insert(id.clone()),
                "duplicate operationId {id}"
            );
            let responses = op["responses"].as_object().expect("responses");
            assert!(
                responses.keys().any(|k| k.starts_with('2')),
                "{method} {path}"
            );
            if path.starts_with("/v1/") {
                let problem = &responses["400"]["content"][PROBLEM_CT]["schema"]["$ref"];
                assert_eq!(problem, "#/components/schemas/Problem", "{method} {path}");
            }
            // Every path parameter is declared.
            let declared: BTreeSet<String> = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "path")
                        .map(|p| p["name"].as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            let templated: BTreeSet<String> = path
                .split('/')
                .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
                .map(str::to_owned)
                .collect();
            assert_eq!(declared, templated, "{method} {path}");
        }
    }
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(documented, expected);

    // Public routes say so; the others need the bearer token.
    assert_eq!(doc["paths"]["/v1/tokens"]["post"]["security"], json!([]));
    assert_eq!(doc["paths"]["/healthz"]["get"]["security"], json!([]));
    assert!(doc["paths"]["/v1/tokens"]["get"].get("security").is_none());

    // Bodies are described.
    let body = &doc["paths"]["/v1/communities"]["post"]["requestBody"]["content"][JSON_CT];
    assert_eq!(
        body["schema"]["$ref"],
        "#/components/schemas/CreateCommunity"
    );
    let create = &doc["components"]["schemas"]["CreateCommunity"];
    assert_eq!(create["required"], json!(["name"]));
    assert_eq!(
        create["properties"]["join_policy"]["enum"],
        json!(["open", "request", "invite"])
    );

    // Every reference resolves.
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "dangling $ref {r}"
        );
    }
}

#[tokio::test]
async fn every_documented_route_is_served() {
    let w = world().await;
    let c =
        w.s.community(&w.ann, "Served", Visibility::Public, JoinPolicy::Open)
            .await;
    for (method, path) in ROUTES {
        let path = path
            .replace("{id}", &c.id().to_string())
            .replace("{user_id}", &w.bob.id.to_string());
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        // With a malformed token every route still answers as itself
        // (a problem, never the unknown-route 404 or a 405).
        let reply = send(&w.s, method.clone(), &path, Some("rst_x"), None).await;
        assert!(
            reply.status != 404 && reply.status != 405 && reply.status < 500,
            "{method} {path}: {} {}",
            reply.status,
            reply.body
        );
    }
}

// --- users ------------------------------------------------------------------

#[tokio::test]
async fn users_are_created_by_admins_and_read_and_updated_by_themselves() {
    let w = world().await;
    let s = &w.s;
    let created = ok(
        post(
            s,
            "/v1/users",
            &w.root_token,
            json!({"username": "cleo", "password": PASSWORD, "email": "cleo@example.com",
                   "profile": {"nickname": "Cle", "first_name": "Cleo"}}),
        )
        .await,
        201,
    );
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    is_timestamp(&created["created_at"]);
    assert_eq!(created["username"], "cleo");
    assert_eq!(created["email"], "cleo@example.com");
    assert_eq!(created["email_verified"], false);
    assert_eq!(created["admin"], false);
    assert_eq!(created["last_login_at"], Value::Null);
    assert_eq!(
        created["profile"],
        json!({"nickname": "Cle", "slug": "", "first_name": "Cleo", "last_name": "", "photo_url": ""})
    );

    // Others see the account without its email.
    let seen = ok(get(s, &format!("/v1/users/{id}"), &w.ann_token).await, 200);
    assert_eq!(seen["username"], "cleo");
    assert!(seen.get("email").is_none(), "{seen}");
    assert!(seen.get("last_login_at").is_none(), "{seen}");
    // The simple (32 hex digit) form of the id works too.
    let simple = id.replace('-', "");
    let seen = ok(
        get(s, &format!("/v1/users/{simple}"), &w.root_token).await,
        200,
    );
    assert_eq!(seen["email"], "cleo@example.com");

    // Non-admins may not create users.
    let refused = problem(
        post(
            s,
            "/v1/users",
            &w.ann_token,
            json!({"username": "x", "password": PASSWORD}),
        )
        .await,
        403,
        "scope_required",
    );
    assert_eq!(refused["scope"], "admin");
    problem(
        post(
            s,
            "/v1/users",
            &w.root_token,
            json!({"username": "cleo", "password": PASSWORD}),
        )
        .await,
        409,
        "username_taken",
    );
    problem(
        post(
            s,
            "/v1/users",
            &w.root_token,
            json!({"username": "dan", "password": PASSWORD, "email": "cleo@example.com"}),
        )
        .await,
        409,
        "email_taken",
    );
    let invalid = problem(
        post(
            s,
            "/v1/users",
            &w.root_token,
            json!({"username": "no spaces", "password": PASSWORD}),
        )
        .await,
        422,
        "invalid",
    );
    assert_eq!(invalid["field"], "username");
    let invalid = problem(
        post(
            s,
            "/v1/users",
            &w.root_token,
            json!({"username": "dan", "password": "short"}),
        )
        .await,
        422,
        "invalid",
    );
    assert_eq!(invalid["field"], "password");

    // Me, and updates to me.
    let me = ok(get(s, "/v1/users/me", &w.ann_token).await, 200);
    assert_eq!(me["id"], w.ann.id.to_string());
    assert_eq!(me["email"], "ann@example.com");
    let updated = ok(
        send(s, Method::PATCH, "/v1/users/me", Some(&w.ann_token),
             Some(json!({"nickname": "Annie", "last_name": "O'Neil; --", "email": "annie@example.com"}))).await,
        200,
    );
    assert_eq!(updated["profile"]["nickname"], "Annie");
    assert_eq!(updated["profile"]["last_name"], "O'Neil; --");
    assert_eq!(updated["email"], "annie@example.com");
    assert_eq!(updated["email_verified"], false);
    let again = ok(get(s, "/v1/users/me", &w.ann_token).await, 200);
    assert_eq!(again, updated);

    let bad = problem(
        send(
            s,
            Method::PATCH,
            "/v1/users/me",
            Some(&w.ann_token),
            Some(json!({"nickname": "a\u{7}b"})),
        )
        .await,
        422,
        "invalid",
    );
    assert_eq!(bad["field"], "nickname");
    problem(
        send(
            s,
            Method::PATCH,
            "/v1/users/me",
            Some(&w.ann_token),
            Some(json!({"email": "bob@example.com"})),
        )
        .await,
        409,
        "email_taken",
    );

    // A new password needs the current one.
    let missing = problem(
        send(
            s,
            Method::PATCH,
            "/v1/users/me",
            Some(&w.ann_token),
            Some(json!({"password": "a brand new password"})),
        )
        .await,
        422,
        "invalid",
    );
    assert_eq!(missing["field"], "current_password");
    problem(
        send(
            s,
            Method::PATCH,
            "/v1/users/me",
            Some(&w.ann_token),
            Some(json!({"password": "a brand new password", "current_password": "wrong password"})),
        )
        .await,
        403,
        "wrong_password",
    );
    ok(
        send(
            s,
            Method::PATCH,
            "/v1/users/me",
            Some(&w.ann_token),
            Some(json!({"password": "a brand new password", "current_password": PASSWORD})),
        )
        .await,
        200,
    );
    problem(
        send(
            s,
            Method::POST,
            "/v1/tokens",
            None,
            Some(json!({"username": "ann", "password": PASSWORD})),
        )
        .await,
        401,
        "invalid_credentials",
    );
    ok(
        send(
            s,
            Method::POST,
            "/v1/tokens",
            None,
            Some(json!({"username": "ann", "password": "a brand new password"})),
        )
        .await,
        201,
    );

    problem(
        get(
            s,
            &format!("/v1/users/{}", uuid::Uuid::new_v4()),
            &w.ann_token,
        )
        .await,
        404,
        "user_not_found",
    );
}

// --- tokens -----------------------------------------------------------------

#[tokio::test]
async fn tokens_are_issued_for_a_password_listed_and_revoked() {
    let w = world().await;
    let s = &w.s;
    let issued = ok(
        send(
            s,
            Method::POST,
            "/v1/tokens",
            None,
            Some(
                json!({"username": "ann", "password": PASSWORD, "scopes": "community:read",
                         "expires_in_seconds": 3600, "label": "laptop"}),
            ),
        )
        .await,
        201,
    );
    let token = issued["token"].as_str().expect("token").to_owned();
    assert!(token.starts_with("rst_"));
    assert_eq!(issued["scopes"], json!(["community:read"]));
    assert_eq!(issued["label"], "laptop");
    assert_eq!(issued["user_id"], w.ann.id.to_string());
    assert_eq!(issued["revoked_at"], Value::Null);
    let expires: DateTime<Utc> = issued["expires_at"].as_str().unwrap().parse().unwrap();
    let lifetime = expires - Utc::now();
    assert!(lifetime > chrono::Duration::minutes(50) && lifetime <= chrono::Duration::hours(1));

    // The email address works as the login; scopes may be an array.
    let by_email = ok(
        send(
            s,
            Method::POST,
            "/v1/tokens",
            None,
            Some(json!({"username": "ann@example.com", "password": PASSWORD,
                         "scopes": ["community:read", "community:write"]})),
        )
        .await,
        201,
    );
    assert_eq!(
        by_email["scopes"],
        json!(["community:read", "community:write"])
    );
    assert_eq!(by_email["label"], "api");
    assert_eq!(by_email["expires_at"], Value::Null);

    // The new read token reads.
    let me = ok(get(s, "/v1/users/me", &token).await, 200);
    assert_eq!(me["username"], "ann");
    assert!(
        me["last_login_at"].is_string(),
        "a password login is recorded: {me}"
    );

    // Refusals.
    let wrong = send(
        s,
        Method::POST,
        "/v1/tokens",
        None,
        Some(json!({"username": "ann", "password": "not the password"})),
    )
    .await;
    let body = problem(wrong, 401, "invalid_credentials");
    assert_eq!(
        body,
        json!({"type": "https://roster.dev/problems/invalid_credentials", "title": "Invalid credentials",
               "status": 401, "detail": "the username or password is wrong", "code": "invalid_credentials"})
    );
    problem(
        send(
            s,
            Method::POST,
            "/v1/tokens",
            None,
            Some(json!({"username": "nobody", "password": PASSWORD})),
        )
        .await,
        401,
        "invalid_credentials",
    );
    let admin = problem(
        send(
            s,
            Method::POST,
            "/v1/tokens",
            None,
            Some(json!({"username": "ann", "password": PASSWORD, "scopes": "admin"})),
        )
        .await,
        403,
        "not_permitted",
    );
    assert!(admin.get("field").is_none(), "{admin}");
    let unknown = problem(
        send(
            s,
            Method::POST,
            "/v1/tokens",
            None,
            Some(json!({"username": "ann", "password": PASSWORD, "scopes": ["root"]})),
        )
        .await,
        422,
        "invalid",
    );
    assert_eq!(unknown["field"], "scopes");
    problem(
        send(
            s,
            Method::POST,
            "/v1/tokens",
            None,
            Some(json!({"username": "ann", "password": PASSWORD, "scopes": ""})),
        )
        .await,
        422,
        "invalid",
    );
    let zero = problem(
        send(
            s,
            Method::POST,
            "/v1/tokens",
            None,
            Some(json!({"username": "ann", "password": PASSWORD, "expires_in_seconds": 0})),
        )
        .await,
        422,
        "invalid",
    );
    assert_eq!(zero["field"], "expires_in_seconds");
    problem(
        send(
            s,
            Method::POST,
            "/v1/tokens",
            None,
            Some(json!({"username": "ann", "password": PASSWORD, "expires_in_seconds": u64::MAX})),
        )
        .await,
        422,
        "invalid",
    );
    problem(
        send(
            s,
            Method::POST,
            "/v1/tokens",
            None,
            Some(json!({"username": "ann", "password": PASSWORD, "expires_in_seconds": -5})),
        )
        .await,
        422,
        "invalid_body",
    );
    problem(
        send(
            s,
            Method::POST,
            "/v1/tokens",
            None,
            Some(json!({"username": "ann"})),
        )
        .await,
        422,
        "invalid_body",
    );

    // Listing: mine only, never a secret.
    let list = ok(get(s, "/v1/tokens", &w.ann_token).await, 200);
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 3, "{list}");
    assert!(items
        .iter()
        .all(|t| t.get("token").is_none() && t["user_id"] == w.ann.id.to_string()));
    let listed: BTreeSet<&str> = items.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert!(listed.contains(issued["id"].as_str().unwrap()));

    // Revoking someone else's token: not found, and it keeps working.
    let bobs = ok(get(s, "/v1/tokens", &w.bob_token).await, 200);
    let bob_token_id = bobs["items"][0]["id"].as_str().unwrap().to_owned();
    problem(
        send(
            s,
            Method::DELETE,
            &format!("/v1/tokens/{bob_token_id}"),
            Some(&w.ann_token),
            None,
        )
        .await,
        404,
        "token_not_found",
    );
    ok(get(s, "/v1/users/me", &w.bob_token).await, 200);
    problem(
        send(
            s,
            Method::DELETE,
            "/v1/tokens/not-a-uuid",
            Some(&w.ann_token),
            None,
        )
        .await,
        400,
        "invalid_id",
    );

    // Revoking my own.
    let id = issued["id"].as_str().unwrap();
    let revoked = send(
        s,
        Method::DELETE,
        &format!("/v1/tokens/{id}"),
        Some(&w.ann_token),
        None,
    )
    .await;
    assert_eq!(revoked.status, 204);
    assert_eq!(revoked.body, Value::Null);
    problem(get(s, "/v1/users/me", &token).await, 401, "token_revoked");
    problem(
        send(
            s,
            Method::DELETE,
            &format!("/v1/tokens/{id}"),
            Some(&w.ann_token),
            None,
        )
        .await,
        404,
        "token_not_found",
    );
    let list = ok(get(s, "/v1/tokens", &w.ann_token).await, 200);
    let entry = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .cloned()
        .unwrap();
    is_timestamp(&entry["revoked_at"]);
}

// --- authentication ---------------------------------------------------------

#[tokio::test]
async fn every_authentication_failure_is_its_own_problem() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Auth", Visibility::Public, JoinPolicy::Open)
        .await;
    let path = cpath(&c, "/join");

    let none = send(s, Method::POST, &path, None, None).await;
    let body = problem(none, 401, "token_required");
    assert_eq!(
        body,
        json!({"type": "https://roster.dev/problems/token_required", "title": "Token required",
               "status": 401, "detail": "no token was sent", "code": "token_required"})
    );
    let raw = s.client.get(s.url("/v1/users/me")).send().await.unwrap();
    assert_eq!(raw.headers()["www-authenticate"], "Bearer realm=\"roster\"");

    problem(
        send(s, Method::POST, &path, Some("not a token"), None).await,
        401,
        "token_invalid",
    );
    let unknown = format!("rst_{}", "A".repeat(43));
    problem(
        send(s, Method::POST, &path, Some(&unknown), None).await,
        401,
        "token_unknown",
    );
    let raw = s
        .client
        .get(s.url("/v1/users/me"))
        .bearer_auth(&unknown)
        .send()
        .await
        .unwrap();
    assert_eq!(
        raw.headers()["www-authenticate"],
        "Bearer realm=\"roster\", error=\"invalid_token\", error_description=\"token_unknown\""
    );

    let past = Utc::now() - chrono::Duration::hours(1);
    let scopes = roster::auth::parse_scopes("community:read,community:write").unwrap();
    let (expired, _) = roster::admin::issue_token(&s.state, &w.bob, scopes, "old", Some(past))
        .await
        .unwrap();
    problem(
        send(s, Method::POST, &path, Some(&expired), None).await,
        401,
        "token_expired",
    );

    let revoked = ok(
        send(
            s,
            Method::POST,
            "/v1/tokens",
            None,
            Some(json!({"username": "bob", "password": PASSWORD})),
        )
        .await,
        201,
    );
    let secret = revoked["token"].as_str().unwrap();
    let id = revoked["id"].as_str().unwrap();
    let gone = send(
        s,
        Method::DELETE,
        &format!("/v1/tokens/{id}"),
        Some(secret),
        None,
    )
    .await;
    assert_eq!(gone.status, 204);
    problem(
        send(s, Method::POST, &path, Some(secret), None).await,
        401,
        "token_revoked",
    );

    // Missing scope: read-only token writing, write-only token reading.
    let read_only = s.token_with(&w.bob, "community:read").await;
    let body = problem(
        send(s, Method::POST, &path, Some(&read_only), None).await,
        403,
        "scope_required",
    );
    assert_eq!(body["scope"], "community:write");
    let write_only = s.token_with(&w.bob, "community:write").await;
    let body = problem(
        get(s, &cpath(&c, ""), &write_only).await,
        403,
        "scope_required",
    );
    assert_eq!(body["scope"], "community:read");
    // Admin routes need an admin token, not merely an admin user.
    let root_plain = s.token(&w.root).await;
    let body = problem(
        get(s, "/v1/events", &root_plain).await,
        403,
        "scope_required",
    );
    assert_eq!(body["scope"], "admin");
    problem(
        get(s, "/v1/events", &w.ann_token).await,
        403,
        "scope_required",
    );

    // Nothing of the above wrote anything: bob is still outside.
    assert_eq!(s.standing(&c, &w.bob).await, Standing::None);
    // A valid token does.
    let joined = ok(
        send(s, Method::POST, &path, Some(&w.bob_token), None).await,
        200,
    );
    assert_eq!(joined["standing"], "member");
}

// --- communities ------------------------------------------------------------

#[tokio::test]
async fn communities_are_created_read_updated_archived_and_deleted() {
    let w = world().await;
    let s = &w.s;
    let response = s
        .client
        .post(s.url("/v1/communities"))
        .bearer_auth(&w.ann_token)
        .json(&json!({"name": "Bakers", "description": "We bake.", "visibility": "private", "join_policy": "invite"}))
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created = ok(reply(response).await, 201);
    let community = &created["community"];
    let id = community["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/v1/communities/{id}"));
    is_timestamp(&community["created_at"]);
    is_timestamp(&community["updated_at"]);
    let mut expected = json!({
        "community": {
            "id": id, "number": community["number"], "name": "Bakers", "description": "We bake.",
            "visibility": "private", "join_policy": "invite", "contribution_mode": "anyone",
            "archived": false, "site": false,
            "creator": {"id": w.ann.id.to_string(), "number": w.ann.num, "username": "ann"},
            "member_count": 1, "owner_count": 1, "pending_count": 0, "invited_count": 0,
            "created_at": community["created_at"], "updated_at": community["updated_at"],
        },
        "user_id": w.ann.id.to_string(), "standing": "owner", "changed": true,
    });
    assert_eq!(created, expected);

    // Read: the owner sees it with her standing; an outsider does not see it.
    let read = ok(
        get(s, &format!("/v1/communities/{id}"), &w.ann_token).await,
        200,
    );
    expected["community"]["standing"] = json!("owner");
    assert_eq!(read, expected["community"]);
    problem(
        get(s, &format!("/v1/communities/{id}"), &w.bob_token).await,
        404,
        "community_not_found",
    );
    // The admin sees every community.
    let by_admin = ok(
        get(s, &format!("/v1/communities/{id}"), &w.root_token).await,
        200,
    );
    assert_eq!(by_admin["standing"], "none");

    // Update.
    let patched = ok(
        send(
            s,
            Method::PATCH,
            &format!("/v1/communities/{id}"),
            Some(&w.ann_token),
            Some(json!({"description": "We bake bread.", "join_policy": "open"})),
        )
        .await,
        200,
    );
    assert_eq!(patched["changed"], true);
    assert_eq!(patched["community"]["description"], "We bake bread.");
    assert_eq!(patched["community"]["join_policy"], "open");
    assert_eq!(patched["community"]["visibility"], "private");
    let same = ok(
        send(
            s,
            Method::PATCH,
            &format!("/v1/communities/{id}"),
            Some(&w.ann_token),
            Some(json!({"join_policy": "open"})),
        )
        .await,
        200,
    );
    assert_eq!(same["changed"], false);
    problem(
        send(
            s,
            Method::PATCH,
            &format!("/v1/communities/{id}"),
            Some(&w.ann_token),
            Some(json!({"visibility": "secret"})),
        )
        .await,
        422,
        "invalid_body",
    );
    // Someone else's community: refused by the rules.
    problem(
        send(
            s,
            Method::PATCH,
            &format!("/v1/communities/{id}"),
            Some(&w.bob_token),
            Some(json!({"name": "Mine"})),
        )
        .await,
        403,
        "not_permitted",
    );
    s.community(&w.bob, "Taken", Visibility::Public, JoinPolicy::Open)
        .await;
    problem(
        send(
            s,
            Method::PATCH,
            &format!("/v1/communities/{id}"),
            Some(&w.ann_token),
            Some(json!({"name": "Taken"})),
        )
        .await,
        409,
        "name_taken",
    );
    problem(
        post(s, "/v1/communities", &w.ann_token, json!({"name": "Taken"})).await,
        409,
        "name_taken",
    );

    // Archive: writes refused until unarchived.
    let archived = ok(
        post(
            s,
            &format!("/v1/communities/{id}/archive"),
            &w.ann_token,
            json!({}),
        )
        .await,
        200,
    );
    assert_eq!(archived["community"]["archived"], true);
    assert_eq!(archived["changed"], true);
    problem(
        post(
            s,
            &format!("/v1/communities/{id}/join"),
            &w.bob_token,
            json!({}),
        )
        .await,
        409,
        "archived",
    );
    problem(
        send(
            s,
            Method::PATCH,
            &format!("/v1/communities/{id}"),
            Some(&w.ann_token),
            Some(json!({"name": "X"})),
        )
        .await,
        409,
        "archived",
    );
    problem(
        post(
            s,
            &format!("/v1/communities/{id}/unarchive"),
            &w.bob_token,
            json!({}),
        )
        .await,
        403,
        "not_permitted",
    );
    let unarchived = ok(
        post(
            s,
            &format!("/v1/communities/{id}/unarchive"),
            &w.ann_token,
            json!({}),
        )
        .await,
        200,
    );
    assert_eq!(unarchived["community"]["archived"], false);
    let joined = ok(
        post(
            s,
            &format!("/v1/communities/{id}/join"),
            &w.bob_token,
            json!({}),
        )
        .await,
        200,
    );
    assert_eq!(joined["standing"], "member");

    // Delete: members may not; the owner may; then it is gone.
    problem(
        send(
            s,
            Method::DELETE,
            &format!("/v1/communities/{id}"),
            Some(&w.bob_token),
            None,
        )
        .await,
        403,
        "not_permitted",
    );
    let deleted = send(
        s,
        Method::DELETE,
        &format!("/v1/communities/{id}"),
        Some(&w.ann_token),
        None,
    )
    .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(deleted.body, Value::Null);
    problem(
        get(s, &format!("/v1/communities/{id}"), &w.ann_token).await,
        404,
        "community_not_found",
    );
    problem(
        send(
            s,
            Method::DELETE,
            &format!("/v1/communities/{id}"),
            Some(&w.ann_token),
            None,
        )
        .await,
        404,
        "community_not_found",
    );

    // The site community cannot be archived or deleted, even by an admin.
    let site = ok(get(s, "/v1/communities?limit=1", &w.root_token).await, 200);
    let site_id = site["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(site["items"][0]["site"], true);
    problem(
        post(
            s,
            &format!("/v1/communities/{site_id}/archive"),
            &w.root_token,
            json!({}),
        )
        .await,
        403,
        "not_permitted",
    );
}

#[tokio::test]
async fn my_communities_are_listed_with_filters_and_a_cursor() {
    let w = world().await;
    let s = &w.s;
    let mut owned = Vec::new();
    for name in ["One", "Two", "Three"] {
        owned.push(
            s.community(&w.ann, name, Visibility::Public, JoinPolicy::Open)
                .await,
        );
    }
    let private = s
        .community(&w.bob, "Bobs", Visibility::Private, JoinPolicy::Request)
        .await;
    ok(
        post(s, &cpath(&private, "/join"), &w.ann_token, json!({})).await,
        200,
    );

    // Default: memberships of any role (the site community included).
    let all = ok(get(s, "/v1/communities", &w.ann_token).await, 200);
    let names: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Site members", "One", "Two", "Three"]);
    assert_eq!(all["total"], 4);
    assert_eq!(all["next"], Value::Null);
    assert_eq!(all["items"][0]["standing"], "member");
    assert_eq!(all["items"][1]["standing"], "owner");

    // Paging.
    let first = ok(
        get(s, "/v1/communities?standing=owner&limit=2", &w.ann_token).await,
        200,
    );
    let names: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["One", "Two"]);
    assert_eq!(first["total"], 3);
    let next = first["next"].as_str().expect("cursor").to_owned();
    let second = ok(
        get(
            s,
            &format!("/v1/communities?standing=owner&limit=2&after={next}"),
            &w.ann_token,
        )
        .await,
        200,
    );
    let names: Vec<&str> = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Three"]);
    assert_eq!(second["next"], Value::Null);

    // Requests are a standing too.
    let requested = ok(
        get(s, "/v1/communities?standing=requested", &w.ann_token).await,
        200,
    );
    assert_eq!(requested["items"].as_array().unwrap().len(), 1);
    assert_eq!(requested["items"][0]["name"], "Bobs");
    assert_eq!(requested["items"][0]["standing"], "requested");

    // Bad parameters.
    problem(
        get(s, "/v1/communities?standing=king", &w.ann_token).await,
        400,
        "invalid_query",
    );
    problem(
        get(s, "/v1/communities?standing=none", &w.ann_token).await,
        400,
        "invalid_query",
    );
    problem(
        get(s, "/v1/communities?limit=0", &w.ann_token).await,
        400,
        "invalid_query",
    );
    problem(
        get(s, "/v1/communities?limit=-1", &w.ann_token).await,
        400,
        "invalid_query",
    );
    problem(
        get(
            s,
            "/v1/communities?limit=99999999999999999999",
            &w.ann_token,
        )
        .await,
        400,
        "invalid_query",
    );
    problem(
        get(s, "/v1/communities?after=garbage%00", &w.ann_token).await,
        400,
        "invalid_query",
    );

    // Another user's list: admins only.
    let path = format!("/v1/communities?user_id={}&standing=owner", w.bob.id);
    let bobs = ok(get(s, &path, &w.root_token).await, 200);
    assert_eq!(bobs["items"][0]["name"], "Bobs");
    problem(get(s, &path, &w.ann_token).await, 403, "scope_required");
    problem(
        get(s, "/v1/communities?user_id=nope", &w.root_token).await,
        400,
        "invalid_id",
    );
}

// --- members ----------------------------------------------------------------

#[tokio::test]
async fn members_are_listed_by_join_order_with_a_cursor_and_a_role_filter() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Choir", Visibility::Public, JoinPolicy::Open)
        .await;
    let mut people = vec![w.ann.clone()];
    for name in ["m1", "m2", "m3", "m4"] {
        let user = s.user(name).await;
        s.exec(&user, &c, Command::Join).await;
        people.push(user);
    }
    s.exec(
        &w.ann,
        &c,
        Command::SetRole {
            subject: people[2].id,
            role: Role::Manager,
            expect: None,
        },
    )
    .await;

    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let path = cpath(&c, &format!("/members?limit=2&after={after}"));
        let page = ok(get(s, &path, &w.bob_token).await, 200);
        assert_eq!(page["total"], 5);
        for item in page["items"].as_array().unwrap() {
            is_timestamp(&item["since"]);
            assert!(item["user"].get("email").is_none(), "{item}");
            seen.push((
                item["user"]["username"].as_str().unwrap().to_owned(),
                item["standing"].as_str().unwrap().to_owned(),
            ));
        }
        match page["next"].as_str() {
            Some(next) => after = next.to_owned(),
            None => break,
        }
    }
    let expected: Vec<(String, String)> = [
        ("ann", "owner"),
        ("m1", "member"),
        ("m2", "manager"),
        ("m3", "member"),
        ("m4", "member"),
    ]
    .iter()
    .map(|(u, r)| ((*u).to_owned(), (*r).to_owned()))
    .collect();
    assert_eq!(seen, expected);

    let managers = ok(
        get(
            s,
            &cpath(&c, "/members?standing=owner,manager"),
            &w.bob_token,
        )
        .await,
        200,
    );
    let names: Vec<&str> = managers["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ann", "m2"]);
    assert_eq!(managers["total"], 2);

    // Pending standings are for managers only.
    problem(
        get(s, &cpath(&c, "/members?standing=banned"), &w.bob_token).await,
        403,
        "not_permitted",
    );
    let banned = ok(
        get(s, &cpath(&c, "/members?standing=banned"), &w.ann_token).await,
        200,
    );
    assert_eq!(banned, json!({"items": [], "next": null, "total": 0}));
    problem(
        get(s, &cpath(&c, "/members?standing=owners"), &w.bob_token).await,
        400,
        "invalid_query",
    );
    problem(
        get(s, &cpath(&c, "/members?after=YWJj"), &w.bob_token).await,
        400,
        "invalid_query",
    );

    // Direct add by a manager.
    let added = ok(
        post(
            s,
            &cpath(&c, "/members"),
            &w.ann_token,
            json!({"user_id": w.bob.id}),
        )
        .await,
        200,
    );
    assert_eq!(added["standing"], "member");
    assert_eq!(added["user_id"], w.bob.id.to_string());
    assert_eq!(added["community"]["member_count"], 6);
    problem(
        post(
            s,
            &cpath(&c, "/members"),
            &w.bob_token,
            json!({"user_id": people[1].id}),
        )
        .await,
        403,
        "not_permitted",
    );
}

#[tokio::test]
async fn join_and_leave_follow_the_rules_and_the_last_owner_stays() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Open", Visibility::Public, JoinPolicy::Open)
        .await;

    let joined = ok(
        post(s, &cpath(&c, "/join"), &w.bob_token, json!({})).await,
        200,
    );
    assert_eq!(joined["standing"], "member");
    assert_eq!(joined["changed"], true);
    assert_eq!(joined["user_id"], w.bob.id.to_string());
    assert_eq!(joined["community"]["member_count"], 2);
    // Joining again: unchanged, not an error. (No body at all is fine.)
    let again = ok(
        send(
            s,
            Method::POST,
            &cpath(&c, "/join"),
            Some(&w.bob_token),
            None,
        )
        .await,
        200,
    );
    assert_eq!(again["standing"], "member");
    assert_eq!(again["changed"], false);

    let left = ok(
        post(s, &cpath(&c, "/leave"), &w.bob_token, json!({})).await,
        200,
    );
    assert_eq!(left["standing"], "none");
    assert_eq!(left["changed"], true);
    assert_eq!(left["community"]["member_count"], 1);
    let body = problem(
        post(s, &cpath(&c, "/leave"), &w.bob_token, json!({})).await,
        409,
        "not_member",
    );
    assert_eq!(
        body,
        json!({"type": "https://roster.dev/problems/not_member", "title": "Not a member", "status": 409,
               "detail": "you are not a member of this community", "code": "not_member"})
    );

    // The last owner cannot leave; nothing changes, no event is written.
    let events = s.event_count().await;
    let before = s.reload(&c).await;
    problem(
        post(s, &cpath(&c, "/leave"), &w.ann_token, json!({})).await,
        409,
        "last_owner",
    );
    assert_eq!(s.standing(&c, &w.ann).await, Standing::Member(Role::Owner));
    assert_eq!(s.reload(&c).await.state, before.state);
    assert_eq!(s.event_count().await, events);

    problem(
        post(
            s,
            &format!("/v1/communities/{}/join", uuid::Uuid::new_v4()),
            &w.bob_token,
            json!({}),
        )
        .await,
        404,
        "community_not_found",
    );
}

#[tokio::test]
async fn private_communities_take_requests_that_managers_approve_or_reject() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Hidden", Visibility::Private, JoinPolicy::Request)
        .await;
    let cleo = s.user("cleo").await;
    let cleo_token = s.token(&cleo).await;

    // Private, but it takes requests: a stranger can find it to ask.
    let found = ok(get(s, &cpath(&c, ""), &w.bob_token).await, 200);
    assert_eq!(found["standing"], "none");

    let requested = ok(
        post(s, &cpath(&c, "/join"), &w.bob_token, json!({})).await,
        200,
    );
    assert_eq!(requested["standing"], "requested");
    assert_eq!(requested["community"]["pending_count"], 1);
    ok(
        post(s, &cpath(&c, "/join"), &cleo_token, json!({})).await,
        200,
    );
    // A requester now sees the community, but not the request list.
    let seen = ok(get(s, &cpath(&c, ""), &w.bob_token).await, 200);
    assert_eq!(seen["standing"], "requested");
    problem(
        get(s, &cpath(&c, "/requests"), &w.bob_token).await,
        403,
        "not_permitted",
    );

    let list = ok(get(s, &cpath(&c, "/requests"), &w.ann_token).await, 200);
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bob", "cleo"]);
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["standing"] == "requested"));

    // Only managers approve.
    problem(
        post(
            s,
            &cpath(&c, &format!("/requests/{}/approve", cleo.id)),
            &w.bob_token,
            json!({}),
        )
        .await,
        403,
        "not_permitted",
    );
    let approved = ok(
        post(
            s,
            &cpath(&c, &format!("/requests/{}/approve", w.bob.id)),
            &w.ann_token,
            json!({}),
        )
        .await,
        200,
    );
    assert_eq!(approved["standing"], "member");
    assert_eq!(approved["user_id"], w.bob.id.to_string());
    assert_eq!(s.standing(&c, &w.bob).await, Standing::Member(Role::Member));
    let rejected = ok(
        post(
            s,
            &cpath(&c, &format!("/requests/{}/reject", cleo.id)),
            &w.ann_token,
            json!({}),
        )
        .await,
        200,
    );
    assert_eq!(rejected["standing"], "none");
    assert_eq!(rejected["community"]["pending_count"], 0);
    problem(
        post(
            s,
            &cpath(&c, &format!("/requests/{}/approve", cleo.id)),
            &w.ann_token,
            json!({}),
        )
        .await,
        409,
        "no_request",
    );
    problem(
        post(
            s,
            &cpath(&c, &format!("/requests/{}/approve", uuid::Uuid::new_v4())),
            &w.ann_token,
            json!({}),
        )
        .await,
        404,
        "user_not_found",
    );

    // Withdrawing a request by leaving.
    ok(
        post(s, &cpath(&c, "/join"), &cleo_token, json!({})).await,
        200,
    );
    let withdrawn = ok(
        post(s, &cpath(&c, "/leave"), &cleo_token, json!({})).await,
        200,
    );
    assert_eq!(withdrawn["standing"], "none");
    assert_eq!(withdrawn["changed"], true);
}

#[tokio::test]
async fn invitations_open_invite_only_communities() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Club", Visibility::Public, JoinPolicy::Invite)
        .await;
    let cleo = s.user("cleo").await;

    problem(
        post(s, &cpath(&c, "/join"), &w.bob_token, json!({})).await,
        403,
        "invitation_required",
    );
    assert_eq!(s.standing(&c, &w.bob).await, Standing::None);

    problem(
        post(
            s,
            &cpath(&c, "/invitations"),
            &w.bob_token,
            json!({"user_id": cleo.id}),
        )
        .await,
        403,
        "not_permitted",
    );
    let invited = ok(
        post(
            s,
            &cpath(&c, "/invitations"),
            &w.ann_token,
            json!({"user_id": w.bob.id}),
        )
        .await,
        200,
    );
    assert_eq!(invited["standing"], "invited");
    assert_eq!(invited["user_id"], w.bob.id.to_string());
    assert_eq!(invited["community"]["invited_count"], 1);
    ok(
        post(
            s,
            &cpath(&c, "/invitations"),
            &w.ann_token,
            json!({"user_id": cleo.id}),
        )
        .await,
        200,
    );
    let again = ok(
        post(
            s,
            &cpath(&c, "/invitations"),
            &w.ann_token,
            json!({"user_id": cleo.id}),
        )
        .await,
        200,
    );
    assert_eq!(again["changed"], false);

    let list = ok(get(s, &cpath(&c, "/invitations"), &w.ann_token).await, 200);
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bob", "cleo"]);
    problem(
        get(s, &cpath(&c, "/invitations"), &w.bob_token).await,
        403,
        "not_permitted",
    );

    let accepted = ok(
        post(s, &cpath(&c, "/join"), &w.bob_token, json!({})).await,
        200,
    );
    assert_eq!(accepted["standing"], "member");
    let revoked = ok(
        send(
            s,
            Method::DELETE,
            &cpath(&c, &format!("/invitations/{}", cleo.id)),
            Some(&w.ann_token),
            None,
        )
        .await,
        200,
    );
    assert_eq!(revoked["standing"], "none");
    assert_eq!(revoked["changed"], true);
    assert_eq!(revoked["community"]["invited_count"], 0);
    problem(
        post(
            s,
            &cpath(&c, "/invitations"),
            &w.ann_token,
            json!({"user_id": uuid::Uuid::new_v4()}),
        )
        .await,
        404,
        "user_not_found",
    );
    problem(
        post(
            s,
            &cpath(&c, "/invitations"),
            &w.ann_token,
            json!({"user_id": "bob"}),
        )
        .await,
        422,
        "invalid_body",
    );
}

#[tokio::test]
async fn bans_end_a_membership_and_refuse_joins_until_lifted() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Strict", Visibility::Public, JoinPolicy::Open)
        .await;
    s.exec(&w.bob, &c, Command::Join).await;
    let events = s.event_count().await;

    // A member cannot ban the owner.
    problem(
        post(
            s,
            &cpath(&c, "/bans"),
            &w.bob_token,
            json!({"user_id": w.ann.id}),
        )
        .await,
        403,
        "not_permitted",
    );
    let banned = ok(
        post(
            s,
            &cpath(&c, "/bans"),
            &w.ann_token,
            json!({"user_id": w.bob.id, "reason": "spam; DROP TABLE bans"}),
        )
        .await,
        200,
    );
    assert_eq!(banned["standing"], "banned");
    assert_eq!(banned["community"]["member_count"], 1);
    assert_eq!(s.event_count().await, events + 1);

    let refused = problem(
        post(s, &cpath(&c, "/join"), &w.bob_token, json!({})).await,
        403,
        "banned",
    );
    assert_eq!(refused["detail"], "you are banned from this community");
    problem(
        post(s, &cpath(&c, "/leave"), &w.bob_token, json!({})).await,
        409,
        "not_member",
    );
    problem(
        post(
            s,
            &cpath(&c, "/invitations"),
            &w.ann_token,
            json!({"user_id": w.bob.id}),
        )
        .await,
        409,
        "subject_banned",
    );

    let list = ok(get(s, &cpath(&c, "/bans"), &w.ann_token).await, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["user"]["username"], "bob");
    assert_eq!(list["items"][0]["standing"], "banned");
    let feed = ok(get(s, &cpath(&c, "/events"), &w.ann_token).await, 200);
    let last = feed["items"].as_array().unwrap().last().cloned().unwrap();
    assert_eq!(last["kind"], "banned");
    assert_eq!(last["reason"], "spam; DROP TABLE bans");
    assert_eq!(last["subject_id"], w.bob.id.to_string());
    assert_eq!(last["actor_id"], w.ann.id.to_string());

    let lifted = ok(
        send(
            s,
            Method::DELETE,
            &cpath(&c, &format!("/bans/{}", w.bob.id)),
            Some(&w.ann_token),
            None,
        )
        .await,
        200,
    );
    assert_eq!(lifted["standing"], "none");
    let joined = ok(
        post(s, &cpath(&c, "/join"), &w.bob_token, json!({})).await,
        200,
    );
    assert_eq!(joined["standing"], "member");
    let long = "x".repeat(3000);
    let body = problem(
        post(
            s,
            &cpath(&c, "/bans"),
            &w.ann_token,
            json!({"user_id": w.bob.id, "reason": long}),
        )
        .await,
        422,
        "invalid",
    );
    assert_eq!(body["field"], "reason");
}

#[tokio::test]
async fn roles_change_removal_follows_rank_and_ownership_transfers() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Guild", Visibility::Public, JoinPolicy::Open)
        .await;
    let cleo = s.user("cleo").await;
    let cleo_token = s.token(&cleo).await;
    s.exec(&w.bob, &c, Command::Join).await;
    s.exec(&cleo, &c, Command::Join).await;
    let role = |u: &User| cpath(&c, &format!("/members/{}/role", u.id));

    let promoted = ok(
        send(
            s,
            Method::PUT,
            &role(&w.bob),
            Some(&w.ann_token),
            Some(json!({"role": "manager"})),
        )
        .await,
        200,
    );
    assert_eq!(promoted["standing"], "manager");
    assert_eq!(promoted["user_id"], w.bob.id.to_string());
    let body = problem(
        send(
            s,
            Method::PUT,
            &role(&cleo),
            Some(&w.ann_token),
            Some(json!({"role": "manager", "expect": "manager"})),
        )
        .await,
        409,
        "role_mismatch",
    );
    assert_eq!(body["actual_role"], "member");
    // A manager may not make an owner.
    problem(
        send(
            s,
            Method::PUT,
            &role(&cleo),
            Some(&w.bob_token),
            Some(json!({"role": "owner"})),
        )
        .await,
        403,
        "not_permitted",
    );
    // The last owner cannot be demoted.
    problem(
        send(
            s,
            Method::PUT,
            &role(&w.ann),
            Some(&w.ann_token),
            Some(json!({"role": "member"})),
        )
        .await,
        409,
        "last_owner",
    );
    problem(
        send(
            s,
            Method::PUT,
            &role(&cleo),
            Some(&w.ann_token),
            Some(json!({"role": "king"})),
        )
        .await,
        422,
        "invalid_body",
    );
    problem(
        send(
            s,
            Method::PUT,
            &role(&cleo),
            Some(&w.ann_token),
            Some(json!({})),
        )
        .await,
        422,
        "invalid_body",
    );

    // Removal: a manager removes a member, not the owner (and is not told
    // that the owner is the only one).
    problem(
        send(
            s,
            Method::DELETE,
            &cpath(&c, &format!("/members/{}", w.ann.id)),
            Some(&w.bob_token),
            None,
        )
        .await,
        403,
        "not_permitted",
    );
    problem(
        send(
            s,
            Method::DELETE,
            &cpath(&c, &format!("/members/{}", w.bob.id)),
            Some(&cleo_token),
            None,
        )
        .await,
        403,
        "not_permitted",
    );
    let removed = ok(
        send(
            s,
            Method::DELETE,
            &cpath(&c, &format!("/members/{}", cleo.id)),
            Some(&w.bob_token),
            None,
        )
        .await,
        200,
    );
    assert_eq!(removed["standing"], "none");
    assert_eq!(removed["user_id"], cleo.id.to_string());
    problem(
        send(
            s,
            Method::DELETE,
            &cpath(&c, &format!("/members/{}", cleo.id)),
            Some(&w.bob_token),
            None,
        )
        .await,
        409,
        "subject_not_member",
    );

    // Transfer: bob becomes owner, ann manager, in one step.
    problem(
        post(
            s,
            &cpath(&c, "/transfer"),
            &w.bob_token,
            json!({"user_id": w.bob.id}),
        )
        .await,
        403,
        "not_permitted",
    );
    problem(
        post(
            s,
            &cpath(&c, "/transfer"),
            &w.ann_token,
            json!({"user_id": cleo.id}),
        )
        .await,
        409,
        "subject_not_member",
    );
    let transferred = ok(
        post(
            s,
            &cpath(&c, "/transfer"),
            &w.ann_token,
            json!({"user_id": w.bob.id}),
        )
        .await,
        200,
    );
    assert_eq!(transferred["standing"], "owner");
    assert_eq!(transferred["community"]["owner_count"], 1);
    assert_eq!(
        s.standing(&c, &w.ann).await,
        Standing::Member(Role::Manager)
    );
    assert_eq!(s.standing(&c, &w.bob).await, Standing::Member(Role::Owner));
    // Now ann may leave.
    let left = ok(
        post(s, &cpath(&c, "/leave"), &w.ann_token, json!({})).await,
        200,
    );
    assert_eq!(left["standing"], "none");
}

#[tokio::test]
async fn admins_act_on_any_community_and_for_any_user() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Theirs", Visibility::Private, JoinPolicy::Invite)
        .await;
    s.exec(&w.ann, &c, Command::Add { subject: w.bob.id }).await;

    // The admin removes a member of a community it has no standing in.
    let removed = ok(
        send(
            s,
            Method::DELETE,
            &cpath(&c, &format!("/members/{}", w.bob.id)),
            Some(&w.root_token),
            None,
        )
        .await,
        200,
    );
    assert_eq!(removed["standing"], "none");
    // ... invites for someone, and joins for them.
    ok(
        post(
            s,
            &cpath(&c, "/invitations"),
            &w.root_token,
            json!({"user_id": w.bob.id}),
        )
        .await,
        200,
    );
    let joined = ok(
        post(
            s,
            &cpath(&c, "/join"),
            &w.root_token,
            json!({"user_id": w.bob.id}),
        )
        .await,
        200,
    );
    assert_eq!(joined["user_id"], w.bob.id.to_string());
    assert_eq!(joined["standing"], "member");
    assert_eq!(s.standing(&c, &w.bob).await, Standing::Member(Role::Member));
    let left = ok(
        post(
            s,
            &cpath(&c, "/leave"),
            &w.root_token,
            json!({"user_id": w.bob.id}),
        )
        .await,
        200,
    );
    assert_eq!(left["standing"], "none");
    // Acting for someone else without the admin scope is refused.
    let refused = problem(
        post(
            s,
            &cpath(&c, "/join"),
            &w.ann_token,
            json!({"user_id": w.bob.id}),
        )
        .await,
        403,
        "scope_required",
    );
    assert_eq!(refused["scope"], "admin");
    // Naming yourself needs no admin scope.
    let me = ok(
        post(
            s,
            &cpath(&c, "/join"),
            &w.ann_token,
            json!({"user_id": w.ann.id}),
        )
        .await,
        200,
    );
    assert_eq!(me["changed"], false);
    problem(
        post(
            s,
            &cpath(&c, "/join"),
            &w.root_token,
            json!({"user_id": uuid::Uuid::new_v4()}),
        )
        .await,
        404,
        "user_not_found",
    );
    // And transfers ownership without being an owner.
    s.exec(&w.ann, &c, Command::Add { subject: w.bob.id }).await;
    let transferred = ok(
        post(
            s,
            &cpath(&c, "/transfer"),
            &w.root_token,
            json!({"user_id": w.bob.id}),
        )
        .await,
        200,
    );
    assert_eq!(transferred["standing"], "owner");
    assert_eq!(transferred["community"]["owner_count"], 2);
}

// --- the event feed ---------------------------------------------------------

#[tokio::test]
async fn the_event_feed_shows_accepted_changes_in_order_and_nothing_else() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Feed", Visibility::Public, JoinPolicy::Open)
        .await;
    let start = ok(get(s, &cpath(&c, "/events"), &w.ann_token).await, 200);
    assert_eq!(start["items"].as_array().unwrap().len(), 1);
    assert_eq!(start["items"][0]["kind"], "created");
    let cursor = start["next"].as_i64().unwrap();

    ok(
        post(s, &cpath(&c, "/join"), &w.bob_token, json!({})).await,
        200,
    );
    ok(
        post(s, &cpath(&c, "/join"), &w.bob_token, json!({})).await,
        200,
    ); // unchanged: no event
    ok(
        post(s, &cpath(&c, "/leave"), &w.bob_token, json!({})).await,
        200,
    );
    problem(
        post(s, &cpath(&c, "/leave"), &w.ann_token, json!({})).await,
        409,
        "last_owner",
    );
    problem(
        post(s, &cpath(&c, "/leave"), &w.bob_token, json!({})).await,
        409,
        "not_member",
    );

    let feed = ok(
        get(
            s,
            &cpath(&c, &format!("/events?after={cursor}")),
            &w.ann_token,
        )
        .await,
        200,
    );
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{feed}");
    assert_eq!(items[0]["kind"], "joined");
    assert_eq!(items[1]["kind"], "left");
    for item in items {
        assert_eq!(item["community_id"], c.id().to_string());
        assert_eq!(item["actor_id"], w.bob.id.to_string());
        assert_eq!(item["subject_id"], w.bob.id.to_string());
        assert_eq!(item["reason"], Value::Null);
        is_timestamp(&item["at"]);
    }
    assert!(items[0]["seq"].as_i64().unwrap() > cursor);
    assert!(items[1]["seq"].as_i64().unwrap() > items[0]["seq"].as_i64().unwrap());
    assert_eq!(feed["next"], items[1]["seq"]);
    // Polling from the end: nothing new, the cursor stays.
    let next = feed["next"].as_i64().unwrap();
    let empty = ok(
        get(
            s,
            &cpath(&c, &format!("/events?after={next}")),
            &w.ann_token,
        )
        .await,
        200,
    );
    assert_eq!(empty, json!({"items": [], "next": next}));
    assert_eq!(
        events_of(s, &c, &w.ann_token, 0).await,
        ["created", "joined", "left"]
    );
    let limited = ok(
        get(s, &cpath(&c, "/events?limit=1"), &w.ann_token).await,
        200,
    );
    assert_eq!(limited["items"].as_array().unwrap().len(), 1);

    // Managers and admins only; bad cursors are problems.
    s.exec(&w.bob, &c, Command::Join).await;
    problem(
        get(s, &cpath(&c, "/events"), &w.bob_token).await,
        403,
        "not_permitted",
    );
    ok(get(s, &cpath(&c, "/events"), &w.root_token).await, 200);
    problem(
        get(s, &cpath(&c, "/events?after=-1"), &w.ann_token).await,
        400,
        "invalid_query",
    );
    problem(
        get(s, &cpath(&c, "/events?after=abc"), &w.ann_token).await,
        400,
        "invalid_query",
    );

    // The global feed holds every community's events, in order.
    let all = ok(get(s, "/v1/events?limit=1000", &w.root_token).await, 200);
    let seqs: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs.len(), s.event_count().await);
    assert!(seqs.windows(2).all(|p| p[0] < p[1]));
    let kinds: BTreeSet<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains("created") && kinds.contains("left"));
}

// --- bad input --------------------------------------------------------------

/// Send a chunked body (no Content-Length) over a raw socket; returns the
/// status line and the body.
async fn chunked(s: &TestServer, path: &str, token: &str, size: usize) -> (String, String) {
    let address = s.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'a'; 8192];
    let mut sent = 0;
    while sent < size {
        let frame = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk.clone(),
            b"\r\n".to_vec(),
        ]
        .concat();
        if stream.write_all(&frame).await.is_err() {
            break; // the server answered and closed early
        }
        sent += chunk.len();
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.lines().next().unwrap_or("").to_owned();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

#[tokio::test]
async fn bad_input_gets_a_problem_and_writes_nothing() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Target", Visibility::Public, JoinPolicy::Open)
        .await;
    let events = s.event_count().await;
    let token = &w.ann_token;

    // Malformed JSON, wrong types, wrong shapes, unknown fields.
    problem(
        send_raw(s, Method::POST, "/v1/communities", token, "{\"name\": ").await,
        400,
        "malformed_json",
    );
    problem(
        send_raw(s, Method::POST, "/v1/communities", token, "not json").await,
        400,
        "malformed_json",
    );
    problem(
        send_raw(s, Method::POST, "/v1/communities", token, "{\"name\": 42}").await,
        422,
        "invalid_body",
    );
    problem(
        send_raw(s, Method::POST, "/v1/communities", token, "[\"name\"]").await,
        422,
        "invalid_body",
    );
    problem(
        send_raw(s, Method::POST, "/v1/communities", token, "null").await,
        422,
        "invalid_body",
    );
    problem(
        send_raw(s, Method::POST, "/v1/communities", token, "{}").await,
        422,
        "invalid_body",
    );
    problem(
        send_raw(
            s,
            Method::POST,
            "/v1/communities",
            token,
            "{\"name\": \"X\", \"nmae\": 1}",
        )
        .await,
        422,
        "invalid_body",
    );
    problem(
        send_raw(
            s,
            Method::PUT,
            &cpath(&c, &format!("/members/{}/role", w.ann.id)),
            token,
            "{\"role\": [1]}",
        )
        .await,
        422,
        "invalid_body",
    );
    problem(
        send_raw(
            s,
            Method::POST,
            &cpath(&c, "/join"),
            token,
            "{\"user_id\": 12}",
        )
        .await,
        422,
        "invalid_body",
    );
    problem(
        send_raw(s, Method::POST, &cpath(&c, "/join"), token, "\u{0}").await,
        400,
        "malformed_json",
    );

    // Over 64 KiB: refused whole, with a declared length or chunked.
    let huge = format!("{{\"name\": \"{}\"}}", "a".repeat(70 * 1024));
    let reply = send_raw(s, Method::POST, "/v1/communities", token, &huge).await;
    assert_eq!(reply.status, 413);
    let (status, body) = chunked(s, "/v1/communities", token, 70 * 1024).await;
    assert!(status.contains(" 413 "), "{status}");
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    assert_eq!(body["code"], "body_too_large", "{body}");

    // Invalid and unknown ids.
    let body = problem(
        get(s, "/v1/communities/not-a-uuid", token).await,
        400,
        "invalid_id",
    );
    assert_eq!(body["detail"], "community id 'not-a-uuid' is not a UUID");
    problem(
        get(
            s,
            "/v1/communities/%27%3B%20DROP%20TABLE%20users%3B%20--",
            token,
        )
        .await,
        400,
        "invalid_id",
    );
    problem(
        get(s, &format!("/v1/communities/{}", "9".repeat(5000)), token).await,
        400,
        "invalid_id",
    );
    problem(
        get(s, "/v1/communities/%FF%FE", token).await,
        400,
        "invalid_id",
    );
    problem(
        send(
            s,
            Method::DELETE,
            &cpath(&c, "/members/xyz"),
            Some(token),
            None,
        )
        .await,
        400,
        "invalid_id",
    );
    problem(get(s, "/v1/users/12", token).await, 400, "invalid_id");
    problem(
        get(
            s,
            &format!("/v1/communities/{}", uuid::Uuid::new_v4()),
            token,
        )
        .await,
        404,
        "community_not_found",
    );
    problem(
        send(
            s,
            Method::DELETE,
            &cpath(&c, &format!("/members/{}", uuid::Uuid::new_v4())),
            Some(token),
            None,
        )
        .await,
        404,
        "user_not_found",
    );

    // Hostile strings: very long, control characters.
    let long = "n".repeat(10 * 1024);
    let body = problem(
        post(s, "/v1/communities", token, json!({"name": long})).await,
        422,
        "invalid",
    );
    assert_eq!(body["field"], "name");
    let body = problem(
        post(
            s,
            "/v1/communities",
            token,
            json!({"name": "bell\u{7}name"}),
        )
        .await,
        422,
        "invalid",
    );
    assert_eq!(body["field"], "name");
    let body = problem(
        post(
            s,
            "/v1/communities",
            token,
            json!({"name": "ok", "description": "nul\u{0}here"}),
        )
        .await,
        422,
        "invalid",
    );
    assert_eq!(body["field"], "description");
    problem(
        post(s, "/v1/communities", token, json!({"name": "  padded "})).await,
        422,
        "invalid",
    );
    problem(
        send(
            s,
            Method::PATCH,
            &cpath(&c, ""),
            Some(token),
            Some(json!({"name": "x".repeat(101)})),
        )
        .await,
        422,
        "invalid",
    );

    // Nothing above wrote anything.
    assert_eq!(s.event_count().await, events);
    assert_eq!(s.reload(&c).await.state.settings.name, "Target");
    let mine = ok(get(s, "/v1/communities?standing=owner", token).await, 200);
    assert_eq!(mine["total"], 1);

    // SQL metacharacters are data, stored and returned verbatim.
    let name = "'; DROP TABLE users; --";
    let created = ok(
        post(
            s,
            "/v1/communities",
            token,
            json!({"name": name, "description": "\" OR 1=1 --\n\ttab"}),
        )
        .await,
        201,
    );
    assert_eq!(created["community"]["name"], name);
    let id = created["community"]["id"].as_str().unwrap();
    let read = ok(get(s, &format!("/v1/communities/{id}"), token).await, 200);
    assert_eq!(read["name"], name);
    assert_eq!(read["description"], "\" OR 1=1 --\n\ttab");
    ok(get(s, "/v1/users/me", &w.bob_token).await, 200);
    // Unicode is fine.
    let unicode = ok(
        post(
            s,
            "/v1/communities",
            token,
            json!({"name": "Cafe \u{2615} \u{65e5}\u{672c}"}),
        )
        .await,
        201,
    );
    assert_eq!(
        unicode["community"]["name"],
        "Cafe \u{2615} \u{65e5}\u{672c}"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let s = TestServer::start().await;
    let body = problem(
        send(&s, Method::GET, "/v1/nowhere", None, None).await,
        404,
        "not_found",
    );
    assert_eq!(body["detail"], "no route /v1/nowhere");
    let response = s.client.put(s.url("/v1/communities")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    let allow = response.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    problem(reply(response).await, 405, "method_not_allowed");
}

/// A 70 KiB body (over the 64 KiB limit) that would otherwise be accepted.
fn oversized_community() -> String {
    format!(
        "{{\"name\": \"Big\", \"description\": \"{}\"}}",
        "a".repeat(70 * 1024)
    )
}

#[tokio::test]
async fn oversized_bodies_get_a_413_problem_and_write_nothing() {
    let w = world().await;
    let s = &w.s;
    let events = s.event_count().await;
    let expected = json!({
        "type": "https://roster.dev/problems/body_too_large",
        "title": "Body too large",
        "status": 413,
        "detail": "the body exceeds 65536 bytes",
        "code": "body_too_large",
    });

    // With a Content-Length.
    let declared = send_raw(
        s,
        Method::POST,
        "/v1/communities",
        &w.ann_token,
        &oversized_community(),
    )
    .await;
    assert_eq!(
        (
            declared.status,
            declared.content_type.as_str(),
            &declared.body
        ),
        (413, PROBLEM_CT, &expected)
    );

    // Chunked, with no length announced.
    let response = s
        .client
        .post(s.url("/v1/communities"))
        .bearer_auth(&w.ann_token)
        .header("content-type", JSON_CT)
        .body(common::chunked(oversized_community()))
        .send()
        .await
        .expect("send");
    let chunked = reply(response).await;
    assert_eq!(
        (chunked.status, chunked.content_type.as_str(), &chunked.body),
        (413, PROBLEM_CT, &expected)
    );
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn a_top_level_array_is_not_read_as_an_object() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Target", Visibility::Public, JoinPolicy::Open)
        .await;
    s.exec(&w.bob, &c, Command::Join).await;
    let events = s.event_count().await;
    let cases = [
        (
            Method::POST,
            "/v1/communities".to_owned(),
            json!(["Arrays"]),
        ),
        (
            Method::PUT,
            cpath(&c, &format!("/members/{}/role", w.bob.id)),
            json!(["manager"]),
        ),
        (
            Method::POST,
            cpath(&c, "/transfer"),
            json!([w.bob.id.to_string()]),
        ),
        (Method::POST, "/v1/communities".to_owned(), json!("Arrays")),
    ];
    for (method, path, body) in cases {
        let reply = send_raw(s, method, &path, &w.ann_token, &body.to_string()).await;
        let body = problem(reply, 422, "invalid_body");
        assert_eq!(body["detail"], "the body must be a JSON object", "{path}");
    }
    assert_eq!(s.event_count().await, events);
    assert_eq!(s.standing(&c, &w.bob).await, Standing::Member(Role::Member));
    assert_eq!(s.standing(&c, &w.ann).await, Standing::Member(Role::Owner));
}

#[tokio::test]
async fn a_route_without_a_body_never_waits_for_one() {
    let w = world().await;
    let s = &w.s;
    use futures_util::StreamExt as _;
    // A body that never ends: a route that read it would never answer.
    let endless = futures_util::stream::iter([Ok::<_, std::io::Error>(vec![b'a'; 8192])])
        .chain(futures_util::stream::pending());
    let response = s
        .client
        .get(s.url("/v1/users/me"))
        .bearer_auth(&w.ann_token)
        .body(reqwest::Body::wrap_stream(endless))
        .send()
        .await
        .expect("send");
    let body = ok(reply(response).await, 200);
    assert_eq!(body["username"], "ann");
}
