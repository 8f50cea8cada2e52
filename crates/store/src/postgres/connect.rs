//! Opening a node's connection pool: migrate over one direct connection,
//! then build the pool; and the helpers that keep the sync driver's
//! private runtime off async threads and passwords out of messages.

use postgres::Config;
use r2d2_postgres::PostgresConnectionManager;

use super::tls::RustlsConnect;
use super::{errors, migrate, PgOptions, PgStore, CHECKOUT_TIMEOUT, POOL_IDLE};
use crate::policy::PolicyCache;
use crate::{Error, Result};

/// Migrate over one direct connection (so that an unreachable server fails
/// here at once, where the pool would retry until its timeout), then build
/// the pool.
pub(super) fn open_pool(
    config: Config,
    tls: RustlsConnect,
    target: String,
    options: &PgOptions,
) -> Result<PgStore> {
    let mut client = config.connect(tls.clone()).map_err(|e| {
        Error::Backend(format!(
            "postgres: cannot connect to {target}: {}",
            errors::describe(&e)
        ))
    })?;
    migrate::run(&mut client).map_err(Error::from)?;
    drop(client);
    let manager = PostgresConnectionManager::new(config, tls);
    // Health checks: a connection is tested (an empty query) when checked
    // out, and one found closed on its return is discarded.
    let pool = r2d2::Pool::builder()
        .max_size(options.pool_size.max(1))
        .min_idle(Some(POOL_IDLE.min(options.pool_size.max(1))))
        .test_on_check_out(true)
        .connection_timeout(CHECKOUT_TIMEOUT)
        .build(manager)
        .map_err(|e| Error::Backend(format!("postgres: pool for {target}: {e}")))?;
    tracing::debug!(%target, "postgres store open");
    Ok(PgStore {
        pool: Some(pool),
        target,
        policy: PolicyCache::default(),
        waits: super::pool::Waits::default(),
        turns: super::turns::Turns::default(),
    })
}

/// Run `f` on a fresh thread and wait for it.
pub(super) fn on_own_thread<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| match scope.spawn(f).join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// `user@host:port/dbname` from a configuration, without its password.
pub(super) fn describe_target(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("");
    let dbname = config.get_dbname().unwrap_or(user);
    format!("{user}@{host}:{port}/{dbname}")
}
