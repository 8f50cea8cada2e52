//! The load generator: client tasks sharing one keep-alive `reqwest`
//! client, each repeating its cycle of requests until the row's fixed
//! number of cycles is handed out or its time limit passes. Every request's
//! latency is kept, so percentiles are exact.

use crate::rows::{Op, Plan};
use reqwest::Client;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one row's run observed.
pub struct Measurement {
    /// Requests sent (whole cycles only).
    pub requests: usize,
    /// Requests whose status was not the expected one, or that failed.
    pub errors: usize,
    pub first_error: Option<String>,
    pub wall: Duration,
    /// Latency of every request, by its position in the cycle.
    pub latencies: Vec<Vec<Duration>>,
    /// The time limit cut the row short.
    pub cut_short: bool,
}

/// Run `plan` until `cycles` cycles are done (or `limit` has passed).
pub async fn run(client: &Client, plan: &Plan, cycles: usize, limit: Duration) -> Measurement {
    let tickets = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + limit;
    let mut tasks = tokio::task::JoinSet::new();
    for cycle in &plan.tasks {
        let (client, cycle, tickets) = (client.clone(), cycle.clone(), Arc::clone(&tickets));
        tasks.spawn(async move {
            let mut seen = TaskResult::new(cycle.len());
            while Instant::now() < deadline && tickets.fetch_add(1, Ordering::Relaxed) < cycles {
                for (i, op) in cycle.iter().enumerate() {
                    let sent = Instant::now();
                    let outcome = send(&client, op).await;
                    seen.latencies[i].push(sent.elapsed());
                    if let Err(error) = outcome {
                        seen.errors += 1;
                        seen.first_error.get_or_insert(error);
                    }
                }
            }
            seen
        });
    }
    let mut total = TaskResult::new(plan.cycle_len());
    while let Some(done) = tasks.join_next().await {
        let done = done.unwrap_or_else(|panic| {
            let mut failed = TaskResult::new(0);
            failed.first_error = Some(format!("client task failed: {panic}"));
            failed.errors = 1;
            failed
        });
        total.errors += done.errors;
        if total.first_error.is_none() {
            total.first_error = done.first_error;
        }
        for (all, some) in total.latencies.iter_mut().zip(done.latencies) {
            all.extend(some);
        }
    }
    let wall = started.elapsed();
    let requests = total.latencies.iter().map(Vec::len).sum();
    Measurement {
        requests,
        errors: total.errors,
        first_error: total.first_error,
        wall,
        latencies: total.latencies,
        cut_short: requests < cycles * plan.cycle_len(),
    }
}

struct TaskResult {
    latencies: Vec<Vec<Duration>>,
    errors: usize,
    first_error: Option<String>,
}

impl TaskResult {
    fn new(ops: usize) -> TaskResult {
        TaskResult {
            latencies: vec![Vec::new(); ops],
            errors: 0,
            first_error: None,
        }
    }
}

/// Send one request and read its whole body (so the connection is reused).
async fn send(client: &Client, op: &Op) -> Result<(), String> {
    let mut request = client.request(op.method.clone(), &op.url);
    for (name, value) in &op.headers {
        request = request.header(*name, value);
    }
    if let Some(body) = &op.body {
        request = request.body(body.clone());
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("{} {}: {e}", op.method, op.url))?;
    let status = response.status().as_u16();
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("{} {}: reading the body: {e}", op.method, op.url))?;
    if status != op.expect {
        let text = String::from_utf8_lossy(&body);
        let text: String = text.chars().take(300).collect();
        return Err(format!(
            "{} {} ({}): status {status}, expected {}: {text}",
            op.method, op.url, op.label, op.expect
        ));
    }
    Ok(())
}

/// The `p`-th percentile (0 < p ≤ 100) of sorted latencies, by nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let ms = |n| Duration::from_millis(n);
        let sorted: Vec<Duration> = (1..=100).map(ms).collect();
        assert_eq!(percentile(&sorted, 50.0), ms(50));
        assert_eq!(percentile(&sorted, 99.0), ms(99));
        assert_eq!(percentile(&sorted, 100.0), ms(100));
        assert_eq!(percentile(&[ms(7)], 99.0), ms(7));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }
}
