//! A node's connection pool settings and what it reports (issue 13): the
//! size and statement timeout an operator sets (`--pool-size`,
//! `--statement-timeout`), and the checkouts' wait times and the pool's
//! occupancy that `/readyz` and `/metrics` show.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How a node's pool is sized and bounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgOptions {
    /// Connections at most in the node's pool. Each store call holds one
    /// for its transaction; with N nodes the database sees
    /// up to N × this many (PostgreSQL's default `max_connections` is 100).
    pub pool_size: u32,
    /// Sent as the `statement_timeout` setting of every connection: a
    /// statement running longer is cancelled by the server (an error, the
    /// transaction rolled back). Zero: no limit.
    pub statement_timeout: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions {
            pool_size: default_pool_size(),
            statement_timeout: Duration::from_secs(30),
        }
    }
}

/// Two connections per core the node has, at least 4: a store call is
/// mostly waiting for the database, so a node keeps about two in flight
/// per core it can run their requests on.
pub fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    u32::try_from(cores * 2).unwrap_or(u32::MAX).max(4)
}

/// The pool now, for `/readyz` and `/metrics`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PoolStats {
    /// The most connections the pool opens.
    pub max_size: u32,
    /// Connections open now.
    pub open: u32,
    /// Open connections lent to a store call now.
    pub in_use: u32,
    /// Checkouts so far, and their total wait in seconds.
    pub checkouts: u64,
    pub wait_seconds: f64,
    /// Checkouts by wait: (upper bound in seconds, checkouts that waited at
    /// most that long and more than the previous bound), the last infinite.
    pub wait_buckets: Vec<(f64, u64)>,
}

impl PoolStats {
    /// In use over the most the pool opens, 0 to 1.
    pub fn saturation(&self) -> f64 {
        if self.max_size == 0 {
            return 0.0;
        }
        f64::from(self.in_use) / f64::from(self.max_size)
    }
}

/// Wait bounds in seconds: 0.1 ms to 10 s.
const WAIT_BOUNDS: [f64; 12] = [
    0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 10.0,
];

/// The checkouts' waits, counted without a lock.
#[derive(Debug, Default)]
pub(super) struct Waits {
    buckets: [AtomicU64; WAIT_BOUNDS.len() + 1],
    count: AtomicU64,
    micros: AtomicU64,
}

impl Waits {
    pub(super) fn record(&self, waited: Duration) {
        let seconds = waited.as_secs_f64();
        let slot = WAIT_BOUNDS
            .iter()
            .position(|&bound| seconds <= bound)
            .unwrap_or(WAIT_BOUNDS.len());
        self.buckets[slot].fetch_add(1, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(waited.as_micros()).unwrap_or(u64::MAX);
        self.micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub(super) fn stats(&self, max_size: u32, open: u32, idle: u32) -> PoolStats {
        let bounds = WAIT_BOUNDS.iter().copied().chain([f64::INFINITY]);
        #[allow(clippy::cast_precision_loss)]
        let wait_seconds = self.micros.load(Ordering::Relaxed) as f64 / 1e6;
        PoolStats {
            max_size,
            open,
            in_use: open.saturating_sub(idle),
            checkouts: self.count.load(Ordering::Relaxed),
            wait_seconds,
            wait_buckets: bounds
                .zip(&self.buckets)
                .map(|(bound, n)| (bound, n.load(Ordering::Relaxed)))
                .collect(),
        }
    }
}

/// `options` for the server with our `statement_timeout` first, so that a
/// `-c statement_timeout=…` the URL's own `options` sets wins.
pub(super) fn with_statement_timeout(existing: Option<&str>, timeout: Duration) -> String {
    let ours = format!("-c statement_timeout={}", timeout.as_millis());
    match existing {
        Some(theirs) if !theirs.trim().is_empty() => format!("{ours} {theirs}"),
        _ => ours,
    }
}

/// How long a store call waits for a free connection before failing.
pub(super) const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `/readyz` (ping) waits for a connection: a server that is down
/// is reported promptly rather than after the full checkout timeout.
pub(super) const PING_TIMEOUT: Duration = Duration::from_secs(3);
/// TCP connect timeout, unless the URL sets `connect_timeout`.
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Runs of one write transaction when the server rolls it back for a
/// deadlock or serialization failure.
pub(super) const ATTEMPTS: u32 = 3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_pool_fits_the_node() {
        assert!(default_pool_size() >= 4);
    }

    #[test]
    fn waits_fall_in_their_buckets() {
        let waits = Waits::default();
        waits.record(Duration::from_micros(50));
        waits.record(Duration::from_millis(3));
        waits.record(Duration::from_secs(20));
        let stats = waits.stats(8, 3, 1);
        assert_eq!((stats.checkouts, stats.in_use), (3, 2));
        assert!((stats.saturation() - 0.25).abs() < 1e-9);
        let counts: Vec<u64> = stats.wait_buckets.iter().map(|b| b.1).collect();
        assert_eq!(counts.iter().sum::<u64>(), 3);
        assert_eq!(counts[0], 1, "50 µs ≤ 0.1 ms");
        assert_eq!(counts[4], 1, "3 ms ≤ 5 ms");
        assert_eq!(counts[12], 1, "20 s: over every bound");
    }

    #[test]
    fn the_urls_own_statement_timeout_wins() {
        let ms = Duration::from_secs(30);
        assert_eq!(
            with_statement_timeout(None, ms),
            "-c statement_timeout=30000"
        );
        assert_eq!(
            with_statement_timeout(Some("-c statement_timeout=5s"), ms),
            "-c statement_timeout=30000 -c statement_timeout=5s"
        );
    }
}
