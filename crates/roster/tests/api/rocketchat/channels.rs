//! `channels.*`: public communities as Rocket.Chat channels (`t:"c"`),
//! and the rule that each family answers the other's rooms as not found.

use super::*;

async fn channel(s: &TestServer, owner: &User, name: &str) -> Community {
    s.community(owner, name, Visibility::Public, JoinPolicy::Open)
        .await
}

fn channel_error(kind: &str, reason: &str, method: &str) -> Value {
    error(kind, reason, method)
}

#[tokio::test]
async fn create_makes_a_public_open_channel_and_join_leave_work() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let (a, b) = (auth(&s, &ann).await, auth(&s, &bob).await);
    let before = s.event_count().await;
    let (status, body) = s
        .rocketchat(&a)
        .post("channels.create", json!({"name": "lobby"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.event_count().await, before + 1);
    let c = by_name(&s, "lobby").await.expect("created");
    assert_eq!(c.state.settings.visibility, Visibility::Public);
    assert_eq!(c.state.settings.join_policy, JoinPolicy::Open);
    let mut expected = group_doc(&c, &ann);
    expected["t"] = json!("c");
    assert_eq!(body, json!({"channel": expected, "success": true}));

    // Anyone may see a channel and join it.
    let (status, body) = s.rocketchat(&b).room_get("channels.info", &c).await;
    assert_eq!((status, body["channel"]["t"].clone()), (200, json!("c")));
    let (status, body) = s.rocketchat(&b).join(&c).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["channel"]["usersCount"], json!(2));
    assert_eq!(s.standing(&c, &bob).await, Standing::Member(Role::Member));
    // A joinCode is not needed (Roster's channels have none) and is ignored.
    let (status, _) = s
        .rocketchat(&b)
        .room_post("channels.join", &c, json!({"joinCode": "1234"}))
        .await;
    assert_eq!(status, 200);

    let (status, body) = s
        .rocketchat(&b)
        .room_post("channels.leave", &c, json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["channel"]["usernames"], json!(["ann"]));
    assert_eq!(s.standing(&c, &bob).await, Standing::None);
    let (status, body) = s
        .rocketchat(&a)
        .room_post("channels.leave", &c, json!({}))
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            channel_error(
                "error-you-are-last-owner",
                "You are the last owner. Please set new owner before leaving the room.",
                "leaveRoom"
            )
        )
    );
}

#[tokio::test]
async fn a_group_is_not_a_channel_and_a_channel_is_not_a_group() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let a = auth(&s, &ann).await;
    let g = group(&s, &ann, "secret").await;
    let c = channel(&s, &ann, "lobby").await;
    let rc = s.rocketchat(&a);
    assert_eq!(
        rc.room_get("channels.info", &g).await,
        (
            400,
            error("error-room-not-found", CHANNEL_NOT_FOUND, "getRoomById")
        )
    );
    assert_eq!(
        rc.room_get("groups.info", &c).await,
        (400, error("error-room-not-found", NOT_FOUND, "getRoomById"))
    );
    let before = s.event_count().await;
    assert_eq!(
        rc.room_post("groups.archive", &c, json!({})).await,
        (400, error("error-room-not-found", NOT_FOUND, "archiveRoom"))
    );
    assert_eq!(s.event_count().await, before);
    // Each list holds its own family only.
    let (_, groups) = rc.get("groups.list").await;
    assert_eq!(groups["groups"][0]["name"], json!("secret"));
    assert_eq!(groups["total"], json!(1));
    let (_, joined) = rc.get("channels.list.joined").await;
    assert_eq!(joined["channels"][0]["name"], json!("lobby"));
    assert_eq!(joined["total"], json!(1));
}

#[tokio::test]
async fn list_shows_every_channel_and_list_joined_only_the_callers() {
    let s = TestServer::start().await;
    let admin = s.admin("root").await; // founds the site community, never a channel
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let b = auth(&s, &bob).await;
    for name in ["one", "two", "three"] {
        channel(&s, &ann, name).await;
    }
    group(&s, &ann, "hidden").await;
    let one = by_name(&s, "one").await.expect("one");
    s.exec(&bob, &one, Command::Join).await;
    let rc = s.rocketchat(&b);
    let (status, body) = rc.get("channels.list?count=2").await;
    assert_eq!(status, 200);
    let names: Vec<&str> = body["channels"]
        .as_array()
        .expect("channels")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["one", "two"]);
    assert_eq!(
        (&body["count"], &body["total"], &body["offset"]),
        (&json!(2), &json!(3), &json!(0))
    );
    let (_, body) = rc.get("channels.list?offset=2").await;
    assert_eq!(body["channels"][0]["name"], json!("three"));
    let (_, body) = rc.get("channels.list.joined").await;
    assert_eq!(body["total"], json!(1));
    assert_eq!(body["channels"][0]["name"], json!("one"));
    drop(admin);
}

#[tokio::test]
async fn channel_membership_routes_follow_the_engine_rules() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let cat = s.user("cat").await;
    let (a, b) = (auth(&s, &ann).await, auth(&s, &bob).await);
    let c = channel(&s, &ann, "lobby").await;
    let rc = s.rocketchat(&a);
    let who = |u: &User| json!({"userId": u.id.to_string()});
    let (status, body) = rc.room_post("channels.invite", &c, who(&bob)).await;
    assert_eq!((status, &body["channel"]["usersCount"]), (200, &json!(2)));
    // A plain member may not kick.
    let (status, body) = s
        .rocketchat(&b)
        .room_post("channels.kick", &c, who(&ann))
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            error("error-not-allowed", "Not allowed", "removeUserFromRoom")
        )
    );
    let (status, body) = rc.room_post("channels.addModerator", &c, who(&bob)).await;
    assert_eq!((status, body), (200, json!({"success": true})));
    let (status, body) = rc.room_get("channels.moderators", &c).await;
    assert_eq!(status, 200);
    assert_eq!(body["moderators"][0]["username"], json!("bob"));
    let (status, _) = rc.room_post("channels.addOwner", &c, who(&bob)).await;
    assert_eq!(status, 200);
    let (_, body) = rc.room_get("channels.roles", &c).await;
    assert_eq!(body["roles"].as_array().map(Vec::len), Some(2));
    let (status, _) = rc.room_post("channels.removeOwner", &c, who(&bob)).await;
    assert_eq!(status, 200);
    let (status, body) = rc
        .room_post("channels.removeModerator", &c, who(&bob))
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            error(
                "error-user-not-moderator",
                "User is not a moderator",
                "removeRoomModerator"
            )
        )
    );
    let (status, body) = rc.room_post("channels.kick", &c, who(&bob)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["channel"]["usersCount"], json!(1));
    let (_, body) = rc.room_get("channels.members", &c).await;
    assert_eq!(body["total"], json!(1));
    assert_eq!(body["members"][0]["username"], json!("ann"));

    // Archive, then a join is refused; unarchive and delete.
    assert_eq!(
        rc.room_post("channels.archive", &c, json!({})).await,
        (200, json!({"success": true}))
    );
    let (status, body) = s.rocketchat(&auth(&s, &cat).await).join(&c).await;
    assert_eq!(
        (status, body),
        (
            400,
            error(
                "error-room-archived",
                "The channel, lobby, is archived",
                "joinRoom"
            )
        )
    );
    assert_eq!(
        rc.room_post("channels.unarchive", &c, json!({})).await,
        (200, json!({"success": true}))
    );
    let before = s.event_count().await;
    assert_eq!(
        rc.room_post("channels.delete", &c, json!({})).await,
        (200, json!({"success": true}))
    );
    assert_eq!(s.event_count().await, before + 1);
    assert!(by_name(&s, "lobby").await.is_none());
}

#[tokio::test]
async fn set_type_moves_a_room_between_the_families() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let a = auth(&s, &ann).await;
    let g = group(&s, &ann, "club").await;
    let rc = s.rocketchat(&a);
    let (status, body) = rc
        .room_post("groups.setType", &g, json!({"type": "c"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["group"]["t"], json!("c"));
    let now = s.reload(&g).await;
    assert_eq!(now.state.settings.visibility, Visibility::Public);
    assert_eq!(now.state.settings.join_policy, JoinPolicy::Open);
    // Now a channel: the group routes no longer find it.
    assert_eq!(rc.room_get("groups.info", &g).await.0, 400);
    assert_eq!(rc.room_get("channels.info", &g).await.0, 200);
    let (status, body) = rc
        .room_post("channels.setType", &g, json!({"type": "c"}))
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            failure("The channel type is the same as what it would be changed to.")
        )
    );
    let (status, body) = rc
        .room_post("channels.setType", &g, json!({"type": "p"}))
        .await;
    assert_eq!((status, &body["channel"]["t"]), (200, &json!("p")));
    assert_eq!(
        s.reload(&g).await.state.settings.join_policy,
        JoinPolicy::Invite
    );
    let (status, body) = rc
        .room_post("groups.setType", &g, json!({"type": "d"}))
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            error(
                "error-invalid-room-type",
                "d is not a valid room type",
                "saveRoomSettings"
            )
        )
    );
}
