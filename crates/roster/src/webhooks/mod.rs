//! Following changes (issue 16): signed webhooks delivered from the event
//! feed, and the wake-up that tells the deliverer and the live streams
//! (`native/stream.rs`) that new events have committed.
//!
//! - [`Hooks`]: the configuration, the outbound HTTP client (timeouts, no
//!   redirects, no proxy, the [`guard`]'s resolver), the node's name for
//!   leases, and [`Hooks::notify`], poked after every accepted write on
//!   this node. Events committed by another node (PostgreSQL) are found by
//!   polling every `--webhook-poll` (default 1 s): that is the bound on
//!   how late a delivery or a stream hears of another node's change.
//! - [`deliver`]: the background task `roster serve` starts: one worker per
//!   unpaused subscription, holding its lease, sending its events in order.
//! - [`send`]: one signed attempt; [`signature`], [`backoff`], [`guard`].

pub mod backoff;
pub mod deliver;
pub mod guard;
pub mod metrics;
pub mod send;
pub mod signature;

use clap::Args;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// The operator's webhook and stream settings (`roster serve` flags).
#[derive(Args, Clone, Debug)]
pub struct HookArgs {
    /// Deliver to loopback, private and link-local addresses too (tests,
    /// or a receiver on the operator's own network).
    #[arg(long, env = "ROSTER_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,
    /// Longest time one delivery may take (connect, send, answer).
    #[arg(long, env = "ROSTER_WEBHOOK_TIMEOUT", default_value = "10s", value_parser = crate::cli::parse_duration)]
    pub webhook_timeout: Duration,
    /// Deliveries in flight at once on this node, over all subscriptions.
    #[arg(long, env = "ROSTER_WEBHOOK_CONCURRENCY", default_value_t = 16)]
    pub webhook_concurrency: usize,
    /// The wait after the first failure; it doubles with each failure in a row.
    #[arg(long, env = "ROSTER_WEBHOOK_RETRY_BASE", default_value = "1s", value_parser = crate::cli::parse_duration)]
    pub webhook_retry_base: Duration,
    /// The longest wait between two attempts.
    #[arg(long, env = "ROSTER_WEBHOOK_RETRY_MAX", default_value = "5m", value_parser = crate::cli::parse_duration)]
    pub webhook_retry_max: Duration,
    /// Pause a subscription after this many failed attempts in a row.
    #[arg(long, env = "ROSTER_WEBHOOK_MAX_FAILURES", default_value_t = 15)]
    pub webhook_max_failures: u32,
    /// How often to look for events committed by other nodes, and for new
    /// or resumed subscriptions.
    #[arg(long, env = "ROSTER_WEBHOOK_POLL", default_value = "1s", value_parser = crate::cli::parse_duration)]
    pub webhook_poll: Duration,
    /// How long a node's claim on a subscription lasts without renewal
    /// (PostgreSQL: another node takes over a dead node's subscriptions
    /// after this). At least twice --webhook-timeout.
    #[arg(long, env = "ROSTER_WEBHOOK_LEASE", default_value = "30s", value_parser = crate::cli::parse_duration)]
    pub webhook_lease: Duration,
    /// Events buffered per live-stream client; a client that leaves it
    /// full for --stream-slow-client is dropped (it resumes with Last-Event-ID).
    #[arg(long, env = "ROSTER_STREAM_BUFFER", default_value_t = 256)]
    pub stream_buffer: usize,
    /// How long a live-stream client may leave its buffer full.
    #[arg(long, env = "ROSTER_STREAM_SLOW_CLIENT", default_value = "10s", value_parser = crate::cli::parse_duration)]
    pub stream_slow_client: Duration,
    /// Comment lines sent on an idle live stream, so proxies keep it open.
    #[arg(long, env = "ROSTER_STREAM_HEARTBEAT", default_value = "15s", value_parser = crate::cli::parse_duration)]
    pub stream_heartbeat: Duration,
}

/// The settings in force.
#[derive(Clone, Debug)]
pub struct HookConfig {
    pub allow_private: bool,
    pub timeout: Duration,
    pub concurrency: usize,
    pub retry_base: Duration,
    pub retry_max: Duration,
    pub max_failures: u32,
    pub poll: Duration,
    pub lease: Duration,
    pub stream_buffer: usize,
    pub stream_slow_client: Duration,
    pub stream_heartbeat: Duration,
    /// This node's name in leases: one per process on PostgreSQL; fixed on
    /// SQLite (one node), so that a restarted process owns its leases.
    pub node: String,
}

impl Default for HookConfig {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(10),
            concurrency: 16,
            retry_base: Duration::from_secs(1),
            retry_max: Duration::from_secs(300),
            max_failures: 15,
            poll: Duration::from_secs(1),
            lease: Duration::from_secs(30),
            stream_buffer: 256,
            stream_slow_client: Duration::from_secs(10),
            stream_heartbeat: Duration::from_secs(15),
            node: format!("node-{}", uuid::Uuid::new_v4()),
        }
    }
}

impl HookConfig {
    /// The flags, for a server on `database` (its backend picks the node name).
    pub fn from_args(args: &HookArgs, database: &str) -> Self {
        let node = if roster_store::backend_of(database) == roster_store::Backend::Postgres {
            format!("node-{}", uuid::Uuid::new_v4())
        } else {
            "sqlite".to_owned()
        };
        Self {
            allow_private: args.webhook_allow_private,
            timeout: args.webhook_timeout.max(Duration::from_millis(100)),
            concurrency: args.webhook_concurrency.max(1),
            retry_base: args.webhook_retry_base,
            retry_max: args.webhook_retry_max.max(args.webhook_retry_base),
            max_failures: args.webhook_max_failures.max(1),
            poll: args.webhook_poll.max(Duration::from_millis(10)),
            lease: args.webhook_lease,
            stream_buffer: args.stream_buffer.max(1),
            stream_slow_client: args.stream_slow_client,
            stream_heartbeat: args.stream_heartbeat.max(Duration::from_secs(1)),
            node,
        }
    }

    /// The lease in force: long enough for one attempt and its record.
    pub fn lease(&self) -> Duration {
        self.lease.max(self.timeout * 2)
    }
}

/// What the deliverer and the streams share.
pub struct Hooks {
    pub config: HookConfig,
    pub client: reqwest::Client,
    /// Bumped after every accepted write on this node.
    committed: watch::Sender<u64>,
    /// Poked when a subscription is created or resumed on this node.
    pub subscriptions: Notify,
    /// Caps the deliveries in flight on this node.
    pub in_flight: tokio::sync::Semaphore,
    pub metrics: metrics::HookMetrics,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Hooks {
    pub fn new(config: HookConfig, metrics: metrics::HookMetrics) -> Arc<Self> {
        let client = client(&config);
        let (committed, _) = watch::channel(0);
        Arc::new(Self {
            in_flight: tokio::sync::Semaphore::new(config.concurrency),
            config,
            client,
            committed,
            subscriptions: Notify::new(),
            metrics,
        })
    }

    /// New events committed on this node: wake every waiter.
    pub fn notify(&self) {
        self.committed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that changes at each [`notify`](Self::notify).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.committed.subscribe()
    }

    /// Wait for a commit on this node, or the poll interval.
    pub async fn wait(&self, receiver: &mut watch::Receiver<u64>) {
        tokio::select! {
            _ = receiver.changed() => {}
            () = tokio::time::sleep(self.config.poll) => {}
        }
    }
}

/// The outbound client: every request bounded by the timeout, redirects
/// never followed (a 3xx is a failure), no proxy from the environment, and
/// names resolved through the [`guard`] unless private targets are allowed.
fn client(config: &HookConfig) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .timeout(config.timeout)
        .connect_timeout(config.timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .pool_max_idle_per_host(4)
        .user_agent(concat!("roster-webhooks/", env!("CARGO_PKG_VERSION")));
    if !config.allow_private {
        builder = builder.dns_resolver(Arc::new(guard::GuardedResolver));
    }
    builder.build().unwrap_or_else(|error| {
        tracing::error!(%error, "webhooks: cannot build the HTTP client; using the default");
        reqwest::Client::new()
    })
}
