//! `/v1/communities/{id}/requests`: join requests to private communities,
//! approved or rejected by managers.

use super::*;

#[tokio::test]
async fn private_communities_take_requests_that_managers_approve_or_reject() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Hidden", Visibility::Private, JoinPolicy::Request)
        .await;
    let cleo = s.user("cleo").await;
    let cleo_token = s.token(&cleo).await;

    // Private, but it takes requests: a stranger can find it to ask.
    let found = ok(s.native(&w.bob_token).community(&c).await, 200);
    assert_eq!(found["standing"], "none");

    let requested = ok(s.native(&w.bob_token).join(&c).await, 200);
    assert_eq!(requested["standing"], "requested");
    assert_eq!(requested["community"]["pending_count"], 1);
    ok(s.native(&cleo_token).join(&c).await, 200);
    // A requester now sees the community, but not the request list.
    let seen = ok(s.native(&w.bob_token).community(&c).await, 200);
    assert_eq!(seen["standing"], "requested");
    problem(
        get(s, &cpath(&c, "/requests"), &w.bob_token).await,
        403,
        "not_permitted",
    );

    let list = ok(get(s, &cpath(&c, "/requests"), &w.ann_token).await, 200);
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bob", "cleo"]);
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["standing"] == "requested"));

    // Only managers approve.
    problem(
        post(
            s,
            &cpath(&c, &format!("/requests/{}/approve", cleo.id)),
            &w.bob_token,
            json!({}),
        )
        .await,
        403,
        "not_permitted",
    );
    let approved = ok(
        post(
            s,
            &cpath(&c, &format!("/requests/{}/approve", w.bob.id)),
            &w.ann_token,
            json!({}),
        )
        .await,
        200,
    );
    assert_eq!(approved["standing"], "member");
    assert_eq!(approved["user_id"], w.bob.id.to_string());
    assert_eq!(s.standing(&c, &w.bob).await, Standing::Member(Role::Member));
    let rejected = ok(
        post(
            s,
            &cpath(&c, &format!("/requests/{}/reject", cleo.id)),
            &w.ann_token,
            json!({}),
        )
        .await,
        200,
    );
    assert_eq!(rejected["standing"], "none");
    assert_eq!(rejected["community"]["pending_count"], 0);
    problem(
        post(
            s,
            &cpath(&c, &format!("/requests/{}/approve", cleo.id)),
            &w.ann_token,
            json!({}),
        )
        .await,
        409,
        "no_request",
    );
    problem(
        post(
            s,
            &cpath(&c, &format!("/requests/{}/approve", uuid::Uuid::new_v4())),
            &w.ann_token,
            json!({}),
        )
        .await,
        404,
        "user_not_found",
    );

    // Withdrawing a request by leaving.
    ok(s.native(&cleo_token).join(&c).await, 200);
    let withdrawn = ok(s.native(&cleo_token).leave(&c).await, 200);
    assert_eq!(withdrawn["standing"], "none");
    assert_eq!(withdrawn["changed"], true);
}
