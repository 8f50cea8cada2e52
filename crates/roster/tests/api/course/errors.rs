//! Refusals in the course error shape: unknown and hidden courses,
//! bans, archives, authentication, scopes, path aliases, wrong methods.

use super::*;

#[tokio::test]
async fn unknown_hidden_and_malformed_courses_are_404() {
    let s = TestServer::start().await;
    let root = s.admin("root").await;
    let owner = s.user("owner").await;
    let bob = s.user("bob").await;
    let token = s.token(&bob).await;
    let secret = s
        .community(&owner, "Hidden", Visibility::Private, JoinPolicy::Invite)
        .await;
    for target in [
        "/api/v2/course/999999/join/".to_owned(),
        "/api/v2/course/abc/join/".to_owned(),
        "/api/v2/course/-1/join/".to_owned(),
        "/api/v2/course/1e3/join/".to_owned(),
        "/api/v2/course/99999999999999999999999/join/".to_owned(),
        path(&secret, "join/"),
    ] {
        let (code, body) = call(&s, "DELETE", &target, &token, None).await;
        assert_eq!((code, body), (404, not_found()), "{target}");
    }
    for target in [
        path(&secret, ""),
        path(&secret, "status/"),
        path(&secret, "join/"),
    ] {
        let (code, body) = call(&s, "GET", &target, &token, None).await;
        assert_eq!((code, body), (404, not_found()), "{target}");
    }
    // The site community is no course.
    let site = s
        .state
        .run(|store| store.site_community())
        .await
        .unwrap()
        .unwrap();
    let root_token = s.token(&root).await;
    let (code, body) = s.course(&root_token).course(&site).await;
    assert_eq!((code, body), (404, not_found()));
    let (code, _) = call(&s, "DELETE", &path(&site, "join/"), &token, None).await;
    assert_eq!(code, 404);
}

#[tokio::test]
async fn banned_and_archived_refusals_use_the_course_shape() {
    let t = open().await;
    let (ann, ann_token) = member(&t, "ann").await;
    let ban = Command::Ban {
        subject: ann.id,
        reason: None,
    };
    t.s.exec(&t.owner, &t.course, ban).await;
    assert_eq!(
        t.s.course(&ann_token).status(&t.course).await,
        (200, json!({"status": null}))
    );
    let (code, body) = t.s.course(&ann_token).join(&t.course).await;
    assert_eq!(
        (code, body),
        (
            403,
            error("permission_denied", "You are banned from this course.")
        )
    );
    // Leaving while banned: nothing to end, and the ban stays.
    let (code, _) = call(&t.s, "DELETE", &path(&t.course, "join/"), &ann_token, None).await;
    assert_eq!(code, 204);
    assert_eq!(t.s.standing(&t.course, &ann).await, Standing::Banned);

    let (_, bob_token) = member(&t, "bob").await;
    t.s.exec(&t.owner, &t.course, Command::Archive).await;
    let events = t.s.event_count().await;
    let (code, body) = call(&t.s, "DELETE", &path(&t.course, "join/"), &bob_token, None).await;
    assert_eq!(
        (code, body),
        (403, error("permission_denied", "This course is archived."))
    );
    assert_eq!(t.s.event_count().await, events);
}

#[tokio::test]
async fn admin_token_sees_and_deletes_any_course() {
    let s = TestServer::start().await;
    let root = s.admin("root").await;
    let owner = s.user("owner").await;
    let secret = s
        .community(&owner, "Hidden", Visibility::Private, JoinPolicy::Invite)
        .await;
    let plain = s.token(&root).await;
    let (code, _) = s.course(&plain).course(&secret).await;
    assert_eq!(
        code, 404,
        "an admin user without an admin token is nobody special"
    );
    let elevated = s.token_with(&root, "admin").await;
    let (code, body) = s.course(&elevated).course(&secret).await;
    assert_eq!((code, body["join_status"].clone()), (200, Value::Null));
    let (code, _) = call(&s, "DELETE", &path(&secret, ""), &elevated, None).await;
    assert_eq!(code, 204);
    let owner_token = s.token(&owner).await;
    let (code, body) = s.course(&owner_token).course(&secret).await;
    assert_eq!((code, body), (404, not_found()));
}

#[tokio::test]
async fn authentication_failures_are_401_in_the_course_shape() {
    let t = open().await;
    let (ann, _) = member(&t, "ann").await;
    let url = t.s.url(&path(&t.course, "join/"));
    let response = t.s.client.delete(&url).send().await.unwrap();
    assert_eq!(
        response.headers().get("www-authenticate").unwrap(),
        "Bearer realm=\"api\""
    );
    let expected = error(
        "not_authenticated",
        "Authentication credentials were not provided.",
    );
    assert_eq!(read(response).await, (401, expected));

    let expired = roster::admin::issue_token(
        &t.s.state,
        &ann,
        roster::auth::parse_scopes("community:read,community:write").unwrap(),
        "old",
        Some(chrono::Utc::now() - chrono::Duration::hours(1)),
    )
    .await
    .unwrap()
    .0;
    let (revoked, record) = roster::admin::issue_token(
        &t.s.state,
        &ann,
        roster::auth::parse_scopes("community:write").unwrap(),
        "gone",
        None,
    )
    .await
    .unwrap();
    let (user, id) = (ann.id, record.id);
    let done = t.s.state.run(move |store| store.revoke_token(user, id));
    assert!(done.await.unwrap());
    let cases = [
        ("Bearer nonsense".to_owned(), "Invalid token."),
        (format!("Bearer rst_{}", "A".repeat(43)), "Invalid token."),
        (format!("Bearer {expired}"), "Token has expired."),
        (format!("Token {revoked}"), "Token has been revoked."),
    ];
    for (header, message) in cases {
        let response =
            t.s.client
                .delete(&url)
                .header("Authorization", &header)
                .send()
                .await
                .unwrap();
        assert_eq!(
            read(response).await,
            (401, error("authentication_failed", message)),
            "{header}"
        );
    }
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Member)
    );
}

#[tokio::test]
async fn token_scheme_is_accepted_like_bearer() {
    let t = open().await;
    let (ann, token) = member(&t, "ann").await;
    let response =
        t.s.client
            .delete(t.s.url(&path(&t.course, "join/")))
            .header("Authorization", format!("Token {token}"))
            .send()
            .await
            .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(t.s.standing(&t.course, &ann).await, Standing::None);
}

#[tokio::test]
async fn missing_scope_is_403() {
    let t = open().await;
    let (ann, _) = member(&t, "ann").await;
    let read_only = t.s.token_with(&ann, "community:read").await;
    let (code, body) = call(&t.s, "DELETE", &path(&t.course, "join/"), &read_only, None).await;
    let message = format!("{NO_PERMISSION} The token lacks the scope community:write.");
    assert_eq!((code, body), (403, error("permission_denied", &message)));
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Member)
    );
    // Reading needs only community:read.
    let (code, body) = t.s.course(&read_only).status(&t.course).await;
    assert_eq!((code, body), (200, json!({"status": "joined"})));
    let write_only = t.s.token_with(&ann, "community:write").await;
    let (code, body) = t.s.course(&write_only).status(&t.course).await;
    let message = format!("{NO_PERMISSION} The token lacks the scope community:read.");
    assert_eq!((code, body), (403, error("permission_denied", &message)));
}

#[tokio::test]
async fn subscribe_alias_and_paths_without_trailing_slash() {
    let t = open().await;
    let (ann, ann_token) = member(&t, "ann").await;
    let (code, body) = call_text(&t.s, "DELETE", &path(&t.course, "subscribe/"), &ann_token).await;
    assert_eq!((code, body.as_str()), (204, ""));
    assert_eq!(t.s.standing(&t.course, &ann).await, Standing::None);

    let (bob, bob_token) = member(&t, "bob").await;
    let bare = format!("/api/v2/course/{}/join", t.course.num);
    let (code, _) = call_text(&t.s, "DELETE", &bare, &bob_token).await;
    assert_eq!(code, 204);
    assert_eq!(t.s.standing(&t.course, &bob).await, Standing::None);

    let (cid, cid_token) = member(&t, "cid").await;
    let bare = format!("/api/v2/course/{}/subscribe", t.course.num);
    let (code, _) = call_text(&t.s, "DELETE", &bare, &cid_token).await;
    assert_eq!(code, 204);
    assert_eq!(t.s.standing(&t.course, &cid).await, Standing::None);

    let bare = format!("/api/v2/course/{}/status", t.course.num);
    let (code, body) = call(&t.s, "GET", &bare, &t.owner_token, None).await;
    assert_eq!((code, body), (200, json!({"status": "creator"})));
    let (code, body) = call(
        &t.s,
        "GET",
        &format!("/api/v2/course/{}", t.course.num),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!((code, body["id"].clone()), (200, json!(t.course.num)));
}

#[tokio::test]
async fn wrong_method_is_405_in_the_course_shape() {
    let t = open().await;
    let (code, body) = call(&t.s, "PUT", &path(&t.course, "join/"), &t.owner_token, None).await;
    assert_eq!(
        (code, body),
        (
            405,
            error("method_not_allowed", "Method \"PUT\" not allowed.")
        )
    );
    let (code, body) = call(
        &t.s,
        "POST",
        &path(&t.course, "subscribe/"),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!(
        (code, body),
        (
            405,
            error("method_not_allowed", "Method \"POST\" not allowed.")
        )
    );
}
