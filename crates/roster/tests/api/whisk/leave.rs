//! `POST /community/v2/{id}/leave` in every standing.

use super::*;

#[tokio::test]
async fn leave_answers_unset_with_the_community_settings() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    s.exec(&user, &c, Command::Join).await;
    let token = s.token(&user).await;
    let events = s.event_count().await;

    let (status, body) = s.whisk(&token).leave(&c).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("UNSET", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::None);
    assert_eq!(s.event_count().await, events + 1);
    assert_eq!(s.reload(&c).await.state.counters.members, 1);
}

#[tokio::test]
async fn leave_renders_admins_mode_and_private_visibility() {
    let s = TestServer::start().await;
    let owner = s.user("olga").await;
    let user = s.user("ulf").await;
    let c = s
        .community(&owner, "secret", Visibility::Private, JoinPolicy::Invite)
        .await;
    let patch = SettingsPatch {
        contribution_mode: Some(ContributionMode::Managers),
        ..SettingsPatch::default()
    };
    s.exec(&owner, &c, Command::Update(patch)).await;
    s.exec(&owner, &c, Command::Invite { subject: user.id })
        .await;
    s.exec(&user, &c, Command::Join).await;
    let token = s.token(&user).await;

    let (status, body) = s.whisk(&token).leave(&c).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("UNSET", "ADMINS", "PRIVATE"));
    assert_eq!(s.standing(&c, &user).await, Standing::None);
}

#[tokio::test]
async fn leave_accepts_the_hyphenated_id() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    s.exec(&user, &c, Command::Join).await;
    let token = s.token(&user).await;

    let path = format!("/community/v2/{}/leave", c.id());
    let (status, body) = post(&s, &path, &token).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("UNSET", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::None);
}

#[tokio::test]
async fn the_last_owner_cannot_leave() {
    let s = TestServer::start().await;
    let (owner, _, c) = setup(&s).await;
    let token = s.token(&owner).await;
    let events = s.event_count().await;

    let (status, body) = s.whisk(&token).leave(&c).await;

    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({ "error_code": "ERROR_COMMUNITY_OWNER_CANT_LEAVE", "message": LAST_OWNER })
    );
    assert_eq!(s.standing(&c, &owner).await, Standing::Member(Role::Owner));
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn an_owner_who_is_not_the_last_may_leave() {
    let s = TestServer::start().await;
    let (owner, user, c) = setup(&s).await;
    s.exec(&user, &c, Command::Join).await;
    let role = Command::SetRole {
        subject: user.id,
        role: Role::Owner,
        expect: None,
    };
    s.exec(&owner, &c, role).await;
    let token = s.token(&owner).await;

    let (status, body) = s.whisk(&token).leave(&c).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("UNSET", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::Member(Role::Owner));
}

#[tokio::test]
async fn leaving_when_not_a_member_is_idempotent() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    s.exec(&user, &c, Command::Join).await;
    let token = s.token(&user).await;
    assert_eq!(s.whisk(&token).leave(&c).await.0, 200);
    let events = s.event_count().await;

    for _ in 0..2 {
        let (status, body) = s.whisk(&token).leave(&c).await;
        assert_eq!(status, 200);
        assert_eq!(body, permissions("UNSET", "ANYONE", "PUBLIC"));
    }
    assert_eq!(s.event_count().await, events);
    assert_eq!(s.standing(&c, &user).await, Standing::None);
}

#[tokio::test]
async fn leaving_withdraws_a_pending_request() {
    let s = TestServer::start().await;
    let owner = s.user("olga").await;
    let user = s.user("ulf").await;
    let c = s
        .community(&owner, "club", Visibility::Public, JoinPolicy::Request)
        .await;
    s.exec(&user, &c, Command::Join).await;
    assert_eq!(s.standing(&c, &user).await, Standing::Requested);
    let token = s.token(&user).await;
    let events = s.event_count().await;

    let (status, body) = s.whisk(&token).leave(&c).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("UNSET", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::None);
    assert_eq!(s.reload(&c).await.state.counters.pending, 0);
    assert_eq!(s.event_count().await, events + 1);
}

#[tokio::test]
async fn leaving_declines_an_invitation() {
    let s = TestServer::start().await;
    let owner = s.user("olga").await;
    let user = s.user("ulf").await;
    let c = s
        .community(&owner, "club", Visibility::Public, JoinPolicy::Invite)
        .await;
    s.exec(&owner, &c, Command::Invite { subject: user.id })
        .await;
    let token = s.token(&user).await;

    let (status, body) = s.whisk(&token).leave(&c).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("UNSET", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::None);
}

#[tokio::test]
async fn a_blocked_caller_stays_blocked() {
    let s = TestServer::start().await;
    let (owner, user, c) = setup(&s).await;
    s.exec(&user, &c, Command::Join).await;
    let ban = Command::Ban {
        subject: user.id,
        reason: None,
    };
    s.exec(&owner, &c, ban).await;
    let token = s.token(&user).await;
    let events = s.event_count().await;

    let (status, body) = s.whisk(&token).leave(&c).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("BLOCKED", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::Banned);
    assert_eq!(s.event_count().await, events);

    let (status, body) = s.whisk(&token).join(&c).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "error_code": "ERROR_COMMUNITY_USER_BLOCKED",
            "message": "you are banned from this community",
        })
    );
    assert_eq!(s.standing(&c, &user).await, Standing::Banned);
}

#[tokio::test]
async fn an_archived_community_refuses_leave_and_join() {
    let s = TestServer::start().await;
    let (owner, user, c) = setup(&s).await;
    let other = s.user("vera").await;
    s.exec(&user, &c, Command::Join).await;
    s.exec(&owner, &c, Command::Archive).await;
    let archived = json!({
        "error_code": "ERROR_COMMUNITY_ARCHIVED",
        "message": "the community is archived",
    });

    let token = s.token(&user).await;
    assert_eq!(s.whisk(&token).leave(&c).await, (400, archived.clone()));
    assert_eq!(s.standing(&c, &user).await, Standing::Member(Role::Member));

    let token = s.token(&other).await;
    assert_eq!(s.whisk(&token).join(&c).await, (400, archived));
    assert_eq!(s.standing(&c, &other).await, Standing::None);
}
