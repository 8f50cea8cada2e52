//! The retry schedule: after the n-th failure in a row, wait
//! `base × 2^(n-1)`, capped at `max`, then take a random 50–100 % of it
//! (jitter, so that many subscriptions failing together do not retry in
//! step). With the defaults (1 s, 5 min) the waits are about 1, 2, 4 … 256
//! seconds, then 5 minutes each, until the subscription is paused.

use std::time::Duration;

/// The wait after `failures` failures in a row (at least 1).
pub fn delay(failures: u32, base: Duration, max: Duration) -> Duration {
    let full = ceiling(failures, base, max);
    let fraction = 0.5 + rand::random::<f64>() * 0.5;
    full.mul_f64(fraction)
}

/// The wait before jitter.
pub fn ceiling(failures: u32, base: Duration, max: Duration) -> Duration {
    let exponent = failures.saturating_sub(1).min(30);
    base.saturating_mul(1u32 << exponent).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_with_jitter_below_it() {
        let (base, max) = (Duration::from_secs(1), Duration::from_secs(300));
        assert_eq!(ceiling(1, base, max), Duration::from_secs(1));
        assert_eq!(ceiling(2, base, max), Duration::from_secs(2));
        assert_eq!(ceiling(9, base, max), Duration::from_secs(256));
        assert_eq!(ceiling(10, base, max), max);
        assert_eq!(ceiling(u32::MAX, base, max), max);
        for failures in 1..40 {
            let wait = delay(failures, base, max);
            let top = ceiling(failures, base, max);
            assert!(wait <= top && wait >= top / 2, "{failures}: {wait:?}");
        }
    }
}
