//! Wix Members REST v1 (`/members/v1/members/…`, also under `/_api`, the
//! path the published `@wix/sdk` + `@wix/members` client calls when its
//! `apiBaseUrl` is not Wix's).
//!
//! Wix's "site community" is Roster's site community: one per server, owned
//! by the first admin (the store creates it with that admin; every user
//! created later joins it). Every user is a site member; `privacyStatus` is
//! `PUBLIC` while they are in the site community and `PRIVATE` after
//! leaving it. Their standing in other communities is never touched.
//!
//! Routes: `POST …/leave-community` and `POST …/join-community` (body `{}`
//! or empty; the current member only), `GET …/my`, `GET …` (public members,
//! `paging.limit` default 50 at most 100, `paging.offset`), `GET …/{id}`.
//! `Authorization: <token>` (bare, as Wix sends it) or `Bearer <token>`;
//! writes need `community:write`, reads `community:read`.
//!
//! Roster's choices:
//! - elevation: an admin token (admin user, `admin` scope) may send
//!   `X-Roster-Member-Id: <uuid>` to act for that member; without elevation
//!   the header is refused (403 `ELEVATION_REQUIRED`), an unknown id is 404
//!   `MEMBER_NOT_FOUND`;
//! - leaving when already out (or while blocked) is idempotent: 200 with the
//!   member as they are, no event; the site's last owner may not leave
//!   (403 `OWNER_CANNOT_LEAVE_COMMUNITY`);
//! - no site community yet (no admin created): 404 `SITE_COMMUNITY_NOT_SET_UP`;
//! - leave, join and `my` answer the `FULL` fieldset (the caller's own
//!   record); the list and `GET …/{id}` answer Wix's default `PUBLIC`
//!   fieldset, and `fieldsets=FULL` only for one's own record or an
//!   elevated caller (others get `PUBLIC`, so no member learns another's
//!   email). A `PRIVATE` member is 404 to other members, visible to
//!   themselves and to elevated callers;
//! - `updatedDate` moves on every join or leave: the store stamps the user
//!   record in the same transaction as the site membership change.
//!
//! Wix's own example for `leaveCommunity()` calls `members.joinCommunity()`
//! — a bug in their documentation; Roster's leave leaves.

mod error;
pub use error::throttled;
mod member;

use crate::app::AppState;
use crate::auth::{self, Scope};
use crate::http::body::Body;
use crate::http::json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use error::{envelope, Refusal, WixError};
use member::Fieldset;
use roster_engine::users::may_see_private_fields;
use roster_engine::{Actor, Command, CommunityId, Sight, Standing, UserId};
use roster_store::{Community, CommunityKey, MemberQuery, Paging, Ruling, User, UserKey};
use serde_json::{json, Value};

/// The header an elevated caller names the member it acts for with.
pub const MEMBER_HEADER: &str = "x-roster-member-id";
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(routes("/members/v1/members"))
        .merge(routes("/_api/members/v1/members"))
}

fn routes(base: &str) -> Router<AppState> {
    Router::new()
        .route(base, get(list))
        .route(&format!("{base}/my"), get(my))
        .route(&format!("{base}/leave-community"), post(leave))
        .route(&format!("{base}/join-community"), post(join))
        .route(&format!("{base}/{{id}}"), get(show))
}

type Pairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// Who the request acts for, and whether the token is elevated.
struct Caller {
    user: User,
    elevated: bool,
    /// Who commands run as: the engine's [`Actor::acting_for`] (an admin
    /// acting for a member acts as that member would).
    actor: Actor,
}

async fn leave(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    self_service(state, headers, body, Command::Leave)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn join(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    self_service(state, headers, body, Command::Join)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn my(State(state): State<AppState>, headers: HeaderMap, query: Pairs) -> Response {
    let shown = async {
        let caller = caller(&state, &headers, Scope::Read).await?;
        let query = parse_query(query)?;
        let site = site(&state).await?;
        let fieldset =
            member::fieldset(&query.fieldsets(), Fieldset::Full).map_err(WixError::BadRequest)?;
        let standing = standing(&state, site.id(), caller.user.id).await?;
        Ok::<_, WixError>(one(
            &caller.user,
            standing,
            fieldset,
            caller.user.updated_at,
        ))
    };
    shown.await.unwrap_or_else(IntoResponse::into_response)
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    query: Pairs,
) -> Response {
    let shown = async {
        let caller = caller(&state, &headers, Scope::Read).await?;
        let query = parse_query(query)?;
        let id = id
            .ok()
            .and_then(|Path(raw)| UserId::parse(&raw))
            .ok_or_else(|| WixError::BadRequest("the member id must be a UUID".into()))?;
        let requested =
            member::fieldset(&query.fieldsets(), Fieldset::Public).map_err(WixError::BadRequest)?;
        let site = site(&state).await?;
        let target = state
            .run(move |s| s.find_user(&UserKey::Id(id)))
            .await?
            .ok_or(WixError::MemberNotFound)?;
        let standing = standing(&state, site.id(), target.id).await?;
        let privileged = may_see_private_fields(caller.user.id, caller.elevated, target.id);
        if !standing.is_member() && !privileged {
            return Err(WixError::MemberNotFound);
        }
        let fieldset = if privileged {
            requested
        } else {
            Fieldset::Public
        };
        Ok(one(&target, standing, fieldset, target.updated_at))
    };
    shown.await.unwrap_or_else(IntoResponse::into_response)
}

async fn list(State(state): State<AppState>, headers: HeaderMap, query: Pairs) -> Response {
    let listed = async {
        let caller = caller(&state, &headers, Scope::Read).await?;
        let query = parse_query(query)?;
        let requested =
            member::fieldset(&query.fieldsets(), Fieldset::Public).map_err(WixError::BadRequest)?;
        let site = site(&state).await?;
        let members = MemberQuery {
            standings: Vec::new(),
            paging: Paging::Offset(query.offset),
            limit: query.limit,
        };
        let site_id = site.id();
        let page = state.run(move |s| s.members(site_id, &members)).await?;
        let rendered: Vec<Value> = page
            .items
            .iter()
            .map(|row| {
                let privileged =
                    may_see_private_fields(caller.user.id, caller.elevated, row.user.id);
                let fieldset = if privileged {
                    requested
                } else {
                    Fieldset::Public
                };
                member::render(&row.user, row.standing, fieldset, row.user.updated_at)
            })
            .collect();
        let body = json!({
            "members": rendered,
            "metadata": {
                "count": rendered.len(),
                "offset": query.offset,
                "total": page.total,
                "tooManyToCount": false,
            },
        });
        Ok::<_, WixError>((StatusCode::OK, axum::Json(body)).into_response())
    };
    listed.await.unwrap_or_else(IntoResponse::into_response)
}

/// Join or leave the site community; answers the member afterwards.
async fn self_service(
    state: AppState,
    headers: HeaderMap,
    body: Body,
    command: Command,
) -> Result<Response, WixError> {
    let caller = caller(&state, &headers, Scope::Write).await?;
    let body = crate::http::body::read(body)?;
    json::parse::<serde::de::IgnoredAny>(&body).map_err(|e| WixError::BadRequest(e.to_string()))?;
    let site = site(&state).await?;
    let key = CommunityKey::Id(site.id());
    let ruling = state
        .execute_in_sight(Sight::Any, caller.actor, key, command)
        .await?;
    let user = caller.user;
    let mut updated = user.updated_at;
    let standing = match ruling {
        Ruling::Accepted(outcome) => {
            if let Some(event) = &outcome.event {
                // The store moved the user's `updated_at` to the event's time.
                updated = event.at;
            }
            outcome.actor_standing
        }
        Ruling::Refused(refused) => match error::refusal(&refused.error) {
            Refusal::CurrentMember => refused.actor_standing,
            Refusal::Reply(status, code) => {
                return Ok(envelope(status, code, &refused.error.to_string()))
            }
        },
    };
    Ok(one(&user, standing, Fieldset::Full, updated))
}

fn one(user: &User, standing: Standing, fieldset: Fieldset, updated: DateTime<Utc>) -> Response {
    let body = json!({ "member": member::render(user, standing, fieldset, updated) });
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// Authenticate, require a scope, and resolve `X-Roster-Member-Id`.
async fn caller(state: &AppState, headers: &HeaderMap, scope: Scope) -> Result<Caller, WixError> {
    let principal = auth::authorize(state, headers, scope).await?;
    let elevated = principal.is_admin();
    let Some(value) = headers.get(MEMBER_HEADER) else {
        return Ok(Caller {
            actor: principal.actor(),
            user: auth::current_user(state, &principal).await?,
            elevated,
        });
    };
    if !elevated {
        return Err(WixError::NotElevated);
    }
    let id = value
        .to_str()
        .ok()
        .and_then(|text| UserId::parse(text.trim()))
        .ok_or_else(|| {
            WixError::BadRequest("X-Roster-Member-Id must be a member id (UUID)".into())
        })?;
    let user = state
        .run(move |s| s.find_user(&UserKey::Id(id)))
        .await?
        .ok_or(WixError::MemberNotFound)?;
    Ok(Caller {
        actor: principal.actor().acting_for(user.id),
        user,
        elevated,
    })
}

async fn site(state: &AppState) -> Result<Community, WixError> {
    state
        .run(|s| s.site_community())
        .await?
        .ok_or(WixError::SiteNotSetUp)
}

async fn standing(state: &AppState, site: CommunityId, user: UserId) -> Result<Standing, WixError> {
    Ok(state.run(move |s| s.standing(site, user)).await?)
}

/// The query parameters any route reads; unknown keys are ignored.
struct WixQuery {
    fieldsets: Vec<String>,
    limit: u32,
    offset: u64,
}

impl WixQuery {
    fn fieldsets(&self) -> Vec<&str> {
        self.fieldsets.iter().map(String::as_str).collect()
    }
}

fn parse_query(query: Pairs) -> Result<WixQuery, WixError> {
    let bad = |message: &str| WixError::BadRequest(message.to_owned());
    let Query(pairs) = query.map_err(|_| bad("the query string is malformed"))?;
    let mut parsed = WixQuery {
        fieldsets: Vec::new(),
        limit: DEFAULT_LIMIT,
        offset: 0,
    };
    for (key, value) in pairs {
        match key.as_str() {
            "fieldsets" => parsed.fieldsets.push(value),
            "paging.limit" => {
                let limit: u64 = value
                    .parse()
                    .map_err(|_| bad("paging.limit must be a non-negative integer"))?;
                parsed.limit = match limit {
                    0 => DEFAULT_LIMIT,
                    n => u32::try_from(n.min(u64::from(MAX_LIMIT))).unwrap_or(MAX_LIMIT),
                };
            }
            "paging.offset" => {
                parsed.offset = value
                    .parse()
                    .map_err(|_| bad("paging.offset must be a non-negative integer"))?;
            }
            _ => {}
        }
    }
    Ok(parsed)
}
