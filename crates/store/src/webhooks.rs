//! What the store keeps for webhooks (issue 16): the subscriptions, each
//! with its own cursor into the event feed, the lease that lets exactly one
//! node deliver a subscription at a time, and a short log of attempts.
//!
//! The cursor only moves forward, and only when an attempt was answered
//! 2xx by the node that holds the lease (or when events the subscription
//! does not want are skipped), so a crash at any point resumes at the
//! first event not yet acknowledged: delivery is at least once, in `seq`
//! order.

use chrono::{DateTime, Utc};
use roster_engine::{CommunityId, EventKind, UserId};
use serde::Serialize;
use std::time::Duration;

/// Attempts kept per subscription in the delivery log; older ones are pruned.
pub const DELIVERY_LOG_LEN: i64 = 100;

/// A subscription to create.
#[derive(Clone, Debug)]
pub struct NewWebhook {
    pub id: uuid::Uuid,
    pub url: String,
    /// One community, or every community (`None`).
    pub community: Option<CommunityId>,
    /// The kinds wanted; empty means every kind.
    pub kinds: Vec<EventKind>,
    /// The HMAC key; stored as given, shown to its creator only once.
    pub secret: String,
    /// Who created it; `None` for the operator (the CLI).
    pub created_by: Option<UserId>,
    /// Deliver events after this `seq`; `None` means after the newest event now.
    pub after: Option<i64>,
}

/// A subscription as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Webhook {
    pub id: uuid::Uuid,
    pub url: String,
    pub community: Option<CommunityId>,
    pub kinds: Vec<EventKind>,
    #[serde(skip)]
    pub secret: String,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    /// The last `seq` acknowledged (or skipped): delivery resumes after it.
    pub cursor: i64,
    /// Failed attempts in a row since the last success.
    pub failures: u32,
    pub paused_at: Option<DateTime<Utc>>,
    pub paused_reason: Option<String>,
}

impl Webhook {
    /// Does this subscription want `kind` from `community`?
    pub fn wants(&self, community: CommunityId, kind: EventKind) -> bool {
        self.community.is_none_or(|c| c == community)
            && (self.kinds.is_empty() || self.kinds.contains(&kind))
    }
}

/// One attempt to record.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub webhook: uuid::Uuid,
    /// The node that made it; only the lease holder's attempts move the cursor.
    pub node: String,
    pub seq: i64,
    pub delivery_id: String,
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why it failed without a status (timeout, refused address, …), or
    /// a note on a non-2xx answer.
    pub error: Option<String>,
    pub latency: Duration,
    /// A redelivery asked for through the API: logged, never moves the
    /// cursor or counts toward pausing.
    pub redelivery: bool,
    /// Pause the subscription when this many attempts in a row have failed.
    pub max_failures: u32,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// What recording an attempt did to the subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptEffect {
    /// Acknowledged: the cursor is at the attempt's `seq`.
    Advanced,
    /// Failed: this many in a row now; paused when it reached the maximum.
    Failed { failures: u32, paused: bool },
    /// Logged only (a redelivery, or the node no longer holds the lease, or
    /// the subscription is gone).
    Logged,
}

/// One row of a subscription's delivery log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DeliveryRecord {
    pub num: i64,
    pub seq: i64,
    pub delivery_id: String,
    pub at: DateTime<Utc>,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub latency_ms: u64,
    pub redelivery: bool,
}

/// The comma list a subscription's kinds are stored as (empty: all).
pub fn kinds_text(kinds: &[EventKind]) -> String {
    kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// [`kinds_text`] read back; an unknown name is an error.
pub fn parse_kinds(text: &str) -> Result<Vec<EventKind>, String> {
    text.split(',')
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<EventKind>()
                .map_err(|_| format!("unknown event kind '{part}' in a webhook"))
        })
        .collect()
}

/// A stored attempt's status: 100 to 599, anything else as none.
pub fn status_of(value: Option<i64>) -> Option<u16> {
    value.and_then(|v| u16::try_from(v).ok())
}
