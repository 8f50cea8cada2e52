//! The change feed: `/v1/communities/{id}/events` (its managers and
//! admins) and `/v1/events` (admins), oldest first, followed with `after=`.

use super::extract::{self, scope, Caller, CommunityPath};
use super::problem::Problem;
use super::views::{self, EventPage};
use crate::app::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use roster_engine::CommunityId;
use roster_store::EventQuery;
use serde::Deserialize;
use utoipa::IntoParams;

/// Where to resume the feed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Only events with a greater `seq` (default 0: from the start).
    #[param(schema_with = super::constraints::sequence)]
    pub after: Option<String>,
    /// Page size, 1 to 1000 (default 50).
    #[param(schema_with = super::constraints::limit)]
    pub limit: Option<String>,
}

async fn feed(
    state: &AppState,
    community: Option<CommunityId>,
    query: FeedQuery,
) -> Result<Json<EventPage>, Problem> {
    let after = extract::sequence(query.after.as_deref())?;
    let limit = extract::limit(query.limit.as_deref())?;
    let query = EventQuery {
        community,
        after,
        limit,
    };
    let events = state.events(query).await?;
    Ok(Json(EventPage {
        next: events.last().map_or(after, |e| e.seq),
        items: events.iter().map(views::event).collect(),
    }))
}

#[utoipa::path(
    get, path = "/v1/communities/{id}/events", tag = "events", operation_id = "list_community_events",
    description = "A community's events (managers, owners, admins). Scope: community:read.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID"), FeedQuery),
    responses((status = 200, description = "Events after `after`", body = EventPage)),
)]
pub async fn community(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Read>,
    CommunityPath(id): CommunityPath,
    query: Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Json<EventPage>, Problem> {
    let query = extract::query(query)?;
    let (_, standing) = extract::visible(&state, &principal, id).await?;
    extract::require_manager(&principal, standing)?;
    feed(&state, Some(id), query).await
}

#[utoipa::path(
    get, path = "/v1/events", tag = "events", operation_id = "list_events",
    description = "Every community's events. Scope: admin.",
    params(FeedQuery),
    responses((status = 200, description = "Events after `after`", body = EventPage)),
)]
pub async fn all(
    State(state): State<AppState>,
    _caller: Caller<scope::Admin>,
    query: Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Json<EventPage>, Problem> {
    let query = extract::query(query)?;
    feed(&state, None, query).await
}
