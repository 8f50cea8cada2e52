//! Throwaway databases on a PostgreSQL server, for tests and benchmarks
//! that need a real server but must not see each other's rows: each
//! [`ScratchDatabase`] is a `CREATE DATABASE roster_test_<time>_<random>`,
//! dropped again (with any connection still open to it) when the value is
//! dropped. Creating one takes about a tenth of a second, so every test can
//! have its own and tests can run in parallel. One left behind by a test
//! process that died is dropped by a later `create` once it is an hour old.

use postgres::{Client, NoTls};

use super::connect::on_own_thread;
use super::errors::describe;
use crate::{Error, Result};

/// The server the tests use unless `ROSTER_TEST_POSTGRES_URL` names another:
/// the local one, as the `postgres` role (trust authentication), connected
/// to the maintenance database `postgres` to create and drop others.
pub const DEFAULT_SERVER_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The server URL for tests: `ROSTER_TEST_POSTGRES_URL`, or [`DEFAULT_SERVER_URL`].
pub fn server_url() -> String {
    std::env::var("ROSTER_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_SERVER_URL.to_owned())
}

/// Are PostgreSQL tests switched off (`ROSTER_SKIP_POSTGRES=1`)? Otherwise
/// they run, and fail with a clear message when the server is not there.
pub fn skipped() -> bool {
    matches!(
        std::env::var("ROSTER_SKIP_POSTGRES").as_deref(),
        Ok("1" | "true" | "yes")
    )
}

/// A database of its own on a server, dropped with this value.
#[derive(Debug)]
pub struct ScratchDatabase {
    server: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// Create an empty database on the server that `server_url` reaches (as
    /// a role allowed to `CREATE DATABASE`).
    pub fn create(server_url: &str) -> Result<ScratchDatabase> {
        let born = unix_now();
        let random = uuid::Uuid::new_v4().simple().to_string();
        let name = format!("{PREFIX}{born}_{}", &random[..12]);
        let url = with_database(server_url, &name)?;
        let server = server_url.to_owned();
        on_own_thread(|| {
            let mut client = connect(&server)?;
            drop_stale(&mut client, born);
            client
                .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                .map_err(|e| fail(&server, &e))
        })?;
        Ok(ScratchDatabase { server, name, url })
    }

    /// The URL of the new database (the server URL with its name swapped in).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let result = on_own_thread(|| {
            let mut client = connect(&self.server)?;
            // FORCE ends the connections still open to it; a connection
            // being opened at that very moment can still make the drop fail,
            // so try again a few times.
            let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
            let mut attempt = 0;
            loop {
                match client.batch_execute(&sql) {
                    Ok(()) => return Ok(()),
                    Err(_) if attempt < 5 => {
                        attempt += 1;
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                    Err(e) => return Err(fail(&self.server, &e)),
                }
            }
        });
        if let Err(error) = result {
            eprintln!(
                "warning: cannot drop scratch database {}: {error}",
                self.name
            );
        }
    }
}

/// The name every scratch database starts with.
const PREFIX: &str = "roster_test_";
/// Age after which a scratch database is taken to be left behind.
const STALE_SECS: u64 = 3600;

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Drop scratch databases more than an hour old (their test process died
/// before dropping them). Best effort: a failure here is not the caller's.
fn drop_stale(client: &mut Client, now: u64) {
    let Ok(rows) = client.query(
        "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
        &[&PREFIX],
    ) else {
        return;
    };
    for row in rows {
        let name: String = row.get(0);
        let born = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once('_'))
            .and_then(|(secs, _)| secs.parse::<u64>().ok());
        if matches!(born, Some(born) if born + STALE_SECS < now) {
            let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            let _ = client.batch_execute(&sql);
        }
    }
}

fn connect(server: &str) -> Result<Client> {
    Client::connect(server, NoTls).map_err(|e| fail(server, &e))
}

fn fail(server: &str, error: &postgres::Error) -> Error {
    Error::Backend(format!(
        "postgres at {}: {}",
        crate::mask_url(server),
        describe(error)
    ))
}

/// `server_url` with its database name replaced by `name`.
fn with_database(server_url: &str, name: &str) -> Result<String> {
    let Some((scheme, rest)) = server_url.split_once("://") else {
        return Err(Error::Backend(format!(
            "postgres: not a postgres:// URL: {}",
            crate::mask_url(server_url)
        )));
    };
    let (before_query, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    let authority = before_query
        .split_once('/')
        .map_or(before_query, |(authority, _)| authority);
    let mut url = format!("{scheme}://{authority}/{name}");
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_swapped_in() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x").unwrap(),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgresql://u:p@h/db?sslmode=disable", "x").unwrap(),
            "postgresql://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "x").unwrap(),
            "postgres://h:5432/x"
        );
        assert!(with_database("host=h dbname=d", "x").is_err());
        assert_eq!(
            crate::mask_url("postgres://u:pw@h/d"),
            "postgres://u:***@h/d"
        );
    }
}
