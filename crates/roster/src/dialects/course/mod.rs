//! SelfCommunity's course API v2 (`/api/v2/course/…`), spoken so that the
//! published `@selfcommunity/api-services` client works against Roster with
//! only its base URL changed. A course is a community; its `privacy` is the
//! community's visibility and join policy (see [`views::Privacy`]); its id
//! and its users' ids are the integer numbers.
//!
//! This module holds the router (every path with and without its trailing
//! slash, as Django's `APPEND_SLASH` clients expect) and the request
//! plumbing every handler shares: the extractors of the course id in the
//! path, the token and the body (JSON, or a urlencoded form), the course as
//! the caller may see it, and the query string. Handlers live in [`courses`] and [`membership`];
//! errors in [`errors`]; JSON in [`views`].
//!
//! A course the caller may not see (a secret one, uninvited) answers 404 on
//! every route but `POST …/join/`, which answers 403 `permission_denied`
//! unless the caller holds an invitation, as the course API documents.

mod courses;
mod errors;
pub use errors::throttled;
mod membership;
mod views;

use crate::app::AppState;
use crate::auth::Principal;
use crate::http::error::Failure;
use crate::http::extract::{self, Dialect};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use errors::ApiError;
use roster_engine::{Actor, Command, Sight, Standing, UserId};
use roster_store::{Community, CommunityKey, Outcome, UserKey};
use serde_json::{Map, Value};

/// The most users one invite, revoke or role request may name.
const MAX_USERS: usize = 100;

pub fn router() -> Router<AppState> {
    let routes: [(&str, MethodRouter<AppState>); 8] = [
        ("/api/v2/course/", post(courses::create)),
        (
            "/api/v2/course/{id}/",
            get(courses::get).delete(courses::delete),
        ),
        (
            "/api/v2/course/{id}/join/",
            post(membership::join)
                .delete(membership::leave)
                .get(membership::joined),
        ),
        // The published leave page's own example calls this path.
        (
            "/api/v2/course/{id}/subscribe/",
            MethodRouter::new().delete(membership::leave),
        ),
        ("/api/v2/course/{id}/status/", get(membership::status)),
        (
            "/api/v2/course/{id}/request_join/",
            get(membership::requested),
        ),
        (
            "/api/v2/course/{id}/invite/",
            post(membership::invite)
                .delete(membership::revoke)
                .get(membership::invited),
        ),
        ("/api/v2/course/{id}/role/", post(membership::role)),
    ];
    let mut router = Router::new();
    for (path, methods) in routes {
        let methods = methods.fallback(method_not_allowed);
        router = router
            .route(path, methods.clone())
            .route(path.trim_end_matches('/'), methods);
    }
    router
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::method_not_allowed(method.as_str())
}

/// The course API as the shared extractors see it: the token in
/// `Authorization` (`Token <t>`, `Bearer <t>` or bare).
pub enum SelfCommunity {}

impl Dialect for SelfCommunity {
    type Error = ApiError;
}

/// The caller, whose token holds scope `S`.
type Caller<S> = extract::Caller<SelfCommunity, S>;

/// The course id of the path: digits only (Django's `<int:id>`), else 404.
struct CourseNum(i64);

impl FromRequestParts<AppState> for CourseNum {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Ok(Path(text)) = Path::<String>::from_request_parts(parts, state).await else {
            return Err(ApiError::not_found());
        };
        parse_int(&text)
            .map(CourseNum)
            .ok_or_else(ApiError::not_found)
    }
}

/// A non-negative decimal integer that fits an `i64`.
fn parse_int(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A course as one caller sees it.
struct Course {
    community: Community,
    /// The caller's standing in it.
    standing: Standing,
}

/// Load a course the caller may see; anything else is 404 (an unknown
/// course, a secret one, or the site community, which is no course): the
/// engine decides, through [`Sight::Course`].
async fn course(state: &AppState, caller: &Principal, num: i64) -> Result<Course, ApiError> {
    let key = CommunityKey::Num(num);
    let (community, standing) = state
        .community_in_sight(Sight::Course, key, caller.actor())
        .await?;
    Ok(Course {
        community,
        standing,
    })
}

/// Run one command on a course, as the caller (the course's sight is
/// checked again inside the command's transaction).
async fn execute(
    state: &AppState,
    actor: Actor,
    course: &Course,
    command: Command,
) -> roster_store::Result<Outcome> {
    let key = CommunityKey::Id(course.community.id());
    state.execute(Sight::Course, actor, key, command).await
}

/// The query string's parameters, decoded, in order.
fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_pairs(raw.unwrap_or_default())
}

/// `application/x-www-form-urlencoded` pairs (`+` is a space; bad escapes
/// kept as they are; bytes that are not UTF-8 become U+FFFD).
fn form_pairs(text: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

/// The body as an object: JSON (whatever the declared type, since the
/// published examples send JSON labelled as a form), a urlencoded form
/// (repeated keys become lists), or `{}` when empty. Over the size limit:
/// 413 `payload_too_large`.
struct BodyObject(Map<String, Value>);

impl FromRequest<AppState> for BodyObject {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let read = Bytes::from_request(request, state).await;
        let body = crate::http::body::read(read)?;
        body_object(&content_type, &body).map(BodyObject)
    }
}

fn body_object(content_type: &str, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let Some(first) = first else {
        return Ok(Map::new());
    };
    if first != b'{' && first != b'[' {
        if content_type.starts_with("application/x-www-form-urlencoded") {
            return Ok(form_object(&String::from_utf8_lossy(body)));
        }
        if content_type.starts_with("multipart/") {
            let media = content_type.split(';').next().unwrap_or_default();
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!("Unsupported media type \"{media}\" in request."),
            ));
        }
    }
    Ok(crate::http::json::parse::<Map<String, Value>>(body).map_err(Failure::from)?)
}

fn form_object(text: &str) -> Map<String, Value> {
    let mut map = Map::new();
    for (key, value) in form_pairs(text) {
        let key = key.strip_suffix("[]").map(str::to_owned).unwrap_or(key);
        match map.get_mut(&key) {
            Some(Value::Array(items)) => items.push(Value::String(value)),
            Some(single) => {
                let first = single.take();
                *single = Value::Array(vec![first, Value::String(value)]);
            }
            None => {
                map.insert(key, Value::String(value));
            }
        }
    }
    map
}

/// A list of user ids under `key`: JSON integers or digit strings (a form
/// sends strings; one value stands for a list of one). Absent or null: `None`.
fn user_nums(body: &Map<String, Value>, key: &str) -> Result<Option<Vec<i64>>, ApiError> {
    let items = match body.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items.as_slice(),
        Some(single) => std::slice::from_ref(single),
    };
    if items.len() > MAX_USERS {
        return Err(ApiError::invalid(format!(
            "{key}: at most {MAX_USERS} users per request."
        )));
    }
    let nums = items
        .iter()
        .map(|item| match item {
            Value::Number(n) => n.as_i64().filter(|n| *n >= 0),
            Value::String(s) => parse_int(s.trim()),
            _ => None,
        })
        .collect::<Option<Vec<i64>>>()
        .ok_or_else(|| ApiError::invalid(format!("{key}: expected a list of user ids.")))?;
    Ok(Some(nums))
}

/// The canonical ids of users named by number; one unknown number refuses
/// the whole request before anything is written.
async fn resolve_users(state: &AppState, nums: Vec<i64>) -> Result<Vec<UserId>, ApiError> {
    if nums.is_empty() {
        return Ok(Vec::new());
    }
    let keys = nums.iter().map(|num| UserKey::Num(*num)).collect();
    let found = state.find_users(keys).await?;
    nums.into_iter()
        .zip(found)
        .map(|(num, user)| {
            user.map(|u| u.id).ok_or_else(|| {
                ApiError::invalid(format!("Invalid pk \"{num}\" - object does not exist."))
            })
        })
        .collect()
}

/// `scheme://host` of the request, for absolute links; `None` when the host
/// is missing or not a plain host name (never echo a hostile header).
fn origin(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let host = match uri.authority() {
        Some(authority) => authority.as_str(),
        None => headers.get(header::HOST)?.to_str().ok()?,
    };
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"-._:[]".contains(&b);
    if host.is_empty() || !host.bytes().all(plain) {
        return None;
    }
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|p| *p == "http" || *p == "https");
    let scheme = uri.scheme_str().or(forwarded).unwrap_or("http");
    Some(format!("{scheme}://{host}"))
}
