//! Server configuration: flags and environment variables, printed at start
//! with secrets masked.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The default database: a SQLite file in the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite://roster.db";
/// Largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub database: String,
    pub request_timeout: Duration,
    pub tls: Option<TlsFiles>,
}

#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Hide a password in a database URL (`postgres://user:secret@host` → `user:***@host`).
pub use roster_store::mask_url;
