//! `/v1/communities/{id}/bans`: a ban ends a membership and refuses joins
//! until it is lifted.

use super::*;

#[tokio::test]
async fn bans_end_a_membership_and_refuse_joins_until_lifted() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Strict", Visibility::Public, JoinPolicy::Open)
        .await;
    s.exec(&w.bob, &c, Command::Join).await;
    let events = s.event_count().await;

    // A member cannot ban the owner.
    problem(
        post(
            s,
            &cpath(&c, "/bans"),
            &w.bob_token,
            json!({"user_id": w.ann.id}),
        )
        .await,
        403,
        "not_permitted",
    );
    let banned = ok(
        post(
            s,
            &cpath(&c, "/bans"),
            &w.ann_token,
            json!({"user_id": w.bob.id, "reason": "spam; DROP TABLE bans"}),
        )
        .await,
        200,
    );
    assert_eq!(banned["standing"], "banned");
    assert_eq!(banned["community"]["member_count"], 1);
    assert_eq!(s.event_count().await, events + 1);

    let refused = problem(s.native(&w.bob_token).join(&c).await, 403, "banned");
    assert_eq!(refused["detail"], "you are banned from this community");
    problem(s.native(&w.bob_token).leave(&c).await, 409, "not_member");
    problem(
        post(
            s,
            &cpath(&c, "/invitations"),
            &w.ann_token,
            json!({"user_id": w.bob.id}),
        )
        .await,
        409,
        "subject_banned",
    );

    let list = ok(get(s, &cpath(&c, "/bans"), &w.ann_token).await, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["user"]["username"], "bob");
    assert_eq!(list["items"][0]["standing"], "banned");
    let feed = ok(s.native(&w.ann_token).events(&c).await, 200);
    let last = feed["items"].as_array().unwrap().last().cloned().unwrap();
    assert_eq!(last["kind"], "banned");
    assert_eq!(last["reason"], "spam; DROP TABLE bans");
    assert_eq!(last["subject_id"], w.bob.id.to_string());
    assert_eq!(last["actor_id"], w.ann.id.to_string());

    let lifted = ok(
        send(
            s,
            Method::DELETE,
            &cpath(&c, &format!("/bans/{}", w.bob.id)),
            Some(&w.ann_token),
            None,
        )
        .await,
        200,
    );
    assert_eq!(lifted["standing"], "none");
    let joined = ok(s.native(&w.bob_token).join(&c).await, 200);
    assert_eq!(joined["standing"], "member");
    let long = "x".repeat(3000);
    let body = problem(
        post(
            s,
            &cpath(&c, "/bans"),
            &w.ann_token,
            json!({"user_id": w.bob.id, "reason": long}),
        )
        .await,
        422,
        "invalid",
    );
    assert_eq!(body["field"], "reason");
}
