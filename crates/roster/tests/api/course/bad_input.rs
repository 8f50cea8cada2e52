//! Hostile input: bad user lists, oversized bodies and top-level arrays
//! are course-shaped 4xx and write nothing.

use super::*;

#[tokio::test]
async fn hostile_user_lists_are_400_and_change_nothing() {
    let t = open().await;
    let (ann, _) = member(&t, "ann").await;
    let events = t.s.event_count().await;
    let list_error = error("invalid", "users: expected a list of user ids.");
    let cases = [
        (json!({"users": ["x"]}), list_error.clone()),
        (json!({"users": [1.5]}), list_error.clone()),
        (json!({"users": [-1]}), list_error.clone()),
        (json!({"users": [{"id": 1}]}), list_error.clone()),
        (
            json!({"users": [ann.num, 18446744073709551615u64]}),
            list_error.clone(),
        ),
        (
            json!({"users": []}),
            error("invalid", "users: This field is required."),
        ),
        (
            json!({}),
            error("invalid", "users: This field is required."),
        ),
        (
            json!({"users": [ann.num, 777777]}),
            error("invalid", "Invalid pk \"777777\" - object does not exist."),
        ),
        (
            json!({"users": vec![ann.num; 101]}),
            error("invalid", "users: at most 100 users per request."),
        ),
    ];
    for (body, expected) in cases {
        let (code, reply) = call(
            &t.s,
            "POST",
            &path(&t.course, "invite/"),
            &t.owner_token,
            Some(body.clone()),
        )
        .await;
        assert_eq!((code, reply), (400, expected), "{body}");
    }
    let (code, reply) = call(
        &t.s,
        "POST",
        &path(&t.course, "role/"),
        &t.owner_token,
        Some(json!({"managers": "abc"})),
    )
    .await;
    assert_eq!(
        (code, reply),
        (
            400,
            error("invalid", "managers: expected a list of user ids.")
        )
    );
    let response =
        t.s.client
            .delete(t.s.url(&path(&t.course, "join/")))
            .header("Authorization", format!("Bearer {}", t.owner_token))
            .header("Content-Type", "application/json")
            .body("{\"users\": [")
            .send()
            .await
            .unwrap();
    let (code, body) = read(response).await;
    assert_eq!(
        (code, body["errors"][0]["code"].clone()),
        (400, json!("parse_error"))
    );
    assert_eq!(t.s.event_count().await, events);
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Member)
    );
}

#[tokio::test]
async fn oversized_bodies_get_a_course_api_413_and_write_nothing() {
    let t = open().await;
    let ivy = t.s.user("ivy").await;
    let events = t.s.event_count().await;
    // An invitation that would succeed but for its 70 KiB of padding.
    let oversized = json!({"users": [ivy.num], "pad": "a".repeat(70 * 1024)}).to_string();
    let too_large = error("payload_too_large", "The request body exceeds 65536 bytes.");
    let invite = path(&t.course, "invite/");

    let declared = post_raw(&t.s, &invite, &t.owner_token, oversized.clone().into()).await;
    assert_eq!(declared, (413, too_large.clone()));
    let chunked = post_raw(
        &t.s,
        &invite,
        &t.owner_token,
        crate::common::chunked(oversized),
    )
    .await;
    assert_eq!(chunked, (413, too_large));

    assert_eq!(t.s.standing(&t.course, &ivy).await, Standing::None);
    assert_eq!(t.s.event_count().await, events);
}

#[tokio::test]
async fn a_top_level_array_is_refused_and_writes_nothing() {
    let t = open().await;
    let (ann, _) = member(&t, "ann").await;
    let ivy = t.s.user("ivy").await;
    let events = t.s.event_count().await;
    let cases = [
        (path(&t.course, "invite/"), json!([[ivy.num]])),
        (path(&t.course, "role/"), json!([[ann.num]])),
        ("/api/v2/course/".to_owned(), json!(["Arrays", "open"])),
    ];
    for (route, body) in cases {
        let reply = post_raw(&t.s, &route, &t.owner_token, body.to_string().into()).await;
        assert_eq!(
            reply,
            (400, error("invalid", "The body must be a JSON object.")),
            "{route}"
        );
    }
    assert_eq!(t.s.standing(&t.course, &ivy).await, Standing::None);
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(t.s.event_count().await, events);
}
