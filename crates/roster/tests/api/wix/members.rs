//! One member and the member list: the fieldsets others see, paging by
//! offset.

use super::*;

#[tokio::test]
async fn get_member_gives_others_only_the_public_fieldset() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let bob = s.user("bob").await;
    let token = s.token(&bob).await;
    let path = format!("{MEMBERS}/{}", ann.id);

    let expected = (200, json!({ "member": public(&ann) }));
    assert_eq!(get(&s, &path, &token).await, expected);
    assert_eq!(
        get(&s, &format!("{path}?fieldsets=FULL"), &token).await,
        expected
    );

    let own = format!("{MEMBERS}/{}?fieldsets=FULL", bob.id);
    let created = timestamp(bob.updated_at);
    let mine = json!({ "member": full(&bob, "PUBLIC", "APPROVED", &created) });
    assert_eq!(get(&s, &own, &token).await, (200, mine));

    let unknown = format!("{MEMBERS}/{}", uuid::Uuid::new_v4());
    assert_eq!(
        get(&s, &unknown, &token).await,
        (404, envelope("MEMBER_NOT_FOUND", "no such member"))
    );
    for bad in ["not-a-uuid", "%FF", "12345"] {
        assert_eq!(
            get(&s, &format!("{MEMBERS}/{bad}"), &token).await,
            (
                400,
                envelope("INVALID_ARGUMENT", "the member id must be a UUID")
            ),
            "{bad}"
        );
    }
    assert_eq!(
        get(&s, &format!("{path}?fieldsets=EVERYTHING"), &token).await,
        (
            400,
            envelope("INVALID_ARGUMENT", "unknown fieldset 'EVERYTHING'")
        )
    );
}

/// The site with four members in join order (root, ann, bob, cid), and
/// the users after root with cid's token.
async fn four_members(s: &TestServer) -> (User, User, User, String) {
    let (_owner, ann) = setup(s).await;
    let bob = s.user("bob").await;
    let cid = s.user("cid").await;
    let token = s.token(&cid).await;
    (ann, bob, cid, token)
}

#[tokio::test]
async fn list_members_pages_by_limit_and_offset() {
    let s = TestServer::start().await;
    let (ann, bob, _, token) = four_members(&s).await;

    let reply = s
        .wix(&token)
        .members("?paging.limit=2&paging.offset=1")
        .await;

    assert_eq!(
        reply,
        (
            200,
            json!({
                "members": [public(&ann), public(&bob)],
                "metadata": { "count": 2, "offset": 1, "total": 4, "tooManyToCount": false },
            })
        )
    );
}

#[tokio::test]
async fn list_members_last_page_holds_what_is_left() {
    let s = TestServer::start().await;
    let (_, _, cid, token) = four_members(&s).await;

    let reply = s
        .wix(&token)
        .members("?paging.offset=3&paging.limit=1000")
        .await;

    assert_eq!(
        reply,
        (
            200,
            json!({
                "members": [public(&cid)],
                "metadata": { "count": 1, "offset": 3, "total": 4, "tooManyToCount": false },
            })
        )
    );
}

#[tokio::test]
async fn list_members_past_the_end_is_empty() {
    let s = TestServer::start().await;
    let (_, _, _, token) = four_members(&s).await;

    let (status, body) = s.wix(&token).members("?paging.offset=99999999999").await;

    assert_eq!(status, 200);
    assert_eq!(body["members"], json!([]));
}

#[tokio::test]
async fn list_members_refuses_bad_paging_in_the_wix_envelope() {
    let s = TestServer::start().await;
    let (_, _, _, token) = four_members(&s).await;

    for (query, message) in [
        (
            "paging.limit=-1",
            "paging.limit must be a non-negative integer",
        ),
        (
            "paging.limit=lots",
            "paging.limit must be a non-negative integer",
        ),
        (
            "paging.offset=-5",
            "paging.offset must be a non-negative integer",
        ),
        (
            "paging.offset=1e3",
            "paging.offset must be a non-negative integer",
        ),
    ] {
        assert_eq!(
            s.wix(&token).members(&format!("?{query}")).await,
            (400, envelope("INVALID_ARGUMENT", message)),
            "{query}"
        );
    }
}
