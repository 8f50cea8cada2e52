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
use crate::auth;
use crate::http::error::Failure;
use crate::http::extract::{self, Dialect, JsonObject, NeedsScope, Read, Write};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use error::WixError;
use member::{Fieldset, Member};
use roster_engine::users::may_see_private_fields;
use roster_engine::{Actor, Command, CommunityId, Sight, Standing, UserId};
use roster_store::{CommunityKey, MemberQuery, Paging, Ruling, User, UserKey};
use serde::de::IgnoredAny;

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

/// Wix as the shared extractors see it: the token in `Authorization`,
/// bare or `Bearer`.
pub enum Wix {}

impl Dialect for Wix {
    type Error = WixError;
}

/// A body of `{}` or nothing (any JSON object is accepted and ignored).
type EmptyBody = JsonObject<IgnoredAny, Wix>;

async fn leave(
    State(state): State<AppState>,
    caller: Caller<Write>,
    _: EmptyBody,
) -> Result<Json<member::One>, WixError> {
    self_service(&state, caller, Command::Leave).await
}

async fn join(
    State(state): State<AppState>,
    caller: Caller<Write>,
    _: EmptyBody,
) -> Result<Json<member::One>, WixError> {
    self_service(&state, caller, Command::Join).await
}

async fn my(
    State(state): State<AppState>,
    caller: Caller<Read>,
    query: WixQuery,
) -> Result<Json<member::One>, WixError> {
    let site = site(&state).await?;
    let fieldset =
        member::fieldset(&query.fieldsets(), Fieldset::Full).map_err(Failure::BadRequest)?;
    let standing = state.standing(site, caller.user.id).await?;
    Ok(one(
        &caller.user,
        standing,
        fieldset,
        caller.user.updated_at,
    ))
}

async fn show(
    State(state): State<AppState>,
    caller: Caller<Read>,
    query: WixQuery,
    MemberId(id): MemberId,
) -> Result<Json<member::One>, WixError> {
    let requested =
        member::fieldset(&query.fieldsets(), Fieldset::Public).map_err(Failure::BadRequest)?;
    let site = site(&state).await?;
    let target = state
        .find_user(UserKey::Id(id))
        .await?
        .ok_or(Failure::NotFound)?;
    let standing = state.standing(site, target.id).await?;
    let privileged = may_see_private_fields(caller.user.id, caller.elevated, target.id);
    if !standing.is_member() && !privileged {
        return Err(Failure::NotFound.into());
    }
    let fieldset = if privileged {
        requested
    } else {
        Fieldset::Public
    };
    Ok(one(&target, standing, fieldset, target.updated_at))
}

async fn list(
    State(state): State<AppState>,
    caller: Caller<Read>,
    query: WixQuery,
) -> Result<Json<member::Listed>, WixError> {
    let requested =
        member::fieldset(&query.fieldsets(), Fieldset::Public).map_err(Failure::BadRequest)?;
    let site = site(&state).await?;
    let members = MemberQuery {
        standings: Vec::new(),
        paging: Paging::Offset(query.offset),
        limit: query.limit,
    };
    let page = state.members(site, members).await?;
    let rendered: Vec<Member> = page
        .items
        .iter()
        .map(|row| {
            let privileged = may_see_private_fields(caller.user.id, caller.elevated, row.user.id);
            let fieldset = if privileged {
                requested
            } else {
                Fieldset::Public
            };
            member::render(&row.user, row.standing, fieldset, row.user.updated_at)
        })
        .collect();
    Ok(Json(member::Listed {
        metadata: member::Metadata {
            count: rendered.len(),
            offset: query.offset,
            too_many_to_count: false,
            total: page.total,
        },
        members: rendered,
    }))
}

/// Join or leave the site community; answers the member afterwards.
async fn self_service(
    state: &AppState,
    caller: Caller<Write>,
    command: Command,
) -> Result<Json<member::One>, WixError> {
    let site = site(state).await?;
    let key = CommunityKey::Id(site);
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
            None => refused.actor_standing,
            Some(_) => return Err(refused.error.into()),
        },
    };
    Ok(one(&user, standing, Fieldset::Full, updated))
}

fn one(
    user: &User,
    standing: Standing,
    fieldset: Fieldset,
    updated: DateTime<Utc>,
) -> Json<member::One> {
    Json(member::One {
        member: member::render(user, standing, fieldset, updated),
    })
}

/// Who the request acts for, and whether the token is elevated: the token
/// (holding scope `S`) and `X-Roster-Member-Id`, resolved.
struct Caller<S> {
    user: User,
    elevated: bool,
    /// Who commands run as: the engine's [`Actor::acting_for`] (an admin
    /// acting for a member acts as that member would).
    actor: Actor,
    scope: std::marker::PhantomData<fn() -> S>,
}

impl<S: NeedsScope> FromRequestParts<AppState> for Caller<S> {
    type Rejection = WixError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WixError> {
        let principal = extract::Caller::<Wix, S>::from_request_parts(parts, state)
            .await?
            .principal;
        let elevated = principal.is_admin();
        let caller = |user, actor| Caller {
            user,
            elevated,
            actor,
            scope: std::marker::PhantomData,
        };
        let Some(value) = parts.headers.get(MEMBER_HEADER) else {
            let user = auth::current_user(state, &principal).await?;
            return Ok(caller(user, principal.actor()));
        };
        if !elevated {
            return Err(WixError::NotElevated);
        }
        let id = value
            .to_str()
            .ok()
            .and_then(|text| UserId::parse(text.trim()))
            .ok_or_else(|| Failure::bad_request("X-Roster-Member-Id must be a member id (UUID)"))?;
        let user = state
            .find_user(UserKey::Id(id))
            .await?
            .ok_or(Failure::NotFound)?;
        let actor = principal.actor().acting_for(user.id);
        Ok(caller(user, actor))
    }
}

/// The member id of the path: a UUID, else 400.
struct MemberId(UserId);

impl FromRequestParts<AppState> for MemberId {
    type Rejection = WixError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WixError> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|Path(raw)| UserId::parse(&raw))
            .map(MemberId)
            .ok_or_else(|| Failure::bad_request("the member id must be a UUID").into())
    }
}

/// The site community's id: from memory once it has been read (it never
/// changes, and the site community is never deleted), else from the store;
/// 404 `SITE_COMMUNITY_NOT_SET_UP` while there is none (not remembered;
/// the first account founds it).
async fn site(state: &AppState) -> Result<CommunityId, WixError> {
    if let Some(id) = state.site.get() {
        return Ok(*id);
    }
    let site = state
        .site_community()
        .await?
        .ok_or(WixError::SiteNotSetUp)?;
    Ok(*state.site.get_or_init(|| site.id()))
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

impl FromRequestParts<AppState> for WixQuery {
    type Rejection = WixError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WixError> {
        let pairs = extract::Pairs::<Wix>::from_request_parts(parts, state).await?;
        Ok(parse_query(pairs.pairs)?)
    }
}

fn parse_query(pairs: Vec<(String, String)>) -> Result<WixQuery, Failure> {
    let mut parsed = WixQuery {
        fieldsets: Vec::new(),
        limit: DEFAULT_LIMIT,
        offset: 0,
    };
    for (key, value) in pairs {
        match key.as_str() {
            "fieldsets" => parsed.fieldsets.push(value),
            "paging.limit" => {
                let limit: u64 = value.parse().map_err(|_| {
                    Failure::bad_request("paging.limit must be a non-negative integer")
                })?;
                parsed.limit = match limit {
                    0 => DEFAULT_LIMIT,
                    n => u32::try_from(n.min(u64::from(MAX_LIMIT))).unwrap_or(MAX_LIMIT),
                };
            }
            "paging.offset" => {
                parsed.offset = value.parse().map_err(|_| {
                    Failure::bad_request("paging.offset must be a non-negative integer")
                })?;
            }
            _ => {}
        }
    }
    Ok(parsed)
}
