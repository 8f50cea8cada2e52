//! Rate limits: one client must not be able to guess passwords or tokens
//! at will, nor take the whole server's capacity.
//!
//! - Every API, per client address and per presented token (a layer in
//!   front of every route but health and metrics), with generous defaults.
//!   Loopback clients are exempt unless `--limit-loopback` is given, so a
//!   benchmark or a local reverse proxy (whose clients all share one
//!   address) is never throttled by default.
//! - Password checks (logins, token creation), per client address and per
//!   account, and an exponential back-off per (account, address) after
//!   repeated failures. The back-off only ever locks the address that
//!   failed, never the account; the per-account limit only slows (its wait
//!   is at most one replenish period) and does not apply to an address that
//!   has logged in to that account before. So an attacker can neither lock
//!   a user out nor guess faster than the limits allow.
//!
//! The rates are GCRA limiters from the `governor` crate; the back-off is a
//! bounded map. All state is in memory, per node.

use crate::password::Busy;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::DefaultKeyedRateLimiter;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

mod config;
mod layer;
pub use config::{parse_rate, FreeFailures, LimitArgs, LimitConfig, Rate};
pub use layer::{client_address, limit_api, ClientAddress};

/// A refusal for load: 429 (a limit) or 503 (the password pool is full),
/// with the seconds to wait for `Retry-After`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after: Duration,
    /// The server is busy (503), rather than this client too fast (429).
    pub busy: bool,
}

impl Throttled {
    pub fn too_many(retry_after: Duration) -> Self {
        Throttled {
            retry_after,
            busy: false,
        }
    }

    pub fn status(&self) -> StatusCode {
        if self.busy {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::TOO_MANY_REQUESTS
        }
    }

    /// Whole seconds to wait, at least one.
    pub fn seconds(&self) -> u64 {
        let nanos = self.retry_after.as_nanos();
        let seconds = nanos.div_ceil(1_000_000_000);
        u64::try_from(seconds).unwrap_or(u64::MAX).max(1)
    }

    /// A sentence for the error bodies.
    pub fn message(&self) -> String {
        if self.busy {
            format!(
                "the server is busy checking passwords; try again in {} s",
                self.seconds()
            )
        } else {
            format!("too many requests; try again in {} s", self.seconds())
        }
    }

    /// Add `Retry-After` to a dialect's error response.
    pub fn finish(&self, mut response: Response) -> Response {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(self.seconds()));
        response
    }
}

impl From<Busy> for Throttled {
    fn from(busy: Busy) -> Self {
        Throttled {
            retry_after: busy.retry_after,
            busy: true,
        }
    }
}

/// Most (account, address) pairs the back-off remembers.
const MAX_TRACKED: usize = 100_000;
/// How long an address that logged in to an account stays exempt from the
/// per-account limit.
const KNOWN_FOR: Duration = Duration::from_secs(30 * 86_400);
/// Stale limiter keys are dropped every this many checks.
const SWEEP_EVERY: u64 = 4096;

type Keyed<K> = Option<DefaultKeyedRateLimiter<K>>;

/// The live limiters of one server.
pub struct Limits {
    pub config: LimitConfig,
    per_address: Keyed<IpAddr>,
    per_token: Keyed<u64>,
    login_per_address: Keyed<IpAddr>,
    login_per_account: Keyed<String>,
    attempts: Mutex<HashMap<(String, IpAddr), Attempts>>,
    checks: AtomicU64,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits")
            .field("config", &self.config)
            .finish()
    }
}

/// The failures of one account from one address.
#[derive(Clone, Copy, Debug)]
struct Attempts {
    failures: u32,
    locked_until: Option<Instant>,
    last_seen: Instant,
    /// This address has logged in to this account.
    known: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(LimitConfig::default())
    }
}

fn keyed<K: Clone + std::hash::Hash + Eq>(rate: Rate) -> Keyed<K> {
    rate.0.map(DefaultKeyedRateLimiter::keyed)
}

fn check<K: Clone + std::hash::Hash + Eq>(limiter: &Keyed<K>, key: &K) -> Result<(), Throttled> {
    let Some(limiter) = limiter else {
        return Ok(());
    };
    limiter.check_key(key).map_err(|not_until| {
        Throttled::too_many(not_until.wait_time_from(DefaultClock::default().now()))
    })
}

impl Limits {
    pub fn new(config: LimitConfig) -> Self {
        Limits {
            per_address: keyed(config.per_address),
            per_token: keyed(config.per_token),
            login_per_address: keyed(config.login_per_address),
            login_per_account: keyed(config.login_per_account),
            config,
            attempts: Mutex::new(HashMap::new()),
            checks: AtomicU64::new(0),
        }
    }

    /// No limit at all (tests of other things, or an operator's choice).
    pub fn off() -> Self {
        Limits::new(LimitConfig {
            per_address: Rate::OFF,
            per_token: Rate::OFF,
            login_per_address: Rate::OFF,
            login_per_account: Rate::OFF,
            backoff_after: None,
            ..LimitConfig::default()
        })
    }

    /// One API request from `address` (if known), with a token whose hash
    /// starts with `token` (if any).
    pub fn check_request(
        &self,
        address: Option<IpAddr>,
        token: Option<u64>,
    ) -> Result<(), Throttled> {
        self.sweep();
        if let Some(address) = address {
            if address.is_loopback() && !self.config.limit_loopback {
                return Ok(());
            }
            check(&self.per_address, &bucket(address))?;
        }
        match token {
            Some(token) => check(&self.per_token, &token),
            None => Ok(()),
        }
    }

    /// Before a password check of `account` from `address`.
    pub fn before_login(&self, account: &str, address: IpAddr) -> Result<(), Throttled> {
        self.sweep();
        let account = account.to_lowercase();
        let now = Instant::now();
        let known = {
            let attempts = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
            let entry = attempts.get(&(account.clone(), address));
            if let Some(until) = entry.and_then(|a| a.locked_until).filter(|&u| u > now) {
                return Err(Throttled::too_many(until - now));
            }
            entry.is_some_and(|a| a.known && now.duration_since(a.last_seen) < KNOWN_FOR)
        };
        check(&self.login_per_address, &bucket(address))?;
        if !known {
            check(&self.login_per_account, &account)?;
        }
        Ok(())
    }

    /// After a wrong password: count it, and lock this address out of this
    /// account for a while once the free failures are spent.
    pub fn login_failed(&self, account: &str, address: IpAddr) {
        let Some(free) = self.config.backoff_after else {
            return;
        };
        let now = Instant::now();
        let mut attempts = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        let key = (account.to_lowercase(), address);
        if !attempts.contains_key(&key) && attempts.len() >= MAX_TRACKED {
            prune(&mut attempts, now, self.config.backoff_max);
            if attempts.len() >= MAX_TRACKED {
                return;
            }
        }
        let entry = attempts.entry(key).or_insert(Attempts {
            failures: 0,
            locked_until: None,
            last_seen: now,
            known: false,
        });
        entry.failures = entry.failures.saturating_add(1);
        entry.last_seen = now;
        if entry.failures >= free {
            let doublings = (entry.failures - free).min(30);
            let wait = self
                .config
                .backoff
                .saturating_mul(1 << doublings)
                .min(self.config.backoff_max);
            entry.locked_until = Some(now + wait);
        }
    }

    /// After the right password: forget the failures, remember the address.
    pub fn login_succeeded(&self, account: &str, address: IpAddr) {
        let now = Instant::now();
        let mut attempts = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        let key = (account.to_lowercase(), address);
        if !attempts.contains_key(&key) && attempts.len() >= MAX_TRACKED {
            prune(&mut attempts, now, self.config.backoff_max);
        }
        if attempts.len() < MAX_TRACKED || attempts.contains_key(&key) {
            attempts.insert(
                key,
                Attempts {
                    failures: 0,
                    locked_until: None,
                    last_seen: now,
                    known: true,
                },
            );
        }
    }

    /// Now and then, drop limiter keys that are back to a fresh state.
    fn sweep(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY != SWEEP_EVERY - 1 {
            return;
        }
        for limiter in [&self.per_address, &self.login_per_address]
            .into_iter()
            .flatten()
        {
            limiter.retain_recent();
        }
        if let Some(limiter) = &self.per_token {
            limiter.retain_recent();
        }
        if let Some(limiter) = &self.login_per_account {
            limiter.retain_recent();
        }
        let mut attempts = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        prune(&mut attempts, Instant::now(), self.config.backoff_max);
    }
}

/// Forget failures older than the longest back-off (and known addresses
/// after [`KNOWN_FOR`]).
fn prune(attempts: &mut HashMap<(String, IpAddr), Attempts>, now: Instant, backoff_max: Duration) {
    attempts.retain(|_, a| {
        let age = now.duration_since(a.last_seen);
        if a.known {
            age < KNOWN_FOR
        } else {
            age < backoff_max.max(Duration::from_secs(60))
        }
    });
}

/// The bucket of an address: itself for IPv4, its /64 for IPv6 (one
/// subscriber usually holds a whole /64).
fn bucket(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(bits))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDRESS: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const OTHER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn rates_parse() {
        assert_eq!(parse_rate("off"), Ok(Rate::OFF));
        let rate = parse_rate("30/m").unwrap().0.unwrap();
        assert_eq!(rate.burst_size().get(), 30);
        assert_eq!(rate.replenish_interval(), Duration::from_secs(2));
        assert!(parse_rate("0/s").is_err());
        assert!(parse_rate("10").is_err());
        assert!(parse_rate("10/d").is_err());
    }

    #[test]
    fn the_back_off_locks_only_the_failing_address_and_doubles() {
        let limits = Limits::new(LimitConfig {
            login_per_address: Rate::OFF,
            login_per_account: Rate::OFF,
            backoff_after: Some(2),
            backoff: Duration::from_secs(10),
            ..LimitConfig::default()
        });
        for _ in 0..2 {
            limits.before_login("Ann", ADDRESS).unwrap();
            limits.login_failed("Ann", ADDRESS);
        }
        let first = limits.before_login("ann", ADDRESS).unwrap_err();
        assert_eq!(first.seconds(), 10);
        limits.login_failed("ann", ADDRESS);
        assert_eq!(
            limits.before_login("ann", ADDRESS).unwrap_err().seconds(),
            20
        );
        // Another address, and another account, are not affected.
        limits.before_login("ann", OTHER).unwrap();
        limits.before_login("bob", ADDRESS).unwrap();
        limits.login_succeeded("ann", OTHER);
    }

    #[test]
    fn the_per_account_limit_spares_addresses_that_logged_in_before() {
        let limits = Limits::new(LimitConfig {
            login_per_address: Rate::OFF,
            login_per_account: Rate::per(1, Duration::from_secs(3600)),
            ..LimitConfig::default()
        });
        limits.before_login("ann", ADDRESS).unwrap();
        limits.login_succeeded("ann", ADDRESS);
        limits.before_login("ann", OTHER).unwrap_err();
        limits.before_login("ann", ADDRESS).unwrap();
    }

    #[test]
    fn ipv6_addresses_share_their_64() {
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        let b: IpAddr = "2001:db8::ffff:1".parse().unwrap();
        let c: IpAddr = "2001:db8:0:1::1".parse().unwrap();
        assert_eq!(bucket(a), bucket(b));
        assert_ne!(bucket(a), bucket(c));
    }
}
