//! `/v1/communities/{id}/bans`: a ban ends a membership and refuses joins
//! until it is lifted.

use super::*;

/// Ann's open "Strict", of which Bob is a member.
async fn strict(w: &World) -> Community {
    let c =
        w.s.community(&w.ann, "Strict", Visibility::Public, JoinPolicy::Open)
            .await;
    w.s.exec(&w.bob, &c, Command::Join).await;
    c
}

/// Ann bans Bob over the API with this reason.
async fn ban_bob(w: &World, c: &Community, reason: &str) -> Reply {
    let body = json!({"user_id": w.bob.id, "reason": reason});
    w.s.native(&w.ann_token)
        .post(&cpath(c, "/bans"), body)
        .await
}

#[tokio::test]
async fn a_member_may_not_ban_the_owner() {
    let w = world().await;
    let c = strict(&w).await;

    let body = json!({"user_id": w.ann.id});
    let reply =
        w.s.native(&w.bob_token)
            .post(&cpath(&c, "/bans"), body)
            .await;

    problem(reply, 403, "not_permitted");
}

#[tokio::test]
async fn a_ban_ends_the_membership_with_one_event() {
    let w = world().await;
    let c = strict(&w).await;
    let events = w.s.event_count().await;

    let banned = ok(ban_bob(&w, &c, "spam; DROP TABLE bans").await, 200);

    assert_eq!(banned["standing"], "banned");
    assert_eq!(banned["community"]["member_count"], 1);
    assert_eq!(w.s.event_count().await, events + 1);
}

#[tokio::test]
async fn a_banned_user_cannot_join_leave_or_be_invited() {
    let w = world().await;
    let c = strict(&w).await;
    ok(ban_bob(&w, &c, "spam").await, 200);
    let bob = w.s.native(&w.bob_token);

    let refused = problem(bob.join(&c).await, 403, "banned");

    assert_eq!(refused["detail"], "you are banned from this community");
    problem(bob.leave(&c).await, 409, "not_member");
    let invite = w.s.native(&w.ann_token).invite(&c, &w.bob).await;
    problem(invite, 409, "subject_banned");
}

#[tokio::test]
async fn managers_list_bans_and_the_feed_keeps_the_reason() {
    let w = world().await;
    let c = strict(&w).await;
    ok(ban_bob(&w, &c, "spam; DROP TABLE bans").await, 200);
    let ann = w.s.native(&w.ann_token);

    let list = ok(ann.get(&cpath(&c, "/bans")).await, 200);
    let feed = ok(ann.events(&c).await, 200);

    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["user"]["username"], "bob");
    assert_eq!(list["items"][0]["standing"], "banned");
    let last = feed["items"].as_array().unwrap().last().cloned().unwrap();
    assert_eq!(last["kind"], "banned");
    assert_eq!(last["reason"], "spam; DROP TABLE bans");
    assert_eq!(last["subject_id"], w.bob.id.to_string());
    assert_eq!(last["actor_id"], w.ann.id.to_string());
}

#[tokio::test]
async fn a_lifted_ban_lets_the_user_join_again() {
    let w = world().await;
    let c = strict(&w).await;
    ok(ban_bob(&w, &c, "spam").await, 200);

    let path = cpath(&c, &format!("/bans/{}", w.bob.id));
    let lifted = ok(w.s.native(&w.ann_token).delete(&path).await, 200);

    assert_eq!(lifted["standing"], "none");
    let joined = ok(w.s.native(&w.bob_token).join(&c).await, 200);
    assert_eq!(joined["standing"], "member");
}

#[tokio::test]
async fn a_ban_reason_over_the_limit_is_invalid() {
    let w = world().await;
    let c = strict(&w).await;

    let reply = ban_bob(&w, &c, &"x".repeat(3000)).await;

    let body = problem(reply, 422, "invalid");
    assert_eq!(body["field"], "reason");
}
