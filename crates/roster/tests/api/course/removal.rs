//! Removal and rejection by managers with the `user` parameter (and the
//! published client's `users` body).

use super::*;

/// `DELETE …/join/?user=NUM` by the holder of `token`: the status code.
async fn remove(t: &Setup, who: &User, token: &str) -> u16 {
    let target = format!("join/?user={}", who.num);
    call(&t.s, "DELETE", &path(&t.course, &target), token, None)
        .await
        .0
}

#[tokio::test]
async fn manager_cannot_remove_the_creator() {
    let t = open().await;
    let (_, token) = manager(&t, "mia").await;
    let events = t.s.event_count().await;
    let target = format!("join/?user={}", t.owner.num);
    let (code, body) = call(&t.s, "DELETE", &path(&t.course, &target), &token, None).await;
    // Rank is decided first (issue 12): a manager is not told the creator is
    // the only owner, just that they may not.
    assert_eq!(
        (code, body),
        (403, error("permission_denied", NO_PERMISSION))
    );
    assert_eq!(
        t.s.standing(&t.course, &t.owner).await,
        Standing::Member(Role::Owner)
    );
    assert_eq!(t.s.event_count().await, events);
}

#[tokio::test]
async fn creator_and_managers_remove_members_with_user_param() {
    let t = open().await;
    let (ann, ann_token) = member(&t, "ann").await;
    let (bob, _) = member(&t, "bob").await;
    let (mia, mia_token) = manager(&t, "mia").await;
    // The creator removes a member.
    let target = format!("join/?user={}", ann.num);
    let (code, body) = call_text(&t.s, "DELETE", &path(&t.course, &target), &t.owner_token).await;
    assert_eq!((code, body.as_str()), (204, ""));
    assert_eq!(t.s.standing(&t.course, &ann).await, Standing::None);
    assert_eq!(
        t.s.course(&ann_token).status(&t.course).await,
        (200, json!({"status": null}))
    );
    // A manager removes a member.
    assert_eq!(remove(&t, &bob, &mia_token).await, 204);
    assert_eq!(t.s.standing(&t.course, &bob).await, Standing::None);
    // The creator removes a manager.
    assert_eq!(remove(&t, &mia, &t.owner_token).await, 204);
    assert_eq!(t.s.standing(&t.course, &mia).await, Standing::None);
    // Removing someone who is not in the course: already done, no event.
    let events = t.s.event_count().await;
    assert_eq!(remove(&t, &ann, &t.owner_token).await, 204);
    assert_eq!(t.s.event_count().await, events);
}

#[tokio::test]
async fn managers_reject_requests_with_user_param() {
    let t = setup(Visibility::Public, JoinPolicy::Request).await;
    let rae = t.s.user("rae").await;
    t.s.exec(&rae, &t.course, Command::Join).await;
    let (_, mia_token) = manager(&t, "mia").await;
    let target = format!("join/?user={}", rae.num);
    let (code, body) = call_text(&t.s, "DELETE", &path(&t.course, &target), &mia_token).await;
    assert_eq!((code, body.as_str()), (204, ""));
    assert_eq!(t.s.standing(&t.course, &rae).await, Standing::None);
    assert_eq!(t.s.reload(&t.course).await.state.counters.pending, 0);
}

#[tokio::test]
async fn published_client_body_users_removes_too() {
    let t = open().await;
    let (ann, _) = member(&t, "ann").await;
    let body = json!({"users": [ann.num]});
    let (code, _) = call(
        &t.s,
        "DELETE",
        &path(&t.course, "join/"),
        &t.owner_token,
        Some(body),
    )
    .await;
    assert_eq!(code, 204);
    assert_eq!(t.s.standing(&t.course, &ann).await, Standing::None);
}

#[tokio::test]
async fn user_param_by_anyone_but_creator_or_manager_is_403() {
    let t = open().await;
    let (ann, _) = member(&t, "ann").await;
    let (_, bob_token) = member(&t, "bob").await;
    let outsider = t.s.user("out").await;
    let out_token = t.s.token(&outsider).await;
    let events = t.s.event_count().await;
    let target = format!("join/?user={}", ann.num);
    for token in [&bob_token, &out_token] {
        let (code, body) = call(&t.s, "DELETE", &path(&t.course, &target), token, None).await;
        assert_eq!(
            (code, body),
            (403, error("permission_denied", NO_PERMISSION))
        );
    }
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(t.s.event_count().await, events);
}

#[tokio::test]
async fn bad_user_param_is_400() {
    let t = open().await;
    for query in ["abc", "1.5", "-3", "", "99999999999999999999999"] {
        let target = format!("join/?user={query}");
        let (code, body) = call(
            &t.s,
            "DELETE",
            &path(&t.course, &target),
            &t.owner_token,
            None,
        )
        .await;
        assert_eq!(
            (code, body),
            (400, error("invalid", "user: A valid integer is required.")),
            "user={query}"
        );
    }
    let (code, body) = call(
        &t.s,
        "DELETE",
        &path(&t.course, "join/?user=424242"),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!(
        (code, body),
        (
            400,
            error("invalid", "Invalid pk \"424242\" - object does not exist.")
        )
    );
}
