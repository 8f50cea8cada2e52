//! The limits' settings: the `serve` flags, their parsed form, and the
//! defaults (kept generous enough that an honest busy client is never
//! refused).

use governor::Quota;
use std::num::NonZeroU32;
use std::time::Duration;

/// A rate: `N/s`, `N/m` or `N/h` (a burst of N, refilled over the unit), or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate(pub Option<Quota>);

impl Rate {
    pub const OFF: Rate = Rate(None);

    /// A burst of `count`, refilled evenly over `unit`; off for zero.
    pub fn per(count: u32, unit: Duration) -> Rate {
        let Some(burst) = NonZeroU32::new(count) else {
            return Rate::OFF;
        };
        Rate(Quota::with_period(unit / count).map(|quota| quota.allow_burst(burst)))
    }
}

/// Parse a [`Rate`] flag.
pub fn parse_rate(text: &str) -> Result<Rate, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("off") {
        return Ok(Rate::OFF);
    }
    let bad = || format!("'{text}' is not a rate like 100/s, 30/m, 500/h or off");
    let (count, unit) = text.split_once('/').ok_or_else(bad)?;
    let count: u32 = count.trim().parse().map_err(|_| bad())?;
    let unit = match unit.trim() {
        "s" => Duration::from_secs(1),
        "m" => Duration::from_secs(60),
        "h" => Duration::from_secs(3600),
        _ => return Err(bad()),
    };
    if count == 0 {
        return Err(format!("'{text}': use off to disable a limit"));
    }
    Ok(Rate::per(count, unit))
}

/// The limits, as flags and environment variables of `serve`.
#[derive(clap::Args, Clone, Debug)]
pub struct LimitArgs {
    /// Requests per client address to any API (`N/s`, `N/m`, `N/h` or `off`).
    #[arg(long, env = "ROSTER_LIMIT_PER_ADDRESS", default_value = "600/s", value_parser = parse_rate)]
    pub limit_per_address: Rate,
    /// Requests per token to any API.
    #[arg(long, env = "ROSTER_LIMIT_PER_TOKEN", default_value = "300/s", value_parser = parse_rate)]
    pub limit_per_token: Rate,
    /// Apply the API limits to loopback clients too (exempt by default).
    #[arg(long, env = "ROSTER_LIMIT_LOOPBACK")]
    pub limit_loopback: bool,
    /// Password checks (logins, token creation) per client address.
    #[arg(long, env = "ROSTER_LOGIN_LIMIT_PER_ADDRESS", default_value = "30/m", value_parser = parse_rate)]
    pub login_limit_per_address: Rate,
    /// Password checks per account from addresses that never logged in to it.
    #[arg(long, env = "ROSTER_LOGIN_LIMIT_PER_ACCOUNT", default_value = "20/m", value_parser = parse_rate)]
    pub login_limit_per_account: Rate,
    /// Failed passwords per (account, address) before the back-off starts
    /// (the first lock comes with this failure); `off` disables it.
    #[arg(long, env = "ROSTER_LOGIN_BACKOFF_AFTER", default_value = "5", value_parser = parse_count)]
    pub login_backoff_after: FreeFailures,
    /// The first back-off; it doubles with every further failure.
    #[arg(long, env = "ROSTER_LOGIN_BACKOFF", default_value = "1s", value_parser = crate::cli::parse_duration)]
    pub login_backoff: Duration,
    /// The longest back-off.
    #[arg(long, env = "ROSTER_LOGIN_BACKOFF_MAX", default_value = "15m", value_parser = crate::cli::parse_duration)]
    pub login_backoff_max: Duration,
    /// Take the client address from `X-Forwarded-For` (set only behind a trusted proxy).
    #[arg(long, env = "ROSTER_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
}

/// A failure count, or `None` for off. (An alias, so that clap parses the
/// whole value with [`parse_count`] instead of taking the flag as optional.)
pub type FreeFailures = Option<u32>;

fn parse_count(text: &str) -> Result<FreeFailures, String> {
    if text.trim().eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    text.trim()
        .parse()
        .map(Some)
        .map_err(|_| format!("'{text}' is not a count or off"))
}

/// Every limit's setting.
#[derive(Clone, Debug)]
pub struct LimitConfig {
    pub per_address: Rate,
    pub per_token: Rate,
    pub limit_loopback: bool,
    pub login_per_address: Rate,
    pub login_per_account: Rate,
    pub backoff_after: Option<u32>,
    pub backoff: Duration,
    pub backoff_max: Duration,
    pub trust_forwarded_for: bool,
}

impl Default for LimitConfig {
    /// The defaults of the `serve` flags.
    fn default() -> Self {
        LimitConfig {
            per_address: Rate::per(600, Duration::from_secs(1)),
            per_token: Rate::per(300, Duration::from_secs(1)),
            limit_loopback: false,
            login_per_address: Rate::per(30, Duration::from_secs(60)),
            login_per_account: Rate::per(20, Duration::from_secs(60)),
            backoff_after: Some(5),
            backoff: Duration::from_secs(1),
            backoff_max: Duration::from_secs(15 * 60),
            trust_forwarded_for: false,
        }
    }
}

impl From<&LimitArgs> for LimitConfig {
    fn from(args: &LimitArgs) -> Self {
        LimitConfig {
            per_address: args.limit_per_address,
            per_token: args.limit_per_token,
            limit_loopback: args.limit_loopback,
            login_per_address: args.login_limit_per_address,
            login_per_account: args.login_limit_per_account,
            backoff_after: args.login_backoff_after,
            backoff: args.login_backoff,
            backoff_max: args.login_backoff_max,
            trust_forwarded_for: args.trust_forwarded_for,
        }
    }
}
