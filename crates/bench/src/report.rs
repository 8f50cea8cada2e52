//! The results: per-row figures (throughput as a ratio to the baseline
//! measured in the same run, since absolute numbers on shared machines are
//! noise), as a Markdown table for people or JSON for machines.

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
    pub requests_per_row: usize,
    pub concurrency: usize,
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
    /// Throughput over the baseline's, same run.
    pub ratio_to_baseline: f64,
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
    pub fn new(row: Row, big: usize, plan: &Plan, m: Measurement) -> RowReport {
        let mut all: Vec<Duration> = m.latencies.iter().flatten().copied().collect();
        all.sort_unstable();
        let labels = plan
            .tasks
            .first()
            .map(|cycle| cycle.iter().map(|op| op.label));
        let per_request = match labels {
            Some(labels) if plan.cycle_len() > 1 => labels
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
            meaning: row.meaning(big),
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
            ratio_to_baseline: 0.0,
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
    /// Fill in each row's ratio to the baseline (the first row).
    pub fn relate(&mut self) {
        let baseline = self.rows.first().map_or(0.0, |r| r.requests_per_second);
        for row in &mut self.rows {
            row.ratio_to_baseline = if baseline > 0.0 {
                row.requests_per_second / baseline
            } else {
                0.0
            };
        }
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
            "Roster benchmark, {}, {} cores; {} requests per row, {} client tasks, \
             one keep-alive HTTP/1.1 client, loopback, release build.\n",
            self.date, self.cores, self.requests_per_row, self.concurrency
        );
        out.push_str(
            "| row | what | requests | wall (s) | req/s | p50 (ms) | p99 (ms) | × baseline |\n\
             |---|---|---:|---:|---:|---:|---:|---:|\n",
        );
        for r in &self.rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.2} | {:.0} | {:.2} | {:.2} | {:.3} |",
                r.row,
                r.meaning,
                r.requests,
                r.wall_seconds,
                r.requests_per_second,
                r.p50_ms,
                r.p99_ms,
                r.ratio_to_baseline
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
                "- Big community: {} members, populated through the store in {:.1} s \
                 ({:.1} s creating users, {:.1} s adding them, one transaction each).",
                p.members,
                p.seconds(),
                p.users_seconds,
                p.adds_seconds
            );
        }
        let leave = |name: &str| {
            self.rows
                .iter()
                .find(|r| r.row == name)
                .and_then(|r| r.per_request.iter().find(|op| op.request == "leave"))
                .map(|op| op.p50_ms)
        };
        if let (Some(small), Some(big)) = (leave("leave-small"), leave("leave-big")) {
            if small > 0.0 {
                let _ = writeln!(
                    out,
                    "- Leave p50, big community over small: {:.2}.",
                    big / small
                );
            }
        }
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
}
