//! `/v1/communities`: create, read, update, archive, delete, and the
//! caller's list with filters and a cursor.

use super::*;

#[tokio::test]
async fn communities_are_created_read_updated_archived_and_deleted() {
    let w = world().await;
    let s = &w.s;
    let response = s
        .client
        .post(s.url("/v1/communities"))
        .bearer_auth(&w.ann_token)
        .json(&json!({"name": "Bakers", "description": "We bake.", "visibility": "private", "join_policy": "invite"}))
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created = ok(reply(response).await, 201);
    let community = &created["community"];
    let id = community["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/v1/communities/{id}"));
    is_timestamp(&community["created_at"]);
    is_timestamp(&community["updated_at"]);
    let mut expected = json!({
        "community": {
            "id": id, "number": community["number"], "name": "Bakers", "description": "We bake.",
            "visibility": "private", "join_policy": "invite", "contribution_mode": "anyone",
            "archived": false, "site": false,
            "creator": {"id": w.ann.id.to_string(), "number": w.ann.num, "username": "ann"},
            "member_count": 1, "owner_count": 1, "pending_count": 0, "invited_count": 0,
            "created_at": community["created_at"], "updated_at": community["updated_at"],
        },
        "user_id": w.ann.id.to_string(), "standing": "owner", "changed": true,
    });
    assert_eq!(created, expected);

    // Read: the owner sees it with her standing; an outsider does not see it.
    let read = ok(
        get(s, &format!("/v1/communities/{id}"), &w.ann_token).await,
        200,
    );
    expected["community"]["standing"] = json!("owner");
    assert_eq!(read, expected["community"]);
    problem(
        get(s, &format!("/v1/communities/{id}"), &w.bob_token).await,
        404,
        "community_not_found",
    );
    // The admin sees every community.
    let by_admin = ok(
        get(s, &format!("/v1/communities/{id}"), &w.root_token).await,
        200,
    );
    assert_eq!(by_admin["standing"], "none");

    // Update.
    let patched = ok(
        send(
            s,
            Method::PATCH,
            &format!("/v1/communities/{id}"),
            Some(&w.ann_token),
            Some(json!({"description": "We bake bread.", "join_policy": "open"})),
        )
        .await,
        200,
    );
    assert_eq!(patched["changed"], true);
    assert_eq!(patched["community"]["description"], "We bake bread.");
    assert_eq!(patched["community"]["join_policy"], "open");
    assert_eq!(patched["community"]["visibility"], "private");
    let same = ok(
        send(
            s,
            Method::PATCH,
            &format!("/v1/communities/{id}"),
            Some(&w.ann_token),
            Some(json!({"join_policy": "open"})),
        )
        .await,
        200,
    );
    assert_eq!(same["changed"], false);
    problem(
        send(
            s,
            Method::PATCH,
            &format!("/v1/communities/{id}"),
            Some(&w.ann_token),
            Some(json!({"visibility": "secret"})),
        )
        .await,
        422,
        "invalid_body",
    );
    // Someone else's community: refused by the rules.
    problem(
        send(
            s,
            Method::PATCH,
            &format!("/v1/communities/{id}"),
            Some(&w.bob_token),
            Some(json!({"name": "Mine"})),
        )
        .await,
        403,
        "not_permitted",
    );
    s.community(&w.bob, "Taken", Visibility::Public, JoinPolicy::Open)
        .await;
    problem(
        send(
            s,
            Method::PATCH,
            &format!("/v1/communities/{id}"),
            Some(&w.ann_token),
            Some(json!({"name": "Taken"})),
        )
        .await,
        409,
        "name_taken",
    );
    problem(
        post(s, "/v1/communities", &w.ann_token, json!({"name": "Taken"})).await,
        409,
        "name_taken",
    );

    // Archive: writes refused until unarchived.
    let archived = ok(
        post(
            s,
            &format!("/v1/communities/{id}/archive"),
            &w.ann_token,
            json!({}),
        )
        .await,
        200,
    );
    assert_eq!(archived["community"]["archived"], true);
    assert_eq!(archived["changed"], true);
    problem(
        post(
            s,
            &format!("/v1/communities/{id}/join"),
            &w.bob_token,
            json!({}),
        )
        .await,
        409,
        "archived",
    );
    problem(
        send(
            s,
            Method::PATCH,
            &format!("/v1/communities/{id}"),
            Some(&w.ann_token),
            Some(json!({"name": "X"})),
        )
        .await,
        409,
        "archived",
    );
    problem(
        post(
            s,
            &format!("/v1/communities/{id}/unarchive"),
            &w.bob_token,
            json!({}),
        )
        .await,
        403,
        "not_permitted",
    );
    let unarchived = ok(
        post(
            s,
            &format!("/v1/communities/{id}/unarchive"),
            &w.ann_token,
            json!({}),
        )
        .await,
        200,
    );
    assert_eq!(unarchived["community"]["archived"], false);
    let joined = ok(
        post(
            s,
            &format!("/v1/communities/{id}/join"),
            &w.bob_token,
            json!({}),
        )
        .await,
        200,
    );
    assert_eq!(joined["standing"], "member");

    // Delete: members may not; the owner may; then it is gone.
    problem(
        send(
            s,
            Method::DELETE,
            &format!("/v1/communities/{id}"),
            Some(&w.bob_token),
            None,
        )
        .await,
        403,
        "not_permitted",
    );
    let deleted = send(
        s,
        Method::DELETE,
        &format!("/v1/communities/{id}"),
        Some(&w.ann_token),
        None,
    )
    .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(deleted.body, Value::Null);
    problem(
        get(s, &format!("/v1/communities/{id}"), &w.ann_token).await,
        404,
        "community_not_found",
    );
    problem(
        send(
            s,
            Method::DELETE,
            &format!("/v1/communities/{id}"),
            Some(&w.ann_token),
            None,
        )
        .await,
        404,
        "community_not_found",
    );

    // The site community cannot be archived or deleted, even by an admin.
    let site = ok(get(s, "/v1/communities?limit=1", &w.root_token).await, 200);
    let site_id = site["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(site["items"][0]["site"], true);
    problem(
        post(
            s,
            &format!("/v1/communities/{site_id}/archive"),
            &w.root_token,
            json!({}),
        )
        .await,
        403,
        "not_permitted",
    );
}

#[tokio::test]
async fn my_communities_are_listed_with_filters_and_a_cursor() {
    let w = world().await;
    let s = &w.s;
    let mut owned = Vec::new();
    for name in ["One", "Two", "Three"] {
        owned.push(
            s.community(&w.ann, name, Visibility::Public, JoinPolicy::Open)
                .await,
        );
    }
    let private = s
        .community(&w.bob, "Bobs", Visibility::Private, JoinPolicy::Request)
        .await;
    ok(s.native(&w.ann_token).join(&private).await, 200);

    // Default: memberships of any role (the site community included).
    let all = ok(get(s, "/v1/communities", &w.ann_token).await, 200);
    let names: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Site members", "One", "Two", "Three"]);
    assert_eq!(all["total"], 4);
    assert_eq!(all["next"], Value::Null);
    assert_eq!(all["items"][0]["standing"], "member");
    assert_eq!(all["items"][1]["standing"], "owner");

    // Paging.
    let first = ok(
        get(s, "/v1/communities?standing=owner&limit=2", &w.ann_token).await,
        200,
    );
    let names: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["One", "Two"]);
    assert_eq!(first["total"], 3);
    let next = first["next"].as_str().expect("cursor").to_owned();
    let second = ok(
        get(
            s,
            &format!("/v1/communities?standing=owner&limit=2&after={next}"),
            &w.ann_token,
        )
        .await,
        200,
    );
    let names: Vec<&str> = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Three"]);
    assert_eq!(second["next"], Value::Null);

    // Requests are a standing too.
    let requested = ok(
        get(s, "/v1/communities?standing=requested", &w.ann_token).await,
        200,
    );
    assert_eq!(requested["items"].as_array().unwrap().len(), 1);
    assert_eq!(requested["items"][0]["name"], "Bobs");
    assert_eq!(requested["items"][0]["standing"], "requested");

    // Bad parameters.
    problem(
        get(s, "/v1/communities?standing=king", &w.ann_token).await,
        400,
        "invalid_query",
    );
    problem(
        get(s, "/v1/communities?standing=none", &w.ann_token).await,
        400,
        "invalid_query",
    );
    problem(
        get(s, "/v1/communities?limit=0", &w.ann_token).await,
        400,
        "invalid_query",
    );
    problem(
        get(s, "/v1/communities?limit=-1", &w.ann_token).await,
        400,
        "invalid_query",
    );
    problem(
        get(
            s,
            "/v1/communities?limit=99999999999999999999",
            &w.ann_token,
        )
        .await,
        400,
        "invalid_query",
    );
    problem(
        get(s, "/v1/communities?after=garbage%00", &w.ann_token).await,
        400,
        "invalid_query",
    );

    // Another user's list: admins only.
    let path = format!("/v1/communities?user_id={}&standing=owner", w.bob.id);
    let bobs = ok(get(s, &path, &w.root_token).await, 200);
    assert_eq!(bobs["items"][0]["name"], "Bobs");
    problem(get(s, &path, &w.ann_token).await, 403, "scope_required");
    problem(
        get(s, "/v1/communities?user_id=nope", &w.root_token).await,
        400,
        "invalid_id",
    );
}
