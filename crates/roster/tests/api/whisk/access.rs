//! Authentication, scopes, unknown and invisible communities, malformed
//! ids, and `GET /community/v2/{id}`.

use super::*;

#[tokio::test]
async fn each_authentication_failure_has_its_code() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let crate::common::RefusedTokens {
        expired,
        revoked,
        unknown,
    } = s.refused_tokens(&user).await;

    let paths = [
        ("POST", leave_path(&c)),
        ("POST", join_path(&c)),
        ("GET", format!("/community/v2/{}", c.id().simple())),
        ("GET", "/community/v2".to_owned()),
    ];
    for (method, path) in &paths {
        let request = |auth: Option<String>| {
            let mut builder = if *method == "POST" {
                s.client.post(s.url(path))
            } else {
                s.client.get(s.url(path))
            };
            if let Some(auth) = auth {
                builder = builder.header("Authorization", auth);
            }
            builder.send()
        };
        let cases = [
            (None, "auth.tokenRequired"),
            (Some("Bearer not-a-token".to_owned()), "auth.tokenInvalid"),
            (Some(format!("Bearer {unknown}")), "auth.tokenNotFound"),
            (Some(format!("Bearer {expired}")), "auth.tokenExpired"),
            (Some(format!("Bearer {revoked}")), "auth.tokenNotFound"),
        ];
        for (auth, code) in cases {
            let (status, body) = json(request(auth.clone()).await.expect("request")).await;
            assert_eq!(
                (status, body),
                (401, json!({ "code": code })),
                "{method} {path} with {auth:?}"
            );
        }
    }
    assert_eq!(s.standing(&c, &user).await, Standing::None);
}

#[tokio::test]
async fn each_route_requires_its_scope() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let read_only = s.token_with(&user, "community:read").await;
    let write_only = s.token_with(&user, "community:write").await;
    let refused = (403, json!({ "code": "authorization.scopeRequired" }));

    assert_eq!(s.whisk(&read_only).join(&c).await, refused);
    assert_eq!(s.whisk(&read_only).leave(&c).await, refused);
    assert_eq!(s.standing(&c, &user).await, Standing::None);
    let one = format!("/community/v2/{}", c.id().simple());
    assert_eq!(get(&s, &one, &write_only).await, refused);
    assert_eq!(get(&s, "/community/v2", &write_only).await, refused);

    // The right scope passes.
    assert_eq!(s.whisk(&write_only).join(&c).await.0, 200);
    assert_eq!(get(&s, &one, &read_only).await.0, 200);
}

#[tokio::test]
async fn an_unknown_community_is_not_found() {
    let s = TestServer::start().await;
    let user = s.user("ulf").await;
    let token = s.token(&user).await;
    let id = uuid::Uuid::new_v4().simple().to_string();
    let not_found = (
        404,
        json!({ "code": "general.notFound", "message": "community not found" }),
    );

    let leave = format!("/community/v2/{id}/leave");
    let join = format!("/community/v2/{id}/join");
    assert_eq!(post(&s, &leave, &token).await, not_found);
    assert_eq!(post(&s, &join, &token).await, not_found);
    assert_eq!(
        get(&s, &format!("/community/v2/{id}"), &token).await,
        not_found
    );
}

#[tokio::test]
async fn a_private_community_is_invisible_to_outsiders() {
    let s = TestServer::start().await;
    let admin = s.admin("root").await;
    let owner = s.user("olga").await;
    let outsider = s.user("ulf").await;
    let invitee = s.user("vera").await;
    let c = s
        .community(&owner, "secret", Visibility::Private, JoinPolicy::Invite)
        .await;
    s.exec(
        &owner,
        &c,
        Command::Invite {
            subject: invitee.id,
        },
    )
    .await;
    let token = s.token(&outsider).await;
    let one = format!("/community/v2/{}", c.id().simple());
    let not_found = (
        404,
        json!({ "code": "general.notFound", "message": "community not found" }),
    );

    assert_eq!(get(&s, &one, &token).await, not_found);
    assert_eq!(s.whisk(&token).join(&c).await, not_found);
    assert_eq!(s.whisk(&token).leave(&c).await, not_found);
    assert_eq!(s.standing(&c, &outsider).await, Standing::None);

    let expected = |role: &str| {
        json!({ "community": {
            "id": c.id().simple(),
            "name": "secret",
            "description": "about secret",
            "permissions": perms(role, "ANYONE", "PRIVATE"),
            "members": { "count": 1 },
        }})
    };
    // An invitee sees it; so does an elevated admin.
    let token = s.token(&invitee).await;
    assert_eq!(get(&s, &one, &token).await, (200, expected("UNSET")));
    let token = s.token_with(&admin, "admin").await;
    assert_eq!(get(&s, &one, &token).await, (200, expected("UNSET")));
}

#[tokio::test]
async fn malformed_ids_are_bad_requests() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let token = s.token(&user).await;
    let bad = (
        400,
        json!({ "code": "general.badRequest", "message": BAD_ID }),
    );
    let simple = c.id().simple();
    let ids = [
        "xyz".to_owned(),
        simple.to_uppercase(),
        simple[..31].to_owned(),
        format!("{simple}0"),
        format!("%7B{}%7D", c.id()),
        format!("urn:uuid:{}", c.id()),
        "%FF%FE".to_owned(),
        "%00".to_owned(),
        "a".repeat(5000),
    ];
    for id in &ids {
        let path = format!("/community/v2/{id}");
        assert_eq!(get(&s, &path, &token).await, bad, "GET {id}");
        assert_eq!(
            post(&s, &format!("{path}/leave"), &token).await,
            bad,
            "leave {id}"
        );
        assert_eq!(
            post(&s, &format!("{path}/join"), &token).await,
            bad,
            "join {id}"
        );
    }
    assert_eq!(s.standing(&c, &user).await, Standing::None);
}

#[tokio::test]
async fn get_a_community_renders_role_and_member_count() {
    let s = TestServer::start().await;
    let (owner, user, c) = setup(&s).await;
    s.exec(&user, &c, Command::Join).await;
    let one = format!("/community/v2/{}", c.id().simple());
    let expected = |role: &str| {
        json!({ "community": {
            "id": c.id().simple(),
            "name": "bakers",
            "description": "about bakers",
            "permissions": perms(role, "ANYONE", "PUBLIC"),
            "members": { "count": 2 },
        }})
    };

    let token = s.token(&owner).await;
    assert_eq!(get(&s, &one, &token).await, (200, expected("OWNER")));
    let token = s.token(&user).await;
    let fields = format!(
        "{one}?fields=COMMUNITY_FIELD_DESCRIPTION&fields=COMMUNITY_FIELD_PERMISSIONS\
         &fields=COMMUNITY_FIELD_MEMBERS_COUNT"
    );
    assert_eq!(get(&s, &fields, &token).await, (200, expected("MEMBER")));
    let stranger = s.user("vera").await;
    let token = s.token(&stranger).await;
    assert_eq!(get(&s, &one, &token).await, (200, expected("UNSET")));

    let (status, body) = get(&s, &format!("{one}?fields=COMMUNITY_FIELD_NOPE"), &token).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({ "code": "general.badRequest", "message": "unknown field 'COMMUNITY_FIELD_NOPE'" })
    );
}

/// Whisk's reference names the header `Authentication`; an app written
/// from that table must work, and `Authorization` wins when both are sent.
#[tokio::test]
async fn the_authentication_header_is_read_when_authorization_is_absent() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let token = s.token(&user).await;
    let join = |name: &'static str, value: String| {
        s.client
            .post(s.url(&join_path(&c)))
            .header(name, value)
            .send()
    };

    let joined = json(
        join("Authentication", format!("Bearer {token}"))
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(joined, (200, permissions("MEMBER", "ANYONE", "PUBLIC")));
    assert_eq!(s.standing(&c, &user).await, Standing::Member(Role::Member));
}

#[tokio::test]
async fn authorization_wins_over_authentication() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let token = s.token(&user).await;

    let reply = s
        .client
        .post(s.url(&join_path(&c)))
        .header("Authorization", "Bearer not-a-token")
        .header("Authentication", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();

    assert_eq!(
        json(reply).await,
        (401, json!({ "code": "auth.tokenInvalid" }))
    );
    assert_eq!(s.standing(&c, &user).await, Standing::None);
}
