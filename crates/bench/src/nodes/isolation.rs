//! The isolation rows of `--nodes` (issue 13): one task writing in
//! community A alone, then the same task while every other task hammers
//! community B; the p99 of A's writes should not grow. Two controls tell
//! apart what A loses, and to what:
//! - the same task beside as many clients *reading* B: a load that takes
//!   the cores but no lock, row or commit (what A loses to sharing CPU);
//! - the pair of rows again (`-unflushed`) on fresh nodes whose sessions
//!   set `synchronous_commit = off`, so that no commit waits for the
//!   write-ahead log's flush (what A loses to queueing behind B's flushes
//!   on the database's one log). This is a measurement, never a way to
//!   serve: such a commit can be lost to a crash after it was answered.

use super::{read_plan, write_plan, Line};
use crate::fixture::Fixture;
use crate::load;
use crate::rows::Plan;
use crate::server::Server;
use anyhow::{bail, Result};
use roster_store::Community;
use std::time::Duration;

/// Every isolation row, on the fixture's node and `servers` (the other
/// nodes, stopped before the commit-flush control starts its own).
pub(super) async fn rows(
    fixture: &Fixture,
    client: &reqwest::Client,
    own: &[Community],
    servers: Vec<Server>,
    requests: usize,
    limit: Duration,
) -> Result<Vec<Line>> {
    let mut lines = Vec::new();
    // Isolation: community A (task 0's) alone, then beside B hammered.
    let mut bases = vec![fixture.server.base.clone()];
    bases.extend(servers.iter().map(|s| s.base.clone()));
    let cycles = (requests / 20).max(100);
    let (alone, isolated) = pair(fixture, client, own, &bases, "", cycles, limit).await;
    lines.extend(isolated);
    // The control: the same task beside as many clients reading B, a load
    // that takes the cores but no lock, row or commit A's writes could
    // wait for. What A loses here is the machine's to share, not
    // coordination's.
    let readers = Plan {
        tasks: read_plan(fixture, own, &bases, |_| 1).tasks[1..].to_vec(),
        community: None,
    };
    // The readers run until A's writes are done (or the time limit).
    let a = {
        let a_run = load::run(client, &alone, cycles, limit);
        tokio::pin!(a_run);
        tokio::select! {
            a = &mut a_run => a,
            _ = load::run(client, &readers, 1 << 40, limit) => a_run.await,
        }
    };
    lines.push(Line {
        row: "write-A-while-B-read".into(),
        nodes: bases.len(),
        cost: None,
        m: a,
    });
    drop(servers);

    // The second control, for the database's one write-ahead log: the same
    // pair of rows on as many fresh nodes whose sessions commit without
    // waiting for the log's flush (never a setting to serve with: see the
    // module doc). What A gets back here is what it lost to waiting
    // behind B's commit flushes.
    let unflushed = unflushed_url(&fixture.database)?;
    confirm_unflushed(&unflushed).await?;
    eprintln!("roster-bench: nodes: the commit-flush control");
    let mut quick = Vec::with_capacity(bases.len());
    for _ in 0..bases.len() {
        quick.push(Server::start(&unflushed, client).await?);
    }
    let quick_bases: Vec<String> = quick.iter().map(|s| s.base.clone()).collect();
    let (_, isolated) = pair(
        fixture,
        client,
        own,
        &quick_bases,
        "-unflushed",
        cycles,
        limit,
    )
    .await;
    lines.extend(isolated);
    drop(quick);
    Ok(lines)
}

/// Task 0's writes on community A alone, then again while every other
/// task hammers community B (community 1), through `bases`: the plan of
/// A's writes, and the rows `write-A-alone`, `write-A-while-B-hammered`
/// and `write-B-hammered`, each name followed by `suffix`.
async fn pair(
    fixture: &Fixture,
    client: &reqwest::Client,
    own: &[Community],
    bases: &[String],
    suffix: &str,
    cycles: usize,
    limit: Duration,
) -> (Plan, Vec<Line>) {
    let tasks = fixture.bench.len();
    let alone = Plan {
        tasks: write_plan(fixture, own, bases, |i| i).tasks[..1].to_vec(),
        community: None,
    };
    let hammer = Plan {
        tasks: write_plan(fixture, own, bases, |_| 1).tasks[1..].to_vec(),
        community: None,
    };
    let line = |row: &str, m| Line {
        row: format!("{row}{suffix}"),
        nodes: bases.len(),
        cost: None,
        m,
    };
    let by_itself = load::run(client, &alone, cycles, limit).await;
    let (a, b) = tokio::join!(
        load::run(client, &alone, cycles, limit),
        load::run(client, &hammer, cycles * tasks, limit)
    );
    let lines = vec![
        line("write-A-alone", by_itself),
        line("write-A-while-B-hammered", a),
        line("write-B-hammered", b),
    ];
    (alone, lines)
}

/// `database` with `synchronous_commit` off for every session opened on
/// it (PostgreSQL's `options` connection parameter).
fn unflushed_url(database: &str) -> Result<String> {
    if !database.starts_with("postgres://") && !database.starts_with("postgresql://") {
        bail!("the commit-flush control needs a postgres:// URL, not {database}");
    }
    let glue = if database.contains('?') { '&' } else { '?' };
    Ok(format!(
        "{database}{glue}options=-c%20synchronous_commit%3Doff"
    ))
}

/// Check that a session opened on `url` really commits without waiting
/// for the flush, so that the control row measures what it says.
async fn confirm_unflushed(url: &str) -> Result<()> {
    let url = url.to_owned();
    let setting = tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls)?;
        let row = client.query_one("SHOW synchronous_commit", &[])?;
        Ok::<String, anyhow::Error>(row.get(0))
    })
    .await??;
    if setting != "off" {
        bail!("the commit-flush control's sessions have synchronous_commit = {setting}");
    }
    Ok(())
}
