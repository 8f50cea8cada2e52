//! The server under test, as a process of its own: this very binary
//! re-executed with `ROSTER_BENCH_SERVER=1`, which makes it run
//! `roster::cli::main()`, the code of `roster serve`, on the benchmark's
//! database (the same router, layers and store as the `roster` binary). A
//! separate process keeps the load generator off the server's runtime and
//! lets its peak RSS (`VmHWM` in `/proc/PID/status`) be read honestly.

use anyhow::{anyhow, bail, Context, Result};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Set in the child: be the server, not the benchmark.
pub const SERVER_ENV: &str = "ROSTER_BENCH_SERVER";

pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Server {
    /// Start `roster serve` on `database` at a free loopback port and wait
    /// (at most 60 s) until `/readyz` answers 200.
    pub async fn start(database: &str, client: &reqwest::Client) -> Result<Server> {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
            probe.local_addr()?.port()
        };
        let exe = std::env::current_exe().context("locate this binary")?;
        let child = Command::new(exe)
            .env(SERVER_ENV, "1")
            // One log line per request would measure the terminal.
            .env(
                "RUST_LOG",
                std::env::var("ROSTER_BENCH_LOG").unwrap_or("warn".into()),
            )
            .args(["--database", database, "serve", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .context("start the server process")?;
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = client.get(server.url("/readyz")).send().await;
            if matches!(&ready, Ok(r) if r.status().is_success()) {
                return Ok(server);
            }
            if Instant::now() > deadline {
                bail!("the server did not become ready in 60 s");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The server process's id (`--nodes` reads its CPU time).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The server's peak resident set so far, in MiB (Linux only).
    pub fn peak_rss_mib(&self) -> Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let line = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .ok_or_else(|| anyhow!("no VmHWM in /proc/PID/status"))?;
        let kib: f64 = line
            .trim_start_matches("VmHWM:")
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()?;
        Ok(kib / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Our own child, by its id.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
