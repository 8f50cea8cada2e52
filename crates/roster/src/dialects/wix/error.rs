//! Wix's error envelope,
//! `{"message":…,"details":{"applicationError":{"code","description","data":{}}}}`,
//! and the one mapping each of `AuthError` and `DomainError` to it.
//!
//! Codes Roster chose (Wix documents the envelope, not these codes):
//! `UNAUTHENTICATED` (no token), `INVALID_TOKEN`, `TOKEN_EXPIRED`,
//! `TOKEN_REVOKED` (401); `INSUFFICIENT_SCOPE`, `ELEVATION_REQUIRED`
//! (`X-Roster-Member-Id` without an admin token), `OWNER_CANNOT_LEAVE_COMMUNITY`
//! (the site's last owner leaving), `MEMBER_BLOCKED`, `INVITATION_REQUIRED`,
//! `FORBIDDEN` (403); `MEMBER_NOT_FOUND`, `SITE_COMMUNITY_NOT_SET_UP` (404);
//! `INVALID_ARGUMENT` (400); `PAYLOAD_TOO_LARGE` (413, a body over the size
//! limit); `INTERNAL_ERROR` (500).

use crate::auth::AuthError;
use crate::http::body::ReadError;
use crate::http::error::Failure;
use crate::ratelimit::Throttled;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use roster_engine::DomainError;
use serde::Serialize;

pub const SITE_NOT_SET_UP: &str =
    "the site community does not exist yet: create the first admin user";

/// Why a Wix request failed: a common cause (an unknown member is
/// [`Failure::NotFound`]), or one only Wix has.
#[derive(Debug)]
pub enum WixError {
    Failure(Failure),
    /// `X-Roster-Member-Id` sent without an elevated (admin) token.
    NotElevated,
    SiteNotSetUp,
}

impl<E: Into<Failure>> From<E> for WixError {
    fn from(error: E) -> Self {
        WixError::Failure(error.into())
    }
}

/// The single mapping of `DomainError` to Wix's wire; `None` where the
/// refusal is no error (leaving when not in the site community, or while
/// blocked, is idempotent: answer with the member as they are).
pub fn refusal(error: &DomainError) -> Option<(StatusCode, &'static str)> {
    Some(match error {
        DomainError::NotMember => return None,
        DomainError::CommunityNotFound => (StatusCode::NOT_FOUND, "SITE_COMMUNITY_NOT_SET_UP"),
        DomainError::UserNotFound => (StatusCode::NOT_FOUND, "MEMBER_NOT_FOUND"),
        DomainError::SubjectNotMember => (StatusCode::NOT_FOUND, "MEMBER_NOT_FOUND"),
        DomainError::LastOwner => (StatusCode::FORBIDDEN, "OWNER_CANNOT_LEAVE_COMMUNITY"),
        DomainError::NotPermitted => (StatusCode::FORBIDDEN, "FORBIDDEN"),
        DomainError::Banned | DomainError::SubjectBanned => {
            (StatusCode::FORBIDDEN, "MEMBER_BLOCKED")
        }
        DomainError::InvitationRequired => (StatusCode::FORBIDDEN, "INVITATION_REQUIRED"),
        DomainError::Archived => (StatusCode::CONFLICT, "SITE_COMMUNITY_ARCHIVED"),
        DomainError::NoRequest => (StatusCode::CONFLICT, "NO_PENDING_REQUEST"),
        DomainError::RoleMismatch { .. } => (StatusCode::CONFLICT, "ROLE_MISMATCH"),
        DomainError::NameTaken => (StatusCode::CONFLICT, "NAME_ALREADY_EXISTS"),
        DomainError::UsernameTaken => (StatusCode::CONFLICT, "USERNAME_ALREADY_EXISTS"),
        DomainError::EmailTaken => (StatusCode::CONFLICT, "EMAIL_ALREADY_EXISTS"),
        DomainError::Invalid { .. } => (StatusCode::BAD_REQUEST, "INVALID_ARGUMENT"),
    })
}

/// The single mapping of `AuthError` to Wix's wire.
fn auth(error: &AuthError) -> (StatusCode, &'static str) {
    match error {
        AuthError::Missing => (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"),
        AuthError::Malformed | AuthError::Unknown => (StatusCode::UNAUTHORIZED, "INVALID_TOKEN"),
        AuthError::Expired => (StatusCode::UNAUTHORIZED, "TOKEN_EXPIRED"),
        AuthError::Revoked => (StatusCode::UNAUTHORIZED, "TOKEN_REVOKED"),
        AuthError::MissingScope(_) => (StatusCode::FORBIDDEN, "INSUFFICIENT_SCOPE"),
        AuthError::Backend(_) => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR"),
    }
}

/// Wix's envelope: `{"details":{"applicationError":{…}},"message"}`.
#[derive(Serialize)]
struct Envelope<'a> {
    details: Details<'a>,
    message: &'a str,
}

#[derive(Serialize)]
struct Details<'a> {
    #[serde(rename = "applicationError")]
    application_error: ApplicationError<'a>,
}

#[derive(Serialize)]
struct ApplicationError<'a> {
    code: &'a str,
    /// Always `{}`.
    data: Data,
    description: &'a str,
}

#[derive(Serialize)]
struct Data {}

/// One error in Wix's envelope.
pub fn envelope(status: StatusCode, code: &str, description: &str) -> Response {
    let body = Envelope {
        details: Details {
            application_error: ApplicationError {
                code,
                data: Data {},
                description,
            },
        },
        message: description,
    };
    (status, Json(body)).into_response()
}

const INTERNAL: &str = "something went wrong on the server; try again later";

fn internal(cause: &str) -> Response {
    tracing::error!(cause, "wix: storage failure");
    envelope(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_ERROR",
        INTERNAL,
    )
}

fn invalid(message: &str) -> Response {
    envelope(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", message)
}

/// Every common cause in Wix's envelope.
fn failure(failure: Failure) -> Response {
    match failure {
        Failure::Auth(AuthError::Backend(cause)) | Failure::Store(cause) => internal(&cause),
        Failure::Auth(error) => {
            let (status, code) = auth(&error);
            envelope(status, code, &error.to_string())
        }
        Failure::Refused(error) => match refusal(&error) {
            Some((status, code)) => envelope(status, code, &error.to_string()),
            // Outside a leave, "not a member" is a plain refusal.
            None => envelope(StatusCode::CONFLICT, "NOT_A_MEMBER", &error.to_string()),
        },
        Failure::NotFound => envelope(StatusCode::NOT_FOUND, "MEMBER_NOT_FOUND", "no such member"),
        Failure::BadRequest(message) => invalid(&message),
        Failure::Json(error) => invalid(&error.to_string()),
        Failure::Body(error @ ReadError::Unreadable(_)) => invalid(&error.to_string()),
        Failure::Body(ReadError::TooLarge) => envelope(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            &ReadError::TooLarge.to_string(),
        ),
        Failure::Throttled(throttled) => {
            let code = if throttled.busy {
                "UNAVAILABLE"
            } else {
                "TOO_MANY_REQUESTS"
            };
            throttled.finish(envelope(throttled.status(), code, &throttled.message()))
        }
    }
}

impl IntoResponse for WixError {
    fn into_response(self) -> Response {
        match self {
            WixError::Failure(cause) => failure(cause),
            WixError::NotElevated => envelope(
                StatusCode::FORBIDDEN,
                "ELEVATION_REQUIRED",
                "acting for another member (X-Roster-Member-Id) needs an admin token",
            ),
            WixError::SiteNotSetUp => envelope(
                StatusCode::NOT_FOUND,
                "SITE_COMMUNITY_NOT_SET_UP",
                SITE_NOT_SET_UP,
            ),
        }
    }
}

/// A rate-limit (429) or busy (503) refusal in Wix's envelope.
pub fn throttled(throttled: &Throttled) -> Response {
    WixError::from(Failure::Throttled(*throttled)).into_response()
}
