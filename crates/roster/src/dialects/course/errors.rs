//! The course API's error body, `{"errors":[{"code","message"}]}` — the shape
//! the published client (`@selfcommunity/api-services`, `formatHttpError`)
//! reads — and the one place where the common causes of failure
//! ([`Failure`]), engine refusals and authentication failures become
//! course-API status codes. The mappings are exhaustive matches: a new
//! `Failure`, `DomainError` or `AuthError` variant fails to compile here
//! until its wire form is chosen.

use crate::auth::AuthError;
use crate::http::body::ReadError;
use crate::http::error::Failure;
use crate::http::json::BodyError;
use crate::ratelimit::Throttled;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use roster_engine::DomainError;
use serde::Serialize;

/// One error response of the course API.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// Unknown course, a course the caller may not see, or a path that is no course id.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Not found.")
    }

    /// A parameter or body field that cannot be accepted.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid", message)
    }

    pub fn permission_denied(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "permission_denied", message)
    }

    /// A body that is not JSON (nor a form) at all.
    pub fn parse_error(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "parse_error",
            format!("JSON parse error - {detail}"),
        )
    }

    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("Method \"{method}\" not allowed."),
        )
    }

    fn server_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "error",
            "A server error occurred.",
        )
    }
}

const NO_PERMISSION: &str = "You do not have permission to perform this action.";

/// The single mapping of `DomainError` to the course API.
fn refusal(error: DomainError) -> ApiError {
    match error {
        DomainError::CommunityNotFound => ApiError::not_found(),
        DomainError::UserNotFound => ApiError::invalid("The user does not exist."),
        DomainError::NotMember => {
            ApiError::invalid("You have not joined or requested to join this course.")
        }
        DomainError::SubjectNotMember => ApiError::invalid("The user has not joined this course."),
        DomainError::LastOwner => ApiError::new(
            StatusCode::FORBIDDEN,
            "creator_cannot_leave",
            "The creator of the course cannot leave it, be removed from it or change role.",
        ),
        DomainError::NotPermitted => ApiError::permission_denied(NO_PERMISSION),
        DomainError::Banned => ApiError::permission_denied("You are banned from this course."),
        DomainError::SubjectBanned => ApiError::invalid("The user is banned from this course."),
        DomainError::InvitationRequired => {
            ApiError::permission_denied("This course can only be joined by invitation.")
        }
        DomainError::Archived => ApiError::permission_denied("This course is archived."),
        DomainError::NoRequest => {
            ApiError::invalid("The user has not requested to join this course.")
        }
        DomainError::RoleMismatch { actual } => {
            ApiError::invalid(format!("The user's role is now {actual}; retry."))
        }
        DomainError::NameTaken => ApiError::invalid("A course with this name already exists."),
        DomainError::UsernameTaken => ApiError::invalid("This username is already taken."),
        DomainError::EmailTaken => ApiError::invalid("This email address is already taken."),
        DomainError::Invalid { field, reason } => ApiError::invalid(format!("{field}: {reason}")),
    }
}

/// The single mapping of `AuthError` to the course API.
fn auth(error: AuthError) -> ApiError {
    let failed =
        |message: &str| ApiError::new(StatusCode::UNAUTHORIZED, "authentication_failed", message);
    match error {
        AuthError::Missing => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "not_authenticated",
            "Authentication credentials were not provided.",
        ),
        AuthError::Malformed | AuthError::Unknown => failed("Invalid token."),
        AuthError::Expired => failed("Token has expired."),
        AuthError::Revoked => failed("Token has been revoked."),
        AuthError::MissingScope(scope) => ApiError::permission_denied(format!(
            "{NO_PERMISSION} The token lacks the scope {scope}."
        )),
        AuthError::Backend(detail) => {
            tracing::error!(%detail, "course API: authentication backend failed");
            ApiError::server_error()
        }
    }
}

impl<E: Into<Failure>> From<E> for ApiError {
    fn from(error: E) -> Self {
        match error.into() {
            Failure::Auth(error) => auth(error),
            Failure::Refused(error) => refusal(error),
            Failure::Store(detail) => {
                tracing::error!(%detail, "course API: storage failed");
                ApiError::server_error()
            }
            // 413 `payload_too_large` over the size limit (Roster's code;
            // Django REST framework has no size limit of its own).
            Failure::Body(ReadError::TooLarge) => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!(
                    "The request body exceeds {} bytes.",
                    crate::config::BODY_LIMIT
                ),
            ),
            Failure::Body(ReadError::Unreadable(_)) => {
                ApiError::invalid("The request body could not be read.")
            }
            Failure::Json(BodyError::Shape(_)) => {
                ApiError::invalid("The body must be a JSON object.")
            }
            Failure::Json(error @ BodyError::Syntax(_)) => ApiError::parse_error(error),
            Failure::BadRequest(message) => ApiError::invalid(message),
            Failure::NotFound => ApiError::not_found(),
            Failure::Throttled(throttled) => throttled_error(&throttled),
        }
    }
}

/// `{"errors":[{"code","message"}]}`.
#[derive(Serialize)]
struct Errors<'a> {
    errors: [Entry<'a>; 1],
}

#[derive(Serialize)]
struct Entry<'a> {
    code: &'a str,
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Errors {
            errors: [Entry {
                code: self.code,
                message: &self.message,
            }],
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            // As Django REST framework does for token authentication.
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"api\""),
            );
        }
        response
    }
}

fn throttled_error(throttled: &Throttled) -> ApiError {
    if throttled.busy {
        ApiError::new(
            throttled.status(),
            "service_unavailable",
            format!(
                "Service temporarily unavailable, try again later. Expected available in {} seconds.",
                throttled.seconds()
            ),
        )
    } else {
        ApiError::new(
            throttled.status(),
            "throttled",
            format!(
                "Request was throttled. Expected available in {} seconds.",
                throttled.seconds()
            ),
        )
    }
}

/// A rate-limit (429, Django REST framework's `throttled`) or busy (503)
/// refusal in the course API's shape.
pub fn throttled(throttled: &Throttled) -> Response {
    throttled.finish(ApiError::from(Failure::Throttled(*throttled)).into_response())
}
