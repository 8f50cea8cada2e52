//! `groups.create` and `groups.leave`, with Rocket.Chat's order of checks
//! and room lookup by id or name.

use super::*;

#[tokio::test]
async fn create_makes_a_private_invite_only_group_owned_by_the_caller() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    s.user("cat").await;
    let a = auth(&s, &ann).await;
    let events = s.event_count().await;
    let (status, body) = post(
        &s,
        &a,
        "groups.create",
        json!({"name": "club", "members": ["bob", "cat", "bob", "ann"], "readOnly": true}),
    )
    .await;
    assert_eq!(status, 200);
    // One command, one transaction, one event: the group and its members.
    assert_eq!(s.event_count().await, events + 1);
    let c = by_name(&s, "club").await.expect("created");
    let mut expected = group_doc(&c, &ann);
    expected["ro"] = json!(true);
    assert_eq!(body, json!({"group": expected, "success": true}));
    assert_eq!(c.state.counters.members, 3);
    assert_eq!(c.state.settings.visibility, Visibility::Private);
    assert_eq!(c.state.settings.join_policy, JoinPolicy::Invite);
    assert_eq!(s.standing(&c, &ann).await, Standing::Member(Role::Owner));
    assert_eq!(s.standing(&c, &bob).await, Standing::Member(Role::Member));

    let (status, body) = post(&s, &a, "groups.create", json!({"name": "club"})).await;
    assert_eq!(
        (status, body),
        (
            400,
            error(
                "error-duplicate-channel-name",
                "A channel with name 'club' exists",
                "createPrivateGroup"
            )
        )
    );
}

#[tokio::test]
async fn create_refuses_bad_input_without_writing() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let a = auth(&s, &ann).await;
    let before = s.event_count().await;
    let failure = |text: &str| json!({"success": false, "error": text});
    assert_eq!(
        post(&s, &a, "groups.create", json!({})).await,
        (400, failure("Body param \"name\" is required"))
    );
    assert_eq!(
        post(
            &s,
            &a,
            "groups.create",
            json!({"name": "x", "members": "bob"})
        )
        .await,
        (
            400,
            failure("Body param \"members\" must be an array if provided")
        )
    );
    assert_eq!(
        post(
            &s,
            &a,
            "groups.create",
            json!({"name": "x", "members": ["nobody"]})
        )
        .await,
        (
            400,
            error(
                "error-invalid-user",
                "The required \"userId\" or \"username\" param provided does not match any users",
                "createPrivateGroup"
            )
        )
    );
    let (status, body) = post(&s, &a, "groups.create", json!({"name": " padded "})).await;
    assert_eq!(status, 400);
    assert_eq!(body["errorType"], json!("error-invalid-room-name"));
    assert_eq!(s.event_count().await, before);
    assert!(by_name(&s, "x").await.is_none());
}

#[tokio::test]
async fn leave_answers_the_group_as_it_stands_after() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let cat = s.user("cat").await;
    let c = group(&s, &ann, "invite-me").await;
    s.exec(&ann, &c, add(&bob)).await;
    s.exec(&ann, &c, add(&cat)).await;
    let b = auth(&s, &bob).await;
    let (status, body) = s.rocketchat(&b).leave(&c).await;
    let after = s.reload(&c).await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({
                "group": {
                    "_id": c.id().to_string(),
                    "name": "invite-me",
                    "t": "p",
                    "usersCount": 2,
                    "usernames": ["ann", "cat"],
                    "msgs": 0,
                    "u": {"_id": ann.id.to_string(), "username": "ann"},
                    "ts": timestamp(c.created_at),
                    "ro": false,
                    "sysMes": true,
                    "_updatedAt": timestamp(after.updated_at),
                },
                "success": true,
            })
        )
    );
    assert_eq!(s.standing(&c, &bob).await, Standing::None);

    // A second leave: the caller is no longer in the group.
    let before = s.event_count().await;
    let again = s.rocketchat(&b).leave(&c).await;
    assert_eq!(
        again,
        (400, error("error-room-not-found", NOT_FOUND, "leaveRoom"))
    );
    assert_eq!(s.event_count().await, before);
}

#[tokio::test]
async fn leave_checks_run_in_rocket_chat_order() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let eve = s.user("eve").await;
    let c = group(&s, &ann, "club").await;
    s.exec(&ann, &c, add(&bob)).await;
    let a = auth(&s, &ann).await;
    let id = c.id().to_string();

    assert_eq!(
        post(&s, &a, "groups.leave", json!({})).await,
        (
            400,
            error(
                "error-room-param-not-provided",
                "The parameter \"roomId\" or \"roomName\" is required",
                "leaveRoom"
            )
        )
    );
    let not_found = (400, error("error-room-not-found", NOT_FOUND, "leaveRoom"));
    for body in [
        json!({"roomId": "no-such-room"}),
        json!({"roomId": uuid::Uuid::new_v4().to_string()}),
        json!({"roomName": "nowhere"}),
    ] {
        assert_eq!(post(&s, &a, "groups.leave", body).await, not_found);
    }
    // A group of which the caller is not a member does not exist for them.
    let e = auth(&s, &eve).await;
    assert_eq!(
        post(&s, &e, "groups.leave", json!({"roomId": id})).await,
        not_found
    );
    // The last owner may not leave.
    assert_eq!(
        post(&s, &a, "groups.leave", json!({"roomId": id})).await,
        (
            400,
            error(
                "error-you-are-last-owner",
                "You are the last owner. Please set new owner before leaving the room.",
                "leaveRoom"
            )
        )
    );
    // Archived comes before last owner.
    s.exec(&ann, &c, Command::Archive).await;
    assert_eq!(
        post(&s, &a, "groups.leave", json!({"roomId": id})).await,
        (
            400,
            error(
                "error-room-archived",
                "The private group, club, is archived",
                "leaveRoom"
            )
        )
    );
    assert_eq!(s.standing(&c, &ann).await, Standing::Member(Role::Owner));
}

#[tokio::test]
async fn after_add_owner_the_first_owner_can_leave() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let c = group(&s, &ann, "club").await;
    s.exec(&ann, &c, add(&bob)).await;
    let a = auth(&s, &ann).await;
    let id = c.id().to_string();
    assert_eq!(
        post(
            &s,
            &a,
            "groups.addOwner",
            json!({"roomId": id, "userId": bob.id.to_string()})
        )
        .await,
        (200, json!({"success": true}))
    );
    assert_eq!(s.standing(&c, &bob).await, Standing::Member(Role::Owner));
    let (status, body) = post(&s, &a, "groups.leave", json!({"roomId": id})).await;
    assert_eq!(status, 200);
    assert_eq!(body["group"]["usernames"], json!(["bob"]));
    assert_eq!(body["group"]["usersCount"], json!(1));
    assert_eq!(s.standing(&c, &ann).await, Standing::None);
}

#[tokio::test]
async fn room_name_works_and_room_id_wins_over_it() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let one = group(&s, &ann, "one").await;
    let two = group(&s, &ann, "two").await;
    s.exec(&ann, &one, add(&bob)).await;
    s.exec(&ann, &two, add(&bob)).await;
    let b = auth(&s, &bob).await;
    let body = json!({"roomId": one.id().to_string(), "roomName": "two"});
    let (status, reply) = post(&s, &b, "groups.leave", body).await;
    assert_eq!(status, 200);
    assert_eq!(reply["group"]["name"], json!("one"));
    assert_eq!(s.standing(&one, &bob).await, Standing::None);
    assert_eq!(s.standing(&two, &bob).await, Standing::Member(Role::Member));

    let (status, reply) = post(&s, &b, "groups.leave", json!({"roomName": "two"})).await;
    assert_eq!(status, 200);
    assert_eq!(reply["group"]["_id"], json!(two.id().to_string()));
    assert_eq!(s.standing(&two, &bob).await, Standing::None);
}

#[tokio::test]
async fn the_site_community_is_not_a_group() {
    let s = TestServer::start().await;
    let root = s.admin("root").await;
    let ann = s.user("ann").await;
    let site = s
        .state
        .run(|store| store.site_community())
        .await
        .unwrap()
        .expect("site");
    assert_eq!(
        s.standing(&site, &ann).await,
        Standing::Member(Role::Member)
    );
    let a = auth(&s, &ann).await;
    let name = site.state.settings.name.clone();
    for body in [
        json!({"roomName": name}),
        json!({"roomId": site.id().to_string()}),
    ] {
        assert_eq!(
            post(&s, &a, "groups.leave", body).await,
            (400, error("error-room-not-found", NOT_FOUND, "leaveRoom"))
        );
    }
    assert_eq!(
        s.standing(&site, &ann).await,
        Standing::Member(Role::Member)
    );
    let info = format!("groups.info?roomId={}", site.id());
    assert_eq!(get(&s, &a, &info).await.0, 400);
    let (status, list) = s.rocketchat(&a).list().await;
    assert_eq!(
        (status, list),
        (
            200,
            json!({"groups": [], "count": 0, "offset": 0, "total": 0, "success": true})
        )
    );
    drop(root);
}
