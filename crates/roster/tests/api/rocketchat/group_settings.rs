//! `groups.delete`, `rename`, `setDescription`, `setReadOnly`, `roles`,
//! `moderators`, `counters`, `open` / `close` / `hide`, and the array
//! forms of `groups.invite`.

use super::*;

#[tokio::test]
async fn delete_takes_an_owner_and_writes_one_event() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let c = group(&s, &ann, "club").await;
    s.exec(&ann, &c, add(&bob)).await;
    s.exec(&ann, &c, role(&bob, Role::Manager)).await;
    let (a, b) = (auth(&s, &ann).await, auth(&s, &bob).await);
    let before = s.event_count().await;
    assert_eq!(
        s.rocketchat(&b)
            .room_post("groups.delete", &c, json!({}))
            .await,
        (400, error("error-not-allowed", "Not allowed", "eraseRoom"))
    );
    assert_eq!(s.event_count().await, before);
    assert_eq!(
        s.rocketchat(&a)
            .post("groups.delete", json!({"roomName": "club"}))
            .await,
        (200, json!({"success": true}))
    );
    assert_eq!(s.event_count().await, before + 1);
    assert!(by_name(&s, "club").await.is_none());
    assert_eq!(
        s.rocketchat(&a)
            .room_post("groups.delete", &c, json!({}))
            .await,
        (400, error("error-room-not-found", NOT_FOUND, "eraseRoom"))
    );
}

#[tokio::test]
async fn rename_set_description_and_set_read_only_change_the_settings() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let c = group(&s, &ann, "club").await;
    group(&s, &ann, "taken").await;
    s.exec(&ann, &c, add(&bob)).await;
    let (a, b) = (auth(&s, &ann).await, auth(&s, &bob).await);
    let rc = s.rocketchat(&a);

    let (status, body) = rc
        .room_post("groups.rename", &c, json!({"name": "chess"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["group"]["name"], json!("chess"));
    assert_eq!(s.reload(&c).await.state.settings.name, "chess");
    assert_eq!(
        rc.room_post("groups.rename", &c, json!({"name": "taken"}))
            .await,
        (
            400,
            error(
                "error-duplicate-channel-name",
                "A channel with name 'taken' exists",
                "saveRoomSettings"
            )
        )
    );
    assert_eq!(
        rc.room_post("groups.rename", &c, json!({})).await,
        (400, failure("The bodyParam \"name\" is required"))
    );
    // A plain member may not change the settings.
    assert_eq!(
        s.rocketchat(&b)
            .room_post("groups.rename", &c, json!({"name": "mine"}))
            .await,
        (
            400,
            error("error-not-allowed", "Not allowed", "saveRoomSettings")
        )
    );

    let (status, body) = rc
        .room_post(
            "groups.setDescription",
            &c,
            json!({"description": "Friday nights"}),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"description": "Friday nights", "success": true})
        )
    );
    assert_eq!(
        s.reload(&c).await.state.settings.description,
        "Friday nights"
    );
    assert_eq!(
        rc.room_post("groups.setDescription", &c, json!({})).await,
        (400, failure("The bodyParam \"description\" is required"))
    );

    let (status, body) = rc
        .room_post("groups.setReadOnly", &c, json!({"readOnly": true}))
        .await;
    assert_eq!((status, &body["group"]["ro"]), (200, &json!(true)));
    assert_eq!(
        s.reload(&c).await.state.settings.contribution_mode,
        roster_engine::ContributionMode::Managers
    );
    assert_eq!(
        rc.room_post("groups.setReadOnly", &c, json!({"readOnly": true}))
            .await,
        (
            400,
            failure(
                "The private group read only setting is the same as what it would be changed to."
            )
        )
    );
    assert_eq!(
        rc.room_post("groups.setReadOnly", &c, json!({})).await,
        (400, failure("The bodyParam \"readOnly\" is required"))
    );
}

#[tokio::test]
async fn roles_moderators_and_counters_read_the_group() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let cat = s.user("cat").await;
    let eve = s.user("eve").await;
    let c = group(&s, &ann, "club").await;
    for user in [&bob, &cat] {
        s.exec(&ann, &c, add(user)).await;
    }
    s.exec(&ann, &c, role(&bob, Role::Manager)).await;
    let a = auth(&s, &ann).await;
    let rc = s.rocketchat(&a);
    let id = c.id().to_string();
    let (status, body) = rc.room_get("groups.roles", &c).await;
    assert_eq!(status, 200);
    let who = |u: &User, name: &str| json!({"_id": u.id.to_string(), "username": u.username, "name": name});
    assert_eq!(
        body,
        json!({"roles": [
            {"rid": id, "u": who(&ann, "ann"), "roles": ["owner"]},
            {"rid": id, "u": who(&bob, "bob"), "roles": ["moderator"]},
        ], "success": true})
    );
    assert_eq!(
        rc.room_get("groups.moderators", &c).await,
        (
            200,
            json!({"moderators": [who(&bob, "bob")], "success": true})
        )
    );
    let (status, body) = rc.room_get("groups.counters", &c).await;
    assert_eq!(status, 200);
    assert_eq!(body["joined"], json!(true));
    assert_eq!(body["members"], json!(3));
    assert_eq!(body["msgs"], json!(0));
    assert_eq!(body["unreads"], json!(0));
    // Someone outside a group does not see it.
    let e = auth(&s, &eve).await;
    assert_eq!(
        s.rocketchat(&e).room_get("groups.roles", &c).await,
        (
            400,
            error("error-room-not-found", NOT_FOUND, "getRoomRoles")
        )
    );
}

#[tokio::test]
async fn open_close_and_hide_answer_members_and_change_nothing() {
    let s = TestServer::start().await;
    let admin = s.admin("root").await;
    let ann = s.user("ann").await;
    let c = group(&s, &ann, "club").await;
    let a = auth(&s, &ann).await;
    let before = s.event_count().await;
    for route in ["groups.open", "groups.close", "groups.hide"] {
        assert_eq!(
            s.rocketchat(&a).room_post(route, &c, json!({})).await,
            (200, json!({"success": true})),
            "{route}"
        );
    }
    // An admin sees the group but is not in it.
    let root = admin_auth(&s, &admin).await;
    assert_eq!(
        s.rocketchat(&root)
            .room_post("groups.hide", &c, json!({}))
            .await,
        (
            400,
            failure("The user/callee is not in the private group \"club\"!")
        )
    );
    assert_eq!(s.event_count().await, before);
}

#[tokio::test]
async fn invite_takes_arrays_of_user_ids_or_usernames() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let cat = s.user("cat").await;
    let dan = s.user("dan").await;
    let c = group(&s, &ann, "club").await;
    let a = auth(&s, &ann).await;
    let rc = s.rocketchat(&a);
    let before = s.event_count().await;
    let ids = json!({"userIds": [bob.id.to_string(), cat.id.to_string()]});
    let (status, body) = rc.room_post("groups.invite", &c, ids).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["group"]["usersCount"], json!(3));
    assert_eq!(s.event_count().await, before + 2);
    // An unknown name adds nobody.
    let names = json!({"usernames": ["dan", "nobody"]});
    assert_eq!(
        rc.room_post("groups.invite", &c, names).await,
        (
            400,
            error(
                "error-invalid-user",
                "The required \"userId\" or \"username\" param provided does not match any users",
                "addUsersToRoom"
            )
        )
    );
    assert_eq!(s.standing(&c, &dan).await, Standing::None);
    let (status, _) = rc
        .room_post("groups.invite", &c, json!({"usernames": ["dan"]}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(s.standing(&c, &dan).await, Standing::Member(Role::Member));
    assert_eq!(
        rc.room_post("groups.invite", &c, json!({"usernames": "dan"}))
            .await,
        (
            400,
            error(
                "error-invalid-params",
                "The parameter \"usernames\" must be an array of strings",
                "addUsersToRoom"
            )
        )
    );
}
