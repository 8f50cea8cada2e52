//! Server configuration: flags and environment variables, printed at start
//! with secrets masked.

use crate::cli::parse_duration;
use crate::http::connections::{ConnectionLimits, MIN_HEADER_BYTES};
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The default database: a SQLite file in the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite://roster.db";
/// Largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub database: String,
    pub request_timeout: Duration,
    pub tls: Option<TlsFiles>,
    pub connections: ConnectionLimits,
}

/// Never prints the database password.
impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("listen", &self.listen)
            .field("database", &mask_url(&self.database))
            .field("request_timeout", &self.request_timeout)
            .field("tls", &self.tls)
            .field("connections", &self.connections)
            .finish()
    }
}

#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// `roster serve`'s connection limits (see `http::connections`).
#[derive(Args, Debug, Clone)]
pub struct ConnectionArgs {
    /// Longest time a client may take to send a request's line and headers
    /// (and, over HTTPS, the TLS handshake) before its connection is closed.
    #[arg(long, env = "ROSTER_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = positive_duration)]
    pub header_read_timeout: Duration,
    /// Longest time a keep-alive connection may stay idle between requests.
    #[arg(long, env = "ROSTER_IDLE_TIMEOUT", default_value = "60s", value_parser = positive_duration)]
    pub idle_timeout: Duration,
    /// Most connections open at once; more wait to be accepted. Lowered to
    /// fit the open-file limit (raised toward its hard limit at start).
    #[arg(long, env = "ROSTER_MAX_CONNECTIONS", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Largest request line plus headers, in bytes (at least 8192); larger
    /// heads are answered 431.
    #[arg(long, env = "ROSTER_MAX_HEADER_BYTES", default_value_t = 16 * 1024, value_parser = header_bytes)]
    pub max_header_bytes: usize,
    /// On SIGTERM or SIGINT, how long requests in flight may take to finish
    /// (idle and half-sent connections are closed at once).
    #[arg(long, env = "ROSTER_SHUTDOWN_GRACE", default_value = "10s", value_parser = parse_duration)]
    pub shutdown_grace: Duration,
}

impl ConnectionArgs {
    pub fn limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: self.header_read_timeout,
            idle_timeout: self.idle_timeout,
            max_connections: self.max_connections as usize,
            max_header_bytes: self.max_header_bytes,
            shutdown_grace: self.shutdown_grace,
        }
    }
}

/// The PostgreSQL pool (issue 13); SQLite ignores these. Global flags, so
/// that every command that opens the database sizes its pool the same way.
#[derive(Args, Debug, Clone)]
pub struct PoolArgs {
    /// Connections this node opens to PostgreSQL at most (default: 2 per
    /// core, at least 4). N nodes open up to N times this many.
    #[arg(long, global = true, env = "ROSTER_POOL_SIZE", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub pool_size: Option<u32>,
    /// Longest time one SQL statement may run before PostgreSQL cancels it
    /// (sent as `statement_timeout`; `0` for none).
    #[arg(long, global = true, env = "ROSTER_STATEMENT_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub statement_timeout: Duration,
}

impl Default for PoolArgs {
    fn default() -> Self {
        let defaults = roster_store::postgres::PgOptions::default();
        PoolArgs {
            pool_size: None,
            statement_timeout: defaults.statement_timeout,
        }
    }
}

impl PoolArgs {
    pub fn options(&self) -> roster_store::postgres::PgOptions {
        roster_store::postgres::PgOptions {
            pool_size: self
                .pool_size
                .unwrap_or_else(roster_store::postgres::default_pool_size),
            statement_timeout: self.statement_timeout,
        }
    }
}

fn positive_duration(text: &str) -> Result<Duration, String> {
    match parse_duration(text)? {
        Duration::ZERO => Err(format!("'{text}' must be at least one second")),
        duration => Ok(duration),
    }
}

fn header_bytes(text: &str) -> Result<usize, String> {
    let bytes: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number of bytes"))?;
    if bytes < MIN_HEADER_BYTES {
        return Err(format!(
            "'{text}' is below the minimum of {MIN_HEADER_BYTES} bytes"
        ));
    }
    Ok(bytes)
}

/// Hide every password in a database URL or connection string
/// (`postgres://user:secret@host` → `user:***@host`, `?password=…`,
/// `password=…`).
pub use roster_store::mask_url;
