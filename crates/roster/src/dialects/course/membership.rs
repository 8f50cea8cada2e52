//! Who is in a course: join, leave (or remove someone, or withdraw a
//! request), the caller's status, the member, request and invitation lists,
//! invitations and roles. Each write is one engine command per user; a
//! request naming several users runs several commands, each atomic on its
//! own, and stops at the first refusal (the earlier ones stay applied),
//! after every named user has been checked to exist.

use super::courses::render;
use super::errors::ApiError;
use super::views::{self, CourseView, ListUrl, Page, UserView};
use super::{
    course, execute, origin, parse_int, query_pairs, resolve_users, user_nums, BodyObject, Caller,
    Course, CourseNum,
};
use crate::app::AppState;
use crate::http::extract::{Read, Write};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use roster_engine::{Actor, Command, DomainError, Role, Sight, Standing};
use roster_store::{CommunityKey, MemberQuery, Paging, Ruling};

/// Page size when `limit` is absent or not a positive integer (as DRF does).
const DEFAULT_LIMIT: u32 = 20;
/// Largest page size; larger `limit`s are cut to it.
const MAX_LIMIT: u32 = 100;

/// `POST …/join/`: join (open), request (private) or accept an invitation
/// (secret) → 200 with the course and the caller's new `join_status`.
pub(super) async fn join(
    State(state): State<AppState>,
    CourseNum(num): CourseNum,
    caller: Caller<Write>,
) -> Result<Json<CourseView>, ApiError> {
    let key = CommunityKey::Num(num);
    let outcome = state
        .execute(Sight::CourseJoin, caller.actor(), key, Command::Join)
        .await?;
    let view = render(&state, &outcome.community, outcome.actor_standing).await?;
    Ok(Json(view))
}

/// `DELETE …/join/` (and `…/subscribe/`): leave, withdraw a request or
/// decline an invitation → 204. With `?user=<id>` (or a body
/// `{"users":[id]}`, as the published client sends), remove those users or
/// reject their requests instead. Nothing to end is success too.
pub(super) async fn leave(
    State(state): State<AppState>,
    CourseNum(num): CourseNum,
    caller: Caller<Write>,
    UserParam(user): UserParam,
    BodyObject(body): BodyObject,
) -> Result<StatusCode, ApiError> {
    let mut nums = Vec::from_iter(user);
    nums.extend(user_nums(&body, "users")?.unwrap_or_default());
    let subjects = resolve_users(&state, nums).await?;
    let actor = caller.actor();
    if subjects.is_empty() {
        end(&state, actor, num, Command::Leave).await?;
    }
    for subject in subjects {
        end(&state, actor, num, Command::Remove { subject }).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `?user=<id>` of a leave: the user to remove instead of the caller.
pub(super) struct UserParam(Option<i64>);

impl FromRequestParts<AppState> for UserParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        let Some((_, value)) = query_pairs(parts.uri.query())
            .into_iter()
            .find(|(key, _)| key == "user")
        else {
            return Ok(UserParam(None));
        };
        parse_int(value.trim())
            .map(|user| UserParam(Some(user)))
            .ok_or_else(|| ApiError::invalid("user: A valid integer is required."))
    }
}

/// Leave or remove, in one transaction that also checks the course is in
/// the caller's sight. Idempotent on the wire: a refusal decided on a
/// standing with nothing to end (`NotMember`, `SubjectNotMember`) means
/// the end state already holds.
async fn end(state: &AppState, actor: Actor, num: i64, command: Command) -> Result<(), ApiError> {
    let key = CommunityKey::Num(num);
    match state
        .execute_in_sight(Sight::Course, actor, key, command)
        .await?
    {
        Ruling::Accepted(_) => Ok(()),
        Ruling::Refused(refused) => match refused.error {
            DomainError::NotMember | DomainError::SubjectNotMember => Ok(()),
            error => Err(error.into()),
        },
    }
}

/// `GET …/status/` → `{"status": join_status}`.
pub(super) async fn status(
    State(state): State<AppState>,
    CourseNum(num): CourseNum,
    caller: Caller<Read>,
) -> Result<Json<views::Status>, ApiError> {
    let course = course(&state, &caller, num).await?;
    Ok(Json(views::Status {
        status: views::join_status(course.standing),
    }))
}

/// `GET …/join/?limit&offset&statuses` → the course's people; `statuses`
/// (comma-separated or repeated) takes `creator`, `manager`, `joined`;
/// the default is managers and joined users, as SelfCommunity documents.
pub(super) async fn joined(
    State(state): State<AppState>,
    ask: Listing,
) -> Result<Json<Page<UserView>>, ApiError> {
    let standings = statuses(&ask.pairs)?;
    let course = course(&state, &ask.caller, ask.num).await?;
    list(&state, ask, &course, standings).await
}

/// `GET …/request_join/` → users waiting for approval (creator or manager).
pub(super) async fn requested(
    State(state): State<AppState>,
    ask: Listing,
) -> Result<Json<Page<UserView>>, ApiError> {
    staff_list(&state, ask, Standing::Requested).await
}

/// `GET …/invite/` → invited users (creator or manager).
pub(super) async fn invited(
    State(state): State<AppState>,
    ask: Listing,
) -> Result<Json<Page<UserView>>, ApiError> {
    staff_list(&state, ask, Standing::Invited).await
}

/// A list that only the course's staff may read (creator, manager, admin).
async fn staff_list(
    state: &AppState,
    ask: Listing,
    standing: Standing,
) -> Result<Json<Page<UserView>>, ApiError> {
    let course = course(state, &ask.caller, ask.num).await?;
    roster_engine::may_manage(ask.caller.is_admin(), course.standing)?;
    list(state, ask, &course, vec![standing]).await
}

/// A list request: the course id, the caller, the query's pairs, and where
/// the list was asked for (its `next` and `previous` links build on it).
pub(super) struct Listing {
    num: i64,
    caller: Caller<Read>,
    pairs: Vec<(String, String)>,
    /// `scheme://host/path`, or only the path when the host is unknown.
    base: String,
}

impl FromRequestParts<AppState> for Listing {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let CourseNum(num) = CourseNum::from_request_parts(parts, state).await?;
        let caller = Caller::<Read>::from_request_parts(parts, state).await?;
        let origin = origin(&parts.headers, &parts.uri).unwrap_or_default();
        Ok(Listing {
            num,
            caller,
            pairs: query_pairs(parts.uri.query()),
            base: format!("{origin}{}", parts.uri.path()),
        })
    }
}

/// The `statuses` filter; unknown values are refused.
fn statuses(pairs: &[(String, String)]) -> Result<Vec<Standing>, ApiError> {
    let mut standings = Vec::new();
    let values = pairs
        .iter()
        .filter(|(key, _)| key == "statuses" || key == "statuses[]")
        .flat_map(|(_, value)| value.split(','))
        .map(str::trim)
        .filter(|value| !value.is_empty());
    for value in values {
        let standing = views::member_status(value).ok_or_else(|| {
            let shown: String = value.chars().take(40).collect();
            ApiError::invalid(format!(
                "statuses: \"{shown}\" is not a valid choice (creator, manager, joined)."
            ))
        })?;
        if !standings.contains(&standing) {
            standings.push(standing);
        }
    }
    if standings.is_empty() {
        standings = vec![
            Standing::Member(Role::Manager),
            Standing::Member(Role::Member),
        ];
    }
    Ok(standings)
}

/// `limit` and `offset` as DRF's `LimitOffsetPagination` reads them: a
/// value that is not a positive integer falls back to the default.
fn paging(pairs: &[(String, String)]) -> (u32, u64) {
    let first = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
    };
    let limit = first("limit")
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|v| *v > 0)
        .map_or(DEFAULT_LIMIT, |v| {
            u32::try_from(v.min(u64::from(MAX_LIMIT))).unwrap_or(MAX_LIMIT)
        });
    let offset = first("offset")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    (limit, offset)
}

async fn list(
    state: &AppState,
    ask: Listing,
    course: &Course,
    standings: Vec<Standing>,
) -> Result<Json<Page<UserView>>, ApiError> {
    let (limit, offset) = paging(&ask.pairs);
    let query = MemberQuery {
        standings,
        paging: Paging::Offset(offset),
        limit,
    };
    let page = state.members(course.community.id(), query).await?;
    let results = page
        .items
        .iter()
        .map(|row| views::user(&row.user))
        .collect();
    let url = ListUrl {
        base: ask.base,
        params: ask
            .pairs
            .into_iter()
            .filter(|(key, _)| key != "limit" && key != "offset")
            .collect(),
    };
    Ok(Json(views::page(&url, limit, offset, page.total, results)))
}

/// `POST …/invite/ {"users":[id]}` → 204: invite each user; inviting a
/// user who asked to join approves the request.
pub(super) async fn invite(
    State(state): State<AppState>,
    CourseNum(num): CourseNum,
    caller: Caller<Write>,
    BodyObject(body): BodyObject,
) -> Result<StatusCode, ApiError> {
    let invite = |subject| Command::Invite { subject };
    for_each_user(&state, num, &caller, &body, invite).await
}

/// `DELETE …/invite/ {"users":[id]}` → 204: take back each invitation.
pub(super) async fn revoke(
    State(state): State<AppState>,
    CourseNum(num): CourseNum,
    caller: Caller<Write>,
    BodyObject(body): BodyObject,
) -> Result<StatusCode, ApiError> {
    let revoke = |subject| Command::RevokeInvitation { subject };
    for_each_user(&state, num, &caller, &body, revoke).await
}

async fn for_each_user(
    state: &AppState,
    num: i64,
    caller: &Caller<Write>,
    body: &serde_json::Map<String, serde_json::Value>,
    command: fn(roster_engine::UserId) -> Command,
) -> Result<StatusCode, ApiError> {
    let nums = user_nums(body, "users")?
        .filter(|nums| !nums.is_empty())
        .ok_or_else(|| ApiError::invalid("users: This field is required."))?;
    let course = course(state, caller, num).await?;
    let actor = caller.actor();
    for subject in resolve_users(state, nums).await? {
        execute(state, actor, &course, command(subject)).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST …/role/ {"managers":[id],"joined":[id],"unjoined":[id]}` → 204.
/// `managers` become managers; `joined` are made plain members (joining
/// them if need be, as SelfCommunity's "force to join"); `unjoined` are
/// removed. Lists run in that order; see the module doc on atomicity.
pub(super) async fn role(
    State(state): State<AppState>,
    CourseNum(num): CourseNum,
    caller: Caller<Write>,
    BodyObject(body): BodyObject,
) -> Result<StatusCode, ApiError> {
    let managers = user_nums(&body, "managers")?.unwrap_or_default();
    let joined = user_nums(&body, "joined")?.unwrap_or_default();
    let unjoined = user_nums(&body, "unjoined")?.unwrap_or_default();
    if managers.is_empty() && joined.is_empty() && unjoined.is_empty() {
        return Err(ApiError::invalid(
            "At least one of managers, joined and unjoined is required.",
        ));
    }
    let course = course(&state, &caller, num).await?;
    let managers = resolve_users(&state, managers).await?;
    let joined = resolve_users(&state, joined).await?;
    let unjoined = resolve_users(&state, unjoined).await?;
    let actor = caller.actor();
    let set_role = |subject, role| Command::SetRole {
        subject,
        role,
        expect: None,
    };
    for subject in managers {
        execute(&state, actor, &course, set_role(subject, Role::Manager)).await?;
    }
    for subject in joined {
        execute(&state, actor, &course, Command::Add { subject }).await?;
        execute(&state, actor, &course, set_role(subject, Role::Member)).await?;
    }
    for subject in unjoined {
        end(&state, actor, num, Command::Remove { subject }).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
