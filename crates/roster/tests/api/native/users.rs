//! `/v1/users`: creation by admins, reading and updating oneself, and
//! admins acting for any user (mirrors `src/native/users.rs`).

use super::*;

/// The account every test of this module creates through the API.
fn cleo() -> Value {
    json!({"username": "cleo", "password": PASSWORD, "email": "cleo@example.com",
           "profile": {"nickname": "Cle", "first_name": "Cleo"}})
}

/// Create `cleo()` as the site admin; returns the new id.
async fn create_cleo(w: &World) -> String {
    let created = ok(w.s.native(&w.root_token).create_user(cleo()).await, 201);
    created["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn an_admin_creates_a_user_with_every_field() {
    let w = world().await;

    let created = ok(w.s.native(&w.root_token).create_user(cleo()).await, 201);

    let id = created["id"].as_str().expect("id").to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    is_timestamp(&created["created_at"]);
    assert_eq!(created["username"], "cleo");
    assert_eq!(created["email"], "cleo@example.com");
    assert_eq!(created["email_verified"], false);
    assert_eq!(created["admin"], false);
    assert_eq!(created["last_login_at"], Value::Null);
    assert_eq!(
        created["profile"],
        json!({"nickname": "Cle", "slug": "", "first_name": "Cleo", "last_name": "", "photo_url": ""})
    );
}

#[tokio::test]
async fn others_see_a_user_without_its_email() {
    let w = world().await;
    let id = create_cleo(&w).await;

    let seen = ok(
        w.s.native(&w.ann_token)
            .get(&format!("/v1/users/{id}"))
            .await,
        200,
    );

    assert_eq!(seen["username"], "cleo");
    assert!(seen.get("email").is_none(), "{seen}");
    assert!(seen.get("last_login_at").is_none(), "{seen}");
}

#[tokio::test]
async fn the_simple_form_of_a_user_id_works_too() {
    let w = world().await;
    let simple = create_cleo(&w).await.replace('-', "");

    let path = format!("/v1/users/{simple}");
    let seen = ok(w.s.native(&w.root_token).get(&path).await, 200);

    assert_eq!(seen["email"], "cleo@example.com");
}

#[tokio::test]
async fn non_admins_may_not_create_users() {
    let w = world().await;

    let body = json!({"username": "x", "password": PASSWORD});
    let reply = w.s.native(&w.ann_token).create_user(body).await;

    let refused = problem(reply, 403, "scope_required");
    assert_eq!(refused["scope"], "admin");
}

#[tokio::test]
async fn a_taken_username_or_email_is_409() {
    let w = world().await;
    create_cleo(&w).await;
    let root = w.s.native(&w.root_token);

    let same_name = json!({"username": "cleo", "password": PASSWORD});
    problem(root.create_user(same_name).await, 409, "username_taken");
    let same_email = json!({"username": "dan", "password": PASSWORD, "email": "cleo@example.com"});
    problem(root.create_user(same_email).await, 409, "email_taken");
}

#[tokio::test]
async fn an_invalid_username_or_password_is_422_naming_the_field() {
    let w = world().await;
    let root = w.s.native(&w.root_token);

    let spaced = json!({"username": "no spaces", "password": PASSWORD});
    let invalid = problem(root.create_user(spaced).await, 422, "invalid");
    assert_eq!(invalid["field"], "username");
    let short = json!({"username": "dan", "password": "short"});
    let invalid = problem(root.create_user(short).await, 422, "invalid");
    assert_eq!(invalid["field"], "password");
}

#[tokio::test]
async fn a_user_reads_and_updates_themselves() {
    let w = world().await;
    let ann = w.s.native(&w.ann_token);
    let me = ok(ann.me().await, 200);
    assert_eq!(me["id"], w.ann.id.to_string());
    assert_eq!(me["email"], "ann@example.com");

    let patch =
        json!({"nickname": "Annie", "last_name": "O'Neil; --", "email": "annie@example.com"});
    let updated = ok(ann.update_me(patch).await, 200);

    assert_eq!(updated["profile"]["nickname"], "Annie");
    assert_eq!(updated["profile"]["last_name"], "O'Neil; --");
    assert_eq!(updated["email"], "annie@example.com");
    assert_eq!(updated["email_verified"], false);
    let again = ok(ann.me().await, 200);
    assert_eq!(again, updated);
}

#[tokio::test]
async fn a_bad_or_taken_update_is_refused() {
    let w = world().await;
    let ann = w.s.native(&w.ann_token);

    let bad = problem(
        ann.update_me(json!({"nickname": "a\u{7}b"})).await,
        422,
        "invalid",
    );
    assert_eq!(bad["field"], "nickname");
    let taken = ann.update_me(json!({"email": "bob@example.com"})).await;
    problem(taken, 409, "email_taken");
}

#[tokio::test]
async fn a_new_password_needs_the_current_one() {
    let w = world().await;
    let ann = w.s.native(&w.ann_token);
    let new = "a brand new password";

    let missing = problem(
        ann.update_me(json!({"password": new})).await,
        422,
        "invalid",
    );
    assert_eq!(missing["field"], "current_password");
    let wrong = json!({"password": new, "current_password": "wrong password"});
    problem(ann.update_me(wrong).await, 403, "wrong_password");
    let right = json!({"password": new, "current_password": PASSWORD});
    ok(ann.update_me(right).await, 200);

    problem(
        login(&w.s, "ann", PASSWORD).await,
        401,
        "invalid_credentials",
    );
    ok(login(&w.s, "ann", new).await, 201);
}

#[tokio::test]
async fn an_unknown_user_is_404() {
    let w = world().await;

    let path = format!("/v1/users/{}", uuid::Uuid::new_v4());
    let reply = w.s.native(&w.ann_token).get(&path).await;

    problem(reply, 404, "user_not_found");
}

/// Ann's private, invite-only "Theirs", in which the admin has no standing.
async fn theirs(w: &World) -> Community {
    w.s.community(&w.ann, "Theirs", Visibility::Private, JoinPolicy::Invite)
        .await
}

/// `POST /v1/communities/{id}/{action}` naming `user_id`, by `token`.
async fn act_for(w: &World, c: &Community, action: &str, token: &str, user_id: Value) -> Reply {
    let body = json!({ "user_id": user_id });
    post(&w.s, &cpath(c, &format!("/{action}")), token, body).await
}

#[tokio::test]
async fn an_admin_removes_a_member_of_a_community_it_has_no_standing_in() {
    let w = world().await;
    let c = theirs(&w).await;
    w.s.exec(&w.ann, &c, Command::Add { subject: w.bob.id })
        .await;

    let path = cpath(&c, &format!("/members/{}", w.bob.id));
    let removed = ok(w.s.native(&w.root_token).delete(&path).await, 200);

    assert_eq!(removed["standing"], "none");
}

#[tokio::test]
async fn an_admin_invites_joins_and_leaves_for_someone() {
    let w = world().await;
    let c = theirs(&w).await;
    let bob = json!(w.bob.id);

    ok(
        act_for(&w, &c, "invitations", &w.root_token, bob.clone()).await,
        200,
    );
    let joined = ok(
        act_for(&w, &c, "join", &w.root_token, bob.clone()).await,
        200,
    );
    assert_eq!(joined["user_id"], w.bob.id.to_string());
    assert_eq!(joined["standing"], "member");
    assert_eq!(
        w.s.standing(&c, &w.bob).await,
        Standing::Member(Role::Member)
    );
    let left = ok(act_for(&w, &c, "leave", &w.root_token, bob).await, 200);
    assert_eq!(left["standing"], "none");
}

#[tokio::test]
async fn acting_for_someone_else_needs_the_admin_scope_but_naming_yourself_does_not() {
    let w = world().await;
    let c = theirs(&w).await;

    let for_bob = act_for(&w, &c, "join", &w.ann_token, json!(w.bob.id)).await;
    let for_herself = act_for(&w, &c, "join", &w.ann_token, json!(w.ann.id)).await;

    let refused = problem(for_bob, 403, "scope_required");
    assert_eq!(refused["scope"], "admin");
    assert_eq!(ok(for_herself, 200)["changed"], false);
}

#[tokio::test]
async fn acting_for_an_unknown_user_is_404() {
    let w = world().await;
    let c = theirs(&w).await;

    let reply = act_for(&w, &c, "join", &w.root_token, json!(uuid::Uuid::new_v4())).await;

    problem(reply, 404, "user_not_found");
}

#[tokio::test]
async fn an_admin_transfers_ownership_without_being_an_owner() {
    let w = world().await;
    let c = theirs(&w).await;
    w.s.exec(&w.ann, &c, Command::Add { subject: w.bob.id })
        .await;

    let reply = act_for(&w, &c, "transfer", &w.root_token, json!(w.bob.id)).await;

    let transferred = ok(reply, 200);
    assert_eq!(transferred["standing"], "owner");
    assert_eq!(transferred["community"]["owner_count"], 2);
}
