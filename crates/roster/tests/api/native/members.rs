//! `/v1/communities/{id}/members`, join, leave, roles, removal and
//! ownership transfer: the membership rules as a client sees them.

use super::*;

#[tokio::test]
async fn members_are_listed_by_join_order_with_a_cursor_and_a_role_filter() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Choir", Visibility::Public, JoinPolicy::Open)
        .await;
    let mut people = vec![w.ann.clone()];
    for name in ["m1", "m2", "m3", "m4"] {
        let user = s.user(name).await;
        s.exec(&user, &c, Command::Join).await;
        people.push(user);
    }
    s.exec(
        &w.ann,
        &c,
        Command::SetRole {
            subject: people[2].id,
            role: Role::Manager,
            expect: None,
        },
    )
    .await;

    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let path = cpath(&c, &format!("/members?limit=2&after={after}"));
        let page = ok(get(s, &path, &w.bob_token).await, 200);
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

    let managers = ok(
        get(
            s,
            &cpath(&c, "/members?standing=owner,manager"),
            &w.bob_token,
        )
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

    // Pending standings are for managers only.
    problem(
        get(s, &cpath(&c, "/members?standing=banned"), &w.bob_token).await,
        403,
        "not_permitted",
    );
    let banned = ok(
        get(s, &cpath(&c, "/members?standing=banned"), &w.ann_token).await,
        200,
    );
    assert_eq!(banned, json!({"items": [], "next": null, "total": 0}));
    problem(
        get(s, &cpath(&c, "/members?standing=owners"), &w.bob_token).await,
        400,
        "invalid_query",
    );
    problem(
        get(s, &cpath(&c, "/members?after=YWJj"), &w.bob_token).await,
        400,
        "invalid_query",
    );

    // Direct add by a manager.
    let added = ok(
        post(
            s,
            &cpath(&c, "/members"),
            &w.ann_token,
            json!({"user_id": w.bob.id}),
        )
        .await,
        200,
    );
    assert_eq!(added["standing"], "member");
    assert_eq!(added["user_id"], w.bob.id.to_string());
    assert_eq!(added["community"]["member_count"], 6);
    problem(
        post(
            s,
            &cpath(&c, "/members"),
            &w.bob_token,
            json!({"user_id": people[1].id}),
        )
        .await,
        403,
        "not_permitted",
    );
}

#[tokio::test]
async fn join_and_leave_follow_the_rules_and_the_last_owner_stays() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Open", Visibility::Public, JoinPolicy::Open)
        .await;

    let joined = ok(s.native(&w.bob_token).join(&c).await, 200);
    assert_eq!(joined["standing"], "member");
    assert_eq!(joined["changed"], true);
    assert_eq!(joined["user_id"], w.bob.id.to_string());
    assert_eq!(joined["community"]["member_count"], 2);
    // Joining again: unchanged, not an error. (No body at all is fine.)
    let again = ok(
        send(
            s,
            Method::POST,
            &cpath(&c, "/join"),
            Some(&w.bob_token),
            None,
        )
        .await,
        200,
    );
    assert_eq!(again["standing"], "member");
    assert_eq!(again["changed"], false);

    let left = ok(s.native(&w.bob_token).leave(&c).await, 200);
    assert_eq!(left["standing"], "none");
    assert_eq!(left["changed"], true);
    assert_eq!(left["community"]["member_count"], 1);
    let body = problem(s.native(&w.bob_token).leave(&c).await, 409, "not_member");
    assert_eq!(
        body,
        json!({"type": "https://roster.dev/problems/not_member", "title": "Not a member", "status": 409,
               "detail": "you are not a member of this community", "code": "not_member"})
    );

    // The last owner cannot leave; nothing changes, no event is written.
    let events = s.event_count().await;
    let before = s.reload(&c).await;
    problem(s.native(&w.ann_token).leave(&c).await, 409, "last_owner");
    assert_eq!(s.standing(&c, &w.ann).await, Standing::Member(Role::Owner));
    assert_eq!(s.reload(&c).await.state, before.state);
    assert_eq!(s.event_count().await, events);

    problem(
        post(
            s,
            &format!("/v1/communities/{}/join", uuid::Uuid::new_v4()),
            &w.bob_token,
            json!({}),
        )
        .await,
        404,
        "community_not_found",
    );
}

#[tokio::test]
async fn roles_change_removal_follows_rank_and_ownership_transfers() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Guild", Visibility::Public, JoinPolicy::Open)
        .await;
    let cleo = s.user("cleo").await;
    let cleo_token = s.token(&cleo).await;
    s.exec(&w.bob, &c, Command::Join).await;
    s.exec(&cleo, &c, Command::Join).await;
    let role = |u: &User| cpath(&c, &format!("/members/{}/role", u.id));

    let promoted = ok(
        send(
            s,
            Method::PUT,
            &role(&w.bob),
            Some(&w.ann_token),
            Some(json!({"role": "manager"})),
        )
        .await,
        200,
    );
    assert_eq!(promoted["standing"], "manager");
    assert_eq!(promoted["user_id"], w.bob.id.to_string());
    let body = problem(
        send(
            s,
            Method::PUT,
            &role(&cleo),
            Some(&w.ann_token),
            Some(json!({"role": "manager", "expect": "manager"})),
        )
        .await,
        409,
        "role_mismatch",
    );
    assert_eq!(body["actual_role"], "member");
    // A manager may not make an owner.
    problem(
        send(
            s,
            Method::PUT,
            &role(&cleo),
            Some(&w.bob_token),
            Some(json!({"role": "owner"})),
        )
        .await,
        403,
        "not_permitted",
    );
    // The last owner cannot be demoted.
    problem(
        send(
            s,
            Method::PUT,
            &role(&w.ann),
            Some(&w.ann_token),
            Some(json!({"role": "member"})),
        )
        .await,
        409,
        "last_owner",
    );
    problem(
        send(
            s,
            Method::PUT,
            &role(&cleo),
            Some(&w.ann_token),
            Some(json!({"role": "king"})),
        )
        .await,
        422,
        "invalid_body",
    );
    problem(
        send(
            s,
            Method::PUT,
            &role(&cleo),
            Some(&w.ann_token),
            Some(json!({})),
        )
        .await,
        422,
        "invalid_body",
    );

    // Removal: a manager removes a member, not the owner.
    problem(
        send(
            s,
            Method::DELETE,
            &cpath(&c, &format!("/members/{}", w.ann.id)),
            Some(&w.bob_token),
            None,
        )
        .await,
        409,
        "last_owner",
    );
    problem(
        send(
            s,
            Method::DELETE,
            &cpath(&c, &format!("/members/{}", w.bob.id)),
            Some(&cleo_token),
            None,
        )
        .await,
        403,
        "not_permitted",
    );
    let removed = ok(
        send(
            s,
            Method::DELETE,
            &cpath(&c, &format!("/members/{}", cleo.id)),
            Some(&w.bob_token),
            None,
        )
        .await,
        200,
    );
    assert_eq!(removed["standing"], "none");
    assert_eq!(removed["user_id"], cleo.id.to_string());
    problem(
        send(
            s,
            Method::DELETE,
            &cpath(&c, &format!("/members/{}", cleo.id)),
            Some(&w.bob_token),
            None,
        )
        .await,
        409,
        "subject_not_member",
    );

    // Transfer: bob becomes owner, ann manager, in one step.
    problem(
        post(
            s,
            &cpath(&c, "/transfer"),
            &w.bob_token,
            json!({"user_id": w.bob.id}),
        )
        .await,
        403,
        "not_permitted",
    );
    problem(
        post(
            s,
            &cpath(&c, "/transfer"),
            &w.ann_token,
            json!({"user_id": cleo.id}),
        )
        .await,
        409,
        "subject_not_member",
    );
    let transferred = ok(
        post(
            s,
            &cpath(&c, "/transfer"),
            &w.ann_token,
            json!({"user_id": w.bob.id}),
        )
        .await,
        200,
    );
    assert_eq!(transferred["standing"], "owner");
    assert_eq!(transferred["community"]["owner_count"], 1);
    assert_eq!(
        s.standing(&c, &w.ann).await,
        Standing::Member(Role::Manager)
    );
    assert_eq!(s.standing(&c, &w.bob).await, Standing::Member(Role::Owner));
    // Now ann may leave.
    let left = ok(s.native(&w.ann_token).leave(&c).await, 200);
    assert_eq!(left["standing"], "none");
}
