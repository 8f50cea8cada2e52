//! `/v1/events` and `/v1/communities/{id}/events`: accepted changes in
//! order, and nothing else.

use super::*;

#[tokio::test]
async fn the_event_feed_shows_accepted_changes_in_order_and_nothing_else() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Feed", Visibility::Public, JoinPolicy::Open)
        .await;
    let start = ok(s.native(&w.ann_token).events(&c).await, 200);
    assert_eq!(start["items"].as_array().unwrap().len(), 1);
    assert_eq!(start["items"][0]["kind"], "created");
    let cursor = start["next"].as_i64().unwrap();

    ok(s.native(&w.bob_token).join(&c).await, 200);
    ok(s.native(&w.bob_token).join(&c).await, 200); // unchanged: no event
    ok(s.native(&w.bob_token).leave(&c).await, 200);
    problem(s.native(&w.ann_token).leave(&c).await, 409, "last_owner");
    problem(s.native(&w.bob_token).leave(&c).await, 409, "not_member");

    let feed = ok(
        get(
            s,
            &cpath(&c, &format!("/events?after={cursor}")),
            &w.ann_token,
        )
        .await,
        200,
    );
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
    // Polling from the end: nothing new, the cursor stays.
    let next = feed["next"].as_i64().unwrap();
    let empty = ok(
        get(
            s,
            &cpath(&c, &format!("/events?after={next}")),
            &w.ann_token,
        )
        .await,
        200,
    );
    assert_eq!(empty, json!({"items": [], "next": next}));
    assert_eq!(
        events_of(s, &c, &w.ann_token, 0).await,
        ["created", "joined", "left"]
    );
    let limited = ok(
        get(s, &cpath(&c, "/events?limit=1"), &w.ann_token).await,
        200,
    );
    assert_eq!(limited["items"].as_array().unwrap().len(), 1);

    // Managers and admins only; bad cursors are problems.
    s.exec(&w.bob, &c, Command::Join).await;
    problem(
        s.native(&w.bob_token).events(&c).await,
        403,
        "not_permitted",
    );
    ok(s.native(&w.root_token).events(&c).await, 200);
    problem(
        get(s, &cpath(&c, "/events?after=-1"), &w.ann_token).await,
        400,
        "invalid_query",
    );
    problem(
        get(s, &cpath(&c, "/events?after=abc"), &w.ann_token).await,
        400,
        "invalid_query",
    );

    // The global feed holds every community's events, in order.
    let all = ok(get(s, "/v1/events?limit=1000", &w.root_token).await, 200);
    let seqs: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs.len(), s.event_count().await);
    assert!(seqs.windows(2).all(|p| p[0] < p[1]));
    let kinds: BTreeSet<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains("created") && kinds.contains("left"));
}
