//! `--nodes N` (issue 13): the same writes and reads against 1, 2, … N
//! `roster serve` processes sharing one PostgreSQL database, the client
//! connections spread over them round-robin, beside a baseline of the same
//! SQL sent straight through as many connections as there are clients
//! (the database's own limit on this machine). Every row is given as a
//! ratio to that baseline; the write row is also given against one node.
//!
//! Each client task acts as its own bench user in a community of its own,
//! so writes only meet at the database (the deployments that scale out
//! have many communities). A last pair of rows measures isolation: one
//! task writing in community A alone, then the same task while every other
//! task hammers community B; the p99 of A's writes should not grow. Two
//! controls tell apart what A loses, and to what:
//! - the same task beside as many clients *reading* B: a load that takes
//!   the cores but no lock, row or commit (what A loses to sharing CPU);
//! - the pair of rows again (`-unflushed`) on fresh nodes whose sessions
//!   set `synchronous_commit = off`, so that no commit waits for the
//!   write-ahead log's flush (what A loses to queueing behind B's flushes
//!   on the database's one log). This is a measurement, never a way to
//!   serve: such a commit can be lost to a crash after it was answered.

use crate::fixture::{self, Fixture};
use crate::load::{self, Measurement};
use crate::rows::{Op, Plan};
use crate::server::Server;
use crate::storage;
use anyhow::{anyhow, bail, Result};
use reqwest::Method;
use roster_engine::{JoinPolicy, Visibility};
use roster_store::{Community, NewUser, Profile};
use std::time::Duration;

/// One line of the `--nodes` table.
struct Line {
    row: String,
    nodes: usize,
    m: Measurement,
    /// What the row cost, when probed: (node CPU, database CPU, commits).
    cost: Option<Cost>,
}

/// CPU seconds of the node processes and of the database's backends
/// serving this database, and the database's commits, at one instant.
#[derive(Clone, Copy, Default)]
struct Cost {
    node_cpu: f64,
    db_cpu: f64,
    commits: i64,
}

impl Cost {
    fn since(self, before: Cost) -> Cost {
        Cost {
            node_cpu: self.node_cpu - before.node_cpu,
            db_cpu: self.db_cpu - before.db_cpu,
            commits: self.commits - before.commits,
        }
    }
}

/// CPU seconds (user + system) a process has used, from `/proc/PID/stat`.
fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command's closing parenthesis: utime is the 12th.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0 // USER_HZ is 100 on Linux
}

/// The cost counters now: `pids` are the nodes; the database's backends
/// and commits come from its statistics views.
async fn probe(database: &str, pids: &[u32]) -> Result<Cost> {
    let node_cpu = pids.iter().map(|&pid| cpu_seconds(pid)).sum();
    let url = database.to_owned();
    let (backends, commits) = tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls)?;
        let backends: Vec<i32> = client
            .query(
                "SELECT pid FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
                &[],
            )?
            .iter()
            .map(|row| row.get(0))
            .collect();
        // The statistics are flushed by each backend now and then; ask for
        // a fresh view of what was flushed.
        client.execute("SELECT pg_stat_clear_snapshot()", &[])?;
        let commits: i64 = client
            .query_one(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()",
                &[],
            )?
            .get(0);
        Ok::<_, anyhow::Error>((backends, commits))
    })
    .await??;
    let db_cpu = backends
        .iter()
        .map(|&pid| cpu_seconds(u32::try_from(pid).unwrap_or(0)))
        .sum();
    Ok(Cost {
        node_cpu,
        db_cpu,
        commits,
    })
}

pub async fn run(
    fixture: &Fixture,
    client: &reqwest::Client,
    max_nodes: usize,
    requests: usize,
    limit: Duration,
) -> Result<String> {
    let tasks = fixture.bench.len();
    let own = communities(&fixture.state, &fixture.owner.user, "node", tasks).await?;
    let mut lines = Vec::new();

    eprintln!("roster-bench: nodes: SQL baseline ({tasks} connections)");
    let baseline = sql_baseline(fixture, tasks, requests, limit).await?;
    lines.push(Line {
        row: "sql-pool".into(),
        nodes: 0,
        m: baseline,
        cost: None,
    });

    let mut servers: Vec<Server> = Vec::new();
    for n in 1..=max_nodes {
        while servers.len() + 1 < n {
            servers.push(Server::start(&fixture.database, client).await?);
        }
        let mut bases = vec![fixture.server.base.clone()];
        bases.extend(servers.iter().map(|s| s.base.clone()));
        eprintln!("roster-bench: nodes: {n} node(s)");
        let writes = write_plan(fixture, &own, &bases, |i| i);
        load::run(client, &writes, tasks, limit).await; // warm-up
        let mut pids = vec![fixture.server.pid()];
        pids.extend(servers.iter().map(Server::pid));
        let cycles = requests.div_ceil(2);
        let before = probe(&fixture.database, &pids).await?;
        let m = load::run(client, &writes, cycles, limit).await;
        let cost = probe(&fixture.database, &pids).await?.since(before);
        lines.push(Line {
            row: "write".into(),
            nodes: n,
            m,
            cost: Some(cost),
        });
        let reads = read_plan(fixture, &own, &bases, |i| i);
        let before = probe(&fixture.database, &pids).await?;
        let m = load::run(client, &reads, requests, limit).await;
        let cost = probe(&fixture.database, &pids).await?.since(before);
        lines.push(Line {
            row: "read".into(),
            nodes: n,
            m,
            cost: Some(cost),
        });
    }

    // Isolation: community A (task 0's) alone, then beside B hammered.
    let mut bases = vec![fixture.server.base.clone()];
    bases.extend(servers.iter().map(|s| s.base.clone()));
    let cycles = (requests / 20).max(100);
    let (alone, isolated) = isolation(fixture, client, &own, &bases, "", cycles, limit).await;
    lines.extend(isolated);
    // The control: the same task beside as many clients reading B, a load
    // that takes the cores but no lock, row or commit A's writes could
    // wait for. What A loses here is the machine's to share, not
    // coordination's.
    let readers = Plan {
        tasks: read_plan(fixture, &own, &bases, |_| 1).tasks[1..].to_vec(),
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
    let (_, isolated) = isolation(
        fixture,
        client,
        &own,
        &quick_bases,
        "-unflushed",
        cycles,
        limit,
    )
    .await;
    lines.extend(isolated);
    drop(quick);
    Ok(table(&lines, fixture))
}

/// Task 0's writes on community A alone, then again while every other
/// task hammers community B (community 1), through `bases`: the plan of
/// A's writes, and the rows `write-A-alone`, `write-A-while-B-hammered`
/// and `write-B-hammered`, each name followed by `suffix`.
async fn isolation(
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

/// `count` open communities of `owner`'s, `{prefix}-{i}`.
async fn communities(
    state: &roster::app::AppState,
    owner: &roster_store::User,
    prefix: &str,
    count: usize,
) -> Result<Vec<Community>> {
    let mut made = Vec::with_capacity(count);
    for i in 0..count {
        let name = format!("{prefix}-{i:03}");
        let open = (Visibility::Public, JoinPolicy::Open);
        made.push(fixture::community(state, owner, &name, open).await?);
    }
    Ok(made)
}

fn bearer(token: &str) -> Vec<(&'static str, String)> {
    vec![("authorization", format!("Bearer {token}"))]
}

/// Task `i` joins and leaves community `pick(i)`, through node `i % nodes`.
fn write_plan(
    f: &Fixture,
    own: &[Community],
    bases: &[String],
    pick: impl Fn(usize) -> usize,
) -> Plan {
    let tasks = f
        .bench
        .iter()
        .enumerate()
        .map(|(i, account)| {
            let base = &bases[i % bases.len()];
            let url = format!("{base}/v1/communities/{}", own[pick(i)].id());
            ["join", "leave"]
                .into_iter()
                .map(|what| Op {
                    label: what,
                    method: Method::POST,
                    url: format!("{url}/{what}"),
                    headers: bearer(&account.token),
                    body: None,
                    expect: 200,
                })
                .collect()
        })
        .collect();
    Plan {
        tasks,
        community: None,
    }
}

/// Task `i` reads community `pick(i)` (with its standing), through node
/// `i % nodes`.
fn read_plan(
    f: &Fixture,
    own: &[Community],
    bases: &[String],
    pick: impl Fn(usize) -> usize,
) -> Plan {
    let tasks = f
        .bench
        .iter()
        .enumerate()
        .map(|(i, account)| {
            let base = &bases[i % bases.len()];
            vec![Op {
                label: "read",
                method: Method::GET,
                url: format!("{base}/v1/communities/{}", own[pick(i)].id()),
                headers: bearer(&account.token),
                body: None,
                expect: 200,
            }]
        })
        .collect();
    Plan {
        tasks,
        community: None,
    }
}

/// The join/leave SQL of the storage baseline, one transaction per
/// operation, from `tasks` threads with a connection each, each user in a
/// community of its own (as the HTTP rows).
async fn sql_baseline(
    f: &Fixture,
    tasks: usize,
    requests: usize,
    limit: Duration,
) -> Result<Measurement> {
    let storage::Backend::Postgres(url) = f.storage.backend.clone() else {
        bail!("--nodes needs --postgres");
    };
    let state = roster::app::AppState::new(roster::cli::open_store(&url)?);
    let hash = f.owner.user.password_hash.clone();
    let owner = state
        .run(move |store| {
            store.create_user(NewUser {
                username: "nodes-owner".into(),
                password_hash: hash,
                email: None,
                admin: false,
                profile: Profile::default(),
            })
        })
        .await
        .map_err(|e| anyhow!("create user: {e}"))?;
    let own = communities(&state, &owner, "sql", tasks).await?;
    let targets: Vec<storage::Target> = own
        .iter()
        .zip(&f.storage.users)
        .map(|(c, user)| storage::Target {
            backend: f.storage.backend.clone(),
            community: c.num,
            community_id: c.id().0.to_string(),
            users: vec![user.clone()],
        })
        .collect();
    let per_task = requests.div_ceil(tasks).max(2);
    let started = std::time::Instant::now();
    let threads: Vec<_> = targets
        .into_iter()
        .map(|target| std::thread::spawn(move || storage::run(&target, per_task, 1, limit)))
        .collect();
    let mut latencies = Vec::new();
    let mut done = 0;
    for thread in threads {
        let m = thread
            .join()
            .map_err(|_| anyhow!("a baseline thread panicked"))??;
        done += m.requests;
        latencies.extend(m.latencies.into_iter().flatten());
    }
    Ok(Measurement {
        requests: done,
        errors: 0,
        first_error: None,
        wall: started.elapsed(),
        latencies: vec![latencies],
        cut_short: false,
    })
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at].as_secs_f64() * 1e3
}

/// The Markdown table.
fn table(lines: &[Line], f: &Fixture) -> String {
    #[allow(clippy::cast_precision_loss)]
    let rate = |m: &Measurement| m.requests as f64 / m.wall.as_secs_f64().max(1e-9);
    let base = lines.first().map_or(1.0, |l| rate(&l.m));
    let one_node = lines
        .iter()
        .find(|l| l.row == "write" && l.nodes == 1)
        .map_or(1.0, |l| rate(&l.m));
    let mut out = format!(
        "{} bench users, {} client connections, one community each; PostgreSQL\n\n\
         | row | nodes | ops | errors | ops/s | p50 (ms) | p99 (ms) | × SQL baseline | × 1 node | node CPU ms/op | DB CPU ms/op | commits/op |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        f.bench.len(),
        f.bench.len()
    );
    for line in lines {
        let mut all: Vec<Duration> = line.m.latencies.iter().flatten().copied().collect();
        all.sort_unstable();
        let r = rate(&line.m);
        let versus_one = if line.row == "write" {
            format!("{:.2}", r / one_node)
        } else {
            "–".into()
        };
        #[allow(clippy::cast_precision_loss)]
        let ops = line.m.requests.max(1) as f64;
        #[allow(clippy::cast_precision_loss)]
        let costs = line.cost.map_or_else(
            || "– | – | –".to_owned(),
            |c| {
                format!(
                    "{:.3} | {:.3} | {:.2}",
                    c.node_cpu * 1e3 / ops,
                    c.db_cpu * 1e3 / ops,
                    c.commits as f64 / ops
                )
            },
        );
        out.push_str(&format!(
            "| {} | {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.3} | {} | {} |\n",
            line.row,
            if line.nodes == 0 {
                "–".into()
            } else {
                line.nodes.to_string()
            },
            line.m.requests,
            line.m.errors,
            r,
            percentile(&all, 0.5),
            percentile(&all, 0.99),
            r / base,
            versus_one,
            costs
        ));
    }
    out
}
