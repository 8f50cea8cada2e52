//! Whisk Community API v2 (`/community/v2/…`), byte-compatible with
//! `api.whisk.com` apart from the base URL.
//!
//! Routes: `POST /community/v2/{id}/leave`, `POST /community/v2/{id}/join`,
//! `GET /community/v2/{id}`, `GET /community/v2` (the caller's communities;
//! see [`list`]). `Authorization: Bearer <token>` (or `Authentication:`, the
//! name Whisk's reference table gives it); writes need the scope
//! `community:write`, reads `community:read`.
//!
//! Ids are community UUIDs as 32 lowercase hex digits (the hyphenated form
//! is accepted on input). Roles: owner → `OWNER`, manager → `ADMIN`,
//! member → `MEMBER`, requested → `PENDING`, banned → `BLOCKED`, none and
//! invited → `UNSET`. Mode: `ANYONE` ↔ anyone may contribute, `ADMINS` ↔
//! managers only; visibility is the community's.
//!
//! Choices where Whisk's documentation is silent (see [`error`] for shapes):
//! - leaving when not a member answers 200 with role `UNSET` and writes no
//!   event; a blocked caller stays blocked (200, `BLOCKED`); leaving while a
//!   request is pending withdraws it; while invited, declines the invitation;
//! - joining when already a member (or pending) answers the current role;
//! - a private community the caller may not see answers 404, like an unknown
//!   one, for every route;
//! - `members.count` is a JSON number (Whisk's schema shows a number; only
//!   `paging.total`, an int64, is a string);
//! - join and leave take no body: one sent anyway is ignored, whatever it
//!   holds (a JSON array included: nothing reads it), but one over 64 KiB is
//!   refused with 413 `general.payloadTooLarge`.

mod error;
pub use error::throttled;
mod list;
mod wire;

use crate::app::AppState;
use crate::auth::{self, Principal, Scope};
use crate::http::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use error::{reply, Refusal, WhiskError};
use roster_engine::{can_view, Command, CommunityId, Sight, Standing};
use roster_store::{Community, CommunityKey, Ruling};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/community/v2", get(list::list))
        .route("/community/v2/{community_id}", get(show))
        .route("/community/v2/{community_id}/leave", post(leave))
        .route("/community/v2/{community_id}/join", post(join))
}

type Pairs = Result<Query<Vec<(String, String)>>, QueryRejection>;
type IdPath = Result<Path<String>, PathRejection>;

async fn leave(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: IdPath,
    body: Body,
) -> Response {
    membership(state, headers, id, body, Command::Leave)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn join(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: IdPath,
    body: Body,
) -> Response {
    membership(state, headers, id, body, Command::Join)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: IdPath,
    query: Pairs,
) -> Response {
    let shown = async {
        let principal = caller(&state, &headers, Scope::Read).await?;
        let id = community_id(id)?;
        check_fields(&pairs(query)?)?;
        let (community, standing) = visible(&state, &principal, id).await?;
        Ok::<_, WhiskError>(reply(
            StatusCode::OK,
            json!({ "community": wire::community(&community, standing) }),
        ))
    };
    shown.await.unwrap_or_else(IntoResponse::into_response)
}

/// Join or leave: the caller's role after the command, and the community's settings.
async fn membership(
    state: AppState,
    headers: HeaderMap,
    id: IdPath,
    body: Body,
    command: Command,
) -> Result<Response, WhiskError> {
    let principal = caller(&state, &headers, Scope::Write).await?;
    let id = community_id(id)?;
    ignored_body(body)?;
    let ruling = state
        .execute_in_sight(
            Sight::Viewable,
            principal.actor(),
            CommunityKey::Id(id),
            command,
        )
        .await?;
    let (standing, community) = match ruling {
        Ruling::Accepted(outcome) => (outcome.actor_standing, outcome.community),
        Ruling::Refused(refused) => match (error::refusal(&refused.error), refused.community) {
            (Refusal::CurrentStanding, Some(community)) => (refused.actor_standing, community),
            (Refusal::Reply(status, body), _) => return Ok(reply(status, body)),
            (Refusal::CurrentStanding, None) => return Err(WhiskError::NotFound),
        },
    };
    Ok(reply(
        StatusCode::OK,
        json!({ "permissions": wire::permissions(standing, &community.state.settings) }),
    ))
}

/// The token header as Whisk's reference table names it; its curl example
/// sends `Authorization`, so both are read.
const AUTHENTICATION: HeaderName = HeaderName::from_static("authentication");

/// Authenticate the token and require a scope. The token is read from
/// `Authorization`, or from `Authentication` when `Authorization` is absent
/// (`Authorization` wins when both are sent).
async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    scope: Scope,
) -> Result<Principal, WhiskError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .or_else(|| headers.get(&AUTHENTICATION));
    let principal = auth::from_header(state, value).await?;
    principal.require(scope)?;
    Ok(principal)
}

fn community_id(path: IdPath) -> Result<CommunityId, WhiskError> {
    let bad = || WhiskError::BadRequest("community_id must be 32 lowercase hex digits".into());
    let Path(raw) = path.map_err(|_| bad())?;
    wire::parse_id(&raw).ok_or_else(bad)
}

/// The community and the caller's standing, or 404 when it does not exist
/// or the caller may not see it (for reads; a command checks inside its
/// transaction, through [`Sight::Viewable`]).
async fn visible(
    state: &AppState,
    principal: &Principal,
    id: CommunityId,
) -> Result<(Community, Standing), WhiskError> {
    let viewer = principal.user.id;
    let found = state
        .run(move |s| s.community(&CommunityKey::Id(id), Some(viewer)))
        .await?;
    match found {
        Some((community, standing))
            if can_view(&community.state, principal.is_admin(), standing) =>
        {
            Ok((community, standing))
        }
        _ => Err(WhiskError::NotFound),
    }
}

/// Join and leave take no body and ignore whatever one holds; it is read
/// (up to the size limit) only so that an oversized one gets Whisk's 413.
fn ignored_body(body: Body) -> Result<(), WhiskError> {
    crate::http::body::read(body)?;
    Ok(())
}

fn pairs(query: Pairs) -> Result<Vec<(String, String)>, WhiskError> {
    query
        .map(|Query(pairs)| pairs)
        .map_err(|_| WhiskError::BadRequest("the query string is malformed".into()))
}

/// `fields` values must be ones Whisk documents; every field is rendered anyway.
fn check_fields(pairs: &[(String, String)]) -> Result<(), WhiskError> {
    for (key, value) in pairs {
        if key == "fields" && !wire::FIELDS.contains(&value.as_str()) {
            return Err(WhiskError::BadRequest(format!(
                "unknown field '{}'",
                clip(value)
            )));
        }
    }
    Ok(())
}

/// A client's value, shortened before it is echoed in a message.
fn clip(value: &str) -> String {
    value.chars().take(64).collect()
}
