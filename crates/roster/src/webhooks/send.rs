//! One delivery attempt: the event as JSON with the feed's field names,
//! signed, POSTed once, and what came of it as an [`Attempt`] for the log.

use super::{guard, signature, Hooks};
use roster_store::{Attempt, EventRecord, Webhook};
use serde::Serialize;
use std::time::Instant;

/// The request body: one event.
#[derive(Debug, Serialize)]
pub struct Payload<'a> {
    pub seq: i64,
    pub kind: &'static str,
    pub community: uuid::Uuid,
    pub actor: uuid::Uuid,
    pub subject: Option<uuid::Uuid>,
    pub at: String,
    pub reason: Option<&'a str>,
    /// The subscription it is delivered for.
    pub webhook: uuid::Uuid,
}

/// The delivery id of `seq` for `webhook`: the same on every retry, so
/// that a receiver can drop duplicates by it. A redelivery asked for
/// through the API gets a new one (it is meant to be processed again).
pub fn delivery_id(webhook: uuid::Uuid, seq: i64, redelivery: bool) -> String {
    if redelivery {
        format!("{webhook}.{seq}.r{}", uuid::Uuid::new_v4().simple())
    } else {
        format!("{webhook}.{seq}")
    }
}

/// `delivered`, `failed`, `error` or `refused`, for the metrics.
pub fn outcome(attempt: &Attempt) -> &'static str {
    match (&attempt.status, &attempt.error) {
        _ if attempt.succeeded() => "delivered",
        (Some(_), _) => "failed",
        (None, Some(error)) if error.starts_with("refused") => "refused",
        _ => "error",
    }
}

/// POST `event` to `webhook` once.
pub async fn attempt(
    hooks: &Hooks,
    webhook: &Webhook,
    event: &EventRecord,
    redelivery: bool,
) -> Attempt {
    let delivery = delivery_id(webhook.id, event.seq, redelivery);
    let at = chrono::Utc::now();
    let started = Instant::now();
    let (status, error) = post(hooks, webhook, event, &delivery).await;
    let attempt = Attempt {
        webhook: webhook.id,
        node: hooks.config.node.clone(),
        seq: event.seq,
        delivery_id: delivery,
        at,
        status,
        error,
        latency: started.elapsed(),
        redelivery,
        max_failures: hooks.config.max_failures,
    };
    hooks.metrics.attempt(outcome(&attempt), attempt.latency);
    attempt
}

async fn post(
    hooks: &Hooks,
    webhook: &Webhook,
    event: &EventRecord,
    delivery: &str,
) -> (Option<u16>, Option<String>) {
    let url = match guard::check_url(&webhook.url) {
        Ok(url) => url,
        Err(why) => return (None, Some(format!("refused: the URL {why}"))),
    };
    if let Err(why) = guard::check_literal(&url, hooks.config.allow_private) {
        return (None, Some(why));
    }
    let payload = Payload {
        seq: event.seq,
        kind: event.kind.as_str(),
        community: event.community.0,
        actor: event.actor.0,
        subject: event.subject.map(|s| s.0),
        at: event
            .at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        reason: event.reason.as_deref(),
        webhook: webhook.id,
    };
    let body = match serde_json::to_vec(&payload) {
        Ok(body) => body,
        Err(error) => return (None, Some(format!("cannot encode the event: {error}"))),
    };
    let t = chrono::Utc::now().timestamp();
    let signed = signature::sign(&webhook.secret, t, &body);
    let sent = hooks
        .client
        .post(url)
        .header("content-type", "application/json")
        .header("roster-delivery", delivery)
        .header("roster-event-seq", event.seq.to_string())
        .header("roster-signature", signed)
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) => {
            let status = response.status();
            let note = if status.is_redirection() {
                Some("redirects are not followed".to_owned())
            } else {
                None
            };
            (Some(status.as_u16()), note)
        }
        Err(error) => (None, Some(describe(&error))),
    }
}

/// A transport failure in words, with its causes (the guard's refusal
/// surfaces as the resolver's error).
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "cannot connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if cause_text.starts_with("refused:") {
            return cause_text;
        }
        text.push_str(": ");
        text.push_str(&cause_text);
        source = cause.source();
    }
    text
}
