//! Baseline 1, the storage limit: the SQL a join or a leave does in the
//! store (load the community, the actor's number and standing, write the
//! membership, touch the user, update the counters, append one event),
//! done in-process with no HTTP, engine or pool in the way, on the same
//! database settings as the server (SQLite: WAL, `synchronous=FULL`).
//! Two rows: one transaction per operation, and `GROUP` operations per
//! commit (what group commit could reach at best).
//!
//! It runs on a database of its own (a fresh file beside the server's, or a
//! scratch PostgreSQL database), made by the real store so the schema is
//! the real one: one open community and the users that toggle in it.

use crate::load::Measurement;
use anyhow::{anyhow, Context, Result};
use std::time::{Duration, Instant};

/// Operations per commit in the grouped row.
pub const GROUP: usize = 256;

/// Where the baseline runs: the community and users made for it.
#[derive(Clone)]
pub struct Target {
    pub backend: Backend,
    pub community: i64,
    pub community_id: String,
    pub users: Vec<(i64, String)>,
}

#[derive(Clone)]
pub enum Backend {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

/// Run `ops` alternating joins and leaves (`per_commit` per transaction),
/// each user of `target` in turn, on the thread it is called from.
pub fn run(target: &Target, ops: usize, per_commit: usize, limit: Duration) -> Result<Measurement> {
    let mut sql: Box<dyn Sql> = match &target.backend {
        Backend::Sqlite(path) => Box::new(SqliteSql::open(path)?),
        Backend::Postgres(url) => Box::new(PgSql::open(url)?),
    };
    let users = target.users.len();
    // Each user alternates join, leave: a whole number of rounds over all
    // users leaves every one of them out again.
    let ops = ops.div_ceil(2 * users) * 2 * users;
    let started = Instant::now();
    let mut latencies = Vec::with_capacity(ops);
    let mut done = 0;
    // Cut short by the time limit only between rounds, so every user is
    // out again whatever happens.
    let round = 2 * users;
    while done < ops && (done % round != 0 || started.elapsed() < limit) {
        let batch = per_commit.min(ops - done);
        let batch_started = Instant::now();
        sql.begin()?;
        for i in done..done + batch {
            let (num, id) = &target.users[(i / 2) % users];
            let join = i % 2 == 0;
            sql.op(target, *num, id, join)
                .with_context(|| format!("storage baseline operation {i}"))?;
        }
        sql.commit()?;
        let took = batch_started.elapsed();
        latencies.extend(std::iter::repeat_n(took, batch));
        done += batch;
    }
    Ok(Measurement {
        requests: done,
        errors: 0,
        first_error: None,
        wall: started.elapsed(),
        cut_short: done < ops,
        latencies: vec![latencies],
    })
}

/// One backend's version of the statements.
trait Sql {
    fn begin(&mut self) -> Result<()>;
    fn commit(&mut self) -> Result<()>;
    fn op(&mut self, target: &Target, user: i64, user_id: &str, join: bool) -> Result<()>;
}

fn now_text() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

struct SqliteSql(rusqlite::Connection);

impl SqliteSql {
    fn open(path: &std::path::Path) -> Result<SqliteSql> {
        let conn = rusqlite::Connection::open(path)?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(Duration::from_secs(5))?;
        Ok(SqliteSql(conn))
    }
}

impl Sql for SqliteSql {
    fn begin(&mut self) -> Result<()> {
        self.0.execute_batch("BEGIN IMMEDIATE")?;
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        self.0.execute_batch("COMMIT")?;
        Ok(())
    }

    fn op(&mut self, t: &Target, user: i64, user_id: &str, join: bool) -> Result<()> {
        let c = &self.0;
        let now = now_text();
        let (members, name): (i64, String) = c
            .prepare_cached(
                "SELECT c.members, c.name, c.description, c.visibility, c.join_policy,
                        c.contribution_mode, c.archived, c.owners, c.pending, c.invited,
                        cu.id FROM communities c JOIN users cu ON cu.num = c.creator_num
                 WHERE c.id = ?1",
            )?
            .query_row([&t.community_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let num: i64 = c
            .prepare_cached("SELECT num FROM users WHERE id = ?1")?
            .query_row([user_id], |r| r.get(0))?;
        let _standing: Option<String> = c
            .prepare_cached(
                "SELECT standing FROM memberships WHERE community_num = ?1 AND user_num = ?2",
            )?
            .query_row([t.community, num], |r| r.get(0))
            .ok();
        if join {
            c.prepare_cached(
                "INSERT INTO memberships (community_num, user_num, standing, since)
                 VALUES (?1, ?2, 'member', ?3)",
            )?
            .execute(rusqlite::params![t.community, user, now])?;
        } else {
            c.prepare_cached("DELETE FROM memberships WHERE community_num = ?1 AND user_num = ?2")?
                .execute([t.community, user])?;
        }
        c.prepare_cached("UPDATE users SET updated_at = ?2 WHERE num = ?1")?
            .execute(rusqlite::params![user, now])?;
        let members = members + if join { 1 } else { -1 };
        c.prepare_cached(
            "UPDATE communities SET name = ?2, members = ?3, updated_at = ?4 WHERE num = ?1",
        )?
        .execute(rusqlite::params![t.community, name, members, now])?;
        c.prepare_cached(
            "INSERT INTO events (at, community_id, actor_id, subject_id, kind, reason)
             VALUES (?1, ?2, ?3, ?3, ?4, NULL)",
        )?
        .execute(rusqlite::params![
            now,
            t.community_id,
            user_id,
            if join { "joined" } else { "left" }
        ])?;
        Ok(())
    }
}

/// The PostgreSQL side: one plain connection, each statement prepared once
/// on it (as the server's pool does), so that the baseline is the
/// database's cost of the work, not of parsing and planning it afresh.
struct PgSql {
    client: postgres::Client,
    prepared: std::collections::HashMap<&'static str, postgres::Statement>,
    tx_open: bool,
}

impl PgSql {
    fn open(url: &str) -> Result<PgSql> {
        let client = postgres::Client::connect(url, postgres::NoTls)
            .map_err(|e| anyhow!("connect for the storage baseline: {e}"))?;
        Ok(PgSql {
            client,
            prepared: std::collections::HashMap::new(),
            tx_open: false,
        })
    }

    /// `sql`, prepared on this connection the first time it is asked for.
    fn statement(&mut self, sql: &'static str) -> Result<postgres::Statement> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.prepared.insert(sql, statement.clone());
        Ok(statement)
    }
}

impl Sql for PgSql {
    fn begin(&mut self) -> Result<()> {
        self.client.batch_execute("BEGIN")?;
        self.tx_open = true;
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        self.client.batch_execute("COMMIT")?;
        self.tx_open = false;
        Ok(())
    }

    fn op(&mut self, t: &Target, user: i64, user_id: &str, join: bool) -> Result<()> {
        debug_assert!(self.tx_open);
        let community_id: uuid::Uuid = t.community_id.parse()?;
        let user_uuid: uuid::Uuid = user_id.parse()?;
        let lock = self.statement(
            "SELECT c.members, c.name, c.description, c.visibility, c.join_policy,
                    c.contribution_mode, c.archived, c.owners, c.pending, c.invited,
                    cu.id FROM communities c JOIN users cu ON cu.num = c.creator_num
             WHERE c.id = $1 FOR UPDATE OF c",
        )?;
        let number = self.statement("SELECT num FROM users WHERE id = $1")?;
        let standing = self.statement(
            "SELECT standing FROM memberships WHERE community_num = $1 AND user_num = $2",
        )?;
        let write = if join {
            self.statement(
                "INSERT INTO memberships (community_num, user_num, standing, since)
                 VALUES ($1, $2, 'member', now())",
            )?
        } else {
            self.statement("DELETE FROM memberships WHERE community_num = $1 AND user_num = $2")?
        };
        let touch = self.statement("UPDATE users SET updated_at = now() WHERE num = $1")?;
        let count = self.statement(
            "UPDATE communities SET name = $2, members = $3, updated_at = now() WHERE num = $1",
        )?;
        let event = self.statement(
            "INSERT INTO events (at, community_id, actor_id, subject_id, kind, reason)
             VALUES (now(), $1, $2, $2, $3, NULL)",
        )?;
        let c = &mut self.client;
        let row = c.query_one(&lock, &[&community_id])?;
        let (members, name): (i64, String) = (row.get(0), row.get(1));
        let num: i64 = c.query_one(&number, &[&user_uuid])?.get(0);
        c.query_opt(&standing, &[&t.community, &num])?;
        c.execute(&write, &[&t.community, &user])?;
        c.execute(&touch, &[&user])?;
        let members = members + if join { 1 } else { -1 };
        c.execute(&count, &[&t.community, &name, &members])?;
        let kind = if join { "joined" } else { "left" };
        c.execute(&event, &[&community_id, &user_uuid, &kind])?;
        Ok(())
    }
}
