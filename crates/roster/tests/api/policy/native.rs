//! `GET/PUT /v1/policy`: defaults are today's rules, only admins read or
//! change it, a change takes effect on the next command and is one event,
//! bad input is a documented 4xx, and the last owner stays protected.

use crate::common::native::*;
use crate::common::TestServer;
use roster_engine::{JoinPolicy, Visibility};
use serde_json::json;

const DEFAULTS: [(&str, &str); 12] = [
    ("create", "member"),
    ("invite", "manager"),
    ("invite_anywhere", "admin"),
    ("remove", "manager"),
    ("remove_anywhere", "admin"),
    ("ban", "manager"),
    ("set_owner", "owner"),
    ("set_manager", "manager"),
    ("archive", "owner"),
    ("unarchive", "owner"),
    ("delete", "owner"),
    ("leave", "member"),
];

#[tokio::test]
async fn the_default_policy_is_todays_rules_and_admin_only() {
    let s = TestServer::start().await;
    let root = s.admin("root").await;
    let ann = s.user("ann").await;
    let admin = s.token_with(&root, "admin").await;
    let body = ok(s.native(&admin).get("/v1/policy").await, 200);
    for (action, level) in DEFAULTS {
        assert_eq!(body[action], level, "{action}");
    }
    assert_eq!(body["refresh_ms"], 1000);

    // Anyone else: 403, and nothing changes.
    let plain = s.token(&ann).await;
    problem(
        s.native(&plain).get("/v1/policy").await,
        403,
        "scope_required",
    );
    let put = send(
        &s,
        reqwest::Method::PUT,
        "/v1/policy",
        Some(&plain),
        Some(json!({"invite": "member"})),
    )
    .await;
    problem(put, 403, "scope_required");
    let body = ok(s.native(&admin).get("/v1/policy").await, 200);
    assert_eq!(body["invite"], "manager");
}

#[tokio::test]
async fn a_change_takes_effect_at_once_and_is_one_event() {
    let s = TestServer::start().await;
    let root = s.admin("root").await;
    let owner = s.user("owner").await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let c = s
        .community(&owner, "club", Visibility::Public, JoinPolicy::Open)
        .await;
    let ann_token = s.token(&ann).await;
    ok(s.native(&ann_token).join(&c).await, 200);
    problem(
        s.native(&ann_token).invite(&c, &bob).await,
        403,
        "not_permitted",
    );

    let admin = s.token_with(&root, "admin").await;
    let events = s.event_count().await;
    let put = send(
        &s,
        reqwest::Method::PUT,
        "/v1/policy",
        Some(&admin),
        Some(json!({"invite": "member", "delete": null})),
    )
    .await;
    let body = ok(put, 200);
    assert_eq!(body["invite"], "member");
    assert_eq!(body["delete"], "owner", "null leaves a field as it is");
    assert_eq!(s.event_count().await, events + 1);
    let feed = ok(
        s.native(&admin).get("/v1/events?after=0&limit=1000").await,
        200,
    );
    let last = feed["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "policy_changed");
    assert_eq!(last["reason"], "invite: manager -> member");

    ok(s.native(&ann_token).invite(&c, &bob).await, 200);

    // The same PUT again changes nothing and writes no event.
    let events = s.event_count().await;
    let again = send(
        &s,
        reqwest::Method::PUT,
        "/v1/policy",
        Some(&admin),
        Some(json!({"invite": "member"})),
    )
    .await;
    ok(again, 200);
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn bad_levels_and_bodies_are_422_and_change_nothing() {
    let s = TestServer::start().await;
    let root = s.admin("root").await;
    let admin = s.token_with(&root, "admin").await;
    for body in [
        json!({"create": "owner"}),
        json!({"remove_anywhere": "member"}),
        json!({"invite": "boss"}),
        json!({"invite": 3}),
        json!({"fly": "member"}),
        json!(["invite"]),
    ] {
        let reply = send(
            &s,
            reqwest::Method::PUT,
            "/v1/policy",
            Some(&admin),
            Some(body.clone()),
        )
        .await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        assert_eq!(reply.content_type, PROBLEM_CT);
    }
    let raw = send_raw(&s, reqwest::Method::PUT, "/v1/policy", &admin, "{").await;
    assert_eq!(raw.status, 400);
    let body = ok(s.native(&admin).get("/v1/policy").await, 200);
    for (action, level) in DEFAULTS {
        assert_eq!(body[action], level, "{action}");
    }
}

#[tokio::test]
async fn the_last_owner_is_protected_under_the_loosest_policy() {
    let s = TestServer::start().await;
    let root = s.admin("root").await;
    let owner = s.user("owner").await;
    let ann = s.user("ann").await;
    let c = s
        .community(&owner, "club", Visibility::Public, JoinPolicy::Open)
        .await;
    let admin = s.token_with(&root, "admin").await;
    let loose = json!({
        "invite": "member", "remove": "member", "ban": "member", "set_owner": "member",
        "set_manager": "member", "archive": "member", "unarchive": "member",
        "delete": "member", "leave": "member",
    });
    let put = send(
        &s,
        reqwest::Method::PUT,
        "/v1/policy",
        Some(&admin),
        Some(loose),
    )
    .await;
    ok(put, 200);
    let ann_token = s.token(&ann).await;
    ok(s.native(&ann_token).join(&c).await, 200);
    let owner_token = s.token(&owner).await;
    problem(s.native(&owner_token).leave(&c).await, 409, "last_owner");
    let demote = send(
        &s,
        reqwest::Method::PUT,
        &cpath(&c, &format!("/members/{}/role", owner.id)),
        Some(&ann_token),
        Some(json!({"role": "member"})),
    )
    .await;
    problem(demote, 409, "last_owner");
    let remove = s
        .native(&admin)
        .delete(&cpath(&c, &format!("/members/{}", owner.id)))
        .await;
    problem(remove, 409, "last_owner");
}
