//! The bulk loader of the big communities: filler users and their
//! memberships written straight into the schema with `INSERT … SELECT`
//! over a generated series, `CHUNK` rows per transaction, and each
//! community's member counter set once at the end (so counters still equal
//! rows). Going through the store instead, one durable transaction per user
//! and per add, takes hours for 1,000,000 members.
//!
//! Filler users are not in the site community and write no events: they
//! are data the rows read, not changes the rows make.

use anyhow::{anyhow, Result};
use std::time::Instant;

/// Rows per transaction.
const CHUNK: i64 = 100_000;

/// Where to load.
pub enum Db<'a> {
    Sqlite(&'a std::path::Path),
    Postgres(&'a str),
}

/// `count` filler users; returns the range of their `num`s and the seconds taken.
pub fn users(db: &Db, count: usize, password_hash: &str) -> Result<((i64, i64), f64)> {
    let started = Instant::now();
    let count = count as i64;
    let range = match db {
        Db::Sqlite(path) => {
            let mut conn = sqlite(path)?;
            for lo in (1..=count).step_by(CHUNK as usize) {
                let hi = (lo + CHUNK - 1).min(count);
                let tx = conn.transaction()?;
                tx.execute(
                    "WITH RECURSIVE s(n) AS (SELECT ?1 UNION ALL SELECT n + 1 FROM s WHERE n < ?2)
                     INSERT INTO users (id, username, password_hash, created_at, updated_at)
                     SELECT printf('00000000-0000-4000-8000-%012x', n),
                            printf('filler-%07d', n), ?3, ?4, ?4 FROM s",
                    rusqlite::params![lo, hi, password_hash, now_text()],
                )?;
                tx.commit()?;
                progress("users", hi, count);
            }
            conn.query_row(
                "SELECT min(num), max(num) FROM users WHERE username LIKE 'filler-%'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
        }
        Db::Postgres(url) => {
            let mut client = pg(url)?;
            for lo in (1..=count).step_by(CHUNK as usize) {
                let hi = (lo + CHUNK - 1).min(count);
                client.execute(
                    "INSERT INTO users (id, username, password_hash, created_at, updated_at)
                     SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid,
                            'filler-' || lpad(n::text, 7, '0'), $3, now(), now()
                     FROM generate_series($1::bigint, $2::bigint) AS n",
                    &[&lo, &hi, &password_hash],
                )?;
                progress("users", hi, count);
            }
            let row = client.query_one(
                "SELECT min(num), max(num) FROM users WHERE username LIKE 'filler-%'",
                &[],
            )?;
            (row.get(0), row.get(1))
        }
    };
    if range.1 - range.0 + 1 != count {
        return Err(anyhow!("filler numbers are not contiguous: {range:?}"));
    }
    Ok((range, started.elapsed().as_secs_f64()))
}

/// Make the fillers `first..first+count` members of community `community`
/// and add `count` to its counter, in the same last transaction.
pub fn members(db: &Db, community: i64, first: i64, count: usize) -> Result<f64> {
    let started = Instant::now();
    let last = first + count as i64 - 1;
    match db {
        Db::Sqlite(path) => {
            let mut conn = sqlite(path)?;
            let mut lo = first;
            while lo <= last {
                let hi = (lo + CHUNK - 1).min(last);
                let tx = conn.transaction()?;
                tx.execute(
                    "INSERT INTO memberships (community_num, user_num, standing, since)
                     SELECT ?1, num, 'member', ?4 FROM users WHERE num BETWEEN ?2 AND ?3",
                    rusqlite::params![community, lo, hi, now_text()],
                )?;
                if hi == last {
                    tx.execute(
                        "UPDATE communities SET members = members + ?2 WHERE num = ?1",
                        [community, count as i64],
                    )?;
                }
                tx.commit()?;
                progress("memberships", hi - first + 1, count as i64);
                lo = hi + 1;
            }
            conn.execute_batch("ANALYZE")?;
            // Move the load out of the WAL and onto the disk now, so that
            // its write-back does not slow the fsyncs the rows measure.
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            std::fs::File::open(path)?.sync_all()?;
        }
        Db::Postgres(url) => {
            let mut client = pg(url)?;
            let mut lo = first;
            while lo <= last {
                let hi = (lo + CHUNK - 1).min(last);
                let mut tx = client.transaction()?;
                tx.execute(
                    "INSERT INTO memberships (community_num, user_num, standing, since)
                     SELECT $1, num, 'member', now() FROM users WHERE num BETWEEN $2 AND $3",
                    &[&community, &lo, &hi],
                )?;
                if hi == last {
                    tx.execute(
                        "UPDATE communities SET members = members + $2 WHERE num = $1",
                        &[&community, &(count as i64)],
                    )?;
                }
                tx.commit()?;
                progress("memberships", hi - first + 1, count as i64);
                lo = hi + 1;
            }
            client.batch_execute("ANALYZE")?;
            // As above; only a superuser may, so it is a courtesy.
            let _ = client.batch_execute("CHECKPOINT");
        }
    }
    Ok(started.elapsed().as_secs_f64())
}

fn sqlite(path: &std::path::Path) -> Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    Ok(conn)
}

fn pg(url: &str) -> Result<postgres::Client> {
    postgres::Client::connect(url, postgres::NoTls).map_err(|e| anyhow!("connect: {e}"))
}

fn now_text() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

fn progress(what: &str, done: i64, of: i64) {
    if of >= 2 * CHUNK {
        eprintln!("  bulk load: {what} {done}/{of}");
    }
}
