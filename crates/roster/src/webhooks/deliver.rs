//! The deliverer `roster serve` starts: a supervisor that keeps one worker
//! per unpaused subscription, and the workers, each sending its
//! subscription's events in `seq` order.
//!
//! A worker holds the subscription's lease (renewed before every attempt,
//! after a delivery slot is free, so an attempt, bounded by the timeout,
//! always ends before the lease could lapse), reads a batch after the
//! cursor, skips the events the subscription does not want (moving the
//! cursor past them), and sends each wanted event until it is answered 2xx:
//! only then does the cursor move. A failure waits out the [`backoff`]
//! and tries the same event again; the N-th failure in a row pauses the
//! subscription. A worker that loses its lease (another node took over),
//! or whose subscription is paused or deleted, stops; the supervisor
//! starts it again when the subscription is deliverable (every
//! `--webhook-poll`, and at once on a create or resume on this node).
//! Before each batch the worker also checks that the subscription's
//! creator may still follow it (`roster_engine::may_subscribe`); if not,
//! it pauses the subscription, saying why.

use super::{backoff, send};
use crate::app::AppState;
use roster_store::{AttemptEffect, EventQuery, Webhook};
use std::collections::HashMap;
use std::sync::Arc;

/// Events read per batch.
const BATCH: u32 = 100;

/// Start the deliverer on the current runtime.
pub fn start(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(supervise(state))
}

async fn supervise(state: AppState) {
    let hooks = Arc::clone(&state.hooks);
    let mut workers: HashMap<uuid::Uuid, tokio::task::JoinHandle<()>> = HashMap::new();
    tracing::info!(node = %hooks.config.node, "webhooks: deliverer started");
    loop {
        workers.retain(|_, worker| !worker.is_finished());
        match state.call(move |store| store.list_webhooks(None)).await {
            Ok(webhooks) => {
                for webhook in webhooks {
                    if webhook.paused_at.is_some() || workers.contains_key(&webhook.id) {
                        continue;
                    }
                    let id = webhook.id;
                    workers.insert(id, tokio::spawn(work(state.clone(), id)));
                }
            }
            Err(error) => tracing::warn!(%error, "webhooks: cannot list subscriptions"),
        }
        tokio::select! {
            () = hooks.subscriptions.notified() => {}
            () = tokio::time::sleep(hooks.config.poll) => {}
        }
    }
}

/// Why a worker stopped.
#[derive(Debug)]
enum Stop {
    /// Paused, deleted, or leased by another node.
    NotOurs,
    /// A store failure; the supervisor tries again later.
    Store(roster_store::Error),
}

impl From<roster_store::Error> for Stop {
    fn from(error: roster_store::Error) -> Self {
        Stop::Store(error)
    }
}

async fn work(state: AppState, id: uuid::Uuid) {
    match deliver(&state, id).await {
        Ok(()) | Err(Stop::NotOurs) => {}
        Err(Stop::Store(error)) => {
            tracing::warn!(webhook = %id, %error, "webhooks: worker stopped on a store failure");
            tokio::time::sleep(state.hooks.config.poll).await;
        }
    }
    state.hooks.metrics.forget(id);
}

/// Take or renew the lease; `NotOurs` when another node holds it or the
/// subscription is paused or gone.
async fn lease(state: &AppState, id: uuid::Uuid) -> Result<(), Stop> {
    let (node, ttl) = (state.hooks.config.node.clone(), state.hooks.config.lease());
    if state
        .call(move |store| store.lease_webhook(id, node, ttl))
        .await?
    {
        Ok(())
    } else {
        Err(Stop::NotOurs)
    }
}

async fn deliver(state: &AppState, id: uuid::Uuid) -> Result<(), Stop> {
    let hooks = Arc::clone(&state.hooks);
    let mut committed = hooks.subscribe();
    // Renewed well before it could lapse while idle (a write each time);
    // an attempt renews it again first, whatever this says.
    let renew_every = hooks.config.lease() / 3;
    let mut renewed: Option<std::time::Instant> = None;
    loop {
        if renewed.is_none_or(|at| at.elapsed() >= renew_every) {
            lease(state, id).await?;
            renewed = Some(std::time::Instant::now());
        }
        let Some(webhook) = state.call(move |store| store.find_webhook(id)).await? else {
            return Err(Stop::NotOurs);
        };
        if webhook.paused_at.is_some() {
            return Err(Stop::NotOurs);
        }
        if let Some(reason) = forbidden(state, &webhook).await? {
            state
                .call(move |store| store.pause_webhook(id, reason))
                .await?;
            return Err(Stop::NotOurs);
        }
        // Mark the wake-ups seen before reading, so none is lost in between.
        committed.borrow_and_update();
        let query = EventQuery {
            community: webhook.community,
            after: webhook.cursor,
            limit: BATCH,
        };
        let events = state.call(move |store| store.events(query)).await?;
        let latest = state.call(move |store| store.latest_event_seq()).await?;
        hooks.metrics.lag(id, latest - webhook.cursor);
        if events.is_empty() {
            hooks.wait(&mut committed).await;
            continue;
        }
        let mut skipped = None;
        for event in &events {
            if !webhook.wants(event.community, event.kind) {
                skipped = Some(event.seq);
                continue;
            }
            if let Some(seq) = skipped.take() {
                skip(state, id, seq).await?;
            }
            send_until_acknowledged(state, &webhook, event).await?;
            hooks.metrics.lag(id, latest - event.seq);
        }
        if let Some(seq) = skipped {
            skip(state, id, seq).await?;
        }
    }
}

async fn skip(state: &AppState, id: uuid::Uuid, seq: i64) -> Result<(), Stop> {
    let node = state.hooks.config.node.clone();
    state
        .call(move |store| store.skip_webhook_to(id, node, seq))
        .await?;
    Ok(())
}

/// Send one event until a 2xx; `NotOurs` when paused or the lease is lost.
async fn send_until_acknowledged(
    state: &AppState,
    webhook: &Webhook,
    event: &roster_store::EventRecord,
) -> Result<(), Stop> {
    let hooks = &state.hooks;
    loop {
        let permit = hooks.in_flight.acquire().await;
        lease(state, webhook.id).await?;
        let attempt = send::attempt(hooks, webhook, event, false).await;
        drop(permit);
        let recorded = attempt.clone();
        let effect = state
            .call(move |store| store.record_attempt(recorded))
            .await?;
        match effect {
            AttemptEffect::Advanced => return Ok(()),
            AttemptEffect::Logged => return Err(Stop::NotOurs),
            AttemptEffect::Failed { paused: true, .. } => {
                tracing::warn!(webhook = %webhook.id, seq = event.seq, "webhooks: subscription paused after repeated failures");
                return Err(Stop::NotOurs);
            }
            AttemptEffect::Failed { failures, .. } => {
                let wait =
                    backoff::delay(failures, hooks.config.retry_base, hooks.config.retry_max);
                tracing::debug!(webhook = %webhook.id, seq = event.seq, failures, ?wait, error = ?attempt.error, status = ?attempt.status, "webhooks: attempt failed");
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// Why the creator may no longer follow this subscription, if so.
async fn forbidden(state: &AppState, webhook: &Webhook) -> Result<Option<String>, Stop> {
    let Some(creator) = webhook.created_by else {
        return Ok(None); // the operator's
    };
    let key = roster_store::UserKey::Id(creator);
    let Some(user) = state.call(move |store| store.find_user(key)).await? else {
        return Ok(Some("its creator no longer exists".into()));
    };
    let standing = match webhook.community {
        Some(community) => Some(
            state
                .call(move |store| store.standing(community, creator))
                .await?,
        ),
        None => None,
    };
    Ok(roster_engine::may_subscribe(user.admin, standing)
        .err()
        .map(|_| "its creator may no longer follow these events".to_owned()))
}
