//! The real `roster` binary, for the tests that need a process of its own
//! (kill -9, the CLI as an operator runs it): run a command on a SQLite
//! file, or start `roster serve` on a free port and wait until it is ready.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// Run `roster --database sqlite://DB ARGS…` and return what it printed.
pub fn roster(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("--database")
        .arg(format!("sqlite://{}", db.display()))
        .args(args)
        .env_remove("ROSTER_DATABASE_URL")
        .output()
        .expect("run roster")
}

/// [`roster`], which must succeed: its standard output, trimmed.
pub fn ok(db: &Path, args: &[&str]) -> String {
    let out = roster(db, args);
    assert!(
        out.status.success(),
        "roster {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `roster serve`, killed when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `roster serve` on `db` and `127.0.0.1:port`, and wait (bounded)
/// until `/readyz` answers.
pub async fn serve(db: &Path, port: u16) -> Server {
    let database = format!("sqlite://{}", db.display());
    serve_with(&database, port, &[]).await
}

/// Start `roster --database DATABASE serve` on `127.0.0.1:port` with the
/// extra `serve` flags, and wait (bounded) until `/readyz` answers.
pub async fn serve_with(database: &str, port: u16, flags: &[&str]) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["--database", database, "serve", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .args(flags)
        .env_remove("ROSTER_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start server");
    let server = Server(child);
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(response) = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
        {
            if response.status().is_success() {
                return server;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not become ready");
}
