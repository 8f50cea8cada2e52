//! Request bodies must be JSON objects of bounded size; anything else
//! is an invalid argument and changes nothing.

use super::*;

#[tokio::test]
async fn request_bodies_must_be_json_objects() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let token = s.token(&ann).await;

    for body in ["", "{}", "{\"unknown\": [1, 2]}"] {
        let response = s
            .client
            .post(s.url(&join()))
            .header("Authorization", &token)
            .body(body)
            .send()
            .await
            .expect("request");
        assert_eq!(json(response).await.0, 200, "{body:?}");
    }
    for body in ["{", "[]", "\"x\"", "null", "\u{0}"] {
        let response = s
            .client
            .post(s.url(&leave()))
            .header("Authorization", &token)
            .body(body)
            .send()
            .await
            .expect("request");
        let (status, reply) = json(response).await;
        assert_eq!(status, 400, "{body:?}");
        assert_eq!(
            reply["details"]["applicationError"]["code"],
            json!("INVALID_ARGUMENT")
        );
    }
    assert_eq!(
        s.standing(&site(&s).await, &ann).await,
        Standing::Member(Role::Member)
    );
}

#[tokio::test]
async fn oversized_bodies_get_a_wix_413_and_change_nothing() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let site = site(&s).await;
    let token = s.token(&ann).await;
    let events = s.event_count().await;
    // A leave that would succeed but for its 70 KiB of padding.
    let oversized = json!({ "pad": "a".repeat(70 * 1024) }).to_string();
    let too_large = envelope("PAYLOAD_TOO_LARGE", "the body exceeds 65536 bytes");

    let declared = post_raw(&s, &leave(), &token, oversized.clone().into()).await;
    assert_eq!(declared, (413, too_large.clone()));
    let chunked = post_raw(&s, &leave(), &token, crate::common::chunked(oversized)).await;
    assert_eq!(chunked, (413, too_large));

    assert_eq!(
        s.standing(&site, &ann).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn a_top_level_array_is_an_invalid_argument_and_changes_nothing() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let site = site(&s).await;
    let token = s.token(&ann).await;
    let events = s.event_count().await;
    let not_object = envelope(
        "INVALID_ARGUMENT",
        "the body does not match the expected shape: the body must be a JSON object",
    );
    for body in ["[{}]", "[\"x\"]", "\"x\""] {
        let reply = post_raw(&s, &leave(), &token, body.into()).await;
        assert_eq!(reply, (400, not_object.clone()), "{body}");
    }
    assert_eq!(
        s.standing(&site, &ann).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(s.event_count().await, events);
}
