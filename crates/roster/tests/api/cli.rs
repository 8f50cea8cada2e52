//! The `roster` binary as an operator uses it: scriptable output, `--json`,
//! one database shared by the CLI and a running server, and durability of
//! acknowledged writes across `kill -9`.

use std::process::Command;
use std::time::Duration;

use crate::common::binary::{free_port, ok, roster, serve};

#[test]
fn user_create_prints_only_the_uuid_and_json_prints_the_object() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let id = ok(
        &db,
        &[
            "user",
            "create",
            "--username",
            "ada",
            "--password",
            "a long password",
        ],
    );
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "not a uuid: {id}");

    let shown = ok(&db, &["--json", "user", "show", "ada"]);
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["id"], id);
    assert_eq!(shown["username"], "ada");
}

#[test]
fn token_and_community_create_are_scriptable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    ok(
        &db,
        &[
            "user",
            "create",
            "--username",
            "ada",
            "--password",
            "a long password",
        ],
    );
    let token = ok(
        &db,
        &[
            "token",
            "create",
            "--username",
            "ada",
            "--expires-in",
            "24h",
        ],
    );
    assert!(token.starts_with("rst_"), "{token}");
    assert!(!token.contains(char::is_whitespace));

    let id = ok(
        &db,
        &[
            "community",
            "create",
            "--name",
            "Bakers",
            "--owner",
            "ada",
            "--visibility",
            "private",
        ],
    );
    let shown = ok(&db, &["--json", "community", "show", &id]);
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["name"], "Bakers");
    assert_eq!(shown["visibility"], "private");
    assert_eq!(shown["join_policy"], "request");

    let listed = ok(&db, &["token", "list", "--username", "ada"]);
    assert_eq!(listed.lines().count(), 1);
    assert!(
        !listed.contains(&token),
        "a token list must never print the secret"
    );
}

#[test]
fn errors_are_reported_with_a_failing_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    ok(
        &db,
        &[
            "user",
            "create",
            "--username",
            "ada",
            "--password",
            "a long password",
        ],
    );

    let duplicate = roster(
        &db,
        &[
            "user",
            "create",
            "--username",
            "ada",
            "--password",
            "a long password",
        ],
    );
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("username"));

    let short = roster(
        &db,
        &["user", "create", "--username", "bob", "--password", "short"],
    );
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("password"));

    let scope = roster(
        &db,
        &[
            "token",
            "create",
            "--username",
            "ada",
            "--scope",
            "everything",
        ],
    );
    assert!(!scope.status.success());
    assert!(String::from_utf8_lossy(&scope.stderr).contains("unknown scope"));

    let admin_scope = roster(
        &db,
        &["token", "create", "--username", "ada", "--scope", "admin"],
    );
    assert!(
        !admin_scope.status.success(),
        "a non-admin must not get an admin token"
    );

    let unknown = roster(
        &db,
        &["community", "create", "--name", "X", "--owner", "nobody"],
    );
    assert!(!unknown.status.success());
}

#[test]
fn an_unreachable_postgres_server_is_an_error_with_the_password_masked() {
    // Port 1 on loopback: nothing listens there, the connection is refused.
    for url in [
        "postgres://u:secret@127.0.0.1:1/x",
        "postgresql://u:secret@127.0.0.1:1/x",
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(["--database", url, "user", "list"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("secret"),
            "the password must be masked: {stderr}"
        );
        let scheme = url.split_once("://").unwrap().0;
        assert!(
            stderr.contains(&format!(
                "cannot open database {scheme}://u:***@127.0.0.1:1/x"
            )),
            "names the database, masked: {stderr}"
        );
        assert!(
            stderr.contains("cannot connect to u@127.0.0.1:1/x"),
            "says why: {stderr}"
        );
    }
}

#[tokio::test]
async fn an_acknowledged_join_survives_kill_dash_nine() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    ok(
        &db,
        &[
            "user",
            "create",
            "--username",
            "owner",
            "--password",
            "a long password",
        ],
    );
    ok(
        &db,
        &[
            "user",
            "create",
            "--username",
            "joiner",
            "--password",
            "a long password",
        ],
    );
    let token = ok(&db, &["token", "create", "--username", "joiner"]);
    let id = ok(
        &db,
        &[
            "community",
            "create",
            "--name",
            "Durable",
            "--owner",
            "owner",
        ],
    );

    let port = free_port();
    let mut server = serve(&db, port).await;
    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/v1/communities/{id}/join"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    // SIGKILL: no graceful shutdown, no checkpoint.
    server.0.kill().unwrap();
    server.0.wait().unwrap();

    let shown = ok(&db, &["--json", "community", "show", &id]);
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["member_count"], 2, "{shown}");
    let events = ok(&db, &["events"]);
    assert!(
        events.lines().any(|line| line.contains("\"joined\"")),
        "{events}"
    );
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let port = free_port();
    let server = serve(&db, port).await;
    let pid = server.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let mut server = server;
    let mut exited = None;
    for _ in 0..100 {
        if let Some(status) = server.0.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = exited.expect("the server should exit after SIGTERM");
    assert!(status.success(), "{status:?}");
}
