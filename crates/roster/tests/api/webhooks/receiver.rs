//! A real webhook receiver on loopback, in the test process: it records
//! every request (headers and raw body), can answer 503 to the first N,
//! hold one `seq` until released (to kill the server mid-delivery), and
//! counts requests in flight per path (two nodes must never overlap).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub delivery: String,
    pub seq_header: i64,
    pub signature: String,
    pub body: Vec<u8>,
    pub status: u16,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    fail_first: usize,
    fail_always: bool,
    hold_seq: Option<i64>,
    in_flight: HashMap<String, usize>,
    max_in_flight: HashMap<String, usize>,
    delay: Duration,
}

#[derive(Clone, Default)]
pub struct Receiver {
    inner: Arc<Mutex<Inner>>,
    held: Arc<Notify>,
    release: Arc<Notify>,
    pub base: String,
}

impl Receiver {
    /// Listen on 127.0.0.1:random.
    pub async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut receiver = Receiver {
            base: format!("http://{}", listener.local_addr().unwrap()),
            ..Receiver::default()
        };
        let app = Router::new()
            .route("/hook/{name}", post(handle))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver.base = receiver.base.clone();
        receiver
    }

    pub fn url(&self, name: &str) -> String {
        format!("{}/hook/{name}", self.base)
    }

    pub fn fail_first(&self, n: usize) {
        self.inner.lock().unwrap().fail_first = n;
    }

    pub fn fail_always(&self, on: bool) {
        self.inner.lock().unwrap().fail_always = on;
    }

    pub fn delay(&self, delay: Duration) {
        self.inner.lock().unwrap().delay = delay;
    }

    /// Hold the first request for `seq` until [`release`](Self::release).
    pub fn hold(&self, seq: i64) {
        self.inner.lock().unwrap().hold_seq = Some(seq);
    }

    /// Wait (bounded) until the held request has arrived.
    pub async fn wait_held(&self) {
        tokio::time::timeout(Duration::from_secs(30), self.held.notified())
            .await
            .expect("the held delivery never arrived");
    }

    pub fn release(&self) {
        self.release.notify_waiters();
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    pub fn max_in_flight(&self, name: &str) -> usize {
        let path = format!("/hook/{name}");
        let inner = self.inner.lock().unwrap();
        inner.max_in_flight.get(&path).copied().unwrap_or(0)
    }

    /// The 2xx-answered requests to `name`, first of each delivery id, in
    /// arrival order: what a de-duplicating receiver processes.
    pub fn deduplicated(&self, name: &str) -> Vec<Received> {
        let path = format!("/hook/{name}");
        let mut seen = std::collections::HashSet::new();
        self.received()
            .into_iter()
            .filter(|r| r.path == path && (200..300).contains(&r.status))
            .filter(|r| seen.insert(r.delivery.clone()))
            .collect()
    }

    /// Wait (bounded) until `name` has acknowledged deliveries of `seqs`.
    pub async fn wait_for(&self, name: &str, seqs: &[i64]) {
        for _ in 0..600 {
            let got: Vec<i64> = self
                .deduplicated(name)
                .iter()
                .map(|r| r.seq_header)
                .collect();
            if seqs.iter().all(|s| got.contains(s)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let got: Vec<i64> = self
            .deduplicated(name)
            .iter()
            .map(|r| r.seq_header)
            .collect();
        panic!("{name}: expected {seqs:?}, got {got:?}");
    }
}

async fn handle(
    State(receiver): State<Receiver>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let path = format!("/hook/{name}");
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let seq_header: i64 = header("roster-event-seq").parse().unwrap_or(-1);
    let (status, hold, delay) = {
        let mut inner = receiver.inner.lock().unwrap();
        let count = inner.in_flight.entry(path.clone()).or_default();
        *count += 1;
        let now = *count;
        let max = inner.max_in_flight.entry(path.clone()).or_default();
        *max = (*max).max(now);
        let status = if inner.fail_always {
            StatusCode::INTERNAL_SERVER_ERROR
        } else if inner.fail_first > 0 {
            inner.fail_first -= 1;
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::NO_CONTENT
        };
        let hold = inner.hold_seq == Some(seq_header);
        if hold {
            inner.hold_seq = None;
        }
        (status, hold, inner.delay)
    };
    if hold {
        let released = receiver.release.notified();
        receiver.held.notify_one();
        released.await;
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut inner = receiver.inner.lock().unwrap();
    if let Some(count) = inner.in_flight.get_mut(&path) {
        *count -= 1;
    }
    if !hold {
        inner.received.push(Received {
            path,
            delivery: header("roster-delivery"),
            seq_header,
            signature: header("roster-signature"),
            body: body.to_vec(),
            status: status.as_u16(),
        });
    }
    status
}

/// Verify `Roster-Signature` as a receiver would, independently of the
/// server's code: HMAC-SHA256 of "<t>.<body>" with the secret, hex.
pub fn signature_ok(secret: &str, header: &str, body: &[u8]) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    if (chrono::Utc::now().timestamp() - t).abs() > 300 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&v1).is_ok()
}
