//! `GET /v1/events/stream`: the backlog, then live events, `id:` = seq,
//! and a reconnect with `Last-Event-ID` that misses nothing.

use super::{admin_and_community, joins, seqs_after};
use crate::common::native::problem;
use crate::common::TestServer;
use futures_util::StreamExt;
use std::time::Duration;

/// Read SSE messages from `response` until `count` have arrived (bounded).
async fn read(response: reqwest::Response, count: usize) -> Vec<(i64, serde_json::Value)> {
    let mut body = response.bytes_stream();
    let mut text = String::new();
    let mut messages = Vec::new();
    while messages.len() < count {
        let chunk = tokio::time::timeout(Duration::from_secs(20), body.next())
            .await
            .expect("the stream went quiet")
            .expect("the stream ended")
            .expect("a chunk");
        text.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = text.find("\n\n") {
            let frame: String = text.drain(..end + 2).collect();
            let mut id = None;
            let mut data = None;
            for line in frame.lines() {
                if let Some(value) = line.strip_prefix("id:") {
                    id = value.trim().parse::<i64>().ok();
                } else if let Some(value) = line.strip_prefix("data:") {
                    data = serde_json::from_str(value.trim()).ok();
                }
            }
            if let (Some(id), Some(data)) = (id, data) {
                messages.push((id, data));
            }
        }
    }
    messages
}

async fn open(
    server: &TestServer,
    token: &str,
    query: &str,
    last: Option<i64>,
) -> reqwest::Response {
    let mut request = server
        .client
        .get(server.url(&format!("/v1/events/stream{query}")))
        .bearer_auth(token);
    if let Some(last) = last {
        request = request.header("Last-Event-ID", last.to_string());
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    response
}

#[tokio::test]
async fn the_stream_resumes_with_last_event_id_and_misses_nothing() {
    let server = TestServer::start().await;
    let (_, admin, community) = admin_and_community(&server).await;
    joins(&server, &community, "s", 3).await;
    let backlog = seqs_after(&server, None, 0).await;

    // The backlog, then a live event, from one connection.
    let response = open(&server, &admin, "?after=0", None).await;
    let reader = tokio::spawn(read(response, backlog.len() + 2));
    joins(&server, &community, "live", 1).await; // two events: site and community
    let first = reader.await.unwrap();
    let ids: Vec<i64> = first.iter().map(|(id, _)| *id).collect();
    let all = seqs_after(&server, None, 0).await;
    assert_eq!(ids, all[..ids.len()].to_vec());
    for (id, data) in &first {
        assert_eq!(data["seq"].as_i64(), Some(*id));
    }
    // Disconnected; changes meanwhile; resumed from the last id seen.
    let last = *ids.last().unwrap();
    joins(&server, &community, "gone", 3).await;
    let missed = seqs_after(&server, None, last).await;
    let response = open(&server, &admin, "?after=0", Some(last)).await;
    let resumed = read(response, missed.len()).await;
    let ids: Vec<i64> = resumed.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ids, missed,
        "Last-Event-ID wins over after=, and nothing is missed"
    );
}

#[tokio::test]
async fn a_community_stream_is_for_its_managers_and_every_one_for_admins() {
    let server = TestServer::start().await;
    let (root, admin, community) = admin_and_community(&server).await;
    let _ = root;
    let member = server.user("m").await;
    server
        .exec(&member, &community, roster_engine::Command::Join)
        .await;
    let member_token = server.token(&member).await;
    let reply = crate::common::native::get(&server, "/v1/events/stream", &member_token).await;
    assert_eq!(reply.status, 403);
    let path = format!("/v1/events/stream?community={}", community.id().0);
    problem(
        crate::common::native::get(&server, &path, &member_token).await,
        403,
        "not_permitted",
    );
    problem(
        crate::common::native::get(&server, "/v1/events/stream?after=x", &admin).await,
        400,
        "invalid_query",
    );
    problem(
        crate::common::native::get(&server, "/v1/events/stream?community=nope", &admin).await,
        400,
        "invalid_id",
    );
    let expected = seqs_after(&server, Some(&community), 0).await;
    let response = open(
        &server,
        &admin,
        &format!("?community={}", community.id().0),
        None,
    )
    .await;
    let got: Vec<i64> = read(response, expected.len())
        .await
        .iter()
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(got, expected);
}
