//! Webhook subscriptions (issue 16): `POST/GET /v1/webhooks`,
//! `GET/DELETE /v1/webhooks/{id}`, `POST /v1/webhooks/{id}/resume`,
//! `GET /v1/webhooks/{id}/deliveries` and `POST /v1/webhooks/{id}/redeliver`.
//! Who may subscribe and manage is the engine's rule (`may_subscribe`,
//! `may_manage_webhook`); delivery itself is `crate::webhooks`.

use super::extract::{self, scope, Caller, JsonBody, OnePath};
use super::problem::Problem;
use crate::app::AppState;
use crate::auth::Principal;
use crate::http::timestamp;
use crate::webhooks::{guard, send, signature};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use roster_engine::{EventKind, Standing};
use roster_store::{DeliveryRecord, EventQuery, NewWebhook, Webhook};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// `POST /v1/webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Where to POST each event: `http://` or `https://`, at most 2048 bytes.
    #[schema(pattern = "^https?://[^\\s]+$", max_length = 2048)]
    pub url: String,
    /// Only this community's events (owners must name one of theirs);
    /// absent: every community (admins only).
    pub community: Option<Uuid>,
    /// Only these kinds (absent or empty: every kind).
    #[schema(schema_with = event_kinds)]
    pub kinds: Option<Vec<String>>,
    /// Start after this `seq` (absent: after the newest event now).
    #[schema(minimum = 0)]
    #[serde(default, deserialize_with = "crate::http::json::optional_integer")]
    pub after: Option<i64>,
}

/// A subscription.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: Uuid,
    pub url: String,
    pub community: Option<Uuid>,
    #[schema(schema_with = event_kinds)]
    pub kinds: Vec<EventKind>,
    pub created_by: Option<Uuid>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: String,
    /// The last `seq` acknowledged (or skipped); delivery resumes after it.
    pub cursor: i64,
    /// Failed attempts in a row.
    pub failures: u32,
    /// `active` or `paused`.
    pub state: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub paused_at: Option<String>,
    pub paused_reason: Option<String>,
}

/// The answer to a create: the subscription and its secret, shown only now.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WebhookCreated {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The HMAC-SHA256 key of `Roster-Signature`; never shown again.
    pub secret: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<WebhookView>,
}

/// One attempt of the delivery log.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub seq: i64,
    pub delivery_id: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: String,
    /// The receiver's HTTP status; absent when it never answered.
    pub status: Option<u16>,
    pub error: Option<String>,
    pub latency_ms: u64,
    pub redelivery: bool,
    /// `delivered` (2xx), `failed` (another status), `error` (no answer) or
    /// `refused` (a forbidden address).
    pub outcome: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    /// Newest first.
    pub items: Vec<DeliveryView>,
}

/// `POST /v1/webhooks/{id}/redeliver`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Redeliver {
    /// The event to send again (one the subscription covers).
    #[schema(minimum = 1)]
    #[serde(deserialize_with = "crate::http::json::integer")]
    pub seq: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// Attempts to return, 1 to 1000 (default 50).
    #[param(schema_with = super::constraints::limit)]
    pub limit: Option<String>,
}

/// A list of event kinds, listed from the engine.
fn event_kinds() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(super::views::schemas::event_kind())
        .description(Some("Event kinds; empty: every kind"))
        .build()
}

pub fn view(webhook: &Webhook) -> WebhookView {
    WebhookView {
        id: webhook.id,
        url: webhook.url.clone(),
        community: webhook.community.map(|c| c.0),
        kinds: webhook.kinds.clone(),
        created_by: webhook.created_by.map(|u| u.0),
        created_at: timestamp(webhook.created_at),
        cursor: webhook.cursor,
        failures: webhook.failures,
        state: if webhook.paused_at.is_some() {
            "paused"
        } else {
            "active"
        }
        .to_owned(),
        paused_at: webhook.paused_at.map(timestamp),
        paused_reason: webhook.paused_reason.clone(),
    }
}

fn delivery(record: &DeliveryRecord) -> DeliveryView {
    let outcome = match (record.status, &record.error) {
        (Some(s), _) if (200..300).contains(&s) => "delivered",
        (Some(_), _) => "failed",
        (None, Some(e)) if e.starts_with("refused") => "refused",
        _ => "error",
    };
    DeliveryView {
        seq: record.seq,
        delivery_id: record.delivery_id.clone(),
        at: timestamp(record.at),
        status: record.status,
        error: record.error.clone(),
        latency_ms: record.latency_ms,
        redelivery: record.redelivery,
        outcome: outcome.to_owned(),
    }
}

fn webhook_not_found() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "webhook_not_found",
        "No such webhook",
        "no webhook with this id is visible to you",
    )
}

fn refused_url(reason: &str) -> Problem {
    let mut problem = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "webhook_url_refused",
        "Webhook URL refused",
        format!("url {reason}"),
    );
    problem.field = Some("url".into());
    problem
}

fn parse_kinds(kinds: Option<Vec<String>>) -> Result<Vec<EventKind>, Problem> {
    let mut parsed = Vec::new();
    for name in kinds.unwrap_or_default() {
        match name.parse::<EventKind>() {
            Ok(kind) if !parsed.contains(&kind) => parsed.push(kind),
            Ok(_) => {}
            Err(_) => {
                let shown: String = name.chars().take(32).collect();
                return Err(Problem::invalid(
                    "kinds",
                    &format!("'{}' is not an event kind", shown.escape_debug()),
                ));
            }
        }
    }
    Ok(parsed)
}

/// The subscription, if the caller may manage it (else 404, like an unknown one).
async fn managed(
    state: &AppState,
    principal: &Principal,
    path: OnePath,
) -> Result<Webhook, Problem> {
    let id = extract::uuid_path(path, "webhook id")?;
    let found = state.find_webhook(id).await?;
    match found {
        Some(webhook)
            if roster_engine::may_manage_webhook(
                principal.is_admin(),
                principal.user.id,
                webhook.created_by,
            )
            .is_ok() =>
        {
            Ok(webhook)
        }
        _ => Err(webhook_not_found()),
    }
}

#[utoipa::path(
    post, path = "/v1/webhooks", tag = "webhooks", operation_id = "create_webhook",
    description = "Subscribe a URL to the event feed: one community's events (its owners, admins) \
                   or every community's (admins). Each event is POSTed in `seq` order, signed \
                   with `Roster-Signature`, until answered 2xx. The answer carries the secret, \
                   shown only here. Loopback, private and link-local targets are refused unless \
                   the server runs with `--webhook-allow-private`. Scope: community:write.",
    request_body = CreateWebhook,
    responses((status = 201, description = "Created; `Location` names it", body = WebhookCreated)),
)]
pub async fn create(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    JsonBody(input): JsonBody<CreateWebhook>,
) -> Result<Response, Problem> {
    let kinds = parse_kinds(input.kinds)?;
    if input.after.is_some_and(|a| a < 0) {
        return Err(Problem::invalid("after", "must be 0 or more"));
    }
    let community = input.community.map(roster_engine::CommunityId);
    let standing: Option<Standing> = match community {
        Some(id) => Some(extract::visible(&state, &principal, id).await?.1),
        None => None,
    };
    roster_engine::may_subscribe(principal.is_admin(), standing)?;
    let url = guard::check_url(&input.url).map_err(|why| refused_url(&why))?;
    guard::check_target(&url, state.hooks.config.allow_private)
        .await
        .map_err(|why| refused_url(&why))?;
    let new = NewWebhook {
        id: Uuid::new_v4(),
        url: input.url,
        community,
        kinds,
        secret: signature::new_secret(),
        created_by: Some(principal.user.id),
        after: input.after,
    };
    let webhook = state.create_webhook(new).await?;
    state.hooks.subscriptions.notify_one();
    let created = WebhookCreated {
        webhook: view(&webhook),
        secret: webhook.secret.clone(),
    };
    let mut response = (StatusCode::CREATED, Json(created)).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("/v1/webhooks/{}", webhook.id)) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

#[utoipa::path(
    get, path = "/v1/webhooks", tag = "webhooks", operation_id = "list_webhooks",
    description = "The subscriptions you created (admins: every one), oldest first. \
                   Scope: community:read.",
    responses((status = 200, description = "The subscriptions", body = WebhookList)),
)]
pub async fn list(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Read>,
) -> Result<Json<WebhookList>, Problem> {
    let creator = roster_engine::webhooks_listed_for(principal.is_admin(), principal.user.id);
    let webhooks = state.list_webhooks(creator).await?;
    Ok(Json(WebhookList {
        items: webhooks.iter().map(view).collect(),
    }))
}

#[utoipa::path(
    get, path = "/v1/webhooks/{id}", tag = "webhooks", operation_id = "get_webhook",
    description = "One subscription: its cursor, failures and whether (and why) it is paused. \
                   Scope: community:read.",
    params(("id" = uuid::Uuid, Path, description = "The webhook's UUID")),
    responses((status = 200, description = "The subscription", body = WebhookView)),
)]
pub async fn get_one(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Read>,
    path: OnePath,
) -> Result<Json<WebhookView>, Problem> {
    let webhook = managed(&state, &principal, path).await?;
    Ok(Json(view(&webhook)))
}

#[utoipa::path(
    delete, path = "/v1/webhooks/{id}", tag = "webhooks", operation_id = "delete_webhook",
    description = "Unsubscribe; its delivery log goes too. Scope: community:write.",
    params(("id" = uuid::Uuid, Path, description = "The webhook's UUID")),
    responses((status = 204, description = "Deleted")),
)]
pub async fn delete(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    path: OnePath,
) -> Result<StatusCode, Problem> {
    let webhook = managed(&state, &principal, path).await?;
    let id = webhook.id;
    if state.delete_webhook(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(webhook_not_found())
    }
}

#[utoipa::path(
    post, path = "/v1/webhooks/{id}/resume", tag = "webhooks", operation_id = "resume_webhook",
    description = "Resume a paused subscription: delivery starts again at its cursor, with the \
                   failure count reset. Scope: community:write.",
    params(("id" = uuid::Uuid, Path, description = "The webhook's UUID")),
    responses((status = 200, description = "Resumed (or already active)", body = WebhookView)),
)]
pub async fn resume(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    path: OnePath,
) -> Result<Json<WebhookView>, Problem> {
    let webhook = managed(&state, &principal, path).await?;
    let id = webhook.id;
    let resumed = state
        .resume_webhook(id)
        .await?
        .ok_or_else(webhook_not_found)?;
    state.hooks.subscriptions.notify_one();
    Ok(Json(view(&resumed)))
}

#[utoipa::path(
    get, path = "/v1/webhooks/{id}/deliveries", tag = "webhooks", operation_id = "list_webhook_deliveries",
    description = "The last attempts (at most 100 are kept), newest first: status, error, \
                   latency. Scope: community:read.",
    params(("id" = uuid::Uuid, Path, description = "The webhook's UUID"), LogQuery),
    responses((status = 200, description = "Attempts, newest first", body = DeliveryList)),
)]
pub async fn deliveries(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Read>,
    path: OnePath,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Result<Json<DeliveryList>, Problem> {
    let query = extract::query(query)?;
    let limit = extract::limit(query.limit.as_deref())?;
    let webhook = managed(&state, &principal, path).await?;
    let id = webhook.id;
    let records = state.deliveries(id, limit).await?;
    Ok(Json(DeliveryList {
        items: records.iter().map(delivery).collect(),
    }))
}

#[utoipa::path(
    post, path = "/v1/webhooks/{id}/redeliver", tag = "webhooks", operation_id = "redeliver_webhook_event",
    description = "Send one event the subscription covers again, now, once, with a new \
                   `Roster-Delivery` id (so that a receiver that drops duplicates processes it); \
                   the answer is the attempt. It does not move the cursor or count toward \
                   pausing. Scope: community:write.",
    params(("id" = uuid::Uuid, Path, description = "The webhook's UUID")),
    request_body = Redeliver,
    responses((status = 200, description = "The attempt (see `outcome`)", body = DeliveryView)),
)]
pub async fn redeliver(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    path: OnePath,
    JsonBody(input): JsonBody<Redeliver>,
) -> Result<Json<DeliveryView>, Problem> {
    if input.seq < 1 {
        return Err(Problem::invalid("seq", "must be 1 or more"));
    }
    let webhook = managed(&state, &principal, path).await?;
    let query = EventQuery {
        community: webhook.community,
        after: input.seq - 1,
        limit: 1,
    };
    let event = state
        .events(query)
        .await?
        .into_iter()
        .next()
        .filter(|event| event.seq == input.seq && webhook.wants(event.community, event.kind))
        .ok_or_else(|| {
            Problem::new(
                StatusCode::NOT_FOUND,
                "event_not_found",
                "No such event",
                "this subscription covers no event with that seq",
            )
        })?;
    let attempt = send::attempt(&state.hooks, &webhook, &event, true).await;
    state.record_attempt(attempt.clone()).await?;
    Ok(Json(delivery(&DeliveryRecord {
        num: 0,
        seq: attempt.seq,
        delivery_id: attempt.delivery_id,
        at: attempt.at,
        status: attempt.status,
        error: attempt.error,
        latency_ms: u64::try_from(attempt.latency.as_millis()).unwrap_or(u64::MAX),
        redelivery: true,
    })))
}
