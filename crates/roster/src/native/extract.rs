//! Reading a native request: the bearer token and its scope, path ids, query
//! parameters, JSON bodies and paging cursors. Every extractor's rejection
//! is taken as a value and turned into a [`Problem`], so that no request ever
//! gets axum's plain-text answers. Also the few store calls every module
//! shares: running a command, and reading a community the caller may see.

use super::problem::Problem;
use crate::app::AppState;
use crate::auth::{self, AuthError, Principal, Scope};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use roster_engine::{Actor, Command, CommunityId, Sight, Standing, UserId};
use roster_store::{Community, CommunityKey, Outcome};
use serde::de::DeserializeOwned;

/// Default page size of the list routes.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest page size of the list routes.
pub const MAX_LIMIT: u32 = 1000;

pub use crate::http::body::Body;
pub type OnePath = Result<Path<String>, PathRejection>;
pub type TwoPaths = Result<Path<(String, String)>, PathRejection>;

/// The request's caller as authenticated once: by the idempotency layer,
/// which hands over the principal it checked (a request extension), or
/// else here, from the `Authorization` header. It never rejects: the
/// handler asks [`principal`] where its route checks authentication, so
/// that the order in which a bad request's faults are reported stays the
/// route's.
pub struct Authenticated(Result<Principal, AuthError>);

/// What the idempotency layer leaves in the request for the handler.
#[derive(Clone)]
pub struct Authenticator(pub Principal);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(Authenticator(principal)) = parts.extensions.remove::<Authenticator>() {
            return Ok(Authenticated(Ok(principal)));
        }
        Ok(Authenticated(
            auth::from_authorization(state, &parts.headers).await,
        ))
    }
}

/// The authenticated caller, if their token holds `scope`.
pub fn principal(caller: &Authenticated, scope: Scope) -> Result<Principal, Problem> {
    let principal = caller.0.clone()?;
    principal.require(scope)?;
    Ok(principal)
}

/// The scopes a route may need, as types, for [`Caller`].
pub mod scope {
    use crate::auth::Scope;

    /// A scope as a type.
    pub trait Needs: Send + Sync + 'static {
        const SCOPE: Scope;
    }

    /// `community:read`.
    pub struct Read;
    /// `community:write`.
    pub struct Write;
    /// `admin`.
    pub struct Admin;

    impl Needs for Read {
        const SCOPE: Scope = Scope::Read;
    }

    impl Needs for Write {
        const SCOPE: Scope = Scope::Write;
    }

    impl Needs for Admin {
        const SCOPE: Scope = Scope::Admin;
    }
}

/// The caller, authenticated once (see [`Authenticated`]) and holding the
/// scope `S`: the first argument of a route whose path names something, so
/// that an unauthenticated or unscoped request is refused for that before
/// its path is read ([`CommunityPath`], [`MemberPath`], [`UserPath`],
/// [`TokenPath`]), the order in which the native API always reported them.
pub struct Caller<S> {
    pub principal: Principal,
    scope: std::marker::PhantomData<fn() -> S>,
}

impl<S: scope::Needs> FromRequestParts<AppState> for Caller<S> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let Ok(caller) = Authenticated::from_request_parts(parts, state).await;
        Ok(Caller {
            principal: principal(&caller, S::SCOPE)?,
            scope: std::marker::PhantomData,
        })
    }
}

/// `/…/{id}` as a community id (400 `invalid_id` otherwise).
pub struct CommunityPath(pub CommunityId);

/// `/…/{id}` as a user id.
pub struct UserPath(pub UserId);

/// `/…/{id}` as a token id.
pub struct TokenPath(pub uuid::Uuid);

/// `/…/{id}/…/{user_id}` as a community and a user id.
pub struct MemberPath(pub CommunityId, pub UserId);

impl FromRequestParts<AppState> for CommunityPath {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        community_path(Path::from_request_parts(parts, state).await).map(CommunityPath)
    }
}

impl FromRequestParts<AppState> for UserPath {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        user_path(Path::from_request_parts(parts, state).await).map(UserPath)
    }
}

impl FromRequestParts<AppState> for TokenPath {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        uuid_path(Path::from_request_parts(parts, state).await, "token id").map(TokenPath)
    }
}

impl FromRequestParts<AppState> for MemberPath {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let path = Path::from_request_parts(parts, state).await;
        member_path(path).map(|(community, user)| MemberPath(community, user))
    }
}

/// The JSON object body as `T`: 413 when over the limit, 400 when not
/// JSON, 422 when of the wrong shape (a top-level array included). An
/// empty body reads as `{}`. A handler's last argument, so that its caller
/// and path are refused first, in the order the native API reports them.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Problem> {
        let Ok(body) = Body::from_request(request, state).await;
        let bytes = crate::http::body::read(body)?;
        Ok(JsonBody(crate::http::json::parse(&bytes)?))
    }
}

fn path_problem(rejection: PathRejection) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "invalid_id",
        "Invalid identifier",
        rejection.body_text(),
    )
}

pub fn community_id(text: &str) -> Result<CommunityId, Problem> {
    CommunityId::parse(text).ok_or_else(|| Problem::invalid_id("community id", text))
}

pub fn user_id(text: &str) -> Result<UserId, Problem> {
    UserId::parse(text).ok_or_else(|| Problem::invalid_id("user id", text))
}

/// `/…/{id}` as a community id.
pub fn community_path(path: OnePath) -> Result<CommunityId, Problem> {
    let Path(text) = path.map_err(path_problem)?;
    community_id(&text)
}

/// `/…/{id}` as a user id.
pub fn user_path(path: OnePath) -> Result<UserId, Problem> {
    let Path(text) = path.map_err(path_problem)?;
    user_id(&text)
}

/// `/…/{id}/…/{user_id}` as a community and a user id.
pub fn member_path(path: TwoPaths) -> Result<(CommunityId, UserId), Problem> {
    let Path((community, user)) = path.map_err(path_problem)?;
    Ok((community_id(&community)?, user_id(&user)?))
}

/// `/…/{id}` as any UUID (tokens).
pub fn uuid_path(path: OnePath, what: &str) -> Result<uuid::Uuid, Problem> {
    let Path(text) = path.map_err(path_problem)?;
    uuid::Uuid::try_parse(&text).map_err(|_| Problem::invalid_id(what, &text))
}

/// The query string as `T` (every field a string, checked by the caller).
pub fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, Problem> {
    query
        .map(|Query(q)| q)
        .map_err(|rejection| Problem::invalid_query(rejection.body_text()))
}

/// `limit=`: 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when absent.
pub fn limit(text: Option<&str>) -> Result<u32, Problem> {
    match text {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(Problem::invalid_query(format!(
                "limit must be an integer from 1 to {MAX_LIMIT}"
            ))),
        },
    }
}

/// `standing=owner,manager,…`; empty or absent means members of any role.
pub fn standings(text: Option<&str>) -> Result<Vec<Standing>, Problem> {
    let mut standings = Vec::new();
    for part in text.unwrap_or("").split(',').map(str::trim) {
        if part.is_empty() {
            continue;
        }
        match part.parse::<Standing>() {
            Ok(Standing::None) | Err(_) => {
                let shown: String = part.chars().take(32).collect();
                return Err(Problem::invalid_query(format!(
                    "standing '{}' is not one of owner, manager, member, invited, requested, banned",
                    shown.escape_debug()
                )));
            }
            Ok(standing) => standings.push(standing),
        }
    }
    Ok(standings)
}

const CURSOR_PREFIX: &str = "c1.";

/// The opaque form of a store cursor.
pub fn encode_cursor(key: i64) -> String {
    crate::http::cursor::encode(&format!("{CURSOR_PREFIX}{key}"))
}

/// `after=` as a store cursor; absent means the first page.
pub fn decode_cursor(text: Option<&str>) -> Result<Option<i64>, Problem> {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    crate::http::cursor::decode(text)
        .and_then(|s| s.strip_prefix(CURSOR_PREFIX)?.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| Problem::invalid_query("after is not a cursor this server returned"))
}

/// `after=` of the event feeds: a sequence number (0 or more).
pub fn sequence(text: Option<&str>) -> Result<i64, Problem> {
    match text.filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(n),
            _ => Err(Problem::invalid_query(
                "after must be an event sequence number (an integer, 0 or more)",
            )),
        },
    }
}

/// Who the caller acts as: themselves, or (with the admin scope) the user
/// a body names, as the engine's [`Actor::acting_for`] rules.
pub fn acting_for(principal: &Principal, user: Option<uuid::Uuid>) -> Result<Actor, Problem> {
    match user.map(UserId) {
        Some(user) if user != principal.user.id => {
            principal.require(Scope::Admin)?;
            Ok(principal.actor().acting_for(user))
        }
        _ => Ok(principal.actor()),
    }
}

/// Run one command as `actor` on a community; the native API's writes
/// see every community ([`Sight::Any`]): the rules alone decide.
pub async fn execute(
    state: &AppState,
    actor: Actor,
    community: CommunityId,
    command: Command,
) -> Result<Outcome, Problem> {
    let key = CommunityKey::Id(community);
    Ok(state.execute(Sight::Any, actor, key, command).await?)
}

/// A community the caller may see, and the caller's standing in it.
/// Private communities are `community_not_found` to people without
/// standing: the engine decides, through [`Sight::Viewable`].
pub async fn visible(
    state: &AppState,
    principal: &Principal,
    community: CommunityId,
) -> Result<(Community, Standing), Problem> {
    let key = CommunityKey::Id(community);
    Ok(state
        .community_in_sight(Sight::Viewable, key, principal.actor())
        .await?)
}

/// Lists that only the people who manage a community see (pending
/// requests, invitations, bans, its event feed): managers, owners, admins.
pub fn require_manager(principal: &Principal, standing: Standing) -> Result<(), Problem> {
    Ok(roster_engine::may_manage(principal.is_admin(), standing)?)
}
