//! `webhook-lag`: how late webhook deliveries arrive under write load
//! (issue 16). One server (in this process: the same router and deliverer
//! `roster serve` runs) over a temporary SQLite file, or a scratch
//! PostgreSQL database with `--postgres URL`; one subscription to every
//! community, delivered to a receiver on loopback; `--writers` clients
//! sending join/leave pairs over HTTP as fast as they are answered. The
//! lag of each event is its receipt time minus its `at` (stamped in the
//! transaction that commits it). Prints p50, p99 and max in seconds.
//!
//! `cargo run --release -p roster-bench --bin webhook-lag`

use anyhow::{bail, Context, Result};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use clap::Parser;
use roster::admin::{self, UserSpec};
use roster::app::AppState;
use roster::webhooks::HookConfig;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
struct Args {
    /// Clients writing at once, each its own user.
    #[arg(long, default_value_t = 32)]
    writers: usize,
    /// Join/leave pairs each writer sends.
    #[arg(long, default_value_t = 50)]
    pairs: usize,
    /// Run on PostgreSQL (a server URL that may CREATE DATABASE).
    #[arg(long)]
    postgres: Option<String>,
}

type Receipts = Arc<Mutex<Vec<(i64, f64)>>>;

async fn receive(State(receipts): State<Receipts>, body: Bytes) -> StatusCode {
    let now = chrono::Utc::now();
    if let Ok(event) = serde_json::from_slice::<serde_json::Value>(&body) {
        let at = event["at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
        if let (Some(seq), Some(at)) = (event["seq"].as_i64(), at) {
            let lag = (now - at.with_timezone(&chrono::Utc))
                .num_microseconds()
                .unwrap_or(0);
            #[allow(clippy::cast_precision_loss)]
            receipts.lock().unwrap().push((seq, lag as f64 / 1e6));
        }
    }
    StatusCode::NO_CONTENT
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let mut _scratch = None;
    let store: Arc<dyn roster_store::Store> = match &args.postgres {
        Some(server) => {
            let db = roster_store::postgres::scratch::ScratchDatabase::create(server)?;
            let store = roster_store::postgres::PgStore::open_url(db.url())?;
            _scratch = Some(db);
            Arc::new(store)
        }
        None => Arc::new(roster_store::sqlite::SqliteStore::open(
            &dir.path().join("lag.db"),
        )?),
    };
    let config = HookConfig {
        allow_private: true,
        ..HookConfig::default()
    };
    let state = AppState::new(store).with_hooks(config);
    let app = roster::server::router(state.clone(), Duration::from_secs(30));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(roster::server::serve(listener, app, std::future::pending()));
    roster::webhooks::deliver::start(state.clone());

    let receipts: Receipts = Arc::default();
    let receiver = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(Arc::clone(&receipts));
    let hook_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook_url = format!("http://{}/hook", hook_listener.local_addr()?);
    tokio::spawn(async move { axum::serve(hook_listener, receiver).await });

    let spec = |name: String, admin: bool| UserSpec {
        username: name,
        password: "lag benchmark password".into(),
        admin,
        ..UserSpec::default()
    };
    let root = admin::create_user(&state, spec("root".into(), true)).await?;
    let scopes = roster::auth::parse_scopes("community:read,community:write,admin")
        .map_err(anyhow::Error::msg)?;
    let (admin_token, _) = admin::issue_token(&state, &root, scopes, "lag", None).await?;
    let client = reqwest::Client::new();
    let community: serde_json::Value = client
        .post(format!("{base}/v1/communities"))
        .bearer_auth(&admin_token)
        .json(&serde_json::json!({"name": "lagged"}))
        .send()
        .await?
        .json()
        .await?;
    let community_id = community["community"]["id"]
        .as_str()
        .or_else(|| community["id"].as_str())
        .context("community id")?
        .to_owned();
    let mut tokens = Vec::new();
    for i in 0..args.writers {
        let user = admin::create_user(&state, spec(format!("writer{i}"), false)).await?;
        let scopes = roster::auth::parse_scopes("community:read,community:write")
            .map_err(anyhow::Error::msg)?;
        tokens.push(
            admin::issue_token(&state, &user, scopes, "lag", None)
                .await?
                .0,
        );
    }
    let created = client
        .post(format!("{base}/v1/webhooks"))
        .bearer_auth(&admin_token)
        .json(&serde_json::json!({"url": hook_url}))
        .send()
        .await?;
    if created.status() != 201 {
        bail!("cannot subscribe: {}", created.text().await?);
    }

    let started = Instant::now();
    let mut writers = Vec::new();
    for token in tokens {
        let (client, base, id, pairs) = (
            client.clone(),
            base.clone(),
            community_id.clone(),
            args.pairs,
        );
        writers.push(tokio::spawn(async move {
            for _ in 0..pairs {
                for action in ["join", "leave"] {
                    let _ = client
                        .post(format!("{base}/v1/communities/{id}/{action}"))
                        .bearer_auth(&token)
                        .send()
                        .await;
                }
            }
        }));
    }
    for writer in writers {
        writer.await?;
    }
    let wrote = started.elapsed();
    let latest = state.run(|store| store.latest_event_seq()).await?;
    let deadline = Instant::now() + Duration::from_secs(600);
    while receipts
        .lock()
        .unwrap()
        .iter()
        .all(|(seq, _)| *seq < latest)
    {
        if Instant::now() > deadline {
            bail!("deliveries did not catch up within 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drained = started.elapsed();
    let mut lags: Vec<f64> = receipts
        .lock()
        .unwrap()
        .iter()
        .map(|(_, lag)| *lag)
        .collect();
    lags.sort_by(f64::total_cmp);
    let at = |p: f64| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let index = ((lags.len() as f64 - 1.0) * p).round() as usize;
        lags[index]
    };
    let backend = if args.postgres.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    println!(
        "webhook lag ({backend}, {} writers, {} events delivered; writes took {:.2}s, \
         delivery drained at {:.2}s): p50 {:.3}s, p99 {:.3}s, max {:.3}s",
        args.writers,
        lags.len(),
        wrote.as_secs_f64(),
        drained.as_secs_f64(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    Ok(())
}
