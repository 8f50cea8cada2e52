//! `--nodes N` (issue 13): the same writes and reads against 1, 2, … N
//! `roster serve` processes sharing one PostgreSQL database, the client
//! connections spread over them round-robin, beside a baseline of the same
//! SQL sent straight through as many connections as there are clients
//! (the database's own limit on this machine). Every row is given as a
//! ratio to that baseline; the write row is also given against one node.
//!
//! Each client task acts as its own bench user in a community of its own,
//! so writes only meet at the database (the deployments that scale out
//! have many communities). The last rows measure isolation, community A's
//! writes beside a hammered B (`isolation.rs`).

use crate::fixture::{self, Fixture};
use crate::load::{self, Measurement};
use crate::rows::{Op, Plan};
use crate::server::Server;
use crate::storage;

mod isolation;
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

    lines.extend(isolation::rows(fixture, client, &own, servers, requests, limit).await?);
    Ok(table(&lines, fixture))
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
