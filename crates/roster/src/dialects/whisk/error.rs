//! Whisk's failure shapes, each decided once: a [`Failure`] is rendered in
//! one exhaustive `match`, `AuthError` and `DomainError` in one each.
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
//! - 429 / 503 `general.tooManyRequests` / `general.serviceUnavailable`;
//! - 500 in plain text, as Whisk's documentation shows it.

use crate::auth::AuthError;
use crate::http::body::ReadError;
use crate::http::error::Failure;
use crate::ratelimit::Throttled;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use roster_engine::DomainError;
use serde::Serialize;

/// Message of every 404 about a community.
pub const NOT_FOUND: &str = "community not found";

/// Why a Whisk request failed: one of the common causes, in Whisk's shapes.
#[derive(Debug)]
pub struct WhiskError(pub Failure);

impl<E: Into<Failure>> From<E> for WhiskError {
    fn from(error: E) -> Self {
        WhiskError(error.into())
    }
}

/// Whisk's `general.*` and `auth.*` errors: `{"code"}` or `{"code","message"}`.
#[derive(Serialize)]
struct General<'a> {
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// Whisk's business error: `{"error_code","message"}`.
#[derive(Serialize)]
struct Business<'a> {
    error_code: &'a str,
    message: String,
}

fn general(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = General {
        code,
        message: Some(message.into()),
    };
    (status, Json(body)).into_response()
}

fn business(code: &str, message: String) -> Response {
    let body = Business {
        error_code: code,
        message,
    };
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// The single mapping of `DomainError` to Whisk's wire; `None` where the
/// refusal is no error for Whisk (`NotMember`: leaving when not a member,
/// or while blocked, answers 200 with the caller's current standing).
pub fn refusal(error: &DomainError) -> Option<Response> {
    let message = error.to_string();
    let code = match error {
        DomainError::NotMember => return None,
        DomainError::CommunityNotFound | DomainError::UserNotFound => {
            return Some(general(StatusCode::NOT_FOUND, "general.notFound", message))
        }
        DomainError::Invalid { .. } => {
            return Some(general(
                StatusCode::BAD_REQUEST,
                "general.badRequest",
                message,
            ))
        }
        DomainError::NotPermitted => {
            return Some(general(
                StatusCode::FORBIDDEN,
                "authorization.permissionDenied",
                message,
            ))
        }
        DomainError::LastOwner => "ERROR_COMMUNITY_OWNER_CANT_LEAVE",
        DomainError::SubjectNotMember => "ERROR_COMMUNITY_NOT_MEMBER",
        DomainError::Banned | DomainError::SubjectBanned => "ERROR_COMMUNITY_USER_BLOCKED",
        DomainError::InvitationRequired => "ERROR_COMMUNITY_INVITATION_REQUIRED",
        DomainError::Archived => "ERROR_COMMUNITY_ARCHIVED",
        DomainError::NoRequest => "ERROR_COMMUNITY_NO_PENDING_REQUEST",
        DomainError::RoleMismatch { .. } => "ERROR_COMMUNITY_ROLE_MISMATCH",
        DomainError::NameTaken => "ERROR_COMMUNITY_NAME_TAKEN",
        DomainError::UsernameTaken => "ERROR_USERNAME_TAKEN",
        DomainError::EmailTaken => "ERROR_EMAIL_TAKEN",
    };
    Some(business(code, message))
}

/// The single mapping of `AuthError` to Whisk's wire.
fn auth(error: &AuthError) -> Response {
    let (status, code) = match error {
        AuthError::Missing => (StatusCode::UNAUTHORIZED, "auth.tokenRequired"),
        AuthError::Malformed => (StatusCode::UNAUTHORIZED, "auth.tokenInvalid"),
        AuthError::Unknown | AuthError::Revoked => (StatusCode::UNAUTHORIZED, "auth.tokenNotFound"),
        AuthError::Expired => (StatusCode::UNAUTHORIZED, "auth.tokenExpired"),
        AuthError::MissingScope(_) => (StatusCode::FORBIDDEN, "authorization.scopeRequired"),
        AuthError::Backend(message) => return internal(message),
    };
    let body = General {
        code,
        message: None,
    };
    (status, Json(body)).into_response()
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

fn bad_request(message: impl Into<String>) -> Response {
    general(StatusCode::BAD_REQUEST, "general.badRequest", message)
}

impl IntoResponse for WhiskError {
    fn into_response(self) -> Response {
        match self.0 {
            Failure::Auth(error) => auth(&error),
            // Only a leave can be answered with the current standing;
            // anywhere else "not a member" is a plain refusal.
            Failure::Refused(error) => refusal(&error)
                .unwrap_or_else(|| business("ERROR_COMMUNITY_NOT_MEMBER", error.to_string())),
            Failure::Store(cause) => internal(&cause),
            Failure::Body(ReadError::TooLarge) => general(
                StatusCode::PAYLOAD_TOO_LARGE,
                "general.payloadTooLarge",
                ReadError::TooLarge.to_string(),
            ),
            Failure::Body(error @ ReadError::Unreadable(_)) => bad_request(error.to_string()),
            Failure::Json(error) => bad_request(error.to_string()),
            Failure::BadRequest(message) => bad_request(message),
            Failure::NotFound => general(StatusCode::NOT_FOUND, "general.notFound", NOT_FOUND),
            Failure::Throttled(throttled) => {
                let code = if throttled.busy {
                    "general.serviceUnavailable"
                } else {
                    "general.tooManyRequests"
                };
                let answer = general(throttled.status(), code, throttled.message());
                throttled.finish(answer)
            }
        }
    }
}

/// A rate-limit (429) or busy (503) refusal in Whisk's general error shape.
pub fn throttled(throttled: &Throttled) -> Response {
    WhiskError(Failure::Throttled(*throttled)).into_response()
}
