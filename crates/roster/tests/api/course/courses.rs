//! Courses themselves: create (JSON and form), delete, and the joined
//! list paged by limit and offset.

use super::*;

#[tokio::test]
async fn create_course_is_201_with_the_course() {
    let s = TestServer::start().await;
    let ada = s.user("ada").await;
    let patch = UserPatch {
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        photo_url: Some("https://example.com/ada.png".into()),
        ..UserPatch::default()
    };
    let id = ada.id;
    let ada = s
        .state
        .run(move |store| store.update_user(id, &patch))
        .await
        .unwrap();
    let token = s.token(&ada).await;
    let body = json!({"name": "Rust 101", "description": "Ownership first", "privacy": "private", "type": "self-paced", "categories": []});
    let (code, mut course) = s.course(&token).create(body).await;
    assert_eq!(code, 201);
    let created_at = course
        .as_object_mut()
        .unwrap()
        .remove("created_at")
        .unwrap();
    assert!(created_at.as_str().unwrap().ends_with('Z'));
    let id = course["id"].as_i64().unwrap();
    let ada_json = json!({"id": ada.num, "username": "ada", "real_name": "Ada Lovelace", "avatar": "https://example.com/ada.png"});
    let expected = json!({
        "id": id,
        "name": "Rust 101",
        "slug": "rust-101",
        "description": "Ownership first",
        "type": "self-paced",
        "privacy": "private",
        "enforce_lessons_order": false,
        "new_comment_notification_enabled": true,
        "hide_member_count": false,
        "sections_order": [],
        "image_original": "",
        "image_bigger": "",
        "image_big": "",
        "image_medium": "",
        "image_small": "",
        "deleted": false,
        "join_status": "creator",
        "user_completion_rate": 0,
        "num_lessons": 0,
        "num_sections": 0,
        "created_by": ada_json,
        "categories": [],
        "member_count": 1,
    });
    assert_eq!(course, expected);
    // Read back by another user: same course, their own join_status.
    let bob = s.user("bob").await;
    let bob_token = s.token(&bob).await;
    let (code, mut again) = call(
        &s,
        "GET",
        &format!("/api/v2/course/{id}/"),
        &bob_token,
        None,
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(
        again.as_object_mut().unwrap().remove("created_at").unwrap(),
        created_at
    );
    let mut expected = expected;
    expected["join_status"] = Value::Null;
    assert_eq!(again, expected);
}

#[tokio::test]
async fn create_course_refuses_bad_bodies() {
    let s = TestServer::start().await;
    let ada = s.user("ada").await;
    let token = s.token(&ada).await;
    let first = json!({"name": "Rust 101", "privacy": "open"});
    let (code, _) = s.course(&token).create(first.clone()).await;
    assert_eq!(code, 201);
    let cases = [
        (first, "A course with this name already exists."),
        (json!({"privacy": "open"}), "name: This field is required."),
        (
            json!({"name": 7, "privacy": "open"}),
            "name: Not a valid string.",
        ),
        (
            json!({"name": "X", "privacy": "public"}),
            "privacy: \"public\" is not a valid choice.",
        ),
        (
            json!({"name": "X", "type": "weekly"}),
            "type: Not a valid choice.",
        ),
        (
            json!({"name": " padded ", "privacy": "open"}),
            "name: must not be empty or start or end with spaces",
        ),
        (
            json!({"name": "x".repeat(101), "privacy": "open"}),
            "name: too long",
        ),
        (
            json!(["not", "an", "object"]),
            "The body must be a JSON object.",
        ),
    ];
    for (body, message) in cases {
        let (code, reply) = s.course(&token).create(body.clone()).await;
        assert_eq!((code, reply), (400, error("invalid", message)), "{body}");
    }
    let response = s
        .client
        .post(s.url("/api/v2/course/"))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    let (code, body) = read(response).await;
    assert_eq!(
        (code, body["errors"][0]["code"].clone()),
        (400, json!("parse_error"))
    );
}

#[tokio::test]
async fn create_course_accepts_a_form() {
    let s = TestServer::start().await;
    let ada = s.user("ada").await;
    let token = s.token(&ada).await;
    let response = s
        .client
        .post(s.url("/api/v2/course"))
        .header("Authorization", format!("Token {token}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("name=Caf%C3%A9+club&privacy=secret&description=a%26b")
        .send()
        .await
        .unwrap();
    let (code, body) = read(response).await;
    assert_eq!(code, 201);
    assert_eq!(
        (
            body["name"].clone(),
            body["privacy"].clone(),
            body["description"].clone(),
            body["slug"].clone()
        ),
        (
            json!("Café club"),
            json!("secret"),
            json!("a&b"),
            json!("café-club")
        )
    );
}

#[tokio::test]
async fn delete_course_is_for_its_creator() {
    let t = open().await;
    let (_, ann_token) = member(&t, "ann").await;
    let (code, body) = call(&t.s, "DELETE", &path(&t.course, ""), &ann_token, None).await;
    assert_eq!(
        (code, body),
        (403, error("permission_denied", NO_PERMISSION))
    );
    let (code, body) = call_text(&t.s, "DELETE", &path(&t.course, ""), &t.owner_token).await;
    assert_eq!((code, body.as_str()), (204, ""));
    let (code, body) = t.s.course(&t.owner_token).course(&t.course).await;
    assert_eq!((code, body), (404, not_found()));
}

/// An open course with five members, u1 to u5, in join order.
async fn five_members() -> (Setup, Vec<User>) {
    let t = open().await;
    let mut users = Vec::new();
    for name in ["u1", "u2", "u3", "u4", "u5"] {
        users.push(member(&t, name).await.0);
    }
    (t, users)
}

/// A user as the joined list shows one.
fn user_json(u: &User) -> Value {
    json!({"id": u.num, "username": u.username, "real_name": "", "avatar": ""})
}

/// The joined list's own URL, which its links extend.
fn joined_base(t: &Setup) -> String {
    t.s.url(&path(&t.course, "join/"))
}

#[tokio::test]
async fn the_joined_list_starts_with_a_first_page_and_a_next_link() {
    let (t, users) = five_members().await;

    let reply =
        t.s.course(&t.owner_token)
            .joined(&t.course, "?limit=2")
            .await;

    let base = joined_base(&t);
    assert_eq!(
        reply,
        (
            200,
            json!({
                "count": 5,
                "next": format!("{base}?limit=2&offset=2"),
                "previous": null,
                "results": [user_json(&users[0]), user_json(&users[1])],
            })
        )
    );
}

#[tokio::test]
async fn the_joined_list_pages_by_offset_with_both_links() {
    let (t, users) = five_members().await;
    let owner = t.s.course(&t.owner_token);

    let (_, middle) = owner.joined(&t.course, "?limit=2&offset=2").await;
    let (_, last) = owner.joined(&t.course, "?limit=2&offset=4").await;

    let base = joined_base(&t);
    assert_eq!(middle["previous"], json!(format!("{base}?limit=2")));
    assert_eq!(middle["next"], json!(format!("{base}?limit=2&offset=4")));
    assert_eq!(
        middle["results"],
        json!([user_json(&users[2]), user_json(&users[3])])
    );
    assert_eq!(last["next"], Value::Null);
    assert_eq!(last["previous"], json!(format!("{base}?limit=2&offset=2")));
    assert_eq!(last["results"], json!([user_json(&users[4])]));
}

/// The creator is listed only when asked for; other filters are kept in
/// the links.
#[tokio::test]
async fn the_creator_is_listed_only_when_asked_for() {
    let (t, _) = five_members().await;
    let owner = t.s.course(&t.owner_token);

    let (_, both) = owner
        .joined(&t.course, "?statuses=creator,joined&limit=3")
        .await;
    let (_, creator) = owner.joined(&t.course, "?statuses=creator").await;
    let (_, repeated) = owner
        .joined(&t.course, "?statuses=creator&statuses=joined")
        .await;

    assert_eq!(both["count"], 6);
    assert_eq!(
        both["next"],
        json!(format!(
            "{}?limit=3&offset=3&statuses=creator%2Cjoined",
            joined_base(&t)
        ))
    );
    assert_eq!(
        creator["results"],
        json!([{"id": t.owner.num, "username": "owner", "real_name": "", "avatar": ""}])
    );
    assert_eq!(repeated["count"], 6);
}

/// Lenient paging as DRF: bad values fall back; limits are capped.
#[tokio::test]
async fn bad_paging_values_fall_back_and_limits_are_capped() {
    let (t, _) = five_members().await;
    let owner = t.s.course(&t.owner_token);

    let (code, body) = owner.joined(&t.course, "?limit=-4&offset=zz").await;
    assert_eq!(
        (code, body["count"].clone(), body["next"].clone()),
        (200, json!(5), Value::Null)
    );
    let query = "?limit=100000&offset=18446744073709551615";
    let (code, body) = owner.joined(&t.course, query).await;
    assert_eq!((code, body["results"].clone()), (200, json!([])));
}

#[tokio::test]
async fn an_unknown_status_filter_is_400() {
    let (t, _) = five_members().await;

    let reply =
        t.s.course(&t.owner_token)
            .joined(&t.course, "?statuses=invited")
            .await;

    let message = "statuses: \"invited\" is not a valid choice (creator, manager, joined).";
    assert_eq!(reply, (400, error("invalid", message)));
}
