//! `/healthz` (the process is up) and `/readyz` (the database answers).
//!
//! `/readyz` answers `ready\n` (or 503 `database unavailable\n`); asked for
//! JSON (`Accept: application/json`) it also says how saturated the
//! PostgreSQL pool is (issue 13): `{"status":"ready","pool":{"size":…,
//! "open":…,"in_use":…,"saturation":…,"checkouts":…,"wait_seconds":…}}`,
//! `pool` being `null` for a store without one (SQLite).

use crate::app::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
}

async fn ready(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let answer = state
        .read_hot(|reads| reads.ping(), |store| store.ping())
        .await;
    if let Err(error) = &answer {
        tracing::warn!(%error, "readiness check failed");
    }
    let (status, text, word) = match answer {
        Ok(()) => (StatusCode::OK, "ready\n", "ready"),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable\n",
            "database unavailable",
        ),
    };
    if !wants_json(&headers) {
        return (status, text).into_response();
    }
    let pool = state.store.pool_stats().map_or(Value::Null, |stats| {
        json!({
            "size": stats.max_size,
            "open": stats.open,
            "in_use": stats.in_use,
            "saturation": stats.saturation(),
            "checkouts": stats.checkouts,
            "wait_seconds": stats.wait_seconds,
        })
    });
    (status, Json(json!({ "status": word, "pool": pool }))).into_response()
}

/// Does the client ask for JSON (and not plain text first)?
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| item.trim().starts_with("application/json"))
}
