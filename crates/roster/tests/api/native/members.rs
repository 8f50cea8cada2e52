//! `/v1/communities/{id}/members`, join, leave, roles, removal and
//! ownership transfer: the membership rules as a client sees them.

use super::*;

/// Ann's open "Choir": Ann (owner), then m1, m2 (a manager), m3 and m4.
/// Bob is outside it.
struct Choir {
    w: World,
    c: Community,
    people: Vec<User>,
}

async fn choir() -> Choir {
    let w = world().await;
    let c =
        w.s.community(&w.ann, "Choir", Visibility::Public, JoinPolicy::Open)
            .await;
    let mut people = vec![w.ann.clone()];
    for name in ["m1", "m2", "m3", "m4"] {
        let user = w.s.user(name).await;
        w.s.exec(&user, &c, Command::Join).await;
        people.push(user);
    }
    let promote = Command::SetRole {
        subject: people[2].id,
        role: Role::Manager,
        expect: None,
    };
    w.s.exec(&w.ann, &c, promote).await;
    Choir { w, c, people }
}

#[tokio::test]
async fn members_are_listed_in_join_order_page_by_page() {
    let Choir { w, c, .. } = choir().await;
    let bob = w.s.native(&w.bob_token);

    let mut seen = Vec::new();
    let mut after = String::new();
    for _page in 0..10 {
        let page = ok(
            bob.members(&c, &format!("?limit=2&after={after}")).await,
            200,
        );
        assert_eq!(page["total"], 5);
        for item in page["items"].as_array().unwrap() {
            is_timestamp(&item["since"]);
            assert!(item["user"].get("email").is_none(), "{item}");
            seen.push((
                item["user"]["username"].as_str().unwrap().to_owned(),
                item["standing"].as_str().unwrap().to_owned(),
            ));
        }
        match page["next"].as_str() {
            Some(next) => after = next.to_owned(),
            None => break,
        }
    }

    let expected: Vec<(String, String)> = [
        ("ann", "owner"),
        ("m1", "member"),
        ("m2", "manager"),
        ("m3", "member"),
        ("m4", "member"),
    ]
    .iter()
    .map(|(u, r)| ((*u).to_owned(), (*r).to_owned()))
    .collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn members_are_filtered_by_role() {
    let Choir { w, c, .. } = choir().await;

    let managers = ok(
        w.s.native(&w.bob_token)
            .members(&c, "?standing=owner,manager")
            .await,
        200,
    );

    let names: Vec<&str> = managers["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ann", "m2"]);
    assert_eq!(managers["total"], 2);
}

#[tokio::test]
async fn pending_standings_are_listed_for_managers_only() {
    let Choir { w, c, .. } = choir().await;

    let by_outsider =
        w.s.native(&w.bob_token)
            .members(&c, "?standing=banned")
            .await;
    let by_owner =
        w.s.native(&w.ann_token)
            .members(&c, "?standing=banned")
            .await;

    problem(by_outsider, 403, "not_permitted");
    assert_eq!(
        ok(by_owner, 200),
        json!({"items": [], "next": null, "total": 0})
    );
}

#[tokio::test]
async fn a_bad_standing_or_cursor_is_an_invalid_query() {
    let Choir { w, c, .. } = choir().await;
    let bob = w.s.native(&w.bob_token);

    problem(
        bob.members(&c, "?standing=owners").await,
        400,
        "invalid_query",
    );
    problem(bob.members(&c, "?after=YWJj").await, 400, "invalid_query");
}

#[tokio::test]
async fn a_manager_adds_a_member_directly_and_a_member_may_not() {
    let Choir { w, c, people } = choir().await;
    let path = cpath(&c, "/members");

    let added = ok(
        w.s.native(&w.ann_token)
            .post(&path, json!({"user_id": w.bob.id}))
            .await,
        200,
    );
    let by_member =
        w.s.native(&w.bob_token)
            .post(&path, json!({"user_id": people[1].id}))
            .await;

    assert_eq!(added["standing"], "member");
    assert_eq!(added["user_id"], w.bob.id.to_string());
    assert_eq!(added["community"]["member_count"], 6);
    problem(by_member, 403, "not_permitted");
}

/// Ann's open "Open".
async fn open_community(w: &World) -> Community {
    w.s.community(&w.ann, "Open", Visibility::Public, JoinPolicy::Open)
        .await
}

#[tokio::test]
async fn joining_an_open_community_makes_a_member() {
    let w = world().await;
    let c = open_community(&w).await;

    let joined = ok(w.s.native(&w.bob_token).join(&c).await, 200);

    assert_eq!(joined["standing"], "member");
    assert_eq!(joined["changed"], true);
    assert_eq!(joined["user_id"], w.bob.id.to_string());
    assert_eq!(joined["community"]["member_count"], 2);
}

#[tokio::test]
async fn joining_again_is_unchanged_not_an_error_even_without_a_body() {
    let w = world().await;
    let c = open_community(&w).await;
    w.s.exec(&w.bob, &c, Command::Join).await;

    let path = cpath(&c, "/join");
    let again = send(&w.s, Method::POST, &path, Some(&w.bob_token), None).await;

    let again = ok(again, 200);
    assert_eq!(again["standing"], "member");
    assert_eq!(again["changed"], false);
}

#[tokio::test]
async fn leaving_makes_none_and_leaving_again_is_not_member() {
    let w = world().await;
    let c = open_community(&w).await;
    w.s.exec(&w.bob, &c, Command::Join).await;
    let bob = w.s.native(&w.bob_token);

    let left = ok(bob.leave(&c).await, 200);
    let again = bob.leave(&c).await;

    assert_eq!(left["standing"], "none");
    assert_eq!(left["changed"], true);
    assert_eq!(left["community"]["member_count"], 1);
    let body = problem(again, 409, "not_member");
    assert_eq!(
        body,
        json!({"type": "https://roster.dev/problems/not_member", "title": "Not a member", "status": 409,
               "detail": "you are not a member of this community", "code": "not_member"})
    );
}

#[tokio::test]
async fn the_last_owner_cannot_leave_and_nothing_is_written() {
    let w = world().await;
    let s = &w.s;
    let c = open_community(&w).await;
    let events = s.event_count().await;
    let before = s.reload(&c).await;

    let reply = s.native(&w.ann_token).leave(&c).await;

    problem(reply, 409, "last_owner");
    assert_eq!(s.standing(&c, &w.ann).await, Standing::Member(Role::Owner));
    assert_eq!(s.reload(&c).await.state, before.state);
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn joining_an_unknown_community_is_404() {
    let w = world().await;

    let path = format!("/v1/communities/{}/join", uuid::Uuid::new_v4());
    let reply = w.s.native(&w.bob_token).post(&path, json!({})).await;

    problem(reply, 404, "community_not_found");
}

/// Ann's open "Guild" with Bob and Cleo as members; Cleo's user and token.
struct Guild {
    w: World,
    c: Community,
    cleo: User,
    cleo_token: String,
}

async fn guild() -> Guild {
    let w = world().await;
    let c =
        w.s.community(&w.ann, "Guild", Visibility::Public, JoinPolicy::Open)
            .await;
    let cleo = w.s.user("cleo").await;
    let cleo_token = w.s.token(&cleo).await;
    w.s.exec(&w.bob, &c, Command::Join).await;
    w.s.exec(&cleo, &c, Command::Join).await;
    Guild {
        w,
        c,
        cleo,
        cleo_token,
    }
}

impl Guild {
    /// `/v1/communities/{id}/members/{user}/role`.
    fn role_path(&self, user: &User) -> String {
        cpath(&self.c, &format!("/members/{}/role", user.id))
    }

    /// `/v1/communities/{id}/members/{user}`.
    fn member_path(&self, user: &User) -> String {
        cpath(&self.c, &format!("/members/{}", user.id))
    }

    /// Ann (the owner) makes Bob a manager, as set-up.
    async fn bob_manages(&self) {
        let command = Command::SetRole {
            subject: self.w.bob.id,
            role: Role::Manager,
            expect: None,
        };
        self.w.s.exec(&self.w.ann, &self.c, command).await;
    }

    /// `PUT …/role` by `token`.
    async fn set_role(&self, token: &str, user: &User, body: Value) -> Reply {
        let path = self.role_path(user);
        send(&self.w.s, Method::PUT, &path, Some(token), Some(body)).await
    }
}

#[tokio::test]
async fn an_owner_promotes_a_member_to_manager() {
    let g = guild().await;

    let reply = g
        .set_role(&g.w.ann_token, &g.w.bob, json!({"role": "manager"}))
        .await;

    let promoted = ok(reply, 200);
    assert_eq!(promoted["standing"], "manager");
    assert_eq!(promoted["user_id"], g.w.bob.id.to_string());
}

#[tokio::test]
async fn a_role_change_expecting_another_role_is_a_mismatch() {
    let g = guild().await;

    let body = json!({"role": "manager", "expect": "manager"});
    let reply = g.set_role(&g.w.ann_token, &g.cleo, body).await;

    let body = problem(reply, 409, "role_mismatch");
    assert_eq!(body["actual_role"], "member");
}

#[tokio::test]
async fn a_manager_may_not_make_an_owner() {
    let g = guild().await;
    g.bob_manages().await;

    let reply = g
        .set_role(&g.w.bob_token, &g.cleo, json!({"role": "owner"}))
        .await;

    problem(reply, 403, "not_permitted");
}

#[tokio::test]
async fn the_last_owner_cannot_be_demoted() {
    let g = guild().await;

    let reply = g
        .set_role(&g.w.ann_token, &g.w.ann, json!({"role": "member"}))
        .await;

    problem(reply, 409, "last_owner");
}

#[tokio::test]
async fn an_unknown_or_missing_role_is_an_invalid_body() {
    let g = guild().await;
    let ann = &g.w.ann_token;

    let king = g.set_role(ann, &g.cleo, json!({"role": "king"})).await;
    let missing = g.set_role(ann, &g.cleo, json!({})).await;

    problem(king, 422, "invalid_body");
    problem(missing, 422, "invalid_body");
}

#[tokio::test]
async fn a_manager_may_not_remove_the_owner_nor_a_member_a_manager() {
    let g = guild().await;
    g.bob_manages().await;

    let by_manager =
        g.w.s
            .native(&g.w.bob_token)
            .delete(&g.member_path(&g.w.ann))
            .await;
    let by_member =
        g.w.s
            .native(&g.cleo_token)
            .delete(&g.member_path(&g.w.bob))
            .await;

    problem(by_manager, 403, "not_permitted");
    problem(by_member, 403, "not_permitted");
}

#[tokio::test]
async fn a_manager_removes_a_member_once() {
    let g = guild().await;
    g.bob_manages().await;
    let bob = g.w.s.native(&g.w.bob_token);

    let removed = ok(bob.delete(&g.member_path(&g.cleo)).await, 200);
    let again = bob.delete(&g.member_path(&g.cleo)).await;

    assert_eq!(removed["standing"], "none");
    assert_eq!(removed["user_id"], g.cleo.id.to_string());
    problem(again, 409, "subject_not_member");
}

#[tokio::test]
async fn only_an_owner_transfers_and_only_to_a_member() {
    let g = guild().await;
    g.bob_manages().await;
    let remove = Command::Remove { subject: g.cleo.id };
    g.w.s.exec(&g.w.ann, &g.c, remove).await;
    let transfer = cpath(&g.c, "/transfer");

    let by_manager = post(
        &g.w.s,
        &transfer,
        &g.w.bob_token,
        json!({"user_id": g.w.bob.id}),
    )
    .await;
    let to_outsider = post(
        &g.w.s,
        &transfer,
        &g.w.ann_token,
        json!({"user_id": g.cleo.id}),
    )
    .await;

    problem(by_manager, 403, "not_permitted");
    problem(to_outsider, 409, "subject_not_member");
}

#[tokio::test]
async fn a_transfer_makes_the_subject_owner_and_the_owner_a_manager_who_may_leave() {
    let g = guild().await;
    let (s, c) = (&g.w.s, &g.c);
    g.bob_manages().await;

    let body = json!({"user_id": g.w.bob.id});
    let transferred = ok(
        post(s, &cpath(c, "/transfer"), &g.w.ann_token, body).await,
        200,
    );

    assert_eq!(transferred["standing"], "owner");
    assert_eq!(transferred["community"]["owner_count"], 1);
    assert_eq!(
        s.standing(c, &g.w.ann).await,
        Standing::Member(Role::Manager)
    );
    assert_eq!(s.standing(c, &g.w.bob).await, Standing::Member(Role::Owner));
    let left = ok(s.native(&g.w.ann_token).leave(c).await, 200);
    assert_eq!(left["standing"], "none");
}
