//! Hostile requests and bodies never get a server error and change
//! nothing.

use super::*;

#[tokio::test]
async fn hostile_requests_never_get_a_server_error() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let token = s.token(&user).await;
    let simple = c.id().simple();
    let gets = [
        "/community/v2?filters.roles=%FF".to_owned(),
        "/community/v2?paging.limit=%00".to_owned(),
        "/community/v2?%%%".to_owned(),
        "/community/v2?paging.cursors.after=%F0%9F%92%A9".to_owned(),
        format!("/community/v2/{simple}?fields=%27%3B--"),
        format!("/community/v2/{simple}?fields"),
    ];
    for path in &gets {
        let (status, body) = get(&s, path, &token).await;
        assert!(
            (400..500).contains(&status) || status == 200,
            "{path}: {status}"
        );
        assert!(body.is_object(), "{path}: {body}");
    }
    // A body on a leave is ignored, whatever it holds.
    let response = s
        .client
        .post(s.url(&leave_path(&c)))
        .header("Authorization", format!("Bearer {token}"))
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(
        json(response).await,
        (200, permissions("UNSET", "ANYONE", "PUBLIC"))
    );
}

/// A 70 KiB JSON object (over the 64 KiB limit) that join would otherwise ignore.
fn oversized() -> String {
    format!("{{\"pad\": \"{}\"}}", "a".repeat(70 * 1024))
}

#[tokio::test]
async fn oversized_bodies_get_whisks_413_and_change_nothing() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let token = s.token(&user).await;
    let events = s.event_count().await;
    let too_large = json!({
        "code": "general.payloadTooLarge",
        "message": "the body exceeds 65536 bytes",
    });

    let declared = post_body(&s, &join_path(&c), &token, oversized().into()).await;
    assert_eq!(declared, (413, too_large.clone()));
    let chunked = post_body(
        &s,
        &join_path(&c),
        &token,
        crate::common::chunked(oversized()),
    )
    .await;
    assert_eq!(chunked, (413, too_large));

    assert_eq!(s.standing(&c, &user).await, Standing::None);
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn join_and_leave_ignore_a_body_even_an_array() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let token = s.token(&user).await;
    let events = s.event_count().await;

    // Whisk's join and leave take no body: an array is not read as
    // parameters (nor refused), just ignored like any other body.
    let joined = post_body(&s, &join_path(&c), &token, "[\"x\"]".into()).await;
    assert_eq!(joined, (200, permissions("MEMBER", "ANYONE", "PUBLIC")));
    assert_eq!(s.standing(&c, &user).await, Standing::Member(Role::Member));
    assert_eq!(s.event_count().await, events + 1);
    let left = post_body(&s, &leave_path(&c), &token, "[]".into()).await;
    assert_eq!(left, (200, permissions("UNSET", "ANYONE", "PUBLIC")));
    assert_eq!(s.standing(&c, &user).await, Standing::None);
    assert_eq!(s.event_count().await, events + 2);
}
