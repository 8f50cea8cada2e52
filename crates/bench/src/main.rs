//! `roster-bench`, Roster's benchmark binary. Speed is a feature, and its
//! figures come from here, not from timed tests: the real server runs
//! in-process over a temporary SQLite file, client tasks drive it over
//! loopback with a fixed number of requests per row, and every row's
//! throughput is reported as a ratio to a baseline (`GET /healthz`) measured
//! in the same run, because the machines it runs on are shared and noisy.
//!
//! Run it whole, in release: `cargo run --release -p roster-bench`.

mod fixture;
mod load;
mod report;
mod rows;

use anyhow::{bail, Result};
use clap::Parser;
use fixture::{Fixture, Needs};
use report::{Report, RowReport};
use rows::Row;
use std::time::Duration;

/// Measure Roster over loopback and print a Markdown table (or JSON).
#[derive(Parser, Debug)]
#[command(name = "roster-bench", version)]
struct Args {
    /// Requests per row (rounded up to whole join+leave cycles).
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Client tasks sending at once (each acts as its own user).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Members of the big community (rows leave-big and list-big). 20,000 by
    /// default: populating 100,000 through the store (one durable transaction
    /// per user and per add) takes about 270 s on a 2-core machine.
    #[arg(long, default_value_t = 20_000)]
    big: usize,
    /// Rows to run, comma-separated; the baseline (healthz) always runs.
    #[arg(long, value_enum, value_delimiter = ',')]
    rows: Vec<Row>,
    /// Stop a row after this many seconds, whatever it has sent.
    #[arg(long, default_value_t = 60)]
    max_seconds: u64,
    /// Print JSON instead of Markdown.
    #[arg(long)]
    json: bool,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if !(1..=1_000_000).contains(&args.requests) {
        bail!("--requests must be between 1 and 1000000");
    }
    if !(1..=512).contains(&args.concurrency) {
        bail!("--concurrency must be between 1 and 512");
    }
    if !(fixture::SMALL..=2_000_000).contains(&args.big) {
        bail!("--big must be between {} and 2000000", fixture::SMALL);
    }
    if !(1..=3600).contains(&args.max_seconds) {
        bail!("--max-seconds must be between 1 and 3600");
    }
    let mut selected: Vec<Row> = if args.rows.is_empty() {
        Row::ALL.to_vec()
    } else {
        args.rows.clone()
    };
    selected.push(Row::Healthz);
    selected.sort_unstable();
    selected.dedup();

    let needs = Needs {
        bench_users: args.concurrency,
        small: selected.iter().any(|r| r.needs_small()),
        big: selected.iter().any(|r| r.needs_big()).then_some(args.big),
    };
    eprintln!(
        "roster-bench: setting up (a fresh database, {} bench users)",
        needs.bench_users
    );
    let fixture = Fixture::start(&needs).await?;
    if let Some(p) = &fixture.population {
        eprintln!(
            "roster-bench: big community of {} members populated in {:.1} s",
            p.members,
            p.seconds()
        );
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;

    let limit = Duration::from_secs(args.max_seconds);
    let mut cursor = fixture.last_event().await?;
    let mut reports = Vec::with_capacity(selected.len());
    for &row in &selected {
        eprintln!("roster-bench: {}", row.name());
        reports.push(measure(row, &fixture, &client, &args, limit, &mut cursor).await?);
    }
    let mut report = Report {
        date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        requests_per_row: args.requests,
        concurrency: args.concurrency,
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
    let measured = load::run(client, &plan, cycles, limit).await;
    let events = fixture.count_events(cursor).await?;
    let requests = measured.requests;
    let mut report = RowReport::new(row, args.big, &plan, measured);
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
