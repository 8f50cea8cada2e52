//! `/v1/communities`: create, read, update, archive, delete, and the
//! caller's list with filters and a cursor.

use super::*;

/// Ann creates the private, invite-only "Bakers" over the API; returns the
/// `Location` header and the 201 body.
async fn create_bakers(w: &World) -> (String, Value) {
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
    (location, ok(reply(response).await, 201))
}

/// The id of a community in a 201/200 body.
fn id_of(created: &Value) -> String {
    created["community"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_community_is_created_with_its_settings_and_location() {
    let w = world().await;

    let (location, created) = create_bakers(&w).await;

    let community = &created["community"];
    let id = id_of(&created);
    assert_eq!(location, format!("/v1/communities/{id}"));
    is_timestamp(&community["created_at"]);
    is_timestamp(&community["updated_at"]);
    let expected = json!({
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
}

#[tokio::test]
async fn the_owner_and_admins_read_a_private_community_and_outsiders_do_not() {
    let w = world().await;
    let (_, created) = create_bakers(&w).await;
    let path = format!("/v1/communities/{}", id_of(&created));

    let read = ok(w.s.native(&w.ann_token).get(&path).await, 200);
    let by_outsider = w.s.native(&w.bob_token).get(&path).await;
    let by_admin = ok(w.s.native(&w.root_token).get(&path).await, 200);

    let mut expected = created["community"].clone();
    expected["standing"] = json!("owner");
    assert_eq!(read, expected);
    problem(by_outsider, 404, "community_not_found");
    assert_eq!(by_admin["standing"], "none");
}

#[tokio::test]
async fn an_update_changes_what_it_names_and_reports_no_change_when_same() {
    let w = world().await;
    let path = format!("/v1/communities/{}", id_of(&create_bakers(&w).await.1));
    let ann = w.s.native(&w.ann_token);

    let body = json!({"description": "We bake bread.", "join_policy": "open"});
    let patched = ok(ann.patch(&path, body).await, 200);
    let same = ok(ann.patch(&path, json!({"join_policy": "open"})).await, 200);
    let bad = ann.patch(&path, json!({"visibility": "secret"})).await;

    assert_eq!(patched["changed"], true);
    assert_eq!(patched["community"]["description"], "We bake bread.");
    assert_eq!(patched["community"]["join_policy"], "open");
    assert_eq!(patched["community"]["visibility"], "private");
    assert_eq!(same["changed"], false);
    problem(bad, 422, "invalid_body");
}

#[tokio::test]
async fn an_update_by_someone_else_or_to_a_taken_name_is_refused() {
    let w = world().await;
    let path = format!("/v1/communities/{}", id_of(&create_bakers(&w).await.1));
    w.s.community(&w.bob, "Taken", Visibility::Public, JoinPolicy::Open)
        .await;
    let ann = w.s.native(&w.ann_token);

    // Someone else's community: refused by the rules.
    let by_bob =
        w.s.native(&w.bob_token)
            .patch(&path, json!({"name": "Mine"}))
            .await;
    problem(by_bob, 403, "not_permitted");
    problem(
        ann.patch(&path, json!({"name": "Taken"})).await,
        409,
        "name_taken",
    );
    let again = ann.post("/v1/communities", json!({"name": "Taken"})).await;
    problem(again, 409, "name_taken");
}

#[tokio::test]
async fn an_archived_community_refuses_writes_until_its_owner_unarchives_it() {
    let w = world().await;
    let path = format!("/v1/communities/{}", id_of(&create_bakers(&w).await.1));
    let (ann, bob) = (w.s.native(&w.ann_token), w.s.native(&w.bob_token));
    ok(ann.patch(&path, json!({"join_policy": "open"})).await, 200);

    let archived = ok(ann.post(&format!("{path}/archive"), json!({})).await, 200);

    assert_eq!(archived["community"]["archived"], true);
    assert_eq!(archived["changed"], true);
    let join = bob.post(&format!("{path}/join"), json!({})).await;
    problem(join, 409, "archived");
    problem(
        ann.patch(&path, json!({"name": "X"})).await,
        409,
        "archived",
    );
    let by_bob = bob.post(&format!("{path}/unarchive"), json!({})).await;
    problem(by_bob, 403, "not_permitted");
    let unarchived = ok(ann.post(&format!("{path}/unarchive"), json!({})).await, 200);
    assert_eq!(unarchived["community"]["archived"], false);
    let joined = ok(bob.post(&format!("{path}/join"), json!({})).await, 200);
    assert_eq!(joined["standing"], "member");
}

#[tokio::test]
async fn only_the_owner_deletes_a_community_and_then_it_is_gone() {
    let w = world().await;
    let path = format!("/v1/communities/{}", id_of(&create_bakers(&w).await.1));
    let ann = w.s.native(&w.ann_token);
    ok(ann.patch(&path, json!({"join_policy": "open"})).await, 200);
    ok(
        w.s.native(&w.bob_token)
            .post(&format!("{path}/join"), json!({}))
            .await,
        200,
    );

    let by_member = w.s.native(&w.bob_token).delete(&path).await;
    let deleted = ann.delete(&path).await;

    problem(by_member, 403, "not_permitted");
    assert_eq!(deleted.status, 204);
    assert_eq!(deleted.body, Value::Null);
    problem(ann.get(&path).await, 404, "community_not_found");
    problem(ann.delete(&path).await, 404, "community_not_found");
}

#[tokio::test]
async fn the_site_community_cannot_be_archived_even_by_an_admin() {
    let w = world().await;
    let root = w.s.native(&w.root_token);
    let site = ok(root.get("/v1/communities?limit=1").await, 200);
    let site_id = site["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(site["items"][0]["site"], true);

    let archive = root
        .post(&format!("/v1/communities/{site_id}/archive"), json!({}))
        .await;

    problem(archive, 403, "not_permitted");
}

/// Ann owns "One", "Two" and "Three" and has asked to join Bob's private
/// "Bobs"; she is a member of the site community too.
async fn anns_communities() -> World {
    let w = world().await;
    for name in ["One", "Two", "Three"] {
        w.s.community(&w.ann, name, Visibility::Public, JoinPolicy::Open)
            .await;
    }
    let private =
        w.s.community(&w.bob, "Bobs", Visibility::Private, JoinPolicy::Request)
            .await;
    ok(w.s.native(&w.ann_token).join(&private).await, 200);
    w
}

/// The names of a list's items, in order.
fn names(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn my_communities_are_my_memberships_of_any_role() {
    let w = anns_communities().await;

    let all = ok(w.s.native(&w.ann_token).get("/v1/communities").await, 200);

    assert_eq!(names(&all), ["Site members", "One", "Two", "Three"]);
    assert_eq!(all["total"], 4);
    assert_eq!(all["next"], Value::Null);
    assert_eq!(all["items"][0]["standing"], "member");
    assert_eq!(all["items"][1]["standing"], "owner");
}

#[tokio::test]
async fn my_communities_page_with_a_cursor() {
    let w = anns_communities().await;
    let ann = w.s.native(&w.ann_token);

    let first = ok(ann.get("/v1/communities?standing=owner&limit=2").await, 200);
    let next = first["next"].as_str().expect("cursor").to_owned();
    let path = format!("/v1/communities?standing=owner&limit=2&after={next}");
    let second = ok(ann.get(&path).await, 200);

    assert_eq!(names(&first), ["One", "Two"]);
    assert_eq!(first["total"], 3);
    assert_eq!(names(&second), ["Three"]);
    assert_eq!(second["next"], Value::Null);
}

#[tokio::test]
async fn a_request_is_a_standing_to_filter_by() {
    let w = anns_communities().await;

    let path = "/v1/communities?standing=requested";
    let requested = ok(w.s.native(&w.ann_token).get(path).await, 200);

    assert_eq!(requested["items"].as_array().unwrap().len(), 1);
    assert_eq!(requested["items"][0]["name"], "Bobs");
    assert_eq!(requested["items"][0]["standing"], "requested");
}

#[tokio::test]
async fn bad_list_parameters_are_an_invalid_query() {
    let w = anns_communities().await;
    let ann = w.s.native(&w.ann_token);

    for query in [
        "standing=king",
        "standing=none",
        "limit=0",
        "limit=-1",
        "limit=99999999999999999999",
        "after=garbage%00",
    ] {
        let reply = ann.get(&format!("/v1/communities?{query}")).await;
        problem(reply, 400, "invalid_query");
    }
}

#[tokio::test]
async fn another_user_s_list_is_for_admins_only() {
    let w = anns_communities().await;
    let path = format!("/v1/communities?user_id={}&standing=owner", w.bob.id);

    let by_admin = ok(w.s.native(&w.root_token).get(&path).await, 200);
    let by_user = w.s.native(&w.ann_token).get(&path).await;
    let malformed =
        w.s.native(&w.root_token)
            .get("/v1/communities?user_id=nope")
            .await;

    assert_eq!(by_admin["items"][0]["name"], "Bobs");
    problem(by_user, 403, "scope_required");
    problem(malformed, 400, "invalid_id");
}
