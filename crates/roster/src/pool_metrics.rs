//! The PostgreSQL pool's series on `/metrics` (issue 13), read from the
//! store at each scrape; a store without a pool (SQLite) shows none.
//!
//! | metric | type |
//! |---|---|
//! | `roster_store_pool_size` | gauge: connections the pool opens at most |
//! | `roster_store_pool_connections` | gauge: open now, by `state` (`in_use`, `idle`) |
//! | `roster_store_pool_wait_seconds` | histogram: time to check a connection out |

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use roster_store::Store;
use std::sync::Arc;

/// The store's pool, read at each scrape.
pub struct PoolCollector(pub Arc<dyn Store>);

impl std::fmt::Debug for PoolCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PoolCollector")
    }
}

impl Collector for PoolCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some(stats) = self.0.pool_stats() else {
            return Ok(());
        };
        ConstGauge::new(i64::from(stats.max_size)).encode(encoder.encode_descriptor(
            "store_pool_size",
            "Connections the PostgreSQL pool opens at most.",
            None,
            MetricType::Gauge,
        )?)?;
        let mut open = encoder.encode_descriptor(
            "store_pool_connections",
            "PostgreSQL connections open now, in use by a store call or idle.",
            None,
            MetricType::Gauge,
        )?;
        let idle = stats.open.saturating_sub(stats.in_use);
        for (state, count) in [("in_use", stats.in_use), ("idle", idle)] {
            ConstGauge::new(i64::from(count)).encode(open.encode_family(&[("state", state)])?)?;
        }
        encoder
            .encode_descriptor(
                "store_pool_wait_seconds",
                "Time a store call waited to check a PostgreSQL connection out.",
                None,
                MetricType::Histogram,
            )?
            .encode_histogram::<NoLabelSet>(
                stats.wait_seconds,
                stats.checkouts,
                &stats.wait_buckets,
                None,
            )
    }
}
