//! One client must not be able to hold the server (issue 12): half-sent
//! and idle connections are closed by their timers while others are
//! served, SIGTERM finishes with such connections open, the connection cap
//! holds, a declared oversized body is refused 413 up front in each API's
//! shape, and a request routed nowhere does not consume its
//! `Idempotency-Key`. All traffic is on loopback; every wait is bounded and
//! asserts an outcome, never a speed.

use crate::common::TestServer;
use roster::http::connections::ConnectionLimits;
use roster_engine::{JoinPolicy, Visibility};
use serde_json::{json, Value};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout, timeout_at, Instant};

/// A `roster serve` process on a free port, killed when dropped.
struct Process {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Process {
    /// Start the binary with these extra `serve` flags and wait until ready.
    async fn start(flags: &[&str]) -> Process {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = crate::common::binary::free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_roster"))
            .arg("--database")
            .arg(format!("sqlite://{}", dir.path().join("r.db").display()))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(flags)
            .env_remove("ROSTER_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start roster");
        let process = Process {
            child,
            port,
            _dir: dir,
        };
        for _ in 0..300 {
            if healthz(port).await {
                return process;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("roster did not become ready");
    }

    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
    }

    /// The exit status, if the process exits within `bound`.
    async fn exit_within(&mut self, bound: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + bound;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        None
    }
}

/// A fresh client's `GET /healthz` answered 200 within five seconds.
async fn healthz(port: u16) -> bool {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    match client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
    {
        Ok(response) => response.status() == 200,
        Err(_) => false,
    }
}

async fn connect(port: u16) -> TcpStream {
    TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect")
}

/// A request whose head never ends (slowloris).
async fn half_sent(port: u16) -> TcpStream {
    let mut stream = connect(port).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: roster\r\nX-Slow: ")
        .await
        .expect("write");
    stream
}

/// A keep-alive connection that got one answer and then sends nothing.
async fn idle(port: u16) -> TcpStream {
    let mut stream = connect(port).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: roster\r\n\r\n")
        .await
        .expect("write");
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.ends_with(b"ok\n") {
        let n = timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("an answer within ten seconds")
            .expect("read");
        assert!(n > 0, "closed before answering");
        seen.extend_from_slice(&buf[..n]);
    }
    stream
}

/// Whether the server closed `stream` (EOF or reset) by `deadline`;
/// whatever it sends first is read and dropped.
async fn closed_by(stream: &mut TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

async fn count_closed(streams: &mut [TcpStream], bound: Duration) -> usize {
    let deadline = Instant::now() + bound;
    let mut closed = 0;
    for stream in streams.iter_mut() {
        if closed_by(stream, deadline).await {
            closed += 1;
        }
    }
    closed
}

#[tokio::test]
async fn half_sent_and_idle_connections_are_closed_while_others_are_served() {
    let server = Process::start(&["--header-read-timeout", "1s", "--idle-timeout", "2s"]).await;
    let port = server.port;
    let mut attackers = Vec::new();
    for _ in 0..200 {
        attackers.push(half_sent(port).await);
    }
    for _ in 0..100 {
        attackers.push(idle(port).await);
    }
    for _ in 0..5 {
        assert!(healthz(port).await, "/healthz failed under attack");
    }
    let closed = count_closed(&mut attackers, Duration::from_secs(20)).await;
    assert_eq!(closed, attackers.len(), "the timers closed every attacker");
    assert!(healthz(port).await);
}

#[tokio::test]
async fn sigterm_closes_half_sent_and_idle_connections_at_once() {
    // Timers far longer than the bounds below: only shutdown closes these.
    let mut server = Process::start(&[
        "--header-read-timeout",
        "120s",
        "--idle-timeout",
        "120s",
        "--shutdown-grace",
        "3s",
    ])
    .await;
    let port = server.port;
    let mut held = Vec::new();
    for _ in 0..50 {
        held.push(half_sent(port).await);
    }
    for _ in 0..20 {
        held.push(idle(port).await);
    }
    // In flight: a login whose body never arrives in full.
    let mut in_flight = connect(port).await;
    in_flight
        .write_all(
            b"POST /v1/tokens HTTP/1.1\r\nHost: roster\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"user",
        )
        .await
        .expect("write");
    assert!(healthz(port).await);

    server.terminate();
    let closed = count_closed(&mut held, Duration::from_secs(20)).await;
    assert_eq!(
        closed,
        held.len(),
        "shutdown closed every idle and half-sent connection"
    );
    assert!(
        closed_by(&mut in_flight, Instant::now() + Duration::from_secs(30)).await,
        "the request in flight was cut after the grace period"
    );
    let status = server.exit_within(Duration::from_secs(30)).await;
    assert!(status.is_some(), "roster did not exit after SIGTERM");
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = roster_store::sqlite::SqliteStore::open(&dir.path().join("r.db")).expect("db");
    let state = roster::app::AppState::new(std::sync::Arc::new(store));
    let app = roster::server::router(state, Duration::from_secs(30));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let limits = ConnectionLimits {
        max_connections: 3,
        ..ConnectionLimits::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(roster::server::serve_with(
        listener,
        app,
        limits,
        async move {
            let _ = stopped.await;
        },
    ));

    let mut holders = Vec::new();
    for _ in 0..3 {
        holders.push(idle(port).await);
    }
    let mut waiting = connect(port).await;
    waiting
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: roster\r\n\r\n")
        .await
        .expect("write");
    let mut buf = [0u8; 1024];
    let early = timeout(Duration::from_secs(1), waiting.read(&mut buf)).await;
    assert!(
        early.is_err(),
        "a fourth connection was served over the cap of 3: {early:?}"
    );

    drop(holders);
    let n = timeout(Duration::from_secs(10), waiting.read(&mut buf))
        .await
        .expect("served once a slot is free")
        .expect("read");
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 200 "),
        "{:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    assert!(healthz(port).await);
    let _ = stop.send(());
}

/// Send a request head declaring a 1 GB body with `Expect: 100-continue`,
/// and read the answer: its status line and JSON body. Panics if the
/// server says `100 Continue`.
async fn declare_huge_body(base: &str, path: &str, headers: &[(&str, &str)]) -> (String, Value) {
    let port: u16 = base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let mut stream = connect(port).await;
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: roster\r\nContent-Type: application/json\r\n\
         Content-Length: 1000000000\r\nExpect: 100-continue\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    let read = timeout(Duration::from_secs(10), async {
        let mut buf = [0u8; 4096];
        loop {
            if let Some((status, body)) = complete(&answer) {
                return (status, body);
            }
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => panic!("closed mid-answer: {}", String::from_utf8_lossy(&answer)),
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .expect("answered without the body being sent");
    assert!(!read.0.contains(" 100 "), "told 100 Continue: {}", read.0);
    read
}

/// The status line and JSON body of a whole answer, once it is all there.
fn complete(answer: &[u8]) -> Option<(String, Value)> {
    let text = std::str::from_utf8(answer).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    if body.len() < length {
        return None;
    }
    let status = head.lines().next().unwrap_or("").to_owned();
    Some((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

#[tokio::test]
async fn a_declared_oversized_body_is_refused_up_front_in_each_apis_shape() {
    let s = TestServer::start().await;
    let root = s.admin("root").await;
    let ann = s.user("ann").await;
    let club = s
        .community(&root, "club", Visibility::Public, JoinPolicy::Open)
        .await;
    let root_token = s.token(&root).await;
    let ann_token = s.token(&ann).await;
    let ann_bearer = format!("Bearer {ann_token}");
    let root_bearer = format!("Bearer {root_token}");
    let ann_id = ann.id.to_string();
    let events = s.event_count().await;

    let whisk = declare_huge_body(
        &s.base,
        &format!("/community/v2/{}/join", club.id().simple()),
        &[("Authorization", &ann_bearer)],
    )
    .await;
    assert!(whisk.0.starts_with("HTTP/1.1 413 "), "{}", whisk.0);
    assert_eq!(
        whisk.1,
        json!({"code": "general.payloadTooLarge", "message": "the body exceeds 65536 bytes"})
    );

    let rocketchat = declare_huge_body(
        &s.base,
        "/api/v1/groups.leave",
        &[("X-User-Id", &ann_id), ("X-Auth-Token", &ann_token)],
    )
    .await;
    assert!(
        rocketchat.0.starts_with("HTTP/1.1 413 "),
        "{}",
        rocketchat.0
    );
    assert_eq!(
        rocketchat.1,
        json!({
            "success": false,
            "error": "The request body exceeds 65536 bytes [error-payload-too-large]",
            "errorType": "error-payload-too-large",
            "details": {"method": "leaveRoom"},
        })
    );

    let course = declare_huge_body(
        &s.base,
        &format!("/api/v2/course/{}/invite/", club.num),
        &[("Authorization", &root_bearer)],
    )
    .await;
    assert!(course.0.starts_with("HTTP/1.1 413 "), "{}", course.0);
    assert_eq!(
        course.1,
        json!({"errors": [{"code": "payload_too_large", "message": "The request body exceeds 65536 bytes."}]})
    );

    let wix = declare_huge_body(
        &s.base,
        "/members/v1/members/leave-community",
        &[("Authorization", &ann_token)],
    )
    .await;
    assert!(wix.0.starts_with("HTTP/1.1 413 "), "{}", wix.0);
    let description = "the body exceeds 65536 bytes";
    assert_eq!(
        wix.1,
        json!({
            "message": description,
            "details": {"applicationError": {"code": "PAYLOAD_TOO_LARGE", "description": description, "data": {}}},
        })
    );

    for extra in [vec![], vec![("Idempotency-Key", "huge-1")]] {
        let mut headers = vec![("Authorization", ann_bearer.as_str())];
        headers.extend(extra);
        let native = declare_huge_body(&s.base, "/v1/communities", &headers).await;
        assert!(native.0.starts_with("HTTP/1.1 413 "), "{}", native.0);
        assert_eq!(native.1["code"], "body_too_large", "{}", native.1);
        assert_eq!(native.1["status"], 413, "{}", native.1);
    }
    assert_eq!(s.event_count().await, events, "nothing was written");
}

#[tokio::test]
async fn a_request_routed_nowhere_does_not_consume_its_idempotency_key() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let token = s.token(&ann).await;
    let body = json!({"name": "Chess"});
    let send = |method: reqwest::Method, path: &str| {
        s.client
            .request(method, s.url(path))
            .bearer_auth(&token)
            .header("Idempotency-Key", "chess-1")
            .json(&body)
            .send()
    };

    let wrong_method = send(reqwest::Method::PUT, "/v1/communities")
        .await
        .expect("send");
    assert_eq!(wrong_method.status(), 405);
    let unknown = send(reqwest::Method::POST, "/v1/no/such/route")
        .await
        .expect("send");
    assert_eq!(unknown.status(), 404);

    let created = send(reqwest::Method::POST, "/v1/communities")
        .await
        .expect("send");
    assert_eq!(created.status(), 201);
    assert!(created.headers().get("idempotent-replayed").is_none());
    let first: Value = created.json().await.expect("json");
    let again = send(reqwest::Method::POST, "/v1/communities")
        .await
        .expect("send");
    assert_eq!(again.status(), 201);
    assert_eq!(
        again
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    assert_eq!(again.json::<Value>().await.expect("json"), first);
}

/// `roster --database URL user list` in an empty directory: its stderr.
fn open_with(dir: &std::path::Path, url: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .current_dir(dir)
        .args(["--database", url, "user", "list"])
        .env_remove("ROSTER_DATABASE_URL")
        .output()
        .expect("run roster");
    assert!(!out.status.success(), "nothing listens on port 1");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn database_passwords_never_reach_an_error_and_key_value_strings_are_postgres() {
    let dir = tempfile::tempdir().expect("temp dir");
    for url in [
        "host=127.0.0.1 port=1 user=u password=hunter2 dbname=d",
        "host=127.0.0.1 port=1 user=u password='hunter2 x' dbname=d",
        "postgres://u:hunter2@127.0.0.1:1/d",
        "postgres://u@127.0.0.1:1/d?PASSWORD=hunter2&sslmode=disable",
        "postgresql://u@127.0.0.1:1/d?sslpassword=hunter2",
    ] {
        let stderr = open_with(dir.path(), url);
        assert!(!stderr.contains("hunter2"), "{url}: {stderr}");
        // Taken as PostgreSQL: refused by its parser (an upper-case option)
        // or by the closed port, never opened as a file.
        assert!(
            stderr.contains("storage failure: postgres: "),
            "{url}: {stderr}"
        );
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("read dir").collect();
    assert!(left.is_empty(), "no SQLite file was created: {left:?}");
}

#[tokio::test]
async fn a_request_head_over_the_limit_is_431() {
    let s = TestServer::start().await;
    let port: u16 = s
        .base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    for (padding, status) in [(4_000, "HTTP/1.1 200 "), (20_000, "HTTP/1.1 431 ")] {
        let mut stream = connect(port).await;
        let head = format!(
            "GET /healthz HTTP/1.1\r\nHost: roster\r\nX-Padding: {}\r\n\r\n",
            "a".repeat(padding)
        );
        stream.write_all(head.as_bytes()).await.expect("write");
        let mut buf = [0u8; 256];
        let n = timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("answered")
            .expect("read");
        let answer = String::from_utf8_lossy(&buf[..n]);
        assert!(answer.starts_with(status), "{padding}: {answer}");
    }
}

#[tokio::test]
async fn over_https_silent_and_half_handshaken_connections_are_closed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let names = vec!["127.0.0.1".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).expect("certificate");
    let files = roster::config::TlsFiles {
        cert: dir.path().join("cert.pem"),
        key: dir.path().join("key.pem"),
    };
    std::fs::write(&files.cert, certified.cert.pem()).expect("write cert");
    std::fs::write(&files.key, certified.key_pair.serialize_pem()).expect("write key");
    let store = roster_store::sqlite::SqliteStore::open(&dir.path().join("r.db")).expect("db");
    let state = roster::app::AppState::new(std::sync::Arc::new(store));
    let app = roster::server::router(state, Duration::from_secs(30));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let limits = ConnectionLimits {
        header_read_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(2),
        ..ConnectionLimits::default()
    };
    let tls = roster::tls::load(&files).expect("load tls");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(roster::server::serve_tls_with(
        listener,
        app,
        tls,
        limits,
        async move {
            let _ = stopped.await;
        },
    ));

    // No handshake at all, and a handshake cut short.
    let mut silent = Vec::new();
    for _ in 0..20 {
        silent.push(connect(port).await);
    }
    for _ in 0..20 {
        let mut stream = connect(port).await;
        stream
            .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00])
            .await
            .expect("write");
        silent.push(stream);
    }
    let root = reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).expect("root");
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(root)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let answer = client
        .get(format!("https://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .expect("https /healthz under attack");
    assert_eq!(answer.status(), 200);
    let closed = count_closed(&mut silent, Duration::from_secs(20)).await;
    assert_eq!(
        closed,
        silent.len(),
        "the header-read timer closed every silent connection"
    );
    let _ = stop.send(());
}
