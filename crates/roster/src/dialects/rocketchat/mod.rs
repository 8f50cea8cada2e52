//! Rocket.Chat REST API v1 (private groups), so that published Rocket.Chat
//! clients work against Roster by changing only the server URL.
//!
//! This module holds the routes and the request parameters: Rocket.Chat
//! reads a body as JSON or as a form, and a GET's parameters from the query
//! string; either way a handler sees one [`Params`] object. The routes and
//! their answers are listed in the README's Rocket.Chat section.
//!
//! Roster's choices where Rocket.Chat's record is silent: a room's `_id` and
//! a user's `_id` are the hyphenated UUIDs; a private community is a group
//! (`t:"p"`, `groups.*`) and a public one a channel (`t:"c"`,
//! `channels.*`), the site community neither; `status` is always
//! `"offline"` (Roster keeps no presence); `groups.list` answers an empty
//! list when the caller is in no group; empty `roomId`/`roomName` strings
//! count as absent; `msgs` is 0 (Roster keeps no messages, see
//! `room_reads.rs`); a path under `/api/v1/` that no route serves answers
//! Rocket.Chat's 404 envelope (`not_found.rs`).

mod action;
mod auth;
mod envelope;
mod extract;
pub use envelope::throttled;
mod groups;
mod login;
mod reply;
mod views;
// feature `rooms`: both families of rooms, users, the 404 envelope.
mod channels;
mod not_found;
mod room_members;
mod room_reads;
mod room_settings;
mod rooms;
mod users;
// Configurable permissions (issue 14).
mod permissions;

use crate::app::AppState;
use crate::http::body::Body;
use crate::http::error::Failure;
use axum::http::{header, HeaderMap};
use axum::routing::{get, post};
use axum::Router;
use envelope::{Action, RcError};
use serde_json::{Map, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/login", post(login::login))
        .route("/api/v1/logout", post(login::logout).get(login::logout))
        .route("/api/v1/me", get(login::me))
        .route("/api/v1/users.info", get(login::users_info))
        // feature `rooms`
        .merge(groups::router())
        .merge(channels::router())
        .merge(users::router())
        .merge(not_found::router())
        // Configurable permissions (issue 14).
        .route("/api/v1/permissions.listAll", get(permissions::list_all))
        .route("/api/v1/permissions.update", post(permissions::update))
}

/// A request's parameters: a JSON object, or the string pairs of a form or
/// query string.
pub(crate) struct Params(Map<String, Value>);

impl Params {
    /// A POST body: a form when the client says so, otherwise a JSON
    /// object (an empty body reads as `{}`). Over the size limit: 413.
    fn from_body(headers: &HeaderMap, body: Body, action: Action) -> Result<Params, RcError> {
        Params::from_bytes(is_form(headers), body, action)
    }

    /// A body read as a form (`is_form`) or as a JSON object.
    fn from_bytes(is_form: bool, body: Body, action: Action) -> Result<Params, RcError> {
        let fail = |failure: Failure| RcError::failed(failure, action, "");
        let body = crate::http::body::read(body).map_err(|e| fail(e.into()))?;
        if is_form {
            return Params::from_pairs(&body, action);
        }
        crate::http::json::parse::<Map<String, Value>>(&body)
            .map(Params)
            .map_err(|e| fail(e.into()))
    }

    /// A GET's query string.
    fn from_query(query: Option<&str>, action: Action) -> Result<Params, RcError> {
        Params::from_pairs(query.unwrap_or("").as_bytes(), action)
    }

    /// `a=1&b=x+y` (percent-encoded); the last value of a repeated key wins.
    fn from_pairs(text: &[u8], action: Action) -> Result<Params, RcError> {
        let mut map = Map::new();
        for pair in text.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            let mut parts = pair.splitn(2, |b| *b == b'=');
            let key = decode(parts.next().unwrap_or_default());
            let value = decode(parts.next().unwrap_or_default());
            match (key, value) {
                (Some(key), Some(value)) => {
                    map.insert(key, Value::String(value));
                }
                _ => {
                    return Err(RcError::invalid(
                        action,
                        "The parameters are not valid UTF-8",
                    ))
                }
            }
        }
        Ok(Params(map))
    }

    /// A string parameter; absent, `null` and `""` read as `None`.
    fn str(&self, key: &str, action: Action) -> Result<Option<&str>, RcError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(RcError::invalid(
                action,
                &format!("The parameter \"{key}\" must be a string"),
            )),
        }
    }

    /// A non-negative integer parameter (a number or a decimal string).
    fn uint(&self, key: &str, action: Action) -> Result<Option<u64>, RcError> {
        let bad = || {
            RcError::invalid(
                action,
                &format!("The parameter \"{key}\" must be a non-negative integer"),
            )
        };
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => s.parse::<u64>().map(Some).map_err(|_| bad()),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(bad),
            Some(_) => Err(bad()),
        }
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }
}

/// Does the client say its body is a form?
fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// Percent-decode one form component (`+` is a space); `None` when the
/// bytes are not UTF-8. A `%` not followed by two hex digits stays as it
/// is. (`form_urlencoded` decodes lossily; Rocket.Chat's answer to bytes
/// that are not UTF-8 is a refusal, so the strict decoder is used here.)
fn decode(raw: &[u8]) -> Option<String> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_encoding::percent_decode(&spaced)
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}
