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
    // A moderator kicking the sole owner is not allowed (rank first, issue
    // 12), rather than told the owner is the last one.
    assert_eq!(
        post(&s, &m, "groups.kick", kick(&ann)).await,
        (
            400,
            error("error-not-allowed", "Not allowed", "removeUserFromRoom")
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

/// Ann's group "club" with Bob as a member and Eve outside, and Ann's
/// client headers.
struct OwnerCase {
    s: TestServer,
    ann: User,
    bob: User,
    eve: User,
    c: Community,
    a: Auth,
}

async fn owner_case() -> OwnerCase {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let eve = s.user("eve").await;
    let c = group(&s, &ann, "club").await;
    s.exec(&ann, &c, add(&bob)).await;
    let a = auth(&s, &ann).await;
    OwnerCase {
        s,
        ann,
        bob,
        eve,
        c,
        a,
    }
}

impl OwnerCase {
    /// The body of `groups.addOwner` / `groups.removeOwner` about `who`.
    fn about(&self, who: &User) -> Value {
        json!({"roomId": self.c.id().to_string(), "userId": who.id.to_string()})
    }
}

#[tokio::test]
async fn the_last_owner_cannot_be_removed_as_owner() {
    let t = owner_case().await;

    let reply = post(&t.s, &t.a, "groups.removeOwner", t.about(&t.ann)).await;

    assert_eq!(
        reply,
        (
            400,
            error(
                "error-remove-last-owner",
                "This is the last owner. Please set a new owner before removing this one.",
                "removeRoomOwner"
            )
        )
    );
}

#[tokio::test]
async fn remove_owner_of_a_non_owner_is_user_not_owner() {
    let t = owner_case().await;

    let reply = post(&t.s, &t.a, "groups.removeOwner", t.about(&t.bob)).await;

    assert_eq!(
        reply,
        (
            400,
            error(
                "error-user-not-owner",
                "User is not an owner",
                "removeRoomOwner"
            )
        )
    );
}

#[tokio::test]
async fn add_owner_of_someone_outside_the_room_is_refused() {
    let t = owner_case().await;

    let reply = post(&t.s, &t.a, "groups.addOwner", t.about(&t.eve)).await;

    assert_eq!(
        reply,
        (
            400,
            error(
                "error-user-not-in-room",
                "User is not in this room",
                "addRoomOwner"
            )
        )
    );
}

#[tokio::test]
async fn add_owner_makes_an_owner_once_and_a_repeat_writes_no_event() {
    let t = owner_case().await;

    let first = post(&t.s, &t.a, "groups.addOwner", t.about(&t.bob)).await;
    let before = t.s.event_count().await;
    let again = post(&t.s, &t.a, "groups.addOwner", t.about(&t.bob)).await;

    assert_eq!(first, (200, json!({"success": true})));
    assert_eq!(
        again,
        (
            400,
            error(
                "error-user-already-owner",
                "User is already an owner",
                "addRoomOwner"
            )
        )
    );
    assert_eq!(t.s.event_count().await, before);
}

#[tokio::test]
async fn remove_owner_makes_an_owner_a_member_again() {
    let t = owner_case().await;
    t.s.exec(&t.ann, &t.c, role(&t.bob, Role::Owner)).await;

    let reply = post(&t.s, &t.a, "groups.removeOwner", t.about(&t.bob)).await;

    assert_eq!(reply, (200, json!({"success": true})));
    assert_eq!(
        t.s.standing(&t.c, &t.bob).await,
        Standing::Member(Role::Member)
    );
}

#[tokio::test]
async fn a_member_may_not_add_an_owner() {
    let t = owner_case().await;
    let b = auth(&t.s, &t.bob).await;

    let reply = post(&t.s, &b, "groups.addOwner", t.about(&t.bob)).await;

    assert_eq!(
        reply,
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
