//! `/v1/users`: creation by admins, reading and updating oneself, and
//! admins acting for any user (mirrors `src/native/users.rs`).

use super::*;

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
    let me = ok(s.native(&w.ann_token).me().await, 200);
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
    let again = ok(s.native(&w.ann_token).me().await, 200);
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
