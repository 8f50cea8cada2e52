//! Password guessing and failed-login floods (issue 12): repeated wrong
//! passwords are refused with 429 and `Retry-After` in the shape of each
//! API that takes passwords, the right password works again once the
//! back-off is over, and 128 concurrent wrong-password logins leave the
//! real binary's peak RSS bounded (the password pool).

use crate::common::{json, TestServer, PASSWORD};
use roster::ratelimit::{LimitConfig, Limits, Rate};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Only the back-off: `after` free failures, then `backoff` (doubling, capped at `max`).
fn backoff(after: u32, backoff: Duration, max: Duration) -> Limits {
    Limits::new(LimitConfig {
        limit_loopback: true,
        login_per_address: Rate::OFF,
        login_per_account: Rate::OFF,
        backoff_after: Some(after),
        backoff,
        backoff_max: max,
        ..LimitConfig::default()
    })
}

async fn rc_login(s: &TestServer, user: &str, password: &str) -> reqwest::Response {
    s.client
        .post(s.url("/api/v1/login"))
        .json(&json!({ "user": user, "password": password }))
        .send()
        .await
        .expect("login")
}

async fn native_token(s: &TestServer, user: &str, password: &str) -> reqwest::Response {
    s.client
        .post(s.url("/v1/tokens"))
        .json(&json!({ "username": user, "password": password }))
        .send()
        .await
        .expect("create token")
}

/// The `Retry-After` seconds of a response (panics when absent).
fn retry_after(response: &reqwest::Response) -> u64 {
    response
        .headers()
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .expect("whole seconds")
}

#[tokio::test]
async fn repeated_wrong_passwords_get_429_in_rocketchat_and_native_shapes() {
    let s = TestServer::start_with(|state| {
        state.with_limits(backoff(
            3,
            Duration::from_secs(60),
            Duration::from_secs(600),
        ))
    })
    .await;
    s.user("ann").await;
    s.user("bob").await;

    // Rocket.Chat: three free failures, then the back-off.
    for _ in 0..3 {
        assert_eq!(rc_login(&s, "ann", "wrong password").await.status(), 401);
    }
    let refused = rc_login(&s, "ann", "wrong password").await;
    assert_eq!(retry_after(&refused), 60);
    let (status, body) = json(refused).await;
    assert_eq!(status, 429);
    assert_eq!(
        body,
        json!({
            "success": false,
            "error": "Error, too many requests. Please slow down. You must wait 60 seconds before trying this endpoint again. [error-too-many-requests]",
            "errorType": "error-too-many-requests",
            "details": { "timeToReset": 60000, "seconds": 60 },
        })
    );
    // During the back-off even the right password is not checked.
    assert_eq!(rc_login(&s, "ann", PASSWORD).await.status(), 429);

    // Native: the same back-off on token creation, as an RFC 9457 problem.
    for _ in 0..3 {
        assert_eq!(
            native_token(&s, "bob", "wrong password").await.status(),
            401
        );
    }
    let refused = native_token(&s, "bob", "wrong password").await;
    assert!(retry_after(&refused) >= 59, "{refused:?}");
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let (status, body) = json(refused).await;
    assert_eq!(status, 429);
    assert_eq!(body["code"], "too_many_requests");
    assert_eq!(body["status"], 429);
    assert_eq!(
        body["type"],
        "https://roster.dev/problems/too_many_requests"
    );
    // One account's back-off is the same whichever name reaches it.
    assert_eq!(
        native_token(&s, "bob@example.com", PASSWORD).await.status(),
        429
    );
}

#[tokio::test]
async fn the_per_address_login_limit_refuses_with_retry_after() {
    let s = TestServer::start_with(|state| {
        state.with_limits(Limits::new(LimitConfig {
            login_per_address: Rate::per(2, Duration::from_secs(3600)),
            backoff_after: None,
            ..LimitConfig::default()
        }))
    })
    .await;
    s.user("ann").await;
    assert_eq!(rc_login(&s, "ann", "wrong password").await.status(), 401);
    assert_eq!(
        native_token(&s, "ann", "wrong password").await.status(),
        401
    );
    let refused = native_token(&s, "nobody", "wrong password").await;
    assert!(retry_after(&refused) > 1000, "{refused:?}");
    assert_eq!(refused.status(), 429);
    let refused = rc_login(&s, "ann", PASSWORD).await;
    assert_eq!(refused.status(), 429);
    let (_, body) = json(refused).await;
    assert_eq!(body["errorType"], "error-too-many-requests");
}

#[tokio::test]
async fn the_right_password_works_again_after_the_back_off() {
    let s = TestServer::start_with(|state| {
        state.with_limits(backoff(1, Duration::from_secs(1), Duration::from_secs(1)))
    })
    .await;
    s.user("ann").await;
    assert_eq!(rc_login(&s, "ann", "wrong password").await.status(), 401);
    let locked = rc_login(&s, "ann", PASSWORD).await;
    assert_eq!(locked.status(), 429);
    assert_eq!(retry_after(&locked), 1);

    // Bounded wait: the lock is one second; allow up to 20 tries.
    let mut answered = Vec::new();
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let status = rc_login(&s, "ann", PASSWORD).await.status().as_u16();
        answered.push(status);
        if status == 200 {
            break;
        }
    }
    assert_eq!(answered.last(), Some(&200), "answers: {answered:?}");
    assert!(
        answered.iter().all(|&s| s == 200 || s == 429),
        "{answered:?}"
    );
    // The success cleared the lock: the next wrong password is checked
    // (401), not refused, and it starts a new back-off.
    assert_eq!(rc_login(&s, "ann", "wrong password").await.status(), 401);
    assert_eq!(native_token(&s, "ann", PASSWORD).await.status(), 429);
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn roster(db: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roster"));
    command
        .arg("--database")
        .arg(format!("sqlite://{}", db.display()))
        .env_remove("ROSTER_DATABASE_URL");
    command
}

/// Peak resident memory of a process, in KiB (`VmHWM`).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

/// The stated bound: default argon2 memory (19 MiB a hash), a pool of two
/// workers and a queue of 32 (measured: about 60 MB); without the pool 128
/// hashes need 2.4 GiB.
const RSS_BOUND_KIB: u64 = 150 * 1024;

#[tokio::test]
async fn concurrent_wrong_password_logins_keep_the_peak_rss_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("roster.db");
    let created = roster(&db)
        .args([
            "user",
            "create",
            "--username",
            "ann",
            "--password",
            PASSWORD,
        ])
        .output()
        .unwrap();
    assert!(created.status.success(), "{created:?}");
    let port = crate::common::binary::free_port();
    let child = roster(&db)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        // Only the pool bounds the work here: no login limit refuses first.
        .args([
            "--login-limit-per-address",
            "off",
            "--login-limit-per-account",
            "off",
        ])
        .args(["--login-backoff-after", "off", "--password-workers", "2"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..400 {
        let answer = client.get(format!("{base}/readyz")).send().await;
        if answer.is_ok_and(|r| r.status().is_success()) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "server did not become ready");

    let logins = (0..128).map(|i| {
        let client = client.clone();
        let url = format!("{base}/api/v1/login");
        tokio::spawn(async move {
            let response = client
                .post(url)
                .json(&json!({ "user": "ann", "password": format!("wrong password {i}") }))
                .send()
                .await
                .expect("answered");
            let busy_retry = response.headers().get("retry-after").is_some();
            let (status, body) = json(response).await;
            (status, busy_retry, body)
        })
    });
    let mut statuses = Vec::new();
    for login in logins {
        let (status, has_retry_after, body): (u16, bool, Value) = login.await.unwrap();
        if status == 503 {
            assert!(has_retry_after, "503 without Retry-After");
            assert_eq!(body["errorType"], "error-server-busy");
        }
        statuses.push(status);
    }
    assert!(
        statuses.iter().all(|&s| s == 401 || s == 503),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().filter(|&&s| s == 401).count() >= 2,
        "{statuses:?}"
    );
    let peak = peak_rss_kib(server.0.id());
    assert!(
        peak < RSS_BOUND_KIB,
        "peak RSS {peak} KiB over the bound {RSS_BOUND_KIB} KiB"
    );
    // The server still answers a right password afterwards.
    let response = client
        .post(format!("{base}/api/v1/login"))
        .json(&json!({ "user": "ann", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    eprintln!("peak RSS after 128 concurrent wrong-password logins: {peak} KiB");
}
