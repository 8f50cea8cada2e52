//! Rocket.Chat's response envelope: `{…,"success":true}` on success,
//! `{"success":false,"error":"<reason> [<type>]","errorType":"<type>","details":{"method":…}}`
//! (400) on failure, and its 401 body. The one exhaustive mapping of
//! `DomainError` to Rocket.Chat error types lives here, and the mapping of a
//! body that cannot be read: over the size limit it is a 413 in the same
//! envelope with the type `error-payload-too-large` (Roster's name;
//! Rocket.Chat's own server answers that case outside its API).

use crate::auth::AuthError;
use crate::http::body::ReadError;
use crate::http::error::Failure;
use crate::http::json::BodyError;
use crate::ratelimit::Throttled;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_engine::{DomainError, Role};

use super::reply::{LOGGED_OUT, LOGIN_REFUSED};
const ROOM_NOT_FOUND: &str =
    "The required \"roomId\" or \"roomName\" param provided does not match any group";
const USER_NOT_FOUND: &str =
    "The required \"userId\" or \"username\" param provided does not match any users";

pub use super::action::Action;
pub use super::reply::{ok, reply, sorted};

/// A failure in Rocket.Chat's shape.
#[derive(Debug)]
pub struct RcError {
    status: StatusCode,
    /// `errorType`; without it the body is only `{"success":false,"error":reason}`.
    kind: Option<&'static str>,
    reason: String,
    method: Option<&'static str>,
    /// A 401 in Rocket.Chat's own body, with these words: a caller who is
    /// not logged in, or a `login` refused.
    refused: Option<&'static str>,
    /// A refusal for load, answered by [`throttled`] (with `Retry-After`).
    throttle: Option<Throttled>,
}

impl RcError {
    /// A 400 with an error type, as a Rocket.Chat server method throws it.
    pub fn new(action: Action, kind: &'static str, reason: impl Into<String>) -> Self {
        RcError {
            status: StatusCode::BAD_REQUEST,
            kind: Some(kind),
            reason: reason.into(),
            method: Some(action.method()),
            refused: None,
            throttle: None,
        }
    }

    /// A 400 without an error type (Rocket.Chat's `API.v1.failure("…")`).
    pub fn failure(reason: impl Into<String>) -> Self {
        RcError {
            status: StatusCode::BAD_REQUEST,
            kind: None,
            reason: reason.into(),
            method: None,
            refused: None,
            throttle: None,
        }
    }

    /// Malformed or mistyped parameters.
    pub fn invalid(action: Action, reason: &str) -> Self {
        RcError::new(action, "error-invalid-params", reason)
    }

    pub fn room_param_missing(action: Action) -> Self {
        RcError::new(
            action,
            "error-room-param-not-provided",
            "The parameter \"roomId\" or \"roomName\" is required",
        )
    }

    pub fn room_not_found(action: Action) -> Self {
        RcError::new(action, "error-room-not-found", ROOM_NOT_FOUND)
    }

    pub fn user_param_missing(action: Action) -> Self {
        RcError::new(
            action,
            "error-user-param-not-provided",
            "The required \"userId\" or \"username\" param was not provided",
        )
    }

    pub fn user_not_found(action: Action) -> Self {
        RcError::new(action, "error-invalid-user", USER_NOT_FOUND)
    }

    /// The token lacks the scope the route needs (403).
    pub fn forbidden(scope: &str) -> Self {
        RcError {
            status: StatusCode::FORBIDDEN,
            kind: Some("error-unauthorized"),
            reason: format!("The token lacks the scope {scope}"),
            method: None,
            refused: None,
            throttle: None,
        }
    }

    /// A storage failure (500), logged; the client learns nothing more.
    pub fn internal(detail: &str) -> Self {
        tracing::error!(error = detail, "rocketchat dialect: storage failure");
        RcError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            kind: None,
            reason: "Internal server error".to_owned(),
            method: None,
            refused: None,
            throttle: None,
        }
    }

    /// Every cause a handler fails for ([`Failure`], converted once in
    /// `http/error.rs`), in Rocket.Chat's words for `action`, in one
    /// exhaustive match; `room` is the room's name, for the messages that
    /// quote it.
    pub fn failed(failure: Failure, action: Action, room: &str) -> Self {
        match failure {
            Failure::Auth(error) => auth_refusal(&error),
            Failure::Refused(error) => domain(&error, action, room),
            Failure::Store(detail) => RcError::internal(&detail),
            Failure::Body(error) => unread(&error, action),
            Failure::Json(BodyError::Shape(_)) => {
                RcError::invalid(action, "The body must be a JSON object")
            }
            Failure::Json(error @ BodyError::Syntax(_)) => {
                RcError::invalid(action, &error.to_string())
            }
            Failure::BadRequest(reason) => RcError::invalid(action, &reason),
            Failure::NotFound => RcError::room_not_found(action),
            Failure::Throttled(throttle) => RcError {
                status: throttle.status(),
                kind: None,
                reason: throttle.message(),
                method: None,
                refused: None,
                throttle: Some(throttle),
            },
        }
    }

    /// A store failure: a refusal by the rules, or a backend fault.
    pub fn store(error: roster_store::Error, action: Action, room: &str) -> Self {
        RcError::failed(error.into(), action, room)
    }

    /// A command that changed nothing, where Rocket.Chat reports that as an
    /// error (`addOwner` on an owner…); `None` where it is a plain success.
    pub fn unchanged(action: Action) -> Option<Self> {
        match action {
            Action::AddOwner => Some(already_owner(action)),
            Action::AddModerator => Some(already_moderator(action)),
            Action::RemoveOwner => Some(not_owner(action)),
            Action::RemoveModerator => Some(not_moderator(action)),
            Action::Login
            | Action::UsersInfo
            | Action::Create
            | Action::Invite
            | Action::Leave
            | Action::Kick
            | Action::Archive
            | Action::Unarchive
            | Action::Info
            | Action::Members
            | Action::List
            | Action::Delete
            | Action::Rename
            | Action::SetDescription
            | Action::SetType
            | Action::SetReadOnly
            | Action::Roles
            | Action::Moderators
            | Action::Counters
            | Action::Open
            | Action::Close
            | Action::Hide
            | Action::Join
            | Action::UsersCreate
            | Action::UsersList
            | Action::UsersUpdate
            | Action::UsersDelete => None,
        }
    }
}

/// Feature `rooms`: the errors of the channels and users routes.
impl RcError {
    /// The caller is not logged in (401, Rocket.Chat's own body).
    pub fn logged_out() -> Self {
        RcError {
            status: StatusCode::UNAUTHORIZED,
            kind: None,
            reason: LOGGED_OUT.to_owned(),
            method: None,
            refused: Some(LOGGED_OUT),
            throttle: None,
        }
    }

    /// A `login` refused (401, Rocket.Chat's body with `Unauthorized`).
    pub fn login_refused() -> Self {
        RcError {
            refused: Some(LOGIN_REFUSED),
            ..RcError::logged_out()
        }
    }

    /// A refusal for load (429 or 503, with `Retry-After`).
    pub fn throttled(throttled: Throttled) -> Self {
        RcError {
            refused: None,
            throttle: Some(throttled),
            ..RcError::logged_out()
        }
    }

    /// The error type, if the error has one.
    pub fn kind(&self) -> Option<&'static str> {
        self.kind
    }

    /// A 404 in the envelope: `{"success":false,"error":reason}`.
    pub fn not_found(reason: impl Into<String>) -> Self {
        RcError {
            status: StatusCode::NOT_FOUND,
            kind: None,
            reason: reason.into(),
            method: None,
            refused: None,
            throttle: None,
        }
    }

    /// The same error as a channel route words it: Rocket.Chat names a
    /// channel where a group route names a group.
    pub fn in_channel(mut self) -> Self {
        self.reason = self
            .reason
            .replace("does not match any group", "does not match any channel")
            .replace("The private group, ", "The channel, ");
        if self.method == Some("createPrivateGroup") {
            self.method = Some("createChannel");
        }
        self
    }
}

/// The failure envelope: `{"success":false,"error":…}`, with the error
/// type and the method when the error has them.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Failed {
    success: bool,
    error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<Method>,
}

#[derive(serde::Serialize)]
struct Method {
    method: &'static str,
}

impl IntoResponse for RcError {
    fn into_response(self) -> Response {
        if let Some(words) = self.refused {
            return super::reply::refused(words);
        }
        if let Some(throttle) = self.throttle {
            return throttled(&throttle);
        }
        let error = match self.kind {
            Some(kind) => format!("{} [{kind}]", self.reason),
            None => self.reason,
        };
        let body = Failed {
            success: false,
            error,
            error_type: self.kind,
            details: self.method.map(|method| Method { method }),
        };
        (self.status, sorted(&body)).into_response()
    }
}

/// Every refusal of the engine in Rocket.Chat's words. `room` is the group's
/// name, for the messages that quote it.
pub fn domain(error: &DomainError, action: Action, room: &str) -> RcError {
    let not_allowed = || RcError::new(action, "error-not-allowed", "Not allowed");
    match error {
        DomainError::CommunityNotFound | DomainError::NotMember => RcError::room_not_found(action),
        DomainError::UserNotFound => RcError::user_not_found(action),
        DomainError::SubjectNotMember => {
            RcError::new(action, "error-user-not-in-room", "User is not in this room")
        }
        DomainError::LastOwner => match action {
            Action::RemoveOwner | Action::AddModerator | Action::RemoveModerator => RcError::new(
                action,
                "error-remove-last-owner",
                "This is the last owner. Please set a new owner before removing this one.",
            ),
            _ => RcError::new(
                action,
                "error-you-are-last-owner",
                "You are the last owner. Please set new owner before leaving the room.",
            ),
        },
        DomainError::NotPermitted
        | DomainError::Banned
        | DomainError::SubjectBanned
        | DomainError::InvitationRequired
        | DomainError::NoRequest => not_allowed(),
        DomainError::Archived => RcError::new(
            action,
            "error-room-archived",
            format!("The private group, {room}, is archived"),
        ),
        DomainError::RoleMismatch { actual } => match (action, actual) {
            (Action::RemoveOwner, _) => not_owner(action),
            (Action::RemoveModerator, _) => not_moderator(action),
            (Action::AddModerator | Action::AddOwner, Role::Owner) => already_owner(action),
            (Action::AddModerator, _) => already_moderator(action),
            _ => not_allowed(),
        },
        DomainError::NameTaken => RcError::new(
            action,
            "error-duplicate-channel-name",
            format!("A channel with name '{room}' exists"),
        ),
        DomainError::UsernameTaken | DomainError::EmailTaken => {
            RcError::new(action, "error-field-unavailable", error.to_string())
        }
        DomainError::Invalid { field: "name", .. } if action == Action::Create => RcError::new(
            action,
            "error-invalid-room-name",
            format!("{room} is not a valid room name"),
        ),
        DomainError::Invalid { .. } => RcError::invalid(action, &error.to_string()),
    }
}

/// Every authentication failure in Rocket.Chat's words.
fn auth_refusal(error: &AuthError) -> RcError {
    match error {
        AuthError::Missing
        | AuthError::Malformed
        | AuthError::Unknown
        | AuthError::Expired
        | AuthError::Revoked => RcError::logged_out(),
        AuthError::MissingScope(scope) => RcError::forbidden(scope.as_str()),
        AuthError::Backend(detail) => RcError::internal(detail),
    }
}

/// A body that could not be read, for `action`.
fn unread(error: &ReadError, action: Action) -> RcError {
    match error {
        ReadError::TooLarge => RcError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            kind: Some("error-payload-too-large"),
            reason: format!(
                "The request body exceeds {} bytes",
                crate::config::BODY_LIMIT
            ),
            method: Some(action.method()),
            refused: None,
            throttle: None,
        },
        ReadError::Unreadable(_) => RcError::invalid(action, "The request body could not be read"),
    }
}

fn already_owner(action: Action) -> RcError {
    RcError::new(
        action,
        "error-user-already-owner",
        "User is already an owner",
    )
}

fn already_moderator(action: Action) -> RcError {
    RcError::new(
        action,
        "error-user-already-moderator",
        "User is already a moderator",
    )
}

fn not_owner(action: Action) -> RcError {
    RcError::new(action, "error-user-not-owner", "User is not an owner")
}

fn not_moderator(action: Action) -> RcError {
    RcError::new(
        action,
        "error-user-not-moderator",
        "User is not a moderator",
    )
}

/// A rate-limit refusal as Rocket.Chat's REST rate limiter answers it (429,
/// `error-too-many-requests`, `details.timeToReset` in ms); a busy server
/// is the same envelope with 503 and `error-server-busy`.
pub fn throttled(throttled: &Throttled) -> Response {
    let seconds = throttled.seconds();
    let (kind, reason) = if throttled.busy {
        (
            "error-server-busy",
            format!("The server is busy. You must wait {seconds} seconds before trying this endpoint again."),
        )
    } else {
        (
            "error-too-many-requests",
            format!("Error, too many requests. Please slow down. You must wait {seconds} seconds before trying this endpoint again."),
        )
    };
    let body = Limited {
        success: false,
        error: format!("{reason} [{kind}]"),
        error_type: kind,
        details: Reset {
            time_to_reset: seconds.saturating_mul(1000),
            seconds,
        },
    };
    throttled.finish((throttled.status(), sorted(&body)).into_response())
}

/// The rate limiter's refusal.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Limited {
    success: bool,
    error: String,
    error_type: &'static str,
    details: Reset,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Reset {
    time_to_reset: u64,
    seconds: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failure_envelope_writes_its_keys_in_order() {
        let error = RcError::room_not_found(Action::Leave);
        let body = Failed {
            success: false,
            error: format!("{} [error-room-not-found]", error.reason),
            error_type: error.kind,
            details: error.method.map(|method| Method { method }),
        };
        let text = serde_json::to_string(&sorted(&body).0).unwrap();
        assert_eq!(
            text,
            format!(
                "{{\"details\":{{\"method\":\"leaveRoom\"}},\"error\":\"{ROOM_NOT_FOUND} \
                 [error-room-not-found]\",\"errorType\":\"error-room-not-found\",\"success\":false}}"
            )
            .replace("\"roomId\"", "\\\"roomId\\\"")
            .replace("\"roomName\"", "\\\"roomName\\\"")
        );
    }
}
