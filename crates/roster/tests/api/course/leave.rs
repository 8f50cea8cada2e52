//! Leaving a course in every standing (`DELETE …/join/`), and the
//! creator's protection.

use super::*;

#[tokio::test]
async fn leave_as_joined_member_is_204_with_empty_body_then_status_null() {
    let t = open().await;
    let (ann, token) = member(&t, "ann").await;
    assert_eq!(
        t.s.course(&token).status(&t.course).await,
        (200, json!({"status": "joined"}))
    );
    let events = t.s.event_count().await;
    let (code, body) = t.s.course(&token).leave(&t.course).await;
    assert_eq!((code, body.as_str()), (204, ""));
    assert_eq!(t.s.standing(&t.course, &ann).await, Standing::None);
    assert_eq!(t.s.event_count().await, events + 1);
    assert_eq!(
        t.s.course(&token).status(&t.course).await,
        (200, json!({"status": null}))
    );
    assert_eq!(t.s.reload(&t.course).await.state.counters.members, 1);
}

#[tokio::test]
async fn leave_as_manager_is_204_then_status_null() {
    let t = open().await;
    let (mia, token) = manager(&t, "mia").await;
    assert_eq!(
        t.s.course(&token).status(&t.course).await,
        (200, json!({"status": "manager"}))
    );
    let (code, body) = t.s.course(&token).leave(&t.course).await;
    assert_eq!((code, body.as_str()), (204, ""));
    assert_eq!(t.s.standing(&t.course, &mia).await, Standing::None);
    assert_eq!(
        t.s.course(&token).status(&t.course).await,
        (200, json!({"status": null}))
    );
}

#[tokio::test]
async fn leave_as_requester_withdraws_the_request() {
    let t = setup(Visibility::Public, JoinPolicy::Request).await;
    let rae = t.s.user("rae").await;
    let token = t.s.token(&rae).await;
    let (code, _) = t.s.course(&token).join(&t.course).await;
    assert_eq!(code, 200);
    assert_eq!(
        t.s.course(&token).status(&t.course).await,
        (200, json!({"status": "requested"}))
    );
    let (code, body) = t.s.course(&token).leave(&t.course).await;
    assert_eq!((code, body.as_str()), (204, ""));
    assert_eq!(t.s.standing(&t.course, &rae).await, Standing::None);
    assert_eq!(t.s.reload(&t.course).await.state.counters.pending, 0);
    assert_eq!(
        t.s.course(&token).status(&t.course).await,
        (200, json!({"status": null}))
    );
}

#[tokio::test]
async fn leave_when_not_a_member_is_204_and_writes_no_event() {
    let t = open().await;
    let bob = t.s.user("bob").await;
    let token = t.s.token(&bob).await;
    let events = t.s.event_count().await;
    for _ in 0..2 {
        let (code, body) = t.s.course(&token).leave(&t.course).await;
        assert_eq!((code, body.as_str()), (204, ""));
    }
    assert_eq!(t.s.event_count().await, events);
    assert_eq!(
        t.s.course(&token).status(&t.course).await,
        (200, json!({"status": null}))
    );
}

#[tokio::test]
async fn leave_declines_an_invitation() {
    let t = setup(Visibility::Private, JoinPolicy::Invite).await;
    let ivy = t.s.user("ivy").await;
    let token = t.s.token(&ivy).await;
    t.s.exec(&t.owner, &t.course, Command::Invite { subject: ivy.id })
        .await;
    assert_eq!(
        t.s.course(&token).status(&t.course).await,
        (200, json!({"status": "invited"}))
    );
    let (code, body) = t.s.course(&token).leave(&t.course).await;
    assert_eq!((code, body.as_str()), (204, ""));
    assert_eq!(t.s.standing(&t.course, &ivy).await, Standing::None);
    // A secret course is invisible again once the invitation is gone.
    assert_eq!(
        t.s.course(&token).status(&t.course).await,
        (404, not_found())
    );
}

#[tokio::test]
async fn creator_cannot_leave_and_nothing_changes() {
    let t = open().await;
    member(&t, "ann").await;
    let events = t.s.event_count().await;
    let (code, body) = call(
        &t.s,
        "DELETE",
        &path(&t.course, "join/"),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!((code, body), (403, error("creator_cannot_leave", CREATOR)));
    // Naming oneself is the same leave.
    let me = format!("join/?user={}", t.owner.num);
    let (code, body) = call(&t.s, "DELETE", &path(&t.course, &me), &t.owner_token, None).await;
    assert_eq!((code, body), (403, error("creator_cannot_leave", CREATOR)));
    assert_eq!(
        t.s.standing(&t.course, &t.owner).await,
        Standing::Member(Role::Owner)
    );
    assert_eq!(t.s.event_count().await, events);
    assert_eq!(
        t.s.course(&t.owner_token).status(&t.course).await,
        (200, json!({"status": "creator"}))
    );
}
