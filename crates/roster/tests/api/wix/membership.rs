//! Leaving and joining the site community, and my member's privacy
//! status.

use super::*;

#[tokio::test]
async fn leave_community_makes_the_member_private() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let site = site(&s).await;
    assert_eq!(
        s.standing(&site, &ann).await,
        Standing::Member(Role::Member)
    );
    let token = s.token(&ann).await;
    let events = s.event_count().await;
    // Timestamps have millisecond precision: make sure one has passed.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    let (status, body) = s.wix(&token).leave().await;

    assert_eq!(status, 200, "{body}");
    let updated = updated(&body);
    assert!(
        updated > timestamp(ann.updated_at),
        "{updated} must advance"
    );
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PRIVATE", "APPROVED", &updated) })
    );
    assert_eq!(s.standing(&site, &ann).await, Standing::None);
    assert_eq!(s.event_count().await, events + 1);
    assert_eq!(timestamp(reread(&s, &ann).await.updated_at), updated);
}

#[tokio::test]
async fn leaving_twice_is_idempotent() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let token = s.token(&ann).await;
    let (_, first) = s.wix(&token).leave().await;
    let events = s.event_count().await;

    let (status, body) = s.wix(&token).leave().await;

    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PRIVATE", "APPROVED", &updated(&first)) })
    );
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn join_community_makes_the_member_public_again() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let token = s.token(&ann).await;
    let (_, left) = s.wix(&token).leave().await;
    let events = s.event_count().await;

    let (status, body) = s.wix(&token).join().await;

    assert_eq!(status, 200);
    let updated = updated(&body);
    assert!(updated >= self::updated(&left));
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PUBLIC", "APPROVED", &updated) })
    );
    assert_eq!(
        s.standing(&site(&s).await, &ann).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(s.event_count().await, events + 1);

    // Joining again changes nothing.
    let (status, again) = s.wix(&token).join().await;
    assert_eq!((status, again), (200, body));
    assert_eq!(s.event_count().await, events + 1);
}

#[tokio::test]
async fn my_member_shows_the_privacy_status() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let token = s.token(&ann).await;
    let my = format!("{MEMBERS}/my");
    let created = timestamp(ann.updated_at);

    let (status, body) = get(&s, &my, &token).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PUBLIC", "APPROVED", &created) })
    );

    let (_, left) = s.wix(&token).leave().await;
    let (status, body) = get(&s, &my, &token).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PRIVATE", "APPROVED", &updated(&left)) })
    );

    let (status, body) = get(&s, &format!("{my}?fieldsets=PUBLIC"), &token).await;
    assert_eq!((status, body), (200, json!({ "member": public(&ann) })));
}

#[tokio::test]
async fn last_login_date_appears_after_a_login() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let token = s.token(&ann).await;
    let (_, body) = s.wix(&token).my_member().await;
    assert_eq!(body["member"].get("lastLoginDate"), None);

    let checked = roster::admin::check_password(&s.state, "ann", PASSWORD, None)
        .await
        .expect("login");
    assert!(
        matches!(checked, roster::admin::PasswordCheck::Valid(_)),
        "right password: {checked:?}"
    );
    let ann = reread(&s, &ann).await;
    let at = timestamp(ann.last_login_at.expect("recorded"));

    let (status, body) = s.wix(&token).my_member().await;
    assert_eq!(status, 200);
    let mut expected = full(&ann, "PUBLIC", "APPROVED", &timestamp(ann.updated_at));
    expected["lastLoginDate"] = json!(at);
    assert_eq!(body, json!({ "member": expected }));
}

#[tokio::test]
async fn a_private_member_is_hidden_from_other_members() {
    let s = TestServer::start().await;
    let (owner, ann) = setup(&s).await;
    let bob = s.user("bob").await;
    let ann_token = s.token(&ann).await;
    let bob_token = s.token(&bob).await;
    let ann_path = format!("{MEMBERS}/{}", ann.id);

    let (status, body) = get(&s, MEMBERS, &bob_token).await;
    assert_eq!(status, 200);
    let everyone = [public(&owner), public(&ann), public(&bob)];
    let listed = json!({
        "members": everyone,
        "metadata": { "count": 3, "offset": 0, "total": 3, "tooManyToCount": false },
    });
    assert_eq!(body, listed);
    assert_eq!(
        get(&s, &ann_path, &bob_token).await,
        (200, json!({ "member": public(&ann) }))
    );

    s.wix(&ann_token).leave().await;

    let (status, body) = get(&s, MEMBERS, &bob_token).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({
            "members": [public(&owner), public(&bob)],
            "metadata": { "count": 2, "offset": 0, "total": 2, "tooManyToCount": false },
        })
    );
    assert_eq!(
        get(&s, &ann_path, &bob_token).await,
        (404, envelope("MEMBER_NOT_FOUND", "no such member"))
    );
    // The member still sees themselves, and `my` still works.
    assert_eq!(
        get(&s, &ann_path, &ann_token).await,
        (200, json!({ "member": public(&ann) }))
    );
    let (status, body) = s.wix(&ann_token).my_member().await;
    assert_eq!(
        (status, &body["member"]["privacyStatus"]),
        (200, &json!("PRIVATE"))
    );
    // So does an elevated admin, with every field when asked.
    let admin = s.token_with(&owner, "admin").await;
    let (status, body) = get(&s, &format!("{ann_path}?fieldsets=FULL"), &admin).await;
    assert_eq!(status, 200);
    let ann_updated = timestamp(reread(&s, &ann).await.updated_at);
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PRIVATE", "APPROVED", &ann_updated) })
    );
}

#[tokio::test]
async fn leaving_the_site_keeps_other_memberships() {
    let s = TestServer::start().await;
    let (owner, ann) = setup(&s).await;
    let bakers = s
        .community(&owner, "bakers", Visibility::Public, JoinPolicy::Open)
        .await;
    let mine = s
        .community(&ann, "mine", Visibility::Private, JoinPolicy::Invite)
        .await;
    s.exec(&ann, &bakers, Command::Join).await;
    let token = s.token(&ann).await;

    assert_eq!(s.wix(&token).leave().await.0, 200);

    assert_eq!(
        s.standing(&bakers, &ann).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(s.standing(&mine, &ann).await, Standing::Member(Role::Owner));
    assert_eq!(s.standing(&site(&s).await, &ann).await, Standing::None);
}

#[tokio::test]
async fn each_server_remembers_its_own_site_community() {
    // The site community's id is read once per server and then served from
    // memory: two servers in one process must each act on their own.
    let (one, two) = (TestServer::start().await, TestServer::start().await);
    let (_, ann) = setup(&one).await;
    let (_, bob) = setup(&two).await;
    let (ann_token, bob_token) = (one.token(&ann).await, two.token(&bob).await);
    for _ in 0..2 {
        let (status, body) = one.wix(&ann_token).leave().await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = two.wix(&bob_token).leave().await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(one.standing(&site(&one).await, &ann).await, Standing::None);
        assert_eq!(two.standing(&site(&two).await, &bob).await, Standing::None);

        let (status, body) = two.wix(&bob_token).join().await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = one.wix(&ann_token).join().await;
        assert_eq!(status, 200, "{body}");
        let member = Standing::Member(Role::Member);
        assert_eq!(one.standing(&site(&one).await, &ann).await, member);
        assert_eq!(two.standing(&site(&two).await, &bob).await, member);
    }
}
