//! Opening a node's connection pool: migrate over one direct connection,
//! then build the pool (see `live.rs`); and the helpers that keep the
//! opening off async threads and passwords out of messages.

use std::sync::Arc;

use tokio_postgres::Config;

use super::live::{Connector, Driver, Live};
use super::tls::{RustlsConnect, TlsWish};
use super::{errors, migrate, PgOptions, PgStore, CHECKOUT_TIMEOUT, CONNECT_TIMEOUT};
use crate::policy::PolicyCache;
use crate::{Error, Result};

/// Migrate over one direct connection (so that an unreachable server fails
/// here at once, where the pool would retry until its timeout), then build
/// the pool. Waits on the store's own runtime: not on an async thread.
pub(super) fn open_pool(
    config: Config,
    tls: RustlsConnect,
    target: String,
    options: &PgOptions,
) -> Result<PgStore> {
    let driver = Driver::start()?;
    let migrated = driver.handle().block_on(async {
        let (mut client, connection) = config.connect(tls.clone()).await.map_err(|e| {
            Error::Backend(format!(
                "postgres: cannot connect to {target}: {}",
                errors::describe(&e)
            ))
        })?;
        let driving = tokio::spawn(connection);
        let migrated = migrate::run(&mut client).await.map_err(Error::from);
        drop(client);
        let _ = driving.await;
        migrated
    });
    migrated?;
    let size = options.pool_size.max(1);
    let connector = Connector {
        config,
        tls,
        driver: driver.handle().clone(),
    };
    let pool = deadpool::managed::Pool::builder(connector)
        .max_size(usize::try_from(size).unwrap_or(usize::MAX))
        .build()
        .map_err(|e| Error::Backend(format!("postgres: pool for {target}: {e}")))?;
    tracing::debug!(%target, size, "postgres store open");
    Ok(PgStore {
        live: Arc::new(Live {
            pool: pool.clone(),
            target: target.clone(),
            policy: PolicyCache::default(),
            waits: super::pool::Waits::default(),
            turns: super::turns::Turns::default(),
            stamper: super::stamper::Stamper::start(pool, CHECKOUT_TIMEOUT, driver.handle()),
            driver,
        }),
        target,
    })
}

/// Open a node's pools on a parsed configuration, with our defaults for
/// what it leaves unset.
pub(super) fn open_tls(mut config: Config, options: &PgOptions, wish: &TlsWish) -> Result<PgStore> {
    let connector = super::tls::connector(wish)?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("roster");
    }
    if !options.statement_timeout.is_zero() {
        let all =
            super::pool::with_statement_timeout(config.get_options(), options.statement_timeout);
        config.options(&all);
    }
    let target = describe_target(&config);
    let options = options.clone();
    // Opening waits on the store's runtime: off any async worker thread
    // the caller may be on.
    on_own_thread(move || open_pool(config, connector, target, &options))
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
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("");
    let dbname = config.get_dbname().unwrap_or(user);
    format!("{user}@{host}:{port}/{dbname}")
}
