//! Whisk's failure shapes, each decided once: `AuthError` and `DomainError`
//! are mapped in one exhaustive `match` each.
//!
//! - 401 `{"code":"auth.token…"}`, 403 `{"code":"authorization.scopeRequired"}`;
//! - 400 `{"error_code":"ERROR_…","message":…}` for a refused command
//!   (Whisk's documented business-error shape);
//! - 400 `{"code":"general.badRequest","message":…}` for malformed input,
//!   404 `{"code":"general.notFound","message":…}` for an unknown (or
//!   invisible) community;
//! - 413 `{"code":"general.payloadTooLarge","message":…}` for a body over
//!   the size limit (Roster's code, in the shape of Whisk's `general.*`
//!   errors; Whisk documents none for this case);
//! - 500 in plain text, as Whisk's documentation shows it.

use crate::auth::AuthError;
use crate::http::body::ReadError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use roster_engine::DomainError;
use serde_json::{json, Value};

/// Message of every 404 about a community.
pub const NOT_FOUND: &str = "community not found";

/// Why a Whisk request failed.
#[derive(Debug)]
pub enum WhiskError {
    Auth(AuthError),
    Refused(DomainError),
    BadRequest(String),
    /// A body over the size limit.
    TooLarge,
    NotFound,
    Internal(String),
}

impl From<roster_store::Error> for WhiskError {
    fn from(error: roster_store::Error) -> Self {
        match error {
            roster_store::Error::Domain(refusal) => WhiskError::Refused(refusal),
            roster_store::Error::Backend(message) => WhiskError::Internal(message),
        }
    }
}

impl From<AuthError> for WhiskError {
    fn from(error: AuthError) -> Self {
        WhiskError::Auth(error)
    }
}

/// A body that could not be read, in one exhaustive match.
impl From<ReadError> for WhiskError {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::TooLarge => WhiskError::TooLarge,
            ReadError::Unreadable(_) => WhiskError::BadRequest(error.to_string()),
        }
    }
}

/// What a refused command becomes on the wire.
pub enum Refusal {
    /// Not an error for Whisk: answer 200 with the caller's current standing
    /// (leaving when not a member, or while blocked).
    CurrentStanding,
    Reply(StatusCode, Value),
}

/// The single mapping of `DomainError` to Whisk's wire.
pub fn refusal(error: &DomainError) -> Refusal {
    let message = error.to_string();
    let (status, code) = match error {
        DomainError::NotMember => return Refusal::CurrentStanding,
        DomainError::CommunityNotFound | DomainError::UserNotFound => {
            return general(StatusCode::NOT_FOUND, "general.notFound", message)
        }
        DomainError::Invalid { .. } => {
            return general(StatusCode::BAD_REQUEST, "general.badRequest", message)
        }
        DomainError::NotPermitted => {
            return general(
                StatusCode::FORBIDDEN,
                "authorization.permissionDenied",
                message,
            )
        }
        DomainError::LastOwner => (StatusCode::BAD_REQUEST, "ERROR_COMMUNITY_OWNER_CANT_LEAVE"),
        DomainError::SubjectNotMember => (StatusCode::BAD_REQUEST, "ERROR_COMMUNITY_NOT_MEMBER"),
        DomainError::Banned | DomainError::SubjectBanned => {
            (StatusCode::BAD_REQUEST, "ERROR_COMMUNITY_USER_BLOCKED")
        }
        DomainError::InvitationRequired => (
            StatusCode::BAD_REQUEST,
            "ERROR_COMMUNITY_INVITATION_REQUIRED",
        ),
        DomainError::Archived => (StatusCode::BAD_REQUEST, "ERROR_COMMUNITY_ARCHIVED"),
        DomainError::NoRequest => (
            StatusCode::BAD_REQUEST,
            "ERROR_COMMUNITY_NO_PENDING_REQUEST",
        ),
        DomainError::RoleMismatch { .. } => {
            (StatusCode::BAD_REQUEST, "ERROR_COMMUNITY_ROLE_MISMATCH")
        }
        DomainError::NameTaken => (StatusCode::BAD_REQUEST, "ERROR_COMMUNITY_NAME_TAKEN"),
        DomainError::UsernameTaken => (StatusCode::BAD_REQUEST, "ERROR_USERNAME_TAKEN"),
        DomainError::EmailTaken => (StatusCode::BAD_REQUEST, "ERROR_EMAIL_TAKEN"),
    };
    Refusal::Reply(status, json!({ "error_code": code, "message": message }))
}

fn general(status: StatusCode, code: &str, message: String) -> Refusal {
    Refusal::Reply(status, json!({ "code": code, "message": message }))
}

/// The single mapping of `AuthError` to Whisk's wire.
fn auth(error: &AuthError) -> Response {
    let code = match error {
        AuthError::Missing => "auth.tokenRequired",
        AuthError::Malformed => "auth.tokenInvalid",
        AuthError::Unknown | AuthError::Revoked => "auth.tokenNotFound",
        AuthError::Expired => "auth.tokenExpired",
        AuthError::MissingScope(_) => {
            return reply(
                StatusCode::FORBIDDEN,
                json!({ "code": "authorization.scopeRequired" }),
            )
        }
        AuthError::Backend(message) => return internal(message),
    };
    reply(StatusCode::UNAUTHORIZED, json!({ "code": code }))
}

pub fn reply(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// Whisk's 500 is plain text; the cause goes to the log, not the client.
fn internal(cause: &str) -> Response {
    tracing::error!(cause, "whisk: storage failure");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "This is unexpected response, something is wrong on our side, please contact the operator of this Roster server",
    )
        .into_response()
}

impl IntoResponse for WhiskError {
    fn into_response(self) -> Response {
        match self {
            WhiskError::Auth(error) => auth(&error),
            WhiskError::Refused(error) => match refusal(&error) {
                Refusal::Reply(status, body) => reply(status, body),
                // Only a leave can be answered with the current standing;
                // anywhere else "not a member" is a plain refusal.
                Refusal::CurrentStanding => reply(
                    StatusCode::BAD_REQUEST,
                    json!({ "error_code": "ERROR_COMMUNITY_NOT_MEMBER", "message": error.to_string() }),
                ),
            },
            WhiskError::BadRequest(message) => reply(
                StatusCode::BAD_REQUEST,
                json!({ "code": "general.badRequest", "message": message }),
            ),
            WhiskError::TooLarge => reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({ "code": "general.payloadTooLarge", "message": ReadError::TooLarge.to_string() }),
            ),
            WhiskError::NotFound => reply(
                StatusCode::NOT_FOUND,
                json!({ "code": "general.notFound", "message": NOT_FOUND }),
            ),
            WhiskError::Internal(cause) => internal(&cause),
        }
    }
}

/// A rate-limit (429) or busy (503) refusal in Whisk's general error shape.
pub fn throttled(throttled: &crate::ratelimit::Throttled) -> Response {
    let code = if throttled.busy {
        "general.serviceUnavailable"
    } else {
        "general.tooManyRequests"
    };
    throttled.finish(reply(
        throttled.status(),
        json!({ "code": code, "message": throttled.message() }),
    ))
}
