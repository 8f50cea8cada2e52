//! `roster-bench`, Roster's benchmark binary. Speed is a feature, and its
//! figures come from here, not from timed tests: the real server runs as a
//! process of its own (this binary re-executed as `roster serve`) over a
//! temporary SQLite file (or a scratch PostgreSQL database, `--postgres`),
//! client tasks drive it over loopback with keep-alive connections and a
//! fixed number of requests per row, and every row's throughput is given as
//! a ratio to the two physical baselines measured in the same run (the
//! storage limit, in-process SQL; the HTTP floor, `GET /healthz`), because
//! the machines it runs on are shared and noisy.
//!
//! Run it whole, in release: `cargo run --release -p roster-bench`.

/// The `roster` binary's allocator, since this binary is also the server
/// it measures.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bulk;
mod fixture;
mod load;
// `--nodes N` (issue 13): several servers on one PostgreSQL database.
mod nodes;
mod report;
mod rows;
mod server;
mod storage;

use anyhow::{bail, Result};
use clap::Parser;
use fixture::{Fixture, Needs};
use report::{Report, RowReport};
use rows::Row;
use std::process::ExitCode;
use std::time::Duration;

/// Measure Roster over loopback and print a Markdown table (or JSON).
#[derive(Parser, Debug)]
#[command(name = "roster-bench", version)]
struct Args {
    /// Requests (or storage operations) per row, rounded up to whole cycles.
    #[arg(long, default_value_t = 10_000)]
    requests: usize,
    /// Client connections sending at once (each acts as its own user).
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Members of the small community (rows leave-1k and list-1k).
    #[arg(long, default_value_t = 1_000)]
    small: usize,
    /// Members of the big community (rows leave-big, list-big, read), bulk loaded.
    #[arg(long, default_value_t = 1_000_000)]
    big: usize,
    /// Rows to run, comma-separated; the baselines always run.
    #[arg(long, value_enum, value_delimiter = ',')]
    rows: Vec<Row>,
    /// Stop a row after this many seconds, whatever it has sent.
    #[arg(long, default_value_t = 60)]
    max_seconds: u64,
    /// Run on PostgreSQL: the server URL (a role that may CREATE DATABASE);
    /// scratch databases are made there and dropped after.
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// Print JSON instead of Markdown.
    #[arg(long)]
    json: bool,
    /// With --postgres: instead of the rows, writes and reads against 1 to
    /// N `roster serve` processes on one database, beside the same SQL sent
    /// straight through a connection per client (see `nodes.rs`).
    #[arg(long, requires = "postgres", value_parser = clap::value_parser!(u16).range(1..=8))]
    nodes: Option<u16>,
}

fn main() -> ExitCode {
    if std::env::var_os(server::SERVER_ENV).is_some() {
        return roster::cli::main();
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("roster-bench: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(bench(Args::parse())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("roster-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn bench(args: Args) -> Result<()> {
    if !(1..=10_000_000).contains(&args.requests) {
        bail!("--requests must be between 1 and 10000000");
    }
    if !(1..=512).contains(&args.concurrency) {
        bail!("--concurrency must be between 1 and 512");
    }
    if !(2..=args.big).contains(&args.small) || args.big > 5_000_000 {
        bail!("--small must be at least 2 and at most --big, which is at most 5000000");
    }
    if !(1..=3600).contains(&args.max_seconds) {
        bail!("--max-seconds must be between 1 and 3600");
    }
    if let Some(nodes) = args.nodes {
        if args.concurrency < 2 {
            bail!("--nodes needs --concurrency 2 or more (community A's writer and B's)");
        }
        return bench_nodes(&args, usize::from(nodes)).await;
    }
    let mut selected: Vec<Row> = if args.rows.is_empty() {
        Row::ALL.to_vec()
    } else {
        args.rows.clone()
    };
    selected.extend([Row::StorageOne, Row::StorageGrouped, Row::Healthz]);
    selected.sort_unstable();
    selected.dedup();

    let needs = Needs {
        bench_users: args.concurrency,
        small: selected
            .iter()
            .any(|r| r.needs_small())
            .then_some(args.small),
        big: selected.iter().any(|r| r.needs_big()).then_some(args.big),
        postgres: args.postgres.clone(),
    };
    eprintln!(
        "roster-bench: setting up (a fresh database, {} bench users)",
        needs.bench_users
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let fixture = Fixture::start(&needs, &client).await?;

    let limit = Duration::from_secs(args.max_seconds);
    let mut cursor = fixture.last_event().await?;
    let mut reports = Vec::with_capacity(selected.len());
    for &row in &selected {
        eprintln!("roster-bench: {}", row.name());
        let mut report = if row.storage() {
            measure_storage(row, &fixture, &args, limit).await?
        } else {
            measure(row, &fixture, &client, &args, limit, &mut cursor).await?
        };
        if !row.storage() {
            report.server_peak_rss_mib = fixture.server.peak_rss_mib().ok();
        }
        reports.push(report);
    }
    let mut report = Report {
        date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        backend: fixture.backend,
        requests_per_row: args.requests,
        concurrency: args.concurrency,
        small: args.small,
        big: args.big,
        max_seconds_per_row: args.max_seconds,
        population: fixture.population.clone(),
        rows: reports,
    };
    report.relate();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.markdown());
    }
    if !report.ok() {
        bail!("some requests failed or a check did not hold; see the report");
    }
    Ok(())
}

/// `--nodes`: the fixture without the big communities, then `nodes::run`.
async fn bench_nodes(args: &Args, nodes: usize) -> Result<()> {
    let needs = Needs {
        bench_users: args.concurrency,
        small: None,
        big: None,
        postgres: args.postgres.clone(),
    };
    eprintln!("roster-bench: setting up for --nodes {nodes}");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let fixture = Fixture::start(&needs, &client).await?;
    let limit = Duration::from_secs(args.max_seconds);
    let table = nodes::run(&fixture, &client, nodes, args.requests, limit).await?;
    print!("{table}");
    Ok(())
}

/// Requests (or operations) per second of a measurement.
fn rate(m: &load::Measurement) -> f64 {
    m.requests as f64 / m.wall.as_secs_f64().max(1e-9)
}

/// Baseline 1 on its own database, on a blocking thread: a warm-up round,
/// then the measured operations.
async fn measure_storage(
    row: Row,
    fixture: &Fixture,
    args: &Args,
    limit: Duration,
) -> Result<RowReport> {
    let per_commit = if row == Row::StorageGrouped {
        storage::GROUP
    } else {
        1
    };
    let target = fixture.storage.clone();
    let requests = args.requests;
    let (warm, measured) = tokio::task::spawn_blocking(move || {
        let warm = storage::run(&target, 1, per_commit, limit)?;
        let mut measured = storage::run(&target, requests, per_commit, limit)?;
        if per_commit > 1 {
            // A baseline is a limit: the best of three runs.
            for _ in 0..2 {
                let again = storage::run(&target, requests, per_commit, limit)?;
                if rate(&again) > rate(&measured) {
                    measured = again;
                }
            }
        }
        Ok::<_, anyhow::Error>((warm, measured))
    })
    .await??;
    let meaning = row.meaning(args.small, args.big);
    let mut report = RowReport::new(row, meaning, None, measured);
    report.check(
        warm.requests > 0,
        "in-process, no HTTP; each user joined and left again".into(),
    );
    Ok(report)
}

/// Warm up (one untimed cycle per task), measure, then check that the row
/// did what it claims: one event per write, member counts back where they were.
async fn measure(
    row: Row,
    fixture: &Fixture,
    client: &reqwest::Client,
    args: &Args,
    limit: Duration,
    cursor: &mut i64,
) -> Result<RowReport> {
    let plan = rows::plan(row, fixture).await?;
    let before = match &plan.community {
        Some(c) => Some(fixture.reload(c).await?.state.counters.members),
        None => None,
    };
    let warm = load::run(client, &plan, plan.tasks.len(), limit).await;
    fixture.count_events(cursor).await?;
    let cycles = args.requests.div_ceil(plan.cycle_len());
    let mut measured = load::run(client, &plan, cycles, limit).await;
    if row == Row::Healthz {
        // A baseline is a limit: the best of three runs (reads only).
        for _ in 0..2 {
            let again = load::run(client, &plan, cycles, limit).await;
            if again.errors > 0 || rate(&again) > rate(&measured) {
                measured = again;
            }
        }
    }
    let events = fixture.count_events(cursor).await?;
    let requests = measured.requests;
    let meaning = row.meaning(args.small, args.big);
    let mut report = RowReport::new(row, meaning, Some(&plan), measured);
    if warm.errors > 0 {
        report.check(
            false,
            format!(
                "warm-up: {} failed; first: {}",
                warm.errors,
                warm.first_error.unwrap_or_default()
            ),
        );
    }
    let expected = if row.writes() { requests } else { 0 };
    report.check(
        events == expected,
        format!("{events} events written, {expected} expected"),
    );
    if let Some(c) = &plan.community {
        let after = fixture.reload(c).await?.state.counters.members;
        report.check(
            before == Some(after),
            format!("members before {before:?}, after {after}"),
        );
    }
    Ok(report)
}
