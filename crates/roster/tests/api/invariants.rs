//! Invariants under concurrent clients over HTTP: owners racing to leave,
//! members churning, and after every round a community with members still
//! has an owner, its counters equal its rows, and each accepted change wrote
//! exactly one event.

use crate::common::{json, TestServer};
use roster_engine::{JoinPolicy, Role, Standing, Visibility};
use roster_store::{Community, MemberQuery, Paging, User};
use serde_json::json;

/// Counts the community's rows by listing them (not from its counters).
async fn rows(server: &TestServer, community: &Community) -> Vec<(User, Standing)> {
    let id = community.id();
    server
        .state
        .run(move |store| {
            store.members(
                id,
                &MemberQuery {
                    standings: Standing::STORED.to_vec(),
                    paging: Paging::After(None),
                    limit: 1000,
                },
            )
        })
        .await
        .expect("members")
        .items
        .into_iter()
        .map(|row| (row.user, row.standing))
        .collect()
}

async fn assert_invariants(server: &TestServer, community: &Community) -> Vec<(User, Standing)> {
    let rows = rows(server, community).await;
    let counters = server.reload(community).await.state.counters;
    let count = |f: &dyn Fn(Standing) -> bool| rows.iter().filter(|(_, s)| f(*s)).count() as i64;
    assert_eq!(
        counters.members,
        count(&|s| s.is_member()),
        "members counter"
    );
    assert_eq!(
        counters.owners,
        count(&|s| s == Standing::Member(Role::Owner)),
        "owners counter"
    );
    assert_eq!(
        counters.pending,
        count(&|s| s == Standing::Requested),
        "pending counter"
    );
    assert_eq!(
        counters.invited,
        count(&|s| s == Standing::Invited),
        "invited counter"
    );
    if counters.members > 0 {
        assert!(
            counters.owners >= 1,
            "a community with members has an owner"
        );
    }
    rows
}

/// POST/PUT with a token; returns (status, changed). Owned arguments, so
/// that calls can be spawned and really run in parallel.
async fn call(
    client: reqwest::Client,
    url: String,
    method: reqwest::Method,
    token: String,
    body: serde_json::Value,
) -> (u16, bool) {
    let response = client
        .request(method, &url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let (status, body) = json(response).await;
    assert!(
        status < 500,
        "{url} answered {status}: {body}; a race must never surface as a server error"
    );
    (status, body["changed"] == json!(true))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn owners_racing_to_leave_never_leave_a_community_without_an_owner() {
    let server = TestServer::start().await;
    let mut users = Vec::new();
    for i in 0..6 {
        let user = server.user(&format!("racer{i}")).await;
        let token = server.token(&user).await;
        users.push((user, token));
    }
    let community = server
        .community(&users[0].0, "Race", Visibility::Public, JoinPolicy::Open)
        .await;
    let id = community.id();
    let events_at_start = server.event_count().await;
    let mut accepted = 0usize;

    for round in 0..12 {
        // Everyone is (back) in; the current owners promote two others.
        for (_, token) in &users {
            let join = server.url(&format!("/v1/communities/{id}/join"));
            let (_, changed) = call(
                server.client.clone(),
                join,
                reqwest::Method::POST,
                token.clone(),
                json!({}),
            )
            .await;
            accepted += changed as usize;
        }
        let rows = assert_invariants(&server, &community).await;
        let owner_token = rows
            .iter()
            .find(|(_, s)| *s == Standing::Member(Role::Owner))
            .and_then(|(owner, _)| users.iter().find(|(u, _)| u.id == owner.id))
            .map(|(_, t)| t.clone())
            .expect("an owner");
        for k in 0..2 {
            let (target, _) = &users[(round + k + 1) % users.len()];
            let url = server.url(&format!("/v1/communities/{id}/members/{}/role", target.id));
            let (status, changed) = call(
                server.client.clone(),
                url,
                reqwest::Method::PUT,
                owner_token.clone(),
                json!({"role": "owner"}),
            )
            .await;
            assert_eq!(status, 200);
            accepted += changed as usize;
        }

        // Everybody leaves at once: owners race each other for the last seat.
        let mut racers = tokio::task::JoinSet::new();
        for (_, token) in &users {
            let url = server.url(&format!("/v1/communities/{id}/leave"));
            racers.spawn(call(
                server.client.clone(),
                url,
                reqwest::Method::POST,
                token.clone(),
                json!({}),
            ));
        }
        let results = racers.join_all().await;
        let left = results.iter().filter(|(s, _)| *s == 200).count();
        let refused = results.iter().filter(|(s, _)| *s == 409).count();
        assert_eq!(left + refused, users.len(), "{results:?}");
        assert_eq!(refused, 1, "exactly the last owner stays: {results:?}");
        accepted += results.iter().filter(|(_, changed)| *changed).count();
        let rows = assert_invariants(&server, &community).await;
        assert_eq!(rows.len(), 1, "only the last owner remains");
    }

    assert_eq!(
        server.event_count().await - events_at_start,
        accepted,
        "each accepted change wrote exactly one event, refusals none"
    );
}
