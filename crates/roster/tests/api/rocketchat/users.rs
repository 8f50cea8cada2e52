//! `users.create`, `users.list`, `users.update`, `users.delete`: admin
//! user management, and deleting a user who is in communities (the last
//! owner is refused unless `confirmRelinquish`, then ownership passes on).

use super::*;
use crate::common::answer;

#[tokio::test]
async fn an_admin_creates_lists_and_updates_users() {
    let s = TestServer::start().await;
    let admin = s.admin("root").await;
    let root = admin_auth(&s, &admin).await;
    let rc = s.rocketchat(&root);
    let (status, body) = rc.create_user("dora", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let user = &body["user"];
    assert_eq!(user["username"], json!("dora"));
    assert_eq!(user["name"], json!("DORA"));
    assert_eq!(
        user["emails"],
        json!([{"address": "dora@example.com", "verified": false}])
    );
    assert_eq!(user["roles"], json!(["user"]));
    assert_eq!(body["success"], json!(true));
    // The new account logs in through Rocket.Chat's login.
    let (status, _) = answer(
        s.client
            .post(s.url("/api/v1/login"))
            .json(&json!({"user": "dora", "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, 200);
    // The site community's new member, as every account is.
    let (status, body) = rc.create_user("dora", json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(body["errorType"], json!("error-field-unavailable"));
    let (status, body) = rc
        .post(
            "users.create",
            json!({"username": "x", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        (status, &body["errorType"]),
        (400, &json!("error-invalid-params"))
    );

    let (status, body) = rc.get("users.list?count=1&offset=1").await;
    assert_eq!(status, 200);
    assert_eq!(
        (&body["count"], &body["offset"], &body["total"]),
        (&json!(1), &json!(1), &json!(2))
    );
    assert_eq!(body["users"][0]["username"], json!("dora"));

    let id = user_id(&s, "dora").await;
    let (status, body) = rc
        .post(
            "users.update",
            json!({"userId": id, "data": {"name": "Dora M.", "email": "d@example.org"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["name"], json!("Dora M."));
    assert_eq!(body["user"]["emails"][0]["address"], json!("d@example.org"));
    let (status, body) = rc
        .post(
            "users.update",
            json!({"userId": id, "data": {"username": "other"}}),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            error(
                "error-invalid-params",
                "Roster does not rename users",
                "insertOrUpdateUser"
            )
        )
    );
}

async fn user_id(s: &TestServer, username: &str) -> String {
    let key = roster_store::UserKey::Username(username.to_owned());
    s.state
        .run(move |store| store.find_user(&key))
        .await
        .expect("read")
        .expect("user")
        .id
        .to_string()
}

#[tokio::test]
async fn only_an_admin_manages_users_but_anyone_lists_them() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let a = auth(&s, &ann).await;
    let rc = s.rocketchat(&a);
    let forbidden = |status: u16| status == 403;
    assert!(forbidden(rc.create_user("dora", json!({})).await.0));
    assert!(forbidden(rc.delete_user(&bob, true).await.0));
    let (status, body) = rc.get("users.list").await;
    assert_eq!((status, &body["total"]), (200, &json!(2)));
    // Other people's email addresses are not shown to a non-admin.
    assert_eq!(body["users"][1]["username"], json!("bob"));
    assert!(body["users"][1].get("emails").is_none());
    assert!(body["users"][0].get("emails").is_some());
}

#[tokio::test]
async fn deleting_a_last_owner_is_refused_unless_ownership_is_relinquished() {
    let s = TestServer::start().await;
    let admin = s.admin("root").await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let cat = s.user("cat").await;
    let shared = group(&s, &ann, "shared").await;
    group(&s, &ann, "alone").await;
    let other = group(&s, &cat, "other").await;
    s.exec(&ann, &shared, add(&bob)).await;
    s.exec(&ann, &shared, add(&cat)).await;
    s.exec(&cat, &other, add(&ann)).await;
    let root = admin_auth(&s, &admin).await;
    let rc = s.rocketchat(&root);
    let before = s.event_count().await;
    let (status, body) = rc.delete_user(&ann, false).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errorType"], json!("error-user-last-owner"));
    assert_eq!(s.event_count().await, before, "nothing written");
    assert_eq!(
        s.standing(&shared, &ann).await,
        Standing::Member(Role::Owner)
    );

    let (status, body) = rc.delete_user(&ann, true).await;
    assert_eq!((status, body), (200, json!({"success": true})));
    // shared: bob (the longest-standing member) owns it; alone: deleted;
    // other: ann's membership ended; the site community: left too.
    assert_eq!(
        s.standing(&shared, &bob).await,
        Standing::Member(Role::Owner)
    );
    let shared = s.reload(&shared).await;
    assert_eq!(shared.state.counters.members, 2);
    assert_eq!(shared.state.counters.owners, 1);
    assert_eq!(shared.creator.username, "bob");
    assert!(by_name(&s, "alone").await.is_none());
    assert_eq!(s.reload(&other).await.state.counters.members, 1);
    // shared: transfer + removal; alone: deleted; other: removal; site: removal.
    assert_eq!(s.event_count().await, before + 5);
    assert_eq!(
        rc.get(&format!("users.info?userId={}", ann.id)).await.0,
        400,
        "the account is gone"
    );
    let (status, body) = rc.delete_user(&ann, true).await;
    assert_eq!(
        (status, &body["errorType"]),
        (400, &json!("error-invalid-user"))
    );
}

#[tokio::test]
async fn an_admin_cannot_delete_their_own_account() {
    let s = TestServer::start().await;
    let admin = s.admin("root").await;
    let root = admin_auth(&s, &admin).await;
    let (status, body) = s.rocketchat(&root).delete_user(&admin, true).await;
    assert_eq!(
        (status, body),
        (400, error("error-not-allowed", "Not allowed", "deleteUser"))
    );
}
