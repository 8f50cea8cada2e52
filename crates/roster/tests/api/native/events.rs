//! `/v1/events` and `/v1/communities/{id}/events`: accepted changes in
//! order, and nothing else.

use super::*;

/// Ann's open "Feed".
async fn feed_community(w: &World) -> Community {
    w.s.community(&w.ann, "Feed", Visibility::Public, JoinPolicy::Open)
        .await
}

/// Bob joins, joins again (unchanged), leaves; then Ann (the last owner)
/// and Bob (no longer a member) are refused a leave: two accepted changes.
async fn join_rejoin_leave_and_two_refusals(w: &World, c: &Community) {
    let (ann, bob) = (w.s.native(&w.ann_token), w.s.native(&w.bob_token));
    ok(bob.join(c).await, 200);
    ok(bob.join(c).await, 200); // unchanged: no event
    ok(bob.leave(c).await, 200);
    problem(ann.leave(c).await, 409, "last_owner");
    problem(bob.leave(c).await, 409, "not_member");
}

#[tokio::test]
async fn a_new_community_s_feed_starts_with_created() {
    let w = world().await;
    let c = feed_community(&w).await;

    let start = ok(w.s.native(&w.ann_token).events(&c).await, 200);

    assert_eq!(start["items"].as_array().unwrap().len(), 1);
    assert_eq!(start["items"][0]["kind"], "created");
}

#[tokio::test]
async fn only_accepted_changes_are_events_in_order() {
    let w = world().await;
    let c = feed_community(&w).await;
    let start = ok(w.s.native(&w.ann_token).events(&c).await, 200);
    let cursor = start["next"].as_i64().unwrap();

    join_rejoin_leave_and_two_refusals(&w, &c).await;

    let path = cpath(&c, &format!("/events?after={cursor}"));
    let feed = ok(w.s.native(&w.ann_token).get(&path).await, 200);
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{feed}");
    assert_eq!(items[0]["kind"], "joined");
    assert_eq!(items[1]["kind"], "left");
    for item in items {
        assert_eq!(item["community_id"], c.id().to_string());
        assert_eq!(item["actor_id"], w.bob.id.to_string());
        assert_eq!(item["subject_id"], w.bob.id.to_string());
        assert_eq!(item["reason"], Value::Null);
        is_timestamp(&item["at"]);
    }
    assert!(items[0]["seq"].as_i64().unwrap() > cursor);
    assert!(items[1]["seq"].as_i64().unwrap() > items[0]["seq"].as_i64().unwrap());
    assert_eq!(feed["next"], items[1]["seq"]);
    assert_eq!(
        events_of(&w.s, &c, &w.ann_token, 0).await,
        ["created", "joined", "left"]
    );
}

#[tokio::test]
async fn polling_from_the_end_finds_nothing_and_keeps_the_cursor() {
    let w = world().await;
    let c = feed_community(&w).await;
    join_rejoin_leave_and_two_refusals(&w, &c).await;
    let ann = w.s.native(&w.ann_token);
    let next = ok(ann.events(&c).await, 200)["next"].as_i64().unwrap();

    let empty = ok(
        ann.get(&cpath(&c, &format!("/events?after={next}"))).await,
        200,
    );

    assert_eq!(empty, json!({"items": [], "next": next}));
}

#[tokio::test]
async fn a_limit_caps_the_page() {
    let w = world().await;
    let c = feed_community(&w).await;
    join_rejoin_leave_and_two_refusals(&w, &c).await;

    let limited = ok(
        w.s.native(&w.ann_token)
            .get(&cpath(&c, "/events?limit=1"))
            .await,
        200,
    );

    assert_eq!(limited["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn only_managers_and_admins_read_the_feed() {
    let w = world().await;
    let c = feed_community(&w).await;
    w.s.exec(&w.bob, &c, Command::Join).await;

    let by_member = w.s.native(&w.bob_token).events(&c).await;
    let by_admin = w.s.native(&w.root_token).events(&c).await;

    problem(by_member, 403, "not_permitted");
    ok(by_admin, 200);
}

#[tokio::test]
async fn a_bad_cursor_is_an_invalid_query() {
    let w = world().await;
    let c = feed_community(&w).await;
    let ann = w.s.native(&w.ann_token);

    let negative = ann.get(&cpath(&c, "/events?after=-1")).await;
    let text = ann.get(&cpath(&c, "/events?after=abc")).await;

    problem(negative, 400, "invalid_query");
    problem(text, 400, "invalid_query");
}

#[tokio::test]
async fn the_global_feed_holds_every_community_s_events_in_order() {
    let w = world().await;
    let c = feed_community(&w).await;
    join_rejoin_leave_and_two_refusals(&w, &c).await;
    w.s.exec(&w.bob, &c, Command::Join).await;

    let all = ok(
        w.s.native(&w.root_token).get("/v1/events?limit=1000").await,
        200,
    );

    let seqs: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs.len(), w.s.event_count().await);
    assert!(seqs.windows(2).all(|p| p[0] < p[1]));
    let kinds: BTreeSet<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains("created") && kinds.contains("left"));
}
