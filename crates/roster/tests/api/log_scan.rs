//! No secret reaches a log line. Runs the real binary with `RUST_LOG=debug`
//! and JSON logs, drives every path that handles a secret (users created
//! with passwords, password changes, native and Rocket.Chat logins, right
//! and wrong passwords, tokens issued by the CLI and the API and then used,
//! a PostgreSQL URL carrying a password that cannot connect, in each of its
//! forms), and scans everything the processes wrote to stderr and stdout
//! (except the one stdout line where the CLI prints the token it issues,
//! which is its output) for a password, a token, a password hash or the
//! database password.

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const ADMIN_PASSWORD: &str = "admin-pass-Kq81vZ";
const NEW_USER_PASSWORD: &str = "new-user-pass-Wm3x";
const CHANGED_PASSWORD: &str = "changed-pass-Tr55q";
const WRONG_PASSWORD: &str = "wrong-pass-Zx09p";
const DATABASE_PASSWORD: &str = "db-secret-Hh72c";

fn roster(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roster"));
    command
        .current_dir(dir)
        .env_remove("ROSTER_DATABASE_URL")
        .env("RUST_LOG", "debug")
        .env("ROSTER_LOG_FORMAT", "json");
    command
}

/// Run a CLI command to the end (at most 60 s), returning (ok, stdout, stderr).
fn run(mut command: Command) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = command
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("run roster");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    (status.is_some_and(|s| s.success()), read(&out), read(&err))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

use crate::common::binary::free_port;

#[tokio::test]
async fn no_secret_reaches_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("r.db").display());
    let mut logs = String::new();

    let mut create = roster(dir.path());
    create.args(["--database", &db, "user", "create", "--username", "root"]);
    create.args(["--password", ADMIN_PASSWORD, "--admin"]);
    let (ok, out, err) = run(create);
    assert!(ok, "user create: {err}");
    logs.push_str(&out);
    logs.push_str(&err);
    let mut issue = roster(dir.path());
    issue.args(["--database", &db, "token", "create", "--username", "root"]);
    issue.args(["--scope", "community:read,community:write,admin"]);
    let (ok, cli_token, err) = run(issue);
    assert!(ok, "token create: {err}");
    let cli_token = cli_token.trim().to_owned();
    logs.push_str(&err);

    let port = free_port();
    let log_path = dir.path().join("server.log");
    let log_file = std::fs::File::create(&log_path).unwrap();
    let child = roster(dir.path())
        .args(["--database", &db, "serve", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(log_file.try_clone().unwrap())
        .stderr(log_file)
        .spawn()
        .expect("start server");
    let server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..200 {
        if let Ok(response) = client.get(format!("{base}/readyz")).send().await {
            if response.status().is_success() {
                ready = true;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "server did not become ready");

    let post = |path: &str, token: Option<&str>, body: Value| {
        let mut request = client.post(format!("{base}{path}")).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let created = post(
        "/v1/users",
        Some(&cli_token),
        json!({"username": "nina", "password": NEW_USER_PASSWORD}),
    )
    .await
    .unwrap();
    assert_eq!(created.status(), 201);
    let issued: Value = post(
        "/v1/tokens",
        None,
        json!({"username": "nina", "password": NEW_USER_PASSWORD}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let api_token = issued["token"].as_str().expect("token").to_owned();
    let wrong = post(
        "/v1/tokens",
        None,
        json!({"username": "nina", "password": WRONG_PASSWORD}),
    )
    .await
    .unwrap();
    assert_eq!(wrong.status(), 401);
    let changed = client
        .patch(format!("{base}/v1/users/me"))
        .bearer_auth(&api_token)
        .json(&json!({"password": CHANGED_PASSWORD, "current_password": NEW_USER_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    let login: Value = post(
        "/api/v1/login",
        None,
        json!({"user": "root", "password": ADMIN_PASSWORD}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let rc_token = login["data"]["authToken"]
        .as_str()
        .expect("authToken")
        .to_owned();
    let rc_user = login["data"]["userId"].as_str().expect("userId").to_owned();
    let wrong = post(
        "/api/v1/login",
        None,
        json!({"user": "root", "password": WRONG_PASSWORD}),
    )
    .await
    .unwrap();
    assert_eq!(wrong.status(), 401);
    let me = client
        .get(format!("{base}/api/v1/me"))
        .header("x-user-id", &rc_user)
        .header("x-auth-token", &rc_token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let me = client
        .get(format!("{base}/v1/users/me"))
        .bearer_auth(&api_token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    drop(server);
    logs.push_str(&std::fs::read_to_string(&log_path).unwrap());

    let mut connected = Vec::new();
    // A database password, in every form a URL can carry it, on a server
    // that refuses the connection (port 1 on loopback).
    for url in [
        format!("postgres://roster:{DATABASE_PASSWORD}@127.0.0.1:1/roster"),
        format!("postgresql://127.0.0.1:1/roster?user=roster&password={DATABASE_PASSWORD}"),
        format!("host=127.0.0.1 port=1 user=roster password={DATABASE_PASSWORD}"),
    ] {
        let mut list = roster(dir.path());
        list.args(["--database", &url, "user", "list"]);
        let (ok, out, err) = run(list);
        if ok {
            connected.push(url.clone());
        }
        logs.push_str(&out);
        logs.push_str(&err);
    }

    assert!(
        logs.contains("finished processing request"),
        "no request was logged: {logs}"
    );
    for (what, secret) in [
        ("the admin's password", ADMIN_PASSWORD),
        ("a new user's password", NEW_USER_PASSWORD),
        ("a changed password", CHANGED_PASSWORD),
        ("a wrong password", WRONG_PASSWORD),
        ("the database password", DATABASE_PASSWORD),
        ("a password hash", "$argon2"),
        ("the CLI's token", cli_token.as_str()),
        ("an API token", api_token.as_str()),
        ("a Rocket.Chat token", rc_token.as_str()),
    ] {
        assert!(!secret.is_empty());
        if let Some(at) = logs.find(secret) {
            let start = logs[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = logs[at..].find('\n').map_or(logs.len(), |i| at + i);
            panic!("{what} is in the logs: {}", &logs[start..end]);
        }
    }
    // Checked last, so that a leak is reported first: a key=value string
    // must not be taken for a SQLite file name (password included).
    assert!(
        connected.is_empty(),
        "these should not connect: {connected:?}"
    );
}
