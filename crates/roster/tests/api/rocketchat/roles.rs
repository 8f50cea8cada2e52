//! `groups.kick`, `groups.invite` and the owner / moderator routes.

use super::*;

#[tokio::test]
async fn kick_obeys_ranks_and_reports_rocket_chat_errors() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let mod_ = s.user("mod").await;
    let bob = s.user("bob").await;
    let eve = s.user("eve").await;
    let c = group(&s, &ann, "club").await;
    for user in [&mod_, &bob] {
        s.exec(&ann, &c, add(user)).await;
    }
    s.exec(&ann, &c, role(&mod_, Role::Manager)).await;
    let id = c.id().to_string();
    let (m, b) = (auth(&s, &mod_).await, auth(&s, &bob).await);
    let kick = |who: &User| json!({"roomId": id, "userId": who.id.to_string()});

    assert_eq!(
        post(&s, &b, "groups.kick", kick(&mod_)).await,
        (
            400,
            error("error-not-allowed", "Not allowed", "removeUserFromRoom")
        )
    );
    assert_eq!(
        post(&s, &m, "groups.kick", kick(&ann)).await,
        (
            400,
            error(
                "error-you-are-last-owner",
                "You are the last owner. Please set new owner before leaving the room.",
                "removeUserFromRoom"
            )
        )
    );
    assert_eq!(
        post(&s, &m, "groups.kick", kick(&eve)).await,
        (
            400,
            error(
                "error-user-not-in-room",
                "User is not in this room",
                "removeUserFromRoom"
            )
        )
    );
    let by_name = json!({"roomName": "club", "username": "bob"});
    assert_eq!(
        post(&s, &m, "groups.kick", by_name).await,
        (200, json!({"success": true}))
    );
    assert_eq!(s.standing(&c, &bob).await, Standing::None);
}

#[tokio::test]
async fn owner_changes_report_rocket_chat_errors() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let eve = s.user("eve").await;
    let c = group(&s, &ann, "club").await;
    s.exec(&ann, &c, add(&bob)).await;
    let a = auth(&s, &ann).await;
    let id = c.id().to_string();
    let about = |who: &User| json!({"roomId": id, "userId": who.id.to_string()});

    assert_eq!(
        post(&s, &a, "groups.removeOwner", about(&ann)).await,
        (
            400,
            error(
                "error-remove-last-owner",
                "This is the last owner. Please set a new owner before removing this one.",
                "removeRoomOwner"
            )
        )
    );
    assert_eq!(
        post(&s, &a, "groups.removeOwner", about(&bob)).await,
        (
            400,
            error(
                "error-user-not-owner",
                "User is not an owner",
                "removeRoomOwner"
            )
        )
    );
    assert_eq!(
        post(&s, &a, "groups.addOwner", about(&eve)).await,
        (
            400,
            error(
                "error-user-not-in-room",
                "User is not in this room",
                "addRoomOwner"
            )
        )
    );
    assert_eq!(
        post(&s, &a, "groups.addOwner", about(&bob)).await,
        (200, json!({"success": true}))
    );
    let before = s.event_count().await;
    assert_eq!(
        post(&s, &a, "groups.addOwner", about(&bob)).await,
        (
            400,
            error(
                "error-user-already-owner",
                "User is already an owner",
                "addRoomOwner"
            )
        )
    );
    assert_eq!(s.event_count().await, before);
    assert_eq!(
        post(&s, &a, "groups.removeOwner", about(&bob)).await,
        (200, json!({"success": true}))
    );
    assert_eq!(s.standing(&c, &bob).await, Standing::Member(Role::Member));
    let b = auth(&s, &bob).await;
    assert_eq!(
        post(&s, &b, "groups.addOwner", about(&bob)).await,
        (
            400,
            error("error-not-allowed", "Not allowed", "addRoomOwner")
        )
    );
}

#[tokio::test]
async fn moderator_changes_only_touch_the_roles_they_name() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let c = group(&s, &ann, "club").await;
    s.exec(&ann, &c, add(&bob)).await;
    let a = auth(&s, &ann).await;
    let id = c.id().to_string();
    let about = |who: &User| json!({"roomId": id, "userId": who.id.to_string()});

    assert_eq!(
        post(&s, &a, "groups.removeModerator", about(&bob)).await,
        (
            400,
            error(
                "error-user-not-moderator",
                "User is not a moderator",
                "removeRoomModerator"
            )
        )
    );
    assert_eq!(
        post(&s, &a, "groups.addModerator", about(&bob)).await,
        (200, json!({"success": true}))
    );
    assert_eq!(s.standing(&c, &bob).await, Standing::Member(Role::Manager));
    assert_eq!(
        post(&s, &a, "groups.addModerator", about(&bob)).await,
        (
            400,
            error(
                "error-user-already-moderator",
                "User is already a moderator",
                "addRoomModerator"
            )
        )
    );
    // An owner is never demoted by addModerator.
    assert_eq!(
        post(&s, &a, "groups.addModerator", about(&ann)).await,
        (
            400,
            error(
                "error-user-already-owner",
                "User is already an owner",
                "addRoomModerator"
            )
        )
    );
    assert_eq!(s.standing(&c, &ann).await, Standing::Member(Role::Owner));
    assert_eq!(
        post(&s, &a, "groups.removeModerator", about(&bob)).await,
        (200, json!({"success": true}))
    );
    assert_eq!(s.standing(&c, &bob).await, Standing::Member(Role::Member));
}

#[tokio::test]
async fn invite_adds_directly_and_answers_the_group() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let cat = s.user("cat").await;
    let c = group(&s, &ann, "club").await;
    let a = auth(&s, &ann).await;
    let body = json!({"roomId": c.id().to_string(), "userId": bob.id.to_string()});
    let (status, reply) = post(&s, &a, "groups.invite", body.clone()).await;
    let after = s.reload(&c).await;
    assert_eq!(
        (status, reply),
        (
            200,
            json!({"group": group_doc(&after, &ann), "success": true})
        )
    );
    assert_eq!(after.state.counters.members, 2);
    assert_eq!(s.standing(&c, &bob).await, Standing::Member(Role::Member));
    // Inviting a member again changes nothing and is no error.
    assert_eq!(post(&s, &a, "groups.invite", body).await.0, 200);
    assert_eq!(s.reload(&c).await.state.counters.members, 2);

    let b = auth(&s, &bob).await;
    let by_bob = json!({"roomId": c.id().to_string(), "username": "cat"});
    assert_eq!(
        post(&s, &b, "groups.invite", by_bob).await,
        (
            400,
            error("error-not-allowed", "Not allowed", "addUsersToRoom")
        )
    );
    assert_eq!(s.standing(&c, &cat).await, Standing::None);
    let nobody = json!({"roomId": c.id().to_string(), "username": "nobody"});
    let (status, reply) = post(&s, &a, "groups.invite", nobody).await;
    assert_eq!(status, 400);
    assert_eq!(reply["errorType"], json!("error-invalid-user"));
}
