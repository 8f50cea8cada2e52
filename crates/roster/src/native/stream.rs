//! The live event stream (issue 16): `GET /v1/events/stream` as
//! Server-Sent Events: the backlog after `after` (or `Last-Event-ID`),
//! then each new event as it commits, with `id:` = `seq` so that a client
//! reconnecting with `Last-Event-ID` misses nothing. The feed's visibility
//! rules: every community for admins, one community (`community=`) for its
//! managers and owners.
//!
//! Each client has its own bounded buffer (`--stream-buffer` events),
//! filled by a task that reads the feed: one that leaves it full for
//! `--stream-slow-client` is dropped and resumes from its last id. New
//! events on this node wake the task at once; those of other nodes
//! (PostgreSQL) within `--webhook-poll`. Idle streams carry a comment line
//! every `--stream-heartbeat`.

use super::extract::{self, Authenticated};
use super::problem::Problem;
use super::views;
use crate::app::AppState;
use crate::auth::Scope;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use roster_engine::CommunityId;
use roster_store::EventQuery;
use serde::Deserialize;
use std::convert::Infallible;
use utoipa::IntoParams;

/// Events read from the store per query while catching up.
const PAGE: u32 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// Start after this `seq` (default 0); a `Last-Event-ID` header wins.
    #[param(schema_with = super::constraints::sequence)]
    pub after: Option<String>,
    /// Only this community's events (its managers and owners may ask);
    /// absent: every community (admins).
    #[param(value_type = Option<uuid::Uuid>)]
    pub community: Option<String>,
}

/// One Server-Sent Events message of the stream, as an SSE client parses
/// it: `id` is the event's `seq`, `data` the event as in `/v1/events`
/// (JSON text); heartbeats are comments, which clients skip.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // only its schema is used: the stream is written by axum's Sse
pub struct StreamMessage {
    id: String,
    event: Option<String>,
    data: String,
}

#[utoipa::path(
    get, path = "/v1/events/stream", tag = "events", operation_id = "stream_events",
    description = "The event feed as Server-Sent Events: each event after `after` (or the \
                   `Last-Event-ID` header), then new ones as they commit. Each SSE message has \
                   `id:` = `seq` and `data:` = the event as in `/v1/events`. Scope: admin for \
                   every community; community:read (a manager or owner) with `community=`.",
    params(
        StreamQuery,
        ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this seq (an SSE client sends it on reconnecting)"),
    ),
    responses((status = 200, description = "An endless `text/event-stream`", content_type = "text/event-stream", body = StreamMessage)),
)]
pub async fn stream(
    State(state): State<AppState>,
    caller: Authenticated,
    headers: HeaderMap,
    query: Result<Query<StreamQuery>, QueryRejection>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Problem> {
    let query = extract::query(query)?;
    let community = match query.community.as_deref() {
        Some(text) => Some(extract::community_id(text)?),
        None => None,
    };
    let principal = match community {
        Some(_) => extract::principal(&caller, Scope::Read)?,
        None => extract::principal(&caller, Scope::Admin)?,
    };
    if let Some(id) = community {
        let (_, standing) = extract::visible(&state, &principal, id).await?;
        extract::require_manager(&principal, standing)?;
    }
    let mut after = extract::sequence(query.after.as_deref())?;
    if let Some(value) = headers.get("last-event-id") {
        let text = value.to_str().unwrap_or("-").trim();
        after = extract::sequence(Some(text)).map_err(|_| {
            Problem::invalid_query("Last-Event-ID must be an event sequence number (0 or more)")
        })?;
    }
    let config = &state.hooks.config;
    let heartbeat = config.stream_heartbeat;
    let (tx, rx) = tokio::sync::mpsc::channel::<Event>(config.stream_buffer);
    tokio::spawn(feed(state.clone(), community, after, tx));
    let events = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|event| (Ok(event), rx))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(heartbeat)))
}

/// Fill one client's buffer until it goes away, falls too far behind, or
/// the store fails (the client reconnects and resumes).
async fn feed(
    state: AppState,
    community: Option<CommunityId>,
    mut after: i64,
    tx: tokio::sync::mpsc::Sender<Event>,
) {
    let hooks = std::sync::Arc::clone(&state.hooks);
    let slow = hooks.config.stream_slow_client;
    let mut committed = hooks.subscribe();
    loop {
        committed.borrow_and_update();
        let query = EventQuery {
            community,
            after,
            limit: PAGE,
        };
        let events = match state.events(query).await {
            Ok(events) => events,
            Err(error) => {
                tracing::warn!(%error, "event stream: cannot read the feed; closing");
                return;
            }
        };
        for record in &events {
            let data = match serde_json::to_string(&views::event(record)) {
                Ok(data) => data,
                Err(_) => return,
            };
            let event = Event::default().id(record.seq.to_string()).data(data);
            match tokio::time::timeout(slow, tx.send(event)).await {
                Ok(Ok(())) => after = record.seq,
                Ok(Err(_)) => return, // the client went away
                Err(_) => {
                    tracing::info!(after, "event stream: client too slow; dropped");
                    return;
                }
            }
        }
        if events.len() == PAGE as usize {
            continue;
        }
        tokio::select! {
            () = hooks.wait(&mut committed) => {}
            () = tx.closed() => return,
        }
    }
}
