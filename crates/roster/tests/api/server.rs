//! Tests of how the server is served: HTTPS with a certificate the test
//! makes itself (HTTP/2 and HTTP/1.1 by ALPN), through the library and
//! through the real `roster serve` binary, and start-up refusing a missing
//! certificate with a message that names the file.

use roster::config::TlsFiles;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A self-signed certificate for 127.0.0.1 and localhost, written as PEM
/// files into `dir`.
struct SelfSigned {
    cert_pem: String,
    files: TlsFiles,
}

fn self_signed(dir: &Path) -> SelfSigned {
    let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).expect("certificate");
    let cert_pem = certified.cert.pem();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, &cert_pem).expect("write cert");
    std::fs::write(&key, certified.key_pair.serialize_pem()).expect("write key");
    SelfSigned {
        cert_pem,
        files: TlsFiles { cert, key },
    }
}

/// A client that trusts only `cert_pem`.
fn client(cert_pem: &str, http1_only: bool) -> reqwest::Client {
    let root = reqwest::Certificate::from_pem(cert_pem.as_bytes()).expect("root");
    let builder = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(root);
    let builder = if http1_only {
        builder.http1_only()
    } else {
        builder
    };
    builder.build().expect("client")
}

/// Start the library's HTTPS server on a random port; returns its base URL
/// and the sender that stops it.
async fn start_tls(dir: &Path, files: &TlsFiles) -> (String, tokio::sync::oneshot::Sender<()>) {
    let (base, stop, _) = start_tls_with_state(dir, files).await;
    (base, stop)
}

async fn start_tls_with_state(
    dir: &Path,
    files: &TlsFiles,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    roster::app::AppState,
) {
    let store = roster_store::sqlite::SqliteStore::open(&dir.join("roster.db")).expect("db");
    let state = roster::app::AppState::new(std::sync::Arc::new(store));
    let app = roster::server::router(state.clone(), Duration::from_secs(30));
    let tls = roster::tls::load(files).expect("load tls");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("https://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(roster::server::serve_tls(
        listener,
        app,
        tls,
        Duration::from_secs(5),
        async move {
            let _ = rx.await;
        },
    ));
    (base, tx, state)
}

/// `GET path` over HTTPS from a fresh server (HTTP/1.1 only, or HTTP/2
/// by ALPN): the version spoken, the status and the body.
async fn https_get(path: &str, http1_only: bool) -> (reqwest::Version, u16, String) {
    let dir = tempfile::tempdir().unwrap();
    let cert = self_signed(dir.path());
    let (base, _stop) = start_tls(dir.path(), &cert.files).await;
    let response = client(&cert.cert_pem, http1_only)
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("https request");
    let (version, status) = (response.version(), response.status().as_u16());
    (version, status, response.text().await.unwrap())
}

#[tokio::test]
async fn https_negotiates_http2_by_alpn() {
    let (version, status, body) = https_get("/healthz", false).await;

    assert_eq!(version, reqwest::Version::HTTP_2);
    assert_eq!((status, body.as_str()), (200, "ok\n"));
}

#[tokio::test]
async fn https_serves_http1_clients_too() {
    let (version, status, body) = https_get("/healthz", true).await;

    assert_eq!(version, reqwest::Version::HTTP_11);
    assert_eq!((status, body.as_str()), (200, "ok\n"));
}

#[tokio::test]
async fn https_reaches_the_database() {
    let (_, status, body) = https_get("/readyz", false).await;

    assert_eq!((status, body.as_str()), (200, "ready\n"));
}

/// Links a dialect builds from the request say `https://` over HTTPS,
/// whether the client speaks HTTP/2 or HTTP/1.1.
#[tokio::test]
async fn links_in_answers_over_https_say_https() {
    use roster_engine::{Actor, Command, ContributionMode, JoinPolicy, NewCommunity, Settings};
    let dir = tempfile::tempdir().unwrap();
    let cert = self_signed(dir.path());
    let (base, _stop, state) = start_tls_with_state(dir.path(), &cert.files).await;
    let mut people = Vec::new();
    for name in ["olga", "piet"] {
        let spec = roster::admin::UserSpec {
            username: name.to_owned(),
            password: "correct horse battery".to_owned(),
            ..roster::admin::UserSpec::default()
        };
        people.push(
            roster::admin::create_user(&state, spec)
                .await
                .expect("user"),
        );
    }
    let token = roster::admin::issue_token(
        &state,
        &people[0],
        roster::auth::parse_scopes("community:read,community:write").unwrap(),
        "test",
        None,
    )
    .await
    .expect("token")
    .0;
    let new = NewCommunity {
        settings: Settings {
            name: "linked".to_owned(),
            description: String::new(),
            visibility: roster_engine::Visibility::Public,
            join_policy: JoinPolicy::Open,
            contribution_mode: ContributionMode::Anyone,
        },
        site: false,
        members: Vec::new(),
    };
    let (owner, joiner) = (people[0].id, people[1].id);
    let course = state
        .run(move |store| {
            store.create_community(
                Actor {
                    user: owner,
                    admin: false,
                },
                new,
            )
        })
        .await
        .expect("community")
        .community;
    let key = roster_store::CommunityKey::Id(course.id());
    state
        .run(move |store| {
            store.execute(
                Actor {
                    user: joiner,
                    admin: false,
                },
                &key,
                Command::Join,
            )
        })
        .await
        .expect("join");

    let path = format!(
        "/api/v2/course/{}/join/?limit=1&statuses=creator,joined",
        course.num
    );
    for http1_only in [false, true] {
        let response = client(&cert.cert_pem, http1_only)
            .get(format!("{base}{path}"))
            .header("authorization", format!("Bearer {token}"))
            .send()
            .await
            .expect("https request");
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            body["next"],
            format!(
                "{base}/api/v2/course/{}/join/?limit=1&offset=1&statuses=creator%2Cjoined",
                course.num
            ),
            "http1_only: {http1_only}"
        );
    }
}

#[tokio::test]
async fn a_plain_http_client_is_not_answered_in_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let cert = self_signed(dir.path());
    let (base, _stop) = start_tls(dir.path(), &cert.files).await;
    let plain = base.replacen("https://", "http://", 1);
    let result = reqwest::Client::new()
        .get(format!("{plain}/healthz"))
        .send()
        .await;
    assert!(result.is_err(), "plain HTTP must not be served: {result:?}");
}

#[test]
fn mismatched_key_and_certificate_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let one = self_signed(dir.path());
    let other_dir = tempfile::tempdir().unwrap();
    let other = self_signed(other_dir.path());
    let files = TlsFiles {
        cert: one.files.cert.clone(),
        key: other.files.key.clone(),
    };
    let message = roster::tls::load(&files).expect_err("refused").to_string();
    assert_eq!(
        message,
        format!(
            "the TLS key file {} does not belong to the certificate in {}",
            files.key.display(),
            files.cert.display()
        )
    );
}

// ---- the real binary ----------------------------------------------------

const BIN: &str = env!("CARGO_BIN_EXE_roster");

use crate::common::binary::free_port;

fn database(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("roster.db").display())
}

/// Kills the child if a test fails before stopping it.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_until_up(client: &reqwest::Client, url: &str, server: &mut Server) {
    for _ in 0..200 {
        if let Some(status) = server.0.try_wait().expect("try_wait") {
            panic!("roster exited early with {status}");
        }
        if let Ok(response) = client.get(url).send().await {
            assert_eq!(response.status(), 200);
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("roster never answered {url}");
}

#[tokio::test]
async fn roster_serve_with_tls_flags_serves_https_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let cert = self_signed(dir.path());
    let port = free_port();
    let child = Command::new(BIN)
        .args(["--database", &database(dir.path()), "serve"])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--tls-cert")
        .arg(&cert.files.cert)
        .arg("--tls-key")
        .arg(&cert.files.key)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn roster");
    let mut server = Server(child);
    let client = client(&cert.cert_pem, false);
    let url = format!("https://127.0.0.1:{port}/healthz");
    wait_until_up(&client, &url, &mut server).await;

    let response = client.get(&url).send().await.expect("https");
    assert_eq!(response.version(), reqwest::Version::HTTP_2);

    let pid = server.0.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    // Wait without blocking the runtime: the client's idle HTTP/2
    // connection must keep being driven to see the server's GOAWAY.
    let status = loop {
        if let Some(status) = server.0.try_wait().expect("try_wait") {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        status.success(),
        "graceful shutdown must exit 0, got {status}"
    );
}

#[tokio::test]
async fn tls_files_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let cert = self_signed(dir.path());
    let port = free_port();
    let child = Command::new(BIN)
        .args(["--database", &database(dir.path()), "serve"])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env("ROSTER_TLS_CERT", &cert.files.cert)
        .env("ROSTER_TLS_KEY", &cert.files.key)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn roster");
    let mut server = Server(child);
    let url = format!("https://127.0.0.1:{port}/healthz");
    wait_until_up(&client(&cert.cert_pem, true), &url, &mut server).await;
}

#[tokio::test]
async fn without_tls_flags_roster_serves_plain_http() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new(BIN)
        .args(["--database", &database(dir.path()), "serve"])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env_remove("ROSTER_TLS_CERT")
        .env_remove("ROSTER_TLS_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn roster");
    let mut server = Server(child);
    let url = format!("http://127.0.0.1:{port}/healthz");
    wait_until_up(&reqwest::Client::new(), &url, &mut server).await;
}

/// Run `roster serve` with the given TLS files; it must exit non-zero at
/// once. Returns its stderr.
fn failed_start(dir: &Path, cert: &Path, key: &Path) -> String {
    let output = Command::new(BIN)
        .args(["--database", &database(dir), "serve"])
        .args(["--listen", &format!("127.0.0.1:{}", free_port())])
        .arg("--tls-cert")
        .arg(cert)
        .arg("--tls-key")
        .arg(key)
        .stdin(Stdio::null())
        .output()
        .expect("run roster");
    assert!(!output.status.success(), "start-up must fail");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_missing_certificate_file_fails_start_up_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cert = self_signed(dir.path());
    let missing: PathBuf = dir.path().join("no-such-cert.pem");
    let stderr = failed_start(dir.path(), &missing, &cert.files.key);
    let expected = format!(
        "roster: cannot read the TLS certificate file {}: No such file or directory",
        missing.display()
    );
    assert!(stderr.contains(&expected), "stderr: {stderr}");
}

#[test]
fn a_key_file_without_a_key_fails_start_up_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cert = self_signed(dir.path());
    // The certificate is not a key.
    let stderr = failed_start(dir.path(), &cert.files.cert, &cert.files.cert);
    let expected = format!(
        "roster: the TLS key file {} holds no private key",
        cert.files.cert.display()
    );
    assert!(stderr.contains(&expected), "stderr: {stderr}");
}

#[test]
fn a_certificate_flag_without_a_key_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let cert = self_signed(dir.path());
    let output = Command::new(BIN)
        .args(["--database", &database(dir.path()), "serve"])
        .arg("--tls-cert")
        .arg(&cert.files.cert)
        .env_remove("ROSTER_TLS_KEY")
        .stdin(Stdio::null())
        .output()
        .expect("run roster");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--tls-key"), "stderr: {stderr}");
}

// --- /metrics ---------------------------------------------------------------

/// Checks that `text` is the Prometheus text format: comments are `# HELP`
/// or `# TYPE` lines, and every other line is `name{labels} value` (labels
/// optional) with a valid metric name, `key="value"` labels and a number.
fn assert_prometheus_text(text: &str) {
    fn is_name(name: &str) -> bool {
        let mut chars = name.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    }
    fn labels_ok(mut rest: &str) -> bool {
        // rest is `k="v",k="v"` (values may hold escaped quotes).
        while !rest.is_empty() {
            let Some((key, after)) = rest.split_once("=\"") else {
                return false;
            };
            if !is_name(key) {
                return false;
            }
            let mut end = None;
            let mut escaped = false;
            for (i, c) in after.char_indices() {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            let Some(end) = end else { return false };
            rest = &after[end + 1..];
            rest = rest.strip_prefix(',').unwrap_or(rest);
        }
        true
    }
    assert!(text.ends_with('\n'), "ends with a newline");
    let mut samples = 0;
    for line in text.lines() {
        if let Some(comment) = line.strip_prefix('#') {
            assert!(
                comment.starts_with(" HELP ") || comment.starts_with(" TYPE "),
                "comment line: {line}"
            );
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("name and value");
        assert!(
            value.parse::<f64>().is_ok() || ["+Inf", "-Inf", "NaN"].contains(&value),
            "value of {line}"
        );
        match series.split_once('{') {
            Some((name, labels)) => {
                let labels = labels.strip_suffix('}').expect("labels closed");
                assert!(is_name(name), "name in {line}");
                assert!(labels_ok(labels), "labels in {line}");
            }
            None => assert!(is_name(series), "name in {line}"),
        }
        samples += 1;
    }
    assert!(samples > 0, "some samples");
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_commands_by_outcome() {
    use roster_engine::{JoinPolicy, Visibility};
    let server = crate::common::TestServer::start().await;
    let ada = server.user("ada").await;
    let bob = server.user("bob").await;
    let bakers = server
        .community(&ada, "Bakers", Visibility::Public, JoinPolicy::Open)
        .await;
    let id = bakers.id();
    let (ada_token, bob_token) = (server.token(&ada).await, server.token(&bob).await);
    let post = |path: String, token: &str| {
        server
            .client
            .post(server.url(&path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body("{}")
            .send()
    };

    // Bob joins (changed), joins again (unchanged); Ada, the last owner,
    // may not leave.
    let joined = post(format!("/v1/communities/{id}/join"), &bob_token)
        .await
        .expect("join");
    assert_eq!(joined.status().as_u16(), 200);
    let again = post(format!("/v1/communities/{id}/join"), &bob_token)
        .await
        .expect("join again");
    assert_eq!(again.status().as_u16(), 200);
    let refused = post(format!("/v1/communities/{id}/leave"), &ada_token)
        .await
        .expect("leave");
    assert_eq!(refused.status().as_u16(), 409);
    let nowhere = server
        .client
        .get(server.url(&format!("/no/such/{id}")))
        .send()
        .await
        .expect("unmatched");
    assert_eq!(nowhere.status().as_u16(), 404);

    // No token needed.
    let scraped = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("scrape");
    assert_eq!(scraped.status().as_u16(), 200);
    assert_eq!(
        scraped.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = scraped.text().await.expect("text");
    assert_prometheus_text(&text);
    let lines: Vec<&str> = text.lines().collect();
    for expected in [
        "# TYPE roster_commands_total counter",
        r#"roster_commands_total{kind="join",outcome="changed"} 1"#,
        r#"roster_commands_total{kind="join",outcome="unchanged"} 1"#,
        r#"roster_commands_total{kind="leave",outcome="last_owner"} 1"#,
        r#"roster_command_duration_seconds_count{kind="join"} 2"#,
        r#"roster_command_duration_seconds_count{kind="leave"} 1"#,
        "# TYPE roster_http_requests_total counter",
        r#"roster_http_requests_total{method="POST",route="/v1/communities/{id}/join",status="200"} 2"#,
        r#"roster_http_requests_total{method="POST",route="/v1/communities/{id}/leave",status="409"} 1"#,
        r#"roster_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
        "# TYPE roster_http_request_duration_seconds histogram",
        r#"roster_http_request_duration_seconds_count{method="POST",route="/v1/communities/{id}/join"} 2"#,
        r#"roster_http_request_duration_seconds_bucket{method="POST",route="/v1/communities/{id}/leave",le="+Inf"} 1"#,
        "# TYPE roster_store_calls_in_flight gauge",
        "roster_store_calls_in_flight 0",
    ] {
        assert!(
            lines.contains(&expected),
            "missing {expected:?} in:\n{text}"
        );
    }
    // Raw ids never become label values.
    assert!(!text.contains(&id.to_string()), "an id leaked:\n{text}");
    assert!(
        !text.contains(&id.simple().to_string()),
        "an id leaked:\n{text}"
    );
}
