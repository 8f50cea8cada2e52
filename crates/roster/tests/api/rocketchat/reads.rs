//! `groups.info`, `groups.members`, `groups.list`, and archiving.

use super::*;

#[tokio::test]
async fn info_members_and_list_show_only_the_callers_groups() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let eve = s.user("eve").await;
    let c = group(&s, &ann, "club").await;
    s.exec(&ann, &c, add(&bob)).await;
    let c = s.reload(&c).await;
    let a = auth(&s, &ann).await;
    let id = c.id();

    assert_eq!(
        get(&s, &a, &format!("groups.info?roomId={id}")).await,
        (200, json!({"group": group_doc(&c, &ann), "success": true}))
    );
    assert_eq!(
        get(&s, &a, "groups.info?roomName=club").await.1["group"]["_id"],
        json!(id.to_string())
    );
    assert_eq!(
        get(&s, &a, &format!("groups.members?roomId={id}")).await,
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
    let (status, page) = get(
        &s,
        &a,
        &format!("groups.members?roomId={id}&offset=1&count=1"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(page["members"][0]["username"], json!("bob"));
    assert_eq!(
        (page["count"].clone(), page["total"].clone()),
        (json!(1), json!(2))
    );
    let (status, bad) = get(&s, &a, &format!("groups.members?roomId={id}&count=-1")).await;
    assert_eq!(status, 400);
    assert_eq!(bad["errorType"], json!("error-invalid-params"));

    assert_eq!(
        s.rocketchat(&a).list().await,
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

    let e = auth(&s, &eve).await;
    let info_error = error("error-room-not-found", NOT_FOUND, "getRoomById");
    assert_eq!(
        get(&s, &e, &format!("groups.info?roomId={id}")).await,
        (400, info_error)
    );
    assert_eq!(
        get(&s, &e, &format!("groups.members?roomId={id}")).await,
        (
            400,
            error("error-room-not-found", NOT_FOUND, "getUsersOfRoom")
        )
    );
    assert_eq!(s.rocketchat(&e).list().await.1["total"], json!(0));
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
