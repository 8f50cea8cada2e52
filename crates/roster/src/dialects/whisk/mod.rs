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
use crate::http::error::Failure;
use crate::http::extract::{self, Dialect, Read, Unread, Write};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::routing::{get, post};
use axum::{Json, Router};
use error::WhiskError;
use roster_engine::{Command, CommunityId, Sight, Standing};
use roster_store::{Community, CommunityKey, Ruling};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/community/v2", get(list::list))
        .route("/community/v2/{community_id}", get(show))
        .route("/community/v2/{community_id}/leave", post(leave))
        .route("/community/v2/{community_id}/join", post(join))
}

/// Whisk as the shared extractors see it.
pub enum Whisk {}

impl Dialect for Whisk {
    type Error = WhiskError;

    /// `Authorization`, or `Authentication` when `Authorization` is absent
    /// (`Authorization` wins when both are sent).
    fn token(headers: &HeaderMap) -> Option<&HeaderValue> {
        headers
            .get(header::AUTHORIZATION)
            .or_else(|| headers.get(&AUTHENTICATION))
    }
}

/// The token header as Whisk's reference table names it; its curl example
/// sends `Authorization`, so both are read.
const AUTHENTICATION: HeaderName = HeaderName::from_static("authentication");

type Caller<S> = extract::Caller<Whisk, S>;
type Pairs = extract::Pairs<Whisk>;

async fn leave(
    State(state): State<AppState>,
    caller: Caller<Write>,
    Id(id): Id,
    _: Unread<Whisk>,
) -> Result<Json<wire::Membership>, WhiskError> {
    membership(&state, &caller, id, Command::Leave).await
}

async fn join(
    State(state): State<AppState>,
    caller: Caller<Write>,
    Id(id): Id,
    _: Unread<Whisk>,
) -> Result<Json<wire::Membership>, WhiskError> {
    membership(&state, &caller, id, Command::Join).await
}

async fn show(
    State(state): State<AppState>,
    caller: Caller<Read>,
    Id(id): Id,
    query: Pairs,
) -> Result<Json<wire::Shown>, WhiskError> {
    check_fields(&query.pairs)?;
    let (community, standing) = visible(&state, &caller, id).await?;
    Ok(Json(wire::Shown {
        community: wire::community(&community, standing),
    }))
}

/// Join or leave: the caller's role after the command, and the community's settings.
async fn membership(
    state: &AppState,
    caller: &Caller<Write>,
    id: CommunityId,
    command: Command,
) -> Result<Json<wire::Membership>, WhiskError> {
    let key = CommunityKey::Id(id);
    let ruling = state
        .execute_in_sight(Sight::Viewable, caller.actor(), key, command)
        .await?;
    let (standing, community) = match ruling {
        Ruling::Accepted(outcome) => (outcome.actor_standing, outcome.community),
        Ruling::Refused(refused) => match (error::refusal(&refused.error), refused.community) {
            (None, Some(community)) => (refused.actor_standing, community),
            (None, None) => return Err(Failure::NotFound.into()),
            (Some(_), _) => return Err(refused.error.into()),
        },
    };
    Ok(Json(wire::Membership {
        permissions: wire::permissions(standing, &community.state.settings),
    }))
}

/// The community id of the path: 32 lowercase hex digits (or a hyphenated
/// UUID), else 400.
struct Id(CommunityId);

impl FromRequestParts<AppState> for Id {
    type Rejection = WhiskError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WhiskError> {
        let bad = || Failure::bad_request("community_id must be 32 lowercase hex digits");
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| bad())?;
        Ok(Id(wire::parse_id(&raw).ok_or_else(bad)?))
    }
}

/// The community and the caller's standing, or 404 when it does not exist
/// or the caller may not see it (for reads; a command checks inside its
/// transaction, through [`Sight::Viewable`]). The engine decides which.
async fn visible<S>(
    state: &AppState,
    caller: &Caller<S>,
    id: CommunityId,
) -> Result<(Community, Standing), WhiskError> {
    let key = CommunityKey::Id(id);
    Ok(state
        .community_in_sight(Sight::Viewable, key, caller.actor())
        .await?)
}

/// `fields` values must be ones Whisk documents; every field is rendered anyway.
fn check_fields(pairs: &[(String, String)]) -> Result<(), WhiskError> {
    for (key, value) in pairs {
        if key == "fields" && !wire::FIELDS.contains(&value.as_str()) {
            return Err(Failure::bad_request(format!("unknown field '{}'", clip(value))).into());
        }
    }
    Ok(())
}

/// A client's value, shortened before it is echoed in a message.
fn clip(value: &str) -> String {
    value.chars().take(64).collect()
}
