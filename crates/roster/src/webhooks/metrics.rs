//! The webhook series of `/metrics`:
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `roster_webhook_deliveries_total` | counter | `outcome`: `delivered`, `failed` (non-2xx), `error` (no answer), `refused` (forbidden address) |
//! | `roster_webhook_delivery_duration_seconds` | histogram | |
//! | `roster_webhook_lag_events` | gauge | `webhook` (its id): newest seq minus its cursor, as last seen by the node delivering it |

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WebhookLabels {
    webhook: String,
}

/// Handles to the webhook series (cheap clones of the registered ones).
#[derive(Clone, Debug)]
pub struct HookMetrics {
    deliveries: Family<OutcomeLabels, Counter>,
    duration: Histogram,
    lag: Family<WebhookLabels, Gauge>,
}

fn histogram() -> Histogram {
    Histogram::new([
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ])
}

impl HookMetrics {
    /// Create the series and register them in `registry`.
    pub fn register(registry: &mut Registry) -> Self {
        let metrics = Self {
            deliveries: Family::default(),
            duration: histogram(),
            lag: Family::default(),
        };
        registry.register(
            "webhook_deliveries",
            "Webhook delivery attempts, by outcome (delivered, failed, error, refused)",
            metrics.deliveries.clone(),
        );
        registry.register_with_unit(
            "webhook_delivery_duration",
            "Time from sending a webhook request to its answer",
            Unit::Seconds,
            metrics.duration.clone(),
        );
        registry.register(
            "webhook_lag_events",
            "Events after a subscription's cursor (newest seq minus cursor)",
            metrics.lag.clone(),
        );
        metrics
    }

    pub fn attempt(&self, outcome: &'static str, took: std::time::Duration) {
        self.deliveries
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
        self.duration.observe(took.as_secs_f64());
    }

    pub fn lag(&self, webhook: uuid::Uuid, lag: i64) {
        self.lag
            .get_or_create(&WebhookLabels {
                webhook: webhook.to_string(),
            })
            .set(lag.max(0));
    }

    /// Forget a subscription's lag (deleted, or delivered elsewhere now).
    pub fn forget(&self, webhook: uuid::Uuid) {
        self.lag.remove(&WebhookLabels {
            webhook: webhook.to_string(),
        });
    }
}
