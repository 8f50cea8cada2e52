//! The results: per-row figures, with throughput as a ratio to both
//! baselines measured in the same run (the grouped storage limit and the
//! HTTP floor), since absolute numbers on shared machines are noise, and
//! the server's peak RSS after each row; a Markdown table for people or
//! JSON for machines.

use crate::fixture::Population;
use crate::load::{percentile, Measurement};
use crate::rows::{Plan, Row};
use serde::Serialize;
use std::fmt::Write as _;
use std::time::Duration;

#[derive(Serialize)]
pub struct Report {
    pub date: String,
    pub cores: usize,
    pub backend: &'static str,
    pub requests_per_row: usize,
    pub concurrency: usize,
    pub small: usize,
    pub big: usize,
    pub max_seconds_per_row: u64,
    pub population: Option<Population>,
    pub rows: Vec<RowReport>,
}

#[derive(Serialize)]
pub struct RowReport {
    pub row: &'static str,
    pub meaning: String,
    pub requests: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    pub wall_seconds: f64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Throughput over baseline 1 (storage, one op per commit), same run.
    pub ratio_to_storage_one: f64,
    /// Throughput over baseline 1 (storage, grouped commits), same run.
    pub ratio_to_storage_grouped: f64,
    /// Throughput over baseline 2 (the HTTP floor, `/healthz`), same run.
    pub ratio_to_http_floor: f64,
    /// The server process's peak RSS (VmHWM) once the row was done.
    pub server_peak_rss_mib: Option<f64>,
    /// Latency of each request of the cycle (join, leave, …) on its own.
    pub per_request: Vec<OpStats>,
    /// Ran out of time before its requests were all sent.
    pub cut_short: bool,
    /// Consistency checks after the row (events written, member count).
    pub checks: Vec<String>,
    pub checks_passed: bool,
}

#[derive(Serialize)]
pub struct OpStats {
    pub request: &'static str,
    pub count: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl RowReport {
    pub fn new(row: Row, meaning: String, plan: Option<&Plan>, m: Measurement) -> RowReport {
        let mut all: Vec<Duration> = m.latencies.iter().flatten().copied().collect();
        all.sort_unstable();
        let labels = plan
            .and_then(|p| p.tasks.first())
            .map(|cycle| cycle.iter().map(|op| op.label));
        let per_request = match labels {
            Some(labels) if plan.is_some_and(|p| p.cycle_len() > 1) => labels
                .zip(m.latencies)
                .map(|(request, mut some)| {
                    some.sort_unstable();
                    OpStats {
                        request,
                        count: some.len(),
                        p50_ms: ms(percentile(&some, 50.0)),
                        p99_ms: ms(percentile(&some, 99.0)),
                    }
                })
                .collect(),
            _ => Vec::new(),
        };
        let seconds = m.wall.as_secs_f64();
        RowReport {
            row: row.name(),
            meaning,
            requests: m.requests,
            errors: m.errors,
            first_error: m.first_error,
            wall_seconds: seconds,
            requests_per_second: if seconds > 0.0 {
                m.requests as f64 / seconds
            } else {
                0.0
            },
            p50_ms: ms(percentile(&all, 50.0)),
            p99_ms: ms(percentile(&all, 99.0)),
            max_ms: ms(all.last().copied().unwrap_or_default()),
            ratio_to_storage_one: 0.0,
            ratio_to_storage_grouped: 0.0,
            ratio_to_http_floor: 0.0,
            server_peak_rss_mib: None,
            per_request,
            cut_short: m.cut_short,
            checks: Vec::new(),
            checks_passed: true,
        }
    }

    pub fn check(&mut self, ok: bool, what: String) {
        self.checks_passed &= ok;
        self.checks
            .push(format!("{}: {what}", if ok { "ok" } else { "FAILED" }));
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

impl Report {
    /// Fill in each row's ratios to the baselines measured in this run.
    pub fn relate(&mut self) {
        let rate = |name: &str| {
            self.rows
                .iter()
                .find(|r| r.row == name)
                .map_or(0.0, |r| r.requests_per_second)
        };
        let (one, grouped, floor) = (
            rate("storage-one"),
            rate("storage-grouped"),
            rate("healthz"),
        );
        let ratio = |x: f64, base: f64| if base > 0.0 { x / base } else { 0.0 };
        for row in &mut self.rows {
            row.ratio_to_storage_one = ratio(row.requests_per_second, one);
            row.ratio_to_storage_grouped = ratio(row.requests_per_second, grouped);
            row.ratio_to_http_floor = ratio(row.requests_per_second, floor);
        }
    }

    /// The server's peak RSS over the whole run.
    pub fn server_peak_rss_mib(&self) -> Option<f64> {
        self.rows
            .iter()
            .filter_map(|r| r.server_peak_rss_mib)
            .reduce(f64::max)
    }

    pub fn ok(&self) -> bool {
        self.rows
            .iter()
            .all(|r| r.errors == 0 && r.checks_passed && !r.cut_short)
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Roster benchmark, {}, {} cores, {}; {} requests per row, {} client connections \
             (HTTP/1.1 keep-alive, loopback, the server a process of its own), {} build.\n",
            self.date,
            self.cores,
            self.backend,
            self.requests_per_row,
            self.concurrency,
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
        );
        out.push_str(
            "| row | what | ops | ops/s | p50 (ms) | p99 (ms) | max (ms) \
             | × storage grouped | × HTTP floor | server RSS (MiB) |\n\
             |---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for r in &self.rows {
            let rss = r
                .server_peak_rss_mib
                .map_or("–".to_owned(), |m| format!("{m:.0}"));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.3} | {:.3} | {} |",
                r.row,
                r.meaning,
                r.requests,
                r.requests_per_second,
                r.p50_ms,
                r.p99_ms,
                r.max_ms,
                r.ratio_to_storage_grouped,
                r.ratio_to_http_floor,
                rss
            );
        }
        let cycles: Vec<&RowReport> = self
            .rows
            .iter()
            .filter(|r| !r.per_request.is_empty())
            .collect();
        if !cycles.is_empty() {
            out.push_str(
                "\nEach request of a cycle on its own:\n\n\
                 | row | request | count | p50 (ms) | p99 (ms) |\n|---|---|---:|---:|---:|\n",
            );
            for r in cycles {
                for op in &r.per_request {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {:.2} | {:.2} |",
                        r.row, op.request, op.count, op.p50_ms, op.p99_ms
                    );
                }
            }
        }
        self.notes(&mut out);
        out
    }

    fn notes(&self, out: &mut String) {
        out.push('\n');
        if let Some(p) = &self.population {
            let _ = writeln!(
                out,
                "- Bulk load: {} filler users in {:.1} s, their memberships in {:.1} s \
                 (`INSERT … SELECT`, 100,000 rows per transaction, counters set once).",
                p.fillers, p.users_seconds, p.memberships_seconds
            );
        }
        self.targets(out);
        for r in &self.rows {
            if r.errors > 0 {
                let _ = writeln!(
                    out,
                    "- {}: {} failed requests; first: {}",
                    r.row,
                    r.errors,
                    r.first_error.as_deref().unwrap_or("?")
                );
            }
            if r.cut_short {
                let _ = writeln!(out, "- {}: cut short by the time limit.", r.row);
            }
            for check in r.checks.iter().filter(|c| !c.starts_with("ok")) {
                let _ = writeln!(out, "- {}: {check}", r.row);
            }
        }
        if self.ok() {
            let _ = writeln!(
                out,
                "- Every request answered its expected status; every write row wrote one \
                 event per request and left its community's member count as it found it."
            );
        }
    }

    /// Issue 11's targets, each with its figure and whether it is met.
    fn targets(&self, out: &mut String) {
        let find = |name: &str| self.rows.iter().find(|r| r.row == name);
        let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
        for name in ["native", "whisk", "rocketchat", "course", "wix"] {
            if let Some(r) = find(name) {
                let ok = r.ratio_to_storage_grouped >= 0.6 && r.p99_ms <= 10.0;
                let _ = writeln!(
                    out,
                    "- Target {name} leave+join ≥ 0.6 × storage grouped, p99 ≤ 10 ms: \
                     {:.3} ×, p99 {:.2} ms: {}.",
                    r.ratio_to_storage_grouped,
                    r.p99_ms,
                    verdict(ok)
                );
            }
        }
        for (name, want) in [("read", 0.6), ("list-1k", 0.3), ("list-big", 0.3)] {
            if let Some(r) = find(name) {
                let _ = writeln!(
                    out,
                    "- Target {name} ≥ {want} × HTTP floor: {:.3} ×: {}.",
                    r.ratio_to_http_floor,
                    verdict(r.ratio_to_http_floor >= want)
                );
            }
        }
        if let (Some(small), Some(big)) = (find("leave-1k"), find("leave-big")) {
            if big.requests_per_second > 0.0 && small.p50_ms > 0.0 {
                let slower = small.requests_per_second / big.requests_per_second;
                let _ = writeln!(
                    out,
                    "- Target leave+join among {} members within 1.2 × of among {}: \
                     {slower:.2} × the time per op (p50 {:.2} ms against {:.2} ms): {}.",
                    self.big,
                    self.small,
                    big.p50_ms,
                    small.p50_ms,
                    verdict(slower <= 1.2)
                );
            }
        }
        if let Some(rss) = self.server_peak_rss_mib() {
            let mb = rss * 1.048_576;
            let _ = writeln!(
                out,
                "- Target server RSS ≤ 100 MB: peak {mb:.0} MB ({rss:.0} MiB) over the run: {}.",
                verdict(mb <= 100.0)
            );
        }
    }
}
