//! A page of members asked for again (issue 11, the page cache): served as
//! kept while nothing is committed, and never once anything is: a join, a
//! leave, a member's new nickname. The checks of who may see the page are
//! made on every request. PostgreSQL keeps no pages.

use super::*;

fn usernames_and_nicknames(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            format!(
                "{}:{}",
                item["user"]["username"].as_str().unwrap(),
                item["user"]["profile"]["nickname"].as_str().unwrap()
            )
        })
        .collect()
}

/// `roster_page_cache_lookups_total{outcome}` as `/metrics` shows it.
async fn lookups(s: &TestServer, outcome: &str) -> u64 {
    let series = format!("roster_page_cache_lookups_total{{outcome=\"{outcome}\"}} ");
    s.metrics()
        .await
        .lines()
        .find_map(|line| line.strip_prefix(&series).map(|n| n.parse().unwrap()))
        .unwrap_or(0)
}

#[tokio::test]
async fn a_page_asked_again_is_the_same_until_anything_is_committed() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Choir", Visibility::Public, JoinPolicy::Open)
        .await;
    let (ann, bob) = (s.native(&w.ann_token), s.native(&w.bob_token));
    ok(bob.join(&c).await, 200);

    let first = ok(ann.members(&c, "").await, 200);
    for _ in 0..4 {
        assert_eq!(ok(ann.members(&c, "").await, 200), first);
    }
    let kept = lookups(s, "hit").await;
    if s.database_url().starts_with("sqlite") {
        assert!(kept >= 3, "{kept} pages served as kept");
    } else {
        assert_eq!(kept, 0, "PostgreSQL keeps no pages");
    }
    assert_eq!(usernames_and_nicknames(&first), ["ann:", "bob:"]);

    // A change to a member's profile shows at once.
    ok(bob.update_me(json!({"nickname": "Bobby"})).await, 200);
    let renamed = ok(ann.members(&c, "").await, 200);
    assert_eq!(usernames_and_nicknames(&renamed), ["ann:", "bob:Bobby"]);

    // So does a leave, and a join after it.
    ok(bob.leave(&c).await, 200);
    let left = ok(ann.members(&c, "").await, 200);
    assert_eq!(
        (usernames_and_nicknames(&left), left["total"].clone()),
        (vec!["ann:".to_owned()], json!(1))
    );
    ok(bob.join(&c).await, 200);
    assert_eq!(ok(ann.members(&c, "").await, 200)["total"], 2);
}

#[tokio::test]
async fn a_kept_page_is_not_served_to_whom_the_engine_refuses_it() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Hidden", Visibility::Private, JoinPolicy::Invite)
        .await;
    let (ann, bob) = (s.native(&w.ann_token), s.native(&w.bob_token));
    for _ in 0..3 {
        ok(ann.members(&c, "").await, 200);
    }
    problem(bob.members(&c, "").await, 404, "community_not_found");
    // The owner's invitation list is for managers only.
    ok(ann.members(&c, "?standing=invited").await, 200);
    ok(ann.members(&c, "?standing=invited").await, 200);
    ok(ann.invite(&c, &w.bob).await, 200);
    problem(
        bob.members(&c, "?standing=invited").await,
        403,
        "not_permitted",
    );
}
