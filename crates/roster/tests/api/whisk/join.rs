//! `POST /community/v2/{id}/join` by join policy.

use super::*;

#[tokio::test]
async fn join_an_open_community_makes_a_member_once() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let token = s.token(&user).await;
    let events = s.event_count().await;

    let (status, body) = s.whisk(&token).join(&c).await;
    assert_eq!(status, 200);
    assert_eq!(body, permissions("MEMBER", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::Member(Role::Member));
    assert_eq!(s.event_count().await, events + 1);

    // Joining again is not an error: the current role, no second event.
    let (status, body) = s.whisk(&token).join(&c).await;
    assert_eq!(status, 200);
    assert_eq!(body, permissions("MEMBER", "ANYONE", "PUBLIC"));
    assert_eq!(s.event_count().await, events + 1);
}

#[tokio::test]
async fn join_a_request_community_is_pending() {
    let s = TestServer::start().await;
    let owner = s.user("olga").await;
    let user = s.user("ulf").await;
    let c = s
        .community(&owner, "club", Visibility::Public, JoinPolicy::Request)
        .await;
    let token = s.token(&user).await;

    let (status, body) = s.whisk(&token).join(&c).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("PENDING", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::Requested);
    assert_eq!(s.reload(&c).await.state.counters.pending, 1);
}

#[tokio::test]
async fn join_a_private_community_is_pending_and_leave_withdraws_it() {
    let s = TestServer::start().await;
    let owner = s.user("olga").await;
    let user = s.user("ulf").await;
    let c = s
        .community(&owner, "club", Visibility::Private, JoinPolicy::Request)
        .await;
    let token = s.token(&user).await;

    let (status, body) = s.whisk(&token).join(&c).await;
    assert_eq!(status, 200);
    assert_eq!(body, permissions("PENDING", "ANYONE", "PRIVATE"));
    assert_eq!(s.standing(&c, &user).await, Standing::Requested);

    let (status, body) = s.whisk(&token).leave(&c).await;
    assert_eq!(status, 200);
    assert_eq!(body, permissions("UNSET", "ANYONE", "PRIVATE"));
    assert_eq!(s.reload(&c).await.state.counters.pending, 0);
}

#[tokio::test]
async fn join_an_invite_only_community_needs_an_invitation() {
    let s = TestServer::start().await;
    let owner = s.user("olga").await;
    let user = s.user("ulf").await;
    let c = s
        .community(&owner, "club", Visibility::Public, JoinPolicy::Invite)
        .await;
    let token = s.token(&user).await;
    let events = s.event_count().await;

    let (status, body) = s.whisk(&token).join(&c).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "error_code": "ERROR_COMMUNITY_INVITATION_REQUIRED",
            "message": "this community can only be joined by invitation",
        })
    );
    assert_eq!(s.event_count().await, events);

    s.exec(&owner, &c, Command::Invite { subject: user.id })
        .await;
    let (status, body) = s.whisk(&token).join(&c).await;
    assert_eq!(status, 200);
    assert_eq!(body, permissions("MEMBER", "ANYONE", "PUBLIC"));
}
