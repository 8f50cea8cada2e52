//! Rocket.Chat's permission API over Roster's policy (issue 14):
//! `GET /api/v1/permissions.listAll` and `POST /api/v1/permissions.update`
//! for the membership permissions. Each Rocket.Chat permission is one
//! policy action (a `-p`/`-c` pair shares one: Roster's action covers both
//! kinds of room, and the last of a pair given in one update wins), and a
//! permission's `roles` are the policy's level in Rocket.Chat's role names:
//! `user` is Roster's member, `moderator` manager, `owner` owner, `admin`
//! an admin; a level admits every rank above it, so the roles listed are
//! always that rank and everything above (`[]` is nobody). Roles Roster has
//! no rank for (`bot`, `app`, `guest`, `anonymous`) are accepted and
//! ignored; any other is `error-invalid-role`, a permission Roster does not
//! govern `error-invalid-permission`, and a set of roles the action cannot
//! take (`create-p` for owners only, say: there is no owner before the room
//! exists) `error-action-not-allowed`.
//!
//! Who may update: an admin account (Rocket.Chat's `access-permissions`
//! belongs to the admin role, which is the user's, not the token's), with a
//! token that may write. `_updatedAt` is when the action was last set, or
//! the Unix epoch for one never set.

use super::auth;
use super::envelope::RcError;
use crate::app::AppState;
use crate::auth::Scope;
use crate::http::body::{Body, ReadError};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use roster_engine::policy::may_change_policy;
use roster_engine::{Action, Actor, DomainError, Level};
use roster_store::StoredPolicy;
use serde::Serialize;
use serde_json::Value;

/// The membership permissions Roster serves, and the action each one is.
const PERMISSIONS: &[(&str, Action)] = &[
    ("add-user-to-joined-room", Action::Invite),
    ("add-user-to-any-p-room", Action::InviteAnywhere),
    ("add-user-to-any-c-room", Action::InviteAnywhere),
    ("remove-user", Action::Remove),
    ("kick-user-from-any-p-room", Action::RemoveAnywhere),
    ("kick-user-from-any-c-room", Action::RemoveAnywhere),
    ("set-owner", Action::SetOwner),
    ("set-moderator", Action::SetManager),
    ("create-p", Action::Create),
    ("create-c", Action::Create),
    ("delete-p", Action::Delete),
    ("delete-c", Action::Delete),
    ("archive-room", Action::Archive),
    ("unarchive-room", Action::Unarchive),
    ("leave-p", Action::Leave),
    ("leave-c", Action::Leave),
];

/// Rocket.Chat roles without a Roster rank: accepted, ignored.
const RANKLESS_ROLES: &[&str] = &["bot", "app", "guest", "anonymous"];

/// A level in Rocket.Chat's role names.
fn roles(action: Action, level: Level) -> Vec<&'static str> {
    let outside_rooms = matches!(
        action,
        Action::Create | Action::InviteAnywhere | Action::RemoveAnywhere
    );
    match level {
        Level::Nobody => vec![],
        Level::Admin => vec!["admin"],
        Level::Member if outside_rooms => vec!["admin", "user"],
        Level::Owner => vec!["admin", "owner"],
        Level::Manager => vec!["admin", "owner", "moderator"],
        Level::Member => vec!["admin", "owner", "moderator", "user"],
    }
}

/// The lowest rank among Rocket.Chat roles, as a level; `None` names a
/// role Rocket.Chat would not know.
fn level(roles: &[&str]) -> Option<Level> {
    let mut lowest = Level::Nobody;
    for role in roles {
        let level = match *role {
            "user" => Level::Member,
            "moderator" => Level::Manager,
            "owner" => Level::Owner,
            "admin" => Level::Admin,
            other if RANKLESS_ROLES.contains(&other) => continue,
            _ => return None,
        };
        lowest = lowest.min(level);
    }
    Some(lowest)
}

fn epoch() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

/// Every served permission as Rocket.Chat lists it, updated after `since`.
fn listing(stored: &StoredPolicy, since: Option<DateTime<Utc>>) -> Vec<Permission> {
    PERMISSIONS
        .iter()
        .filter_map(|&(id, action)| {
            let at = stored
                .updated_at
                .get(&action)
                .copied()
                .unwrap_or_else(epoch);
            if since.is_some_and(|since| at <= since) {
                return None;
            }
            Some(Permission {
                id,
                roles: roles(action, stored.policy.level(action)),
                updated_at: crate::http::timestamp(at),
            })
        })
        .collect()
}

/// One permission as Rocket.Chat lists it.
#[derive(Serialize)]
struct Permission {
    #[serde(rename = "_id")]
    id: &'static str,
    roles: Vec<&'static str>,
    #[serde(rename = "_updatedAt")]
    updated_at: String,
}

/// `listAll`'s answer: the permissions changed since, none removed.
#[derive(Serialize)]
struct Listing {
    update: Vec<Permission>,
    remove: [Permission; 0],
    success: bool,
}

/// `update`'s answer: every permission as it is now.
#[derive(Serialize)]
struct Updated {
    permissions: Vec<Permission>,
    success: bool,
}

/// `{"success": false, "error": …, "errorType": …}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Failed<'a> {
    success: bool,
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_type: Option<&'a str>,
}

/// A refusal of the permission routes: the caller's, in Rocket.Chat's
/// usual envelope, or the permission API's own
/// `{"success": false, "error": …, "errorType": …}` (no `[type]` suffix,
/// no `details`).
pub(super) enum Refusal {
    Caller(RcError),
    Own {
        status: StatusCode,
        error: String,
        kind: Option<&'static str>,
    },
}

impl From<RcError> for Refusal {
    fn from(error: RcError) -> Self {
        Refusal::Caller(error)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Caller(error) => error.into_response(),
            Refusal::Own {
                status,
                error,
                kind,
            } => {
                let body = Failed {
                    success: false,
                    error: &error,
                    error_type: kind,
                };
                (status, super::envelope::sorted(&body)).into_response()
            }
        }
    }
}

fn failure(status: StatusCode, error: impl Into<String>, kind: Option<&'static str>) -> Refusal {
    Refusal::Own {
        status,
        error: error.into(),
        kind,
    }
}

fn bad_request(error: impl Into<String>, kind: &'static str) -> Refusal {
    failure(StatusCode::BAD_REQUEST, error, Some(kind))
}

fn store_failure(error: roster_store::Error) -> Refusal {
    match error {
        roster_store::Error::Domain(DomainError::NotPermitted) => forbidden(),
        roster_store::Error::Domain(DomainError::Invalid { .. }) => {
            bad_request("Action not allowed", "error-action-not-allowed")
        }
        roster_store::Error::Domain(other) => bad_request(other.to_string(), "error-not-allowed"),
        roster_store::Error::Backend(detail) => {
            tracing::error!(error = detail, "rocketchat permissions: storage failure");
            failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error",
                None,
            )
        }
    }
}

fn forbidden() -> Refusal {
    failure(
        StatusCode::FORBIDDEN,
        "User does not have the permissions required for this action [error-unauthorized]",
        None,
    )
}

/// `updatedSince`: RFC 3339, or a plain date (midnight UTC).
fn parse_since(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// `GET /api/v1/permissions.listAll[?updatedSince=…]`.
pub async fn list_all(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Refusal> {
    auth::caller(&state, &headers, Some(Scope::Read)).await?;
    let mut since = None;
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if key == "updatedSince" && !value.is_empty() {
            let at = parse_since(&value).ok_or_else(|| {
                bad_request(
                    "The \"updatedSince\" query parameter must be a valid date. \
                     [error-roomId-param-invalid]",
                    "error-roomId-param-invalid",
                )
            })?;
            since = Some(at);
        }
    }
    let stored = state.policy().await.map_err(store_failure)?;
    Ok(super::envelope::sorted(&Listing {
        update: listing(&stored, since),
        remove: [],
        success: true,
    })
    .into_response())
}

/// The body's `permissions`, each as (`_id`, roles); `None` when the body
/// is not `{"permissions": [{"_id": "…", "roles": ["…"]}, …]}`.
fn parse_update(value: &Value) -> Option<Vec<(String, Vec<String>)>> {
    let object = value.as_object()?;
    if object.len() != 1 {
        return None;
    }
    let mut out = Vec::new();
    for item in object.get("permissions")?.as_array()? {
        let item = item.as_object()?;
        if item.len() != 2 {
            return None;
        }
        let id = item.get("_id")?.as_str()?.to_owned();
        let mut roles = Vec::new();
        for role in item.get("roles")?.as_array()? {
            let role = role.as_str()?.to_owned();
            if roles.contains(&role) {
                return None; // Rocket.Chat's schema: unique items
            }
            roles.push(role);
        }
        out.push((id, roles));
    }
    Some(out)
}

/// `POST /api/v1/permissions.update` with `{"permissions": [{"_id", "roles"}]}`.
pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let principal = auth::caller(&state, &headers, Some(Scope::Write)).await?;
    // The admin role is the account's in Rocket.Chat (see the module docs).
    let actor = Actor {
        user: principal.user.id,
        admin: principal.user.admin,
    };
    if !may_change_policy(actor) {
        return Err(forbidden());
    }
    let bytes = crate::http::body::read(body).map_err(|error| match error {
        ReadError::TooLarge => failure(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request body is too large [error-payload-too-large]",
            Some("error-payload-too-large"),
        ),
        ReadError::Unreadable(_) => bad_request("Invalid body params", "error-invalid-body-params"),
    })?;
    let requested = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .as_ref()
        .and_then(parse_update)
        .ok_or_else(|| bad_request("Invalid body params", "error-invalid-body-params"))?;
    let changes = changes(&requested)?;
    let stored = state
        .set_policy_and_read(actor, changes)
        .await
        .map_err(store_failure)?;
    Ok(super::envelope::sorted(&Updated {
        permissions: listing(&stored, None),
        success: true,
    })
    .into_response())
}

/// The policy changes an update asks for: every permission known, before
/// any is read; of a `-p`/`-c` pair given together, the last wins.
fn changes(requested: &[(String, Vec<String>)]) -> Result<Vec<(Action, Level)>, Refusal> {
    let action_of = |id: &str| {
        PERMISSIONS
            .iter()
            .find(|(known, _)| *known == id)
            .map(|&(_, action)| action)
    };
    let actions = requested
        .iter()
        .map(|(id, _)| action_of(id))
        .collect::<Option<Vec<Action>>>()
        .ok_or_else(|| bad_request("Invalid permission", "error-invalid-permission"))?;
    let mut changes: Vec<(Action, Level)> = Vec::new();
    for (action, (_, roles)) in actions.into_iter().zip(requested) {
        let names: Vec<&str> = roles.iter().map(String::as_str).collect();
        let level =
            level(&names).ok_or_else(|| bad_request("Invalid role", "error-invalid-role"))?;
        if !action.accepts(level) {
            return Err(bad_request(
                "Action not allowed",
                "error-action-not-allowed",
            ));
        }
        changes.retain(|(a, _)| *a != action);
        changes.push((action, level));
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_levels_round_trip() {
        for &(_, action) in PERMISSIONS {
            for &level in Level::ALL {
                if action.accepts(level) {
                    assert_eq!(super::level(&roles(action, level)), Some(level));
                }
            }
        }
        assert_eq!(level(&["admin", "user", "bot", "app"]), Some(Level::Member));
        assert_eq!(level(&[]), Some(Level::Nobody));
        assert_eq!(level(&["livechat-agent"]), None);
    }
}
