//! Tokens, the API prefix, authentication failures, scopes, elevation
//! with `X-Roster-Member-Id`, and refusals in Wix's envelope.

use super::*;

#[tokio::test]
async fn bare_and_bearer_tokens_both_work() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let token = s.token(&ann).await;
    let my = format!("{MEMBERS}/my");

    let bare = call(&s, "GET", &my, Some(&token), None).await;
    let bearer = call(&s, "GET", &my, Some(&format!("Bearer {token}")), None).await;

    assert_eq!(bare.0, 200);
    assert_eq!(bare, bearer);
    assert_eq!(bare.1["member"]["id"], json!(ann.id.to_string()));
}

#[tokio::test]
async fn every_route_answers_under_the_api_prefix() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let token = s.token(&ann).await;
    let base = format!("/_api{MEMBERS}");

    let (status, body) = post(&s, &format!("{base}/leave-community"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(body["member"]["privacyStatus"], json!("PRIVATE"));
    let (status, body) = post(&s, &format!("{base}/join-community"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(body["member"]["privacyStatus"], json!("PUBLIC"));
    let (status, body) = get(&s, &format!("{base}/my"), &token).await;
    assert_eq!(
        (status, &body["member"]["privacyStatus"]),
        (200, &json!("PUBLIC"))
    );
    let (status, body) = get(&s, &format!("{base}/{}", ann.id), &token).await;
    assert_eq!((status, body), (200, json!({ "member": public(&ann) })));
    let (status, body) = get(&s, &base, &token).await;
    assert_eq!((status, &body["metadata"]["total"]), (200, &json!(2)));
}

#[tokio::test]
async fn authentication_failures_use_the_wix_envelope() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let crate::common::RefusedTokens {
        expired,
        revoked,
        unknown,
    } = s.refused_tokens(&ann).await;
    let cases = [
        (None, "UNAUTHENTICATED", "no token was sent"),
        (
            Some("garbage".to_owned()),
            "INVALID_TOKEN",
            "the token is malformed",
        ),
        (Some(unknown), "INVALID_TOKEN", "the token is unknown"),
        (Some(expired), "TOKEN_EXPIRED", "the token has expired"),
        (Some(revoked), "TOKEN_REVOKED", "the token has been revoked"),
    ];
    let routes = [
        ("POST", leave()),
        ("POST", join()),
        ("GET", format!("{MEMBERS}/my")),
        ("GET", MEMBERS.to_owned()),
        ("GET", format!("{MEMBERS}/{}", ann.id)),
    ];
    for (method, path) in &routes {
        for (token, code, description) in &cases {
            assert_eq!(
                call(&s, method, path, token.as_deref(), None).await,
                (401, envelope(code, description)),
                "{method} {path} {code}"
            );
        }
    }
    assert_eq!(
        s.standing(&site(&s).await, &ann).await,
        Standing::Member(Role::Member)
    );
}

#[tokio::test]
async fn writes_need_the_write_scope() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let read_only = s.token_with(&ann, "community:read").await;
    let write_only = s.token_with(&ann, "community:write").await;

    let refused = |scope: &str| {
        (
            403,
            envelope(
                "INSUFFICIENT_SCOPE",
                &format!("the token lacks the scope {scope}"),
            ),
        )
    };
    assert_eq!(s.wix(&read_only).leave().await, refused("community:write"));
    assert_eq!(
        s.wix(&write_only).my_member().await,
        refused("community:read")
    );
    assert_eq!(
        s.standing(&site(&s).await, &ann).await,
        Standing::Member(Role::Member)
    );
}

#[tokio::test]
async fn an_admin_token_acts_for_a_member() {
    let s = TestServer::start().await;
    let (owner, ann) = setup(&s).await;
    let admin = s.token_with(&owner, "admin").await;
    let id = ann.id.to_string();
    let site = site(&s).await;

    let (status, body) = call(&s, "POST", &leave(), Some(&admin), Some(&id)).await;

    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PRIVATE", "APPROVED", &updated(&body)) })
    );
    assert_eq!(s.standing(&site, &ann).await, Standing::None);
    assert_eq!(
        s.standing(&site, &owner).await,
        Standing::Member(Role::Owner)
    );

    let (status, body) = call(&s, "GET", &format!("{MEMBERS}/my"), Some(&admin), Some(&id)).await;
    assert_eq!((status, &body["member"]["id"]), (200, &json!(id)));
    assert_eq!(body["member"]["privacyStatus"], json!("PRIVATE"));

    let (status, body) = call(&s, "POST", &join(), Some(&admin), Some(&id)).await;
    assert_eq!(
        (status, &body["member"]["privacyStatus"]),
        (200, &json!("PUBLIC"))
    );
    assert_eq!(
        s.standing(&site, &ann).await,
        Standing::Member(Role::Member)
    );
}

#[tokio::test]
async fn the_member_header_needs_elevation_and_a_known_member() {
    let s = TestServer::start().await;
    let (owner, ann) = setup(&s).await;
    let bob = s.user("bob").await;
    let site = site(&s).await;
    let id = ann.id.to_string();
    let refused = (
        403,
        envelope(
            "ELEVATION_REQUIRED",
            "acting for another member (X-Roster-Member-Id) needs an admin token",
        ),
    );

    let member_token = s.token(&bob).await;
    assert_eq!(
        call(&s, "POST", &leave(), Some(&member_token), Some(&id)).await,
        refused
    );
    // An admin user whose token lacks the admin scope is not elevated either.
    let plain_admin = s.token(&owner).await;
    assert_eq!(
        call(&s, "POST", &leave(), Some(&plain_admin), Some(&id)).await,
        refused
    );
    assert_eq!(
        s.standing(&site, &ann).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(
        s.standing(&site, &bob).await,
        Standing::Member(Role::Member)
    );

    let admin = s.token_with(&owner, "admin").await;
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        call(&s, "POST", &leave(), Some(&admin), Some(&unknown)).await,
        (404, envelope("MEMBER_NOT_FOUND", "no such member"))
    );
    assert_eq!(
        call(&s, "POST", &leave(), Some(&admin), Some("ann")).await,
        (
            400,
            envelope(
                "INVALID_ARGUMENT",
                "X-Roster-Member-Id must be a member id (UUID)"
            )
        )
    );
    assert_eq!(
        s.standing(&site, &owner).await,
        Standing::Member(Role::Owner)
    );
}

#[tokio::test]
async fn the_site_owner_cannot_leave() {
    let s = TestServer::start().await;
    let (owner, _) = setup(&s).await;
    let token = s.token(&owner).await;
    let events = s.event_count().await;

    assert_eq!(
        s.wix(&token).leave().await,
        (
            403,
            envelope(
                "OWNER_CANNOT_LEAVE_COMMUNITY",
                "the last owner cannot leave; transfer ownership first"
            )
        )
    );
    assert_eq!(
        s.standing(&site(&s).await, &owner).await,
        Standing::Member(Role::Owner)
    );
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn without_an_admin_every_route_still_answers() {
    // Issue 14: the first account founds the site community, so a Roster
    // whose users predate any admin serves Wix (see tests/api/policy/site.rs).
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let token = s.token(&ann).await;
    assert_eq!(s.wix(&token).my_member().await.0, 200);
    assert_eq!(get(&s, MEMBERS, &token).await.0, 200);
    assert_eq!(
        get(&s, &format!("{MEMBERS}/{}", ann.id), &token).await.0,
        200
    );
}

#[tokio::test]
async fn a_blocked_member_stays_blocked() {
    let s = TestServer::start().await;
    let (owner, ann) = setup(&s).await;
    let site = site(&s).await;
    let ban = Command::Ban {
        subject: ann.id,
        reason: None,
    };
    s.exec(&owner, &site, ban).await;
    // A ban from the site changes the member record: its updatedDate moves.
    let banned = roster::admin::user(&s.state, roster_store::UserKey::Id(ann.id))
        .await
        .unwrap();
    assert!(banned.updated_at >= ann.updated_at);
    let ann = banned;
    let token = s.token(&ann).await;
    let events = s.event_count().await;
    let updated = timestamp(ann.updated_at);

    let (status, body) = s.wix(&token).my_member().await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PRIVATE", "BLOCKED", &updated) })
    );

    let (status, again) = s.wix(&token).leave().await;
    assert_eq!((status, again), (200, body));
    assert_eq!(
        s.wix(&token).join().await,
        (
            403,
            envelope("MEMBER_BLOCKED", "you are banned from this community")
        )
    );
    assert_eq!(s.standing(&site, &ann).await, Standing::Banned);
    assert_eq!(s.event_count().await, events);
}
