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
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_engine::DomainError;
use serde_json::json;

pub const SITE_NOT_SET_UP: &str =
    "the site community does not exist yet: create the first admin user";

/// Why a Wix request failed.
#[derive(Debug)]
pub enum WixError {
    Auth(AuthError),
    Refused(DomainError),
    /// `X-Roster-Member-Id` sent without an elevated (admin) token.
    NotElevated,
    MemberNotFound,
    SiteNotSetUp,
    BadRequest(String),
    /// A body over the size limit.
    TooLarge,
    Internal(String),
}

impl From<roster_store::Error> for WixError {
    fn from(error: roster_store::Error) -> Self {
        match error {
            roster_store::Error::Domain(refusal) => WixError::Refused(refusal),
            roster_store::Error::Backend(message) => WixError::Internal(message),
        }
    }
}

impl From<AuthError> for WixError {
    fn from(error: AuthError) -> Self {
        WixError::Auth(error)
    }
}

/// A body that could not be read, in one exhaustive match.
impl From<ReadError> for WixError {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::TooLarge => WixError::TooLarge,
            ReadError::Unreadable(_) => WixError::BadRequest(error.to_string()),
        }
    }
}

/// What a refused command becomes.
pub enum Refusal {
    /// Not an error: answer with the member as they are (leaving when not
    /// in the site community, or while blocked, is idempotent).
    CurrentMember,
    Reply(StatusCode, &'static str),
}

/// The single mapping of `DomainError` to Wix's wire.
pub fn refusal(error: &DomainError) -> Refusal {
    let (status, code) = match error {
        DomainError::NotMember => return Refusal::CurrentMember,
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
    };
    Refusal::Reply(status, code)
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

/// One error in Wix's envelope.
pub fn envelope(status: StatusCode, code: &str, description: &str) -> Response {
    let body = json!({
        "message": description,
        "details": {
            "applicationError": { "code": code, "description": description, "data": {} }
        }
    });
    (status, axum::Json(body)).into_response()
}

const INTERNAL: &str = "something went wrong on the server; try again later";

impl IntoResponse for WixError {
    fn into_response(self) -> Response {
        match self {
            WixError::Auth(AuthError::Backend(cause)) | WixError::Internal(cause) => {
                tracing::error!(cause, "wix: storage failure");
                envelope(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL_ERROR",
                    INTERNAL,
                )
            }
            WixError::Auth(error) => {
                let (status, code) = auth(&error);
                envelope(status, code, &error.to_string())
            }
            WixError::Refused(error) => match refusal(&error) {
                Refusal::Reply(status, code) => envelope(status, code, &error.to_string()),
                // Outside a leave, "not a member" is a plain refusal.
                Refusal::CurrentMember => {
                    envelope(StatusCode::CONFLICT, "NOT_A_MEMBER", &error.to_string())
                }
            },
            WixError::NotElevated => envelope(
                StatusCode::FORBIDDEN,
                "ELEVATION_REQUIRED",
                "acting for another member (X-Roster-Member-Id) needs an admin token",
            ),
            WixError::MemberNotFound => {
                envelope(StatusCode::NOT_FOUND, "MEMBER_NOT_FOUND", "no such member")
            }
            WixError::SiteNotSetUp => envelope(
                StatusCode::NOT_FOUND,
                "SITE_COMMUNITY_NOT_SET_UP",
                SITE_NOT_SET_UP,
            ),
            WixError::BadRequest(message) => {
                envelope(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", &message)
            }
            WixError::TooLarge => envelope(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                &ReadError::TooLarge.to_string(),
            ),
        }
    }
}

/// A rate-limit (429) or busy (503) refusal in Wix's envelope.
pub fn throttled(throttled: &crate::ratelimit::Throttled) -> Response {
    let code = if throttled.busy {
        "UNAVAILABLE"
    } else {
        "TOO_MANY_REQUESTS"
    };
    throttled.finish(envelope(throttled.status(), code, &throttled.message()))
}
