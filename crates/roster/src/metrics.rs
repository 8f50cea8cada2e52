//! Operational metrics, served at `/metrics` in the Prometheus text format
//! (version 0.0.4), so an operator can see traffic, latency, what the engine
//! decided and how busy the store is without reading logs.
//!
//! Every series has bounded labels: the route is the router's path template
//! (`/v1/communities/{id}/join`), never the raw path, so ids cannot multiply
//! series; requests no route matched share `route="unmatched"`; unusual
//! methods share `method="other"`. Commands are counted in one place,
//! [`crate::app::AppState::execute`], by kind (`Command::name`) and outcome.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `roster_http_requests_total` | counter | `method`, `route`, `status` |
//! | `roster_http_request_duration_seconds` | histogram | `method`, `route` |
//! | `roster_commands_total` | counter | `kind`, `outcome` |
//! | `roster_command_duration_seconds` | histogram | `kind` |
//! | `roster_store_calls_in_flight` | gauge | |
//! | `roster_store_write_queue_depth` | gauge | |
//! | `roster_store_write_batch_size` | histogram | |
//! | `roster_store_pool_*` | see `pool_metrics` | |
//! | `roster_page_cache_lookups_total` | counter | `outcome` (`page_cache`) |
//!
//! `outcome` is `changed`, `unchanged`, the refusal (the `DomainError`
//! variant in snake_case, e.g. `last_owner`) or `error` (a backend failure).
//! `roster_store_calls_in_flight` counts the store calls that are running
//! or waiting (for a thread, or for the writer). A store with a write queue
//! (SQLite's group commit) also shows the writes waiting for its writer and
//! how many writes each of its commits carried; PostgreSQL shows neither.
//!
//! The route needs no token; do not expose it beyond the operator's network.

use crate::app::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{prometheus_text, DescriptorEncoder, EncodeLabelSet, NoLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry, Unit};
use roster_engine::DomainError;
use roster_store::{Error, Ruling, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Latency buckets in seconds: 1 ms to 10 s.
const BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommandLabels {
    kind: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

/// The server's metrics and the registry that renders them. One per
/// [`AppState`], so servers in one process (tests) do not share counts.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_duration: Histograms<RouteLabels>,
    commands: Family<CommandLabels, Counter>,
    command_duration: Histograms<KindLabels>,
    store_calls: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("roster");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        let request_duration: Histograms<RouteLabels> =
            Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer an HTTP request (until the response head), by method and route template",
            Unit::Seconds,
            request_duration.clone(),
        );
        let commands = Family::<CommandLabels, Counter>::default();
        registry.register(
            "commands",
            "Membership commands executed, by kind and outcome (changed, unchanged, the refusal, or error)",
            commands.clone(),
        );
        let command_duration: Histograms<KindLabels> =
            Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "command_duration",
            "Time to execute a membership command in the store, by kind",
            Unit::Seconds,
            command_duration.clone(),
        );
        let store_calls = Gauge::default();
        registry.register(
            "store_calls_in_flight",
            "Blocking store calls running or waiting for a thread",
            store_calls.clone(),
        );
        Self {
            registry,
            requests,
            request_duration,
            commands,
            command_duration,
            store_calls,
        }
    }

    /// Show the store's write queue (depth, batch sizes), if it has one.
    pub fn watch_store(&mut self, store: Arc<dyn Store>) {
        self.registry
            .register_collector(Box::new(StoreWriteQueue(Arc::clone(&store))));
        // The PostgreSQL pool's occupancy and waits (issue 13).
        self.registry
            .register_collector(Box::new(crate::pool_metrics::PoolCollector(store)));
    }

    /// The metrics in the Prometheus text format.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.registry)?;
        Ok(text)
    }

    /// Count one answered request.
    fn observe_request(&self, method: &'static str, route: String, status: u16, took: Duration) {
        self.request_duration
            .get_or_create(&RouteLabels {
                method,
                route: route.clone(),
            })
            .observe(took.as_secs_f64());
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route,
                status,
            })
            .inc();
    }

    /// Count one executed command of `kind` and what came of it.
    pub fn record_command(
        &self,
        kind: &'static str,
        result: &roster_store::Result<Ruling>,
        took: Duration,
    ) {
        let outcome = outcome_label(result);
        self.commands
            .get_or_create(&CommandLabels { kind, outcome })
            .inc();
        self.command_duration
            .get_or_create(&KindLabels { kind })
            .observe(took.as_secs_f64());
    }

    /// The registry, for the series another module owns (webhooks, issue 16).
    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// Mark a store call as in flight until the guard is dropped.
    pub fn store_call(&self) -> InFlight {
        self.store_calls.inc();
        InFlight(self.store_calls.clone())
    }
}

/// Holds one unit of `roster_store_calls_in_flight` while it lives.
pub struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The store's write queue, read at each scrape.
struct StoreWriteQueue(Arc<dyn Store>);

impl std::fmt::Debug for StoreWriteQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreWriteQueue")
    }
}

impl Collector for StoreWriteQueue {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some(stats) = self.0.write_stats() else {
            return Ok(());
        };
        encoder
            .encode_descriptor(
                "store_write_queue_depth",
                "Writes waiting for the store's writer.",
                None,
                MetricType::Gauge,
            )?
            .encode_gauge(&stats.queue_depth)?;
        // Each batch's size is at most the number of writes it carried.
        #[allow(clippy::cast_precision_loss)]
        let sum = stats.batched_writes as f64;
        encoder
            .encode_descriptor(
                "store_write_batch_size",
                "Writes committed together, per commit of the store's writer.",
                None,
                MetricType::Histogram,
            )?
            .encode_histogram::<NoLabelSet>(sum, stats.batches, &stats.batch_size_buckets, None)
    }
}

/// `changed`, `unchanged`, the refusal's name, or `error`.
pub fn outcome_label(result: &roster_store::Result<Ruling>) -> &'static str {
    match result {
        Ok(Ruling::Accepted(outcome)) if outcome.changed() => "changed",
        Ok(Ruling::Accepted(_)) => "unchanged",
        Ok(Ruling::Refused(refusal)) => refusal_label(&refusal.error),
        Err(Error::Domain(refusal)) => refusal_label(refusal),
        Err(Error::Backend(_)) => "error",
    }
}

/// The refusal's variant name in snake_case (the engine's `strum` form).
fn refusal_label(refusal: &DomainError) -> &'static str {
    refusal.into()
}

/// A bounded method label.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware: count and time every request by its route template.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.observe_request(method, route, response.status().as_u16(), started.elapsed());
    response
}

/// `GET /metrics`.
pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(scrape))
}

async fn scrape(State(state): State<AppState>) -> Response {
    match state.metrics.render() {
        Ok(text) => (
            [(header::CONTENT_TYPE, prometheus_text::CONTENT_TYPE)],
            text,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "cannot render metrics");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
