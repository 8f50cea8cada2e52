//! `/v1/tokens` and bearer authentication: issue for a password, list,
//! revoke, and each authentication failure as its own problem.

use super::*;

/// Ann's read-only "laptop" token, valid for an hour: the issued body.
async fn issue_laptop_token(w: &World) -> Value {
    let body = json!({"username": "ann", "password": PASSWORD, "scopes": "community:read",
                      "expires_in_seconds": 3600, "label": "laptop"});
    ok(login_with(&w.s, body).await, 201)
}

/// How many tokens Ann has (the world gives her one).
async fn token_count(w: &World) -> usize {
    let list = ok(w.s.native(&w.ann_token).tokens().await, 200);
    list["items"].as_array().expect("items").len()
}

/// The issued token's secret.
fn secret(issued: &Value) -> String {
    issued["token"].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn a_password_issues_a_token_with_its_scopes_label_and_expiry() {
    let w = world().await;

    let issued = issue_laptop_token(&w).await;

    assert!(secret(&issued).starts_with("rst_"));
    assert_eq!(issued["scopes"], json!(["community:read"]));
    assert_eq!(issued["label"], "laptop");
    assert_eq!(issued["user_id"], w.ann.id.to_string());
    assert_eq!(issued["revoked_at"], Value::Null);
    let expires: DateTime<Utc> = issued["expires_at"].as_str().unwrap().parse().unwrap();
    let lifetime = expires - Utc::now();
    assert!(lifetime > chrono::Duration::minutes(50) && lifetime <= chrono::Duration::hours(1));
}

#[tokio::test]
async fn the_email_works_as_the_login_and_scopes_may_be_an_array() {
    let w = world().await;

    let body = json!({"username": "ann@example.com", "password": PASSWORD,
                      "scopes": ["community:read", "community:write"]});
    let by_email = ok(login_with(&w.s, body).await, 201);

    assert_eq!(
        by_email["scopes"],
        json!(["community:read", "community:write"])
    );
    assert_eq!(by_email["label"], "api");
    assert_eq!(by_email["expires_at"], Value::Null);
}

#[tokio::test]
async fn a_new_read_token_reads_and_the_login_is_recorded() {
    let w = world().await;
    let token = secret(&issue_laptop_token(&w).await);

    let me = ok(w.s.native(&token).me().await, 200);

    assert_eq!(me["username"], "ann");
    assert!(
        me["last_login_at"].is_string(),
        "a password login is recorded: {me}"
    );
}

#[tokio::test]
async fn wrong_credentials_are_401() {
    let w = world().await;

    let wrong = login(&w.s, "ann", "not the password").await;
    let nobody = login(&w.s, "nobody", PASSWORD).await;

    let body = problem(wrong, 401, "invalid_credentials");
    assert_eq!(
        body,
        json!({"type": "https://roster.dev/problems/invalid_credentials", "title": "Invalid credentials",
               "status": 401, "detail": "the username or password is wrong", "code": "invalid_credentials"})
    );
    problem(nobody, 401, "invalid_credentials");
    assert_eq!(token_count(&w).await, 1, "a refusal issues no token");
}

#[tokio::test]
async fn bad_scopes_and_lifetimes_are_refused() {
    let w = world().await;
    let s = &w.s;
    let ann = |extra: Value| {
        let mut body = json!({"username": "ann", "password": PASSWORD});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        login_with(s, body)
    };

    let admin = problem(ann(json!({"scopes": "admin"})).await, 403, "not_permitted");
    assert!(admin.get("field").is_none(), "{admin}");
    let unknown = problem(ann(json!({"scopes": ["root"]})).await, 422, "invalid");
    assert_eq!(unknown["field"], "scopes");
    problem(ann(json!({"scopes": ""})).await, 422, "invalid");
    let zero = problem(ann(json!({"expires_in_seconds": 0})).await, 422, "invalid");
    assert_eq!(zero["field"], "expires_in_seconds");
    let huge = ann(json!({"expires_in_seconds": u64::MAX})).await;
    problem(huge, 422, "invalid");
    let negative = ann(json!({"expires_in_seconds": -5})).await;
    problem(negative, 422, "invalid_body");
    let no_password = login_with(s, json!({"username": "ann"})).await;
    problem(no_password, 422, "invalid_body");
    assert_eq!(token_count(&w).await, 1, "a refusal issues no token");
}

#[tokio::test]
async fn tokens_are_listed_for_their_owner_only_and_never_with_a_secret() {
    let w = world().await;
    let issued = issue_laptop_token(&w).await;
    let by_email = json!({"username": "ann@example.com", "password": PASSWORD,
                          "scopes": ["community:read", "community:write"]});
    ok(login_with(&w.s, by_email).await, 201);

    let list = ok(w.s.native(&w.ann_token).tokens().await, 200);

    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 3, "{list}");
    assert!(items
        .iter()
        .all(|t| t.get("token").is_none() && t["user_id"] == w.ann.id.to_string()));
    let listed: BTreeSet<&str> = items.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert!(listed.contains(issued["id"].as_str().unwrap()));
}

#[tokio::test]
async fn someone_elses_token_is_not_found_and_keeps_working() {
    let w = world().await;
    let bobs = ok(w.s.native(&w.bob_token).tokens().await, 200);
    let bob_token_id = bobs["items"][0]["id"].as_str().unwrap().to_owned();
    let ann = w.s.native(&w.ann_token);

    problem(
        ann.revoke_token(&bob_token_id).await,
        404,
        "token_not_found",
    );
    ok(w.s.native(&w.bob_token).me().await, 200);
    problem(ann.revoke_token("not-a-uuid").await, 400, "invalid_id");
}

#[tokio::test]
async fn a_revoked_token_is_refused_and_listed_with_its_time() {
    let w = world().await;
    let issued = issue_laptop_token(&w).await;
    let (token, id) = (secret(&issued), issued["id"].as_str().unwrap());
    let ann = w.s.native(&w.ann_token);

    let revoked = ann.revoke_token(id).await;

    assert_eq!(revoked.status, 204);
    assert_eq!(revoked.body, Value::Null);
    problem(w.s.native(&token).me().await, 401, "token_revoked");
    problem(ann.revoke_token(id).await, 404, "token_not_found");
    let list = ok(ann.tokens().await, 200);
    let entry = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .cloned()
        .unwrap();
    is_timestamp(&entry["revoked_at"]);
}

/// Ann's open "Auth", which Bob tries to join with each kind of token.
struct AuthCase {
    w: World,
    c: Community,
}

async fn auth_case() -> AuthCase {
    let w = world().await;
    let c =
        w.s.community(&w.ann, "Auth", Visibility::Public, JoinPolicy::Open)
            .await;
    AuthCase { w, c }
}

impl AuthCase {
    /// `POST …/join` with this token (or none).
    async fn join_with(&self, token: Option<&str>) -> Reply {
        send(
            &self.w.s,
            Method::POST,
            &cpath(&self.c, "/join"),
            token,
            None,
        )
        .await
    }

    /// A refused request wrote nothing: Bob is still outside.
    async fn assert_bob_outside(&self) {
        assert_eq!(
            self.w.s.standing(&self.c, &self.w.bob).await,
            Standing::None
        );
    }
}

#[tokio::test]
async fn no_token_is_token_required_with_a_bearer_challenge() {
    let t = auth_case().await;
    let s = &t.w.s;

    let none = t.join_with(None).await;
    let raw = s.client.get(s.url("/v1/users/me")).send().await.unwrap();

    let body = problem(none, 401, "token_required");
    assert_eq!(
        body,
        json!({"type": "https://roster.dev/problems/token_required", "title": "Token required",
               "status": 401, "detail": "no token was sent", "code": "token_required"})
    );
    assert_eq!(raw.headers()["www-authenticate"], "Bearer realm=\"roster\"");
    t.assert_bob_outside().await;
}

#[tokio::test]
async fn a_malformed_or_unknown_token_is_refused() {
    let t = auth_case().await;
    let s = &t.w.s;
    let unknown = format!("rst_{}", "A".repeat(43));

    let malformed = t.join_with(Some("not a token")).await;
    let not_issued = t.join_with(Some(&unknown)).await;
    let raw = s
        .client
        .get(s.url("/v1/users/me"))
        .bearer_auth(&unknown)
        .send()
        .await
        .unwrap();

    problem(malformed, 401, "token_invalid");
    problem(not_issued, 401, "token_unknown");
    assert_eq!(
        raw.headers()["www-authenticate"],
        "Bearer realm=\"roster\", error=\"invalid_token\", error_description=\"token_unknown\""
    );
    t.assert_bob_outside().await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let t = auth_case().await;
    let past = Utc::now() - chrono::Duration::hours(1);
    let scopes = roster::auth::parse_scopes("community:read,community:write").unwrap();
    let (expired, _) =
        roster::admin::issue_token(&t.w.s.state, &t.w.bob, scopes, "old", Some(past))
            .await
            .unwrap();

    let reply = t.join_with(Some(&expired)).await;

    problem(reply, 401, "token_expired");
    t.assert_bob_outside().await;
}

#[tokio::test]
async fn a_revoked_token_is_refused() {
    let t = auth_case().await;
    let revoked = ok(login(&t.w.s, "bob", PASSWORD).await, 201);
    let secret = revoked["token"].as_str().unwrap();
    let gone =
        t.w.s
            .native(secret)
            .revoke_token(revoked["id"].as_str().unwrap())
            .await;
    assert_eq!(gone.status, 204);

    let reply = t.join_with(Some(secret)).await;

    problem(reply, 401, "token_revoked");
    t.assert_bob_outside().await;
}

#[tokio::test]
async fn a_token_without_the_route_s_scope_is_refused() {
    let t = auth_case().await;
    let read_only = t.w.s.token_with(&t.w.bob, "community:read").await;
    let write_only = t.w.s.token_with(&t.w.bob, "community:write").await;

    let writing = t.join_with(Some(&read_only)).await;
    let reading = t.w.s.native(&write_only).community(&t.c).await;

    let body = problem(writing, 403, "scope_required");
    assert_eq!(body["scope"], "community:write");
    let body = problem(reading, 403, "scope_required");
    assert_eq!(body["scope"], "community:read");
    t.assert_bob_outside().await;
}

#[tokio::test]
async fn admin_routes_need_an_admin_token_not_merely_an_admin_user() {
    let t = auth_case().await;
    let root_plain = t.w.s.token(&t.w.root).await;

    let by_admin_user = t.w.s.native(&root_plain).get("/v1/events").await;
    let by_user = t.w.s.native(&t.w.ann_token).get("/v1/events").await;

    let body = problem(by_admin_user, 403, "scope_required");
    assert_eq!(body["scope"], "admin");
    problem(by_user, 403, "scope_required");
}

#[tokio::test]
async fn a_valid_token_joins() {
    let t = auth_case().await;
    t.assert_bob_outside().await;

    let joined = ok(t.join_with(Some(&t.w.bob_token)).await, 200);

    assert_eq!(joined["standing"], "member");
}
