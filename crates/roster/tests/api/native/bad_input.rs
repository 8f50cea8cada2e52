//! Hostile and malformed requests: each gets a problem document, never a
//! 500, a hang or a partial write.

use super::*;

/// Send a chunked body (no Content-Length) over a raw socket; returns the
/// status line and the body.
async fn chunked(s: &TestServer, path: &str, token: &str, size: usize) -> (String, String) {
    let address = s.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'a'; 8192];
    let mut sent = 0;
    while sent < size {
        let frame = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk.clone(),
            b"\r\n".to_vec(),
        ]
        .concat();
        if stream.write_all(&frame).await.is_err() {
            break; // the server answered and closed early
        }
        sent += chunk.len();
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.lines().next().unwrap_or("").to_owned();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

/// A world with Ann's public community "Target", and the event count
/// before the test's requests.
struct Target {
    w: World,
    c: Community,
    events: usize,
}

async fn target() -> Target {
    let w = world().await;
    let c =
        w.s.community(&w.ann, "Target", Visibility::Public, JoinPolicy::Open)
            .await;
    let events = w.s.event_count().await;
    Target { w, c, events }
}

/// No event, no change to "Target", no new community of Ann's.
async fn assert_nothing_written(t: &Target) {
    let s = &t.w.s;
    assert_eq!(s.event_count().await, t.events);
    assert_eq!(s.reload(&t.c).await.state.settings.name, "Target");
    let mine = ok(
        get(s, "/v1/communities?standing=owner", &t.w.ann_token).await,
        200,
    );
    assert_eq!(mine["total"], 1);
}

/// Malformed JSON, wrong types, wrong shapes, unknown fields.
#[tokio::test]
async fn malformed_or_mistyped_bodies_are_problems_and_write_nothing() {
    let t = target().await;
    let (s, c, token) = (&t.w.s, &t.c, &t.w.ann_token);

    problem(
        send_raw(s, Method::POST, "/v1/communities", token, "{\"name\": ").await,
        400,
        "malformed_json",
    );
    problem(
        send_raw(s, Method::POST, "/v1/communities", token, "not json").await,
        400,
        "malformed_json",
    );
    problem(
        send_raw(s, Method::POST, "/v1/communities", token, "{\"name\": 42}").await,
        422,
        "invalid_body",
    );
    problem(
        send_raw(s, Method::POST, "/v1/communities", token, "[\"name\"]").await,
        422,
        "invalid_body",
    );
    problem(
        send_raw(s, Method::POST, "/v1/communities", token, "null").await,
        422,
        "invalid_body",
    );
    problem(
        send_raw(s, Method::POST, "/v1/communities", token, "{}").await,
        422,
        "invalid_body",
    );
    problem(
        send_raw(
            s,
            Method::POST,
            "/v1/communities",
            token,
            "{\"name\": \"X\", \"nmae\": 1}",
        )
        .await,
        422,
        "invalid_body",
    );
    problem(
        send_raw(
            s,
            Method::PUT,
            &cpath(c, &format!("/members/{}/role", t.w.ann.id)),
            token,
            "{\"role\": [1]}",
        )
        .await,
        422,
        "invalid_body",
    );
    problem(
        send_raw(
            s,
            Method::POST,
            &cpath(c, "/join"),
            token,
            "{\"user_id\": 12}",
        )
        .await,
        422,
        "invalid_body",
    );
    problem(
        send_raw(s, Method::POST, &cpath(c, "/join"), token, "\u{0}").await,
        400,
        "malformed_json",
    );

    assert_nothing_written(&t).await;
}

/// Over 64 KiB: refused whole, with a declared length or chunked.
#[tokio::test]
async fn bodies_over_64_kib_are_413_declared_or_chunked_and_write_nothing() {
    let t = target().await;
    let (s, token) = (&t.w.s, &t.w.ann_token);

    let huge = format!("{{\"name\": \"{}\"}}", "a".repeat(70 * 1024));
    let reply = send_raw(s, Method::POST, "/v1/communities", token, &huge).await;
    assert_eq!(reply.status, 413);
    let (status, body) = chunked(s, "/v1/communities", token, 70 * 1024).await;
    assert!(status.contains(" 413 "), "{status}");
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    assert_eq!(body["code"], "body_too_large", "{body}");

    assert_nothing_written(&t).await;
}

#[tokio::test]
async fn invalid_and_unknown_ids_are_problems_and_write_nothing() {
    let t = target().await;
    let (s, c, token) = (&t.w.s, &t.c, &t.w.ann_token);

    let body = problem(
        get(s, "/v1/communities/not-a-uuid", token).await,
        400,
        "invalid_id",
    );
    assert_eq!(body["detail"], "community id 'not-a-uuid' is not a UUID");
    problem(
        get(
            s,
            "/v1/communities/%27%3B%20DROP%20TABLE%20users%3B%20--",
            token,
        )
        .await,
        400,
        "invalid_id",
    );
    problem(
        get(s, &format!("/v1/communities/{}", "9".repeat(5000)), token).await,
        400,
        "invalid_id",
    );
    problem(
        get(s, "/v1/communities/%FF%FE", token).await,
        400,
        "invalid_id",
    );
    problem(
        send(
            s,
            Method::DELETE,
            &cpath(c, "/members/xyz"),
            Some(token),
            None,
        )
        .await,
        400,
        "invalid_id",
    );
    problem(get(s, "/v1/users/12", token).await, 400, "invalid_id");
    problem(
        get(
            s,
            &format!("/v1/communities/{}", uuid::Uuid::new_v4()),
            token,
        )
        .await,
        404,
        "community_not_found",
    );
    problem(
        send(
            s,
            Method::DELETE,
            &cpath(c, &format!("/members/{}", uuid::Uuid::new_v4())),
            Some(token),
            None,
        )
        .await,
        404,
        "user_not_found",
    );

    assert_nothing_written(&t).await;
}

/// Very long strings, control characters, padding.
#[tokio::test]
async fn hostile_strings_are_invalid_and_write_nothing() {
    let t = target().await;
    let (s, c, token) = (&t.w.s, &t.c, &t.w.ann_token);

    let long = "n".repeat(10 * 1024);
    let body = problem(
        post(s, "/v1/communities", token, json!({"name": long})).await,
        422,
        "invalid",
    );
    assert_eq!(body["field"], "name");
    let body = problem(
        post(
            s,
            "/v1/communities",
            token,
            json!({"name": "bell\u{7}name"}),
        )
        .await,
        422,
        "invalid",
    );
    assert_eq!(body["field"], "name");
    let body = problem(
        post(
            s,
            "/v1/communities",
            token,
            json!({"name": "ok", "description": "nul\u{0}here"}),
        )
        .await,
        422,
        "invalid",
    );
    assert_eq!(body["field"], "description");
    problem(
        post(s, "/v1/communities", token, json!({"name": "  padded "})).await,
        422,
        "invalid",
    );
    problem(
        send(
            s,
            Method::PATCH,
            &cpath(c, ""),
            Some(token),
            Some(json!({"name": "x".repeat(101)})),
        )
        .await,
        422,
        "invalid",
    );

    assert_nothing_written(&t).await;
}

/// SQL metacharacters are data, stored and returned verbatim.
#[tokio::test]
async fn sql_metacharacters_and_unicode_are_stored_verbatim() {
    let t = target().await;
    let (s, token) = (&t.w.s, &t.w.ann_token);

    let name = "'; DROP TABLE users; --";
    let created = ok(
        post(
            s,
            "/v1/communities",
            token,
            json!({"name": name, "description": "\" OR 1=1 --\n\ttab"}),
        )
        .await,
        201,
    );
    assert_eq!(created["community"]["name"], name);
    let id = created["community"]["id"].as_str().unwrap();
    let read = ok(get(s, &format!("/v1/communities/{id}"), token).await, 200);
    assert_eq!(read["name"], name);
    assert_eq!(read["description"], "\" OR 1=1 --\n\ttab");
    ok(s.native(&t.w.bob_token).me().await, 200);
    // Unicode is fine.
    let unicode = ok(
        post(
            s,
            "/v1/communities",
            token,
            json!({"name": "Cafe \u{2615} \u{65e5}\u{672c}"}),
        )
        .await,
        201,
    );
    assert_eq!(
        unicode["community"]["name"],
        "Cafe \u{2615} \u{65e5}\u{672c}"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let s = TestServer::start().await;
    let body = problem(
        send(&s, Method::GET, "/v1/nowhere", None, None).await,
        404,
        "not_found",
    );
    assert_eq!(body["detail"], "no route /v1/nowhere");
    let response = s.client.put(s.url("/v1/communities")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    let allow = response.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    problem(reply(response).await, 405, "method_not_allowed");
}

/// A 70 KiB body (over the 64 KiB limit) that would otherwise be accepted.
fn oversized_community() -> String {
    format!(
        "{{\"name\": \"Big\", \"description\": \"{}\"}}",
        "a".repeat(70 * 1024)
    )
}

#[tokio::test]
async fn oversized_bodies_get_a_413_problem_and_write_nothing() {
    let w = world().await;
    let s = &w.s;
    let events = s.event_count().await;
    let expected = json!({
        "type": "https://roster.dev/problems/body_too_large",
        "title": "Body too large",
        "status": 413,
        "detail": "the body exceeds 65536 bytes",
        "code": "body_too_large",
    });

    // With a Content-Length.
    let declared = send_raw(
        s,
        Method::POST,
        "/v1/communities",
        &w.ann_token,
        &oversized_community(),
    )
    .await;
    assert_eq!(
        (
            declared.status,
            declared.content_type.as_str(),
            &declared.body
        ),
        (413, PROBLEM_CT, &expected)
    );

    // Chunked, with no length announced.
    let response = s
        .client
        .post(s.url("/v1/communities"))
        .bearer_auth(&w.ann_token)
        .header("content-type", JSON_CT)
        .body(common::chunked(oversized_community()))
        .send()
        .await
        .expect("send");
    let chunked = reply(response).await;
    assert_eq!(
        (chunked.status, chunked.content_type.as_str(), &chunked.body),
        (413, PROBLEM_CT, &expected)
    );
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn a_top_level_array_is_not_read_as_an_object() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Target", Visibility::Public, JoinPolicy::Open)
        .await;
    s.exec(&w.bob, &c, Command::Join).await;
    let events = s.event_count().await;
    let cases = [
        (
            Method::POST,
            "/v1/communities".to_owned(),
            json!(["Arrays"]),
        ),
        (
            Method::PUT,
            cpath(&c, &format!("/members/{}/role", w.bob.id)),
            json!(["manager"]),
        ),
        (
            Method::POST,
            cpath(&c, "/transfer"),
            json!([w.bob.id.to_string()]),
        ),
        (Method::POST, "/v1/communities".to_owned(), json!("Arrays")),
    ];
    for (method, path, body) in cases {
        let reply = send_raw(s, method, &path, &w.ann_token, &body.to_string()).await;
        let body = problem(reply, 422, "invalid_body");
        assert_eq!(body["detail"], "the body must be a JSON object", "{path}");
    }
    assert_eq!(s.event_count().await, events);
    assert_eq!(s.standing(&c, &w.bob).await, Standing::Member(Role::Member));
    assert_eq!(s.standing(&c, &w.ann).await, Standing::Member(Role::Owner));
}

#[tokio::test]
async fn a_route_without_a_body_never_waits_for_one() {
    let w = world().await;
    let s = &w.s;
    use futures_util::StreamExt as _;
    // A body that never ends: a route that read it would never answer.
    let endless = futures_util::stream::iter([Ok::<_, std::io::Error>(vec![b'a'; 8192])])
        .chain(futures_util::stream::pending());
    let response = s
        .client
        .get(s.url("/v1/users/me"))
        .bearer_auth(&w.ann_token)
        .body(reqwest::Body::wrap_stream(endless))
        .send()
        .await
        .expect("send");
    let body = ok(reply(response).await, 200);
    assert_eq!(body["username"], "ann");
}
