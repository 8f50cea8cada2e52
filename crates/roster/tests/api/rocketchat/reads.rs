//! `groups.info`, `groups.members`, `groups.list`, and archiving.

use super::*;

/// Ann's group "club" with Bob in it, and Eve outside; the server, the
/// three users and the group as it stands.
struct Club {
    s: TestServer,
    ann: User,
    bob: User,
    eve: User,
    c: Community,
}

async fn club() -> Club {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let eve = s.user("eve").await;
    let c = group(&s, &ann, "club").await;
    s.exec(&ann, &c, add(&bob)).await;
    let c = s.reload(&c).await;
    Club {
        s,
        ann,
        bob,
        eve,
        c,
    }
}

#[tokio::test]
async fn info_shows_a_members_group_by_id_or_name() {
    let Club { s, ann, c, .. } = club().await;
    let a = auth(&s, &ann).await;

    let by_id = s.rocketchat(&a).info(&c).await;
    let by_name = get(&s, &a, "groups.info?roomName=club").await;

    assert_eq!(
        by_id,
        (200, json!({"group": group_doc(&c, &ann), "success": true}))
    );
    assert_eq!(by_name.1["group"]["_id"], json!(c.id().to_string()));
}

#[tokio::test]
async fn members_lists_the_group_s_members() {
    let Club { s, ann, bob, c, .. } = club().await;
    let a = auth(&s, &ann).await;

    let reply = get(&s, &a, &format!("groups.members?roomId={}", c.id())).await;

    assert_eq!(
        reply,
        (
            200,
            json!({
                "members": [
                    {"_id": ann.id.to_string(), "username": "ann", "name": "ann", "status": "offline"},
                    {"_id": bob.id.to_string(), "username": "bob", "name": "bob", "status": "offline"},
                ],
                "count": 2,
                "offset": 0,
                "total": 2,
                "success": true,
            })
        )
    );
}

#[tokio::test]
async fn members_pages_by_offset_and_count_and_refuses_a_negative_count() {
    let Club { s, ann, c, .. } = club().await;
    let a = auth(&s, &ann).await;
    let id = c.id();

    let (status, page) = get(
        &s,
        &a,
        &format!("groups.members?roomId={id}&offset=1&count=1"),
    )
    .await;
    let (bad_status, bad) = get(&s, &a, &format!("groups.members?roomId={id}&count=-1")).await;

    assert_eq!(status, 200);
    assert_eq!(page["members"][0]["username"], json!("bob"));
    assert_eq!(
        (page["count"].clone(), page["total"].clone()),
        (json!(1), json!(2))
    );
    assert_eq!(bad_status, 400);
    assert_eq!(bad["errorType"], json!("error-invalid-params"));
}

#[tokio::test]
async fn list_shows_the_caller_s_groups() {
    let Club { s, ann, c, .. } = club().await;
    let a = auth(&s, &ann).await;

    let reply = s.rocketchat(&a).list().await;

    assert_eq!(
        reply,
        (
            200,
            json!({
                "groups": [group_doc(&c, &ann)],
                "count": 1,
                "offset": 0,
                "total": 1,
                "success": true,
            })
        )
    );
}

#[tokio::test]
async fn an_outsider_finds_no_group_to_read() {
    let Club { s, eve, c, .. } = club().await;
    let e = auth(&s, &eve).await;

    let info = s.rocketchat(&e).info(&c).await;
    let members = get(&s, &e, &format!("groups.members?roomId={}", c.id())).await;
    let list = s.rocketchat(&e).list().await;

    let info_error = error("error-room-not-found", NOT_FOUND, "getRoomById");
    assert_eq!(info, (400, info_error));
    assert_eq!(
        members,
        (
            400,
            error("error-room-not-found", NOT_FOUND, "getUsersOfRoom")
        )
    );
    assert_eq!(list.1["total"], json!(0));
}

#[tokio::test]
async fn archive_and_unarchive() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let c = group(&s, &ann, "club").await;
    s.exec(&ann, &c, add(&bob)).await;
    let (a, b) = (auth(&s, &ann).await, auth(&s, &bob).await);
    let room = json!({"roomName": "club"});

    assert_eq!(
        post(&s, &b, "groups.archive", room.clone()).await,
        (
            400,
            error("error-not-allowed", "Not allowed", "archiveRoom")
        )
    );
    assert_eq!(
        post(&s, &a, "groups.archive", room.clone()).await,
        (200, json!({"success": true}))
    );
    assert!(s.reload(&c).await.state.archived);
    assert_eq!(
        post(&s, &a, "groups.archive", room.clone()).await,
        (
            400,
            error(
                "error-room-archived",
                "The private group, club, is archived",
                "archiveRoom"
            )
        )
    );
    assert_eq!(
        post(&s, &b, "groups.leave", room.clone()).await,
        (
            400,
            error(
                "error-room-archived",
                "The private group, club, is archived",
                "leaveRoom"
            )
        )
    );
    assert_eq!(
        post(&s, &a, "groups.unarchive", room.clone()).await,
        (200, json!({"success": true}))
    );
    assert!(!s.reload(&c).await.state.archived);
    assert_eq!(post(&s, &b, "groups.leave", room).await.0, 200);
}
