//! `/v1/tokens` and bearer authentication: issue for a password, list,
//! revoke, and each authentication failure as its own problem.

use super::*;

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
    let me = ok(s.native(&token).me().await, 200);
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
        422,
        "invalid",
    );
    assert_eq!(admin["field"], "scope");
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
    let list = ok(s.native(&w.ann_token).tokens().await, 200);
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 3, "{list}");
    assert!(items
        .iter()
        .all(|t| t.get("token").is_none() && t["user_id"] == w.ann.id.to_string()));
    let listed: BTreeSet<&str> = items.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert!(listed.contains(issued["id"].as_str().unwrap()));

    // Revoking someone else's token: not found, and it keeps working.
    let bobs = ok(s.native(&w.bob_token).tokens().await, 200);
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
    ok(s.native(&w.bob_token).me().await, 200);
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
    problem(s.native(&token).me().await, 401, "token_revoked");
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
    let list = ok(s.native(&w.ann_token).tokens().await, 200);
    let entry = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .cloned()
        .unwrap();
    is_timestamp(&entry["revoked_at"]);
}

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
        s.native(&write_only).community(&c).await,
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
