//! Hostile bodies, oversized bodies and top-level arrays: Rocket.Chat
//! errors, and nothing changes.

use super::*;

#[tokio::test]
async fn bad_bodies_get_rocket_chat_errors_and_change_nothing() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let c = group(&s, &ann, "club").await;
    let a = auth(&s, &ann).await;
    let before = s.event_count().await;
    for raw in ["{", "[1,2]", "\"text\"", "{\"roomId\": 12}"] {
        let response = s
            .client
            .post(s.url("/api/v1/groups.leave"))
            .header("X-User-Id", &a.user_id)
            .header("X-Auth-Token", &a.token)
            .header("Content-Type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        let (status, body) = json(response).await;
        assert_eq!(status, 400, "{raw}");
        assert_eq!(body["errorType"], json!("error-invalid-params"), "{raw}");
        assert_eq!(body["details"], json!({"method": "leaveRoom"}), "{raw}");
    }
    let hostile = json!({"roomName": "club\u{0}'; DROP TABLE communities; --", "userId": "x"});
    assert_eq!(
        post(&s, &a, "groups.kick", hostile).await,
        (
            400,
            error("error-room-not-found", NOT_FOUND, "removeUserFromRoom")
        )
    );
    // A form body names the room as well as JSON does.
    let form = s
        .client
        .post(s.url("/api/v1/groups.kick"))
        .header("X-User-Id", &a.user_id)
        .header("X-Auth-Token", &a.token)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("roomId={}&userId=%FF", c.id()))
        .send()
        .await
        .unwrap();
    let (status, body) = json(form).await;
    assert_eq!(status, 400);
    assert_eq!(body["errorType"], json!("error-invalid-params"));
    assert_eq!(s.event_count().await, before);
    assert_eq!(s.standing(&c, &ann).await, Standing::Member(Role::Owner));
}

#[tokio::test]
async fn oversized_bodies_get_a_rocket_chat_413_and_change_nothing() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let c = group(&s, &ann, "club").await;
    s.exec(&ann, &c, add(&bob)).await;
    let b = auth(&s, &bob).await;
    let events = s.event_count().await;
    // A leave that would succeed but for its 70 KiB of padding.
    let oversized = json!({"roomId": c.id().to_string(), "pad": "a".repeat(70 * 1024)}).to_string();
    let too_large = error(
        "error-payload-too-large",
        "The request body exceeds 65536 bytes",
        "leaveRoom",
    );

    let declared = post_raw(&s, &b, "groups.leave", oversized.clone().into()).await;
    assert_eq!(declared, (413, too_large.clone()));
    let chunked = post_raw(&s, &b, "groups.leave", crate::common::chunked(oversized)).await;
    assert_eq!(chunked, (413, too_large));

    assert_eq!(s.standing(&c, &bob).await, Standing::Member(Role::Member));
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn a_top_level_array_is_invalid_params_and_changes_nothing() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let c = group(&s, &ann, "club").await;
    s.exec(&ann, &c, add(&bob)).await;
    let a = auth(&s, &ann).await;
    let events = s.event_count().await;
    let cases = [
        (
            "groups.kick",
            "removeUserFromRoom",
            json!([c.id().to_string(), bob.id.to_string()]),
        ),
        ("groups.create", "createPrivateGroup", json!(["new-club"])),
        ("groups.leave", "leaveRoom", json!([c.id().to_string()])),
    ];
    for (route, method, body) in cases {
        let reply = post_raw(&s, &a, route, body.to_string().into()).await;
        assert_eq!(
            reply,
            (
                400,
                error(
                    "error-invalid-params",
                    "The body must be a JSON object",
                    method
                )
            ),
            "{route}"
        );
    }
    assert_eq!(s.standing(&c, &bob).await, Standing::Member(Role::Member));
    assert_eq!(s.standing(&c, &ann).await, Standing::Member(Role::Owner));
    assert_eq!(s.event_count().await, events);
}
