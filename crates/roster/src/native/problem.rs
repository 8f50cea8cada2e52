//! RFC 9457 problem details: every refusal of the native API, whatever its
//! cause (the rules, authentication, a bad request), leaves as one
//! `application/problem+json` body with a stable machine `code`.
//!
//! The exhaustive matches here (the one over [`Failure`], and
//! [`from_domain`], [`from_auth`] under it) are the only places where the
//! engine's and the authenticator's errors get their native wire form.

use crate::auth::AuthError;
use crate::http::body::ReadError;
use crate::http::error::Failure;
use crate::http::json::BodyError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use roster_engine::DomainError;
use serde::Serialize;
use utoipa::ToSchema;

/// Where the problem types are documented.
pub const TYPE_BASE: &str = "https://roster.dev/problems/";
pub const CONTENT_TYPE: &str = "application/problem+json";

/// A refusal on its way to the client: a boxed [`ProblemDocument`], so that
/// `Result<T, Problem>` stays small.
#[derive(Clone, Debug)]
pub struct Problem(Box<ProblemDocument>);

impl std::ops::Deref for Problem {
    type Target = ProblemDocument;
    fn deref(&self) -> &ProblemDocument {
        &self.0
    }
}

impl std::ops::DerefMut for Problem {
    fn deref_mut(&mut self) -> &mut ProblemDocument {
        &mut self.0
    }
}

/// An RFC 9457 problem document.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemDocument {
    /// `https://roster.dev/problems/<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short, human-readable summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// A stable machine-readable code (`not_member`, `token_expired`, …).
    pub code: String,
    /// The offending field (`invalid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The scope the route needs (`scope_required`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The member's actual role (`role_mismatch`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_role: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, title: &str, detail: impl Into<String>) -> Self {
        Problem(Box::new(ProblemDocument {
            kind: format!("{TYPE_BASE}{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            field: None,
            scope: None,
            actual_role: None,
        }))
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// A bad path id (`invalid_id`, 400).
    pub fn invalid_id(what: &str, text: &str) -> Self {
        let shown: String = text.chars().take(64).collect();
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            "Invalid identifier",
            format!("{what} '{}' is not a UUID", shown.escape_debug()),
        )
    }

    /// A bad query parameter (`invalid_query`, 400).
    pub fn invalid_query(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "Invalid query parameter",
            detail,
        )
    }

    /// A field of a well-formed body that is not acceptable (`invalid`, 422).
    pub fn invalid(field: &str, reason: &str) -> Self {
        let mut problem = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "Invalid value",
            format!("{field}: {reason}"),
        );
        problem.field = Some(field.to_owned());
        problem
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::NOT_FOUND, "not_found", "Not found", detail)
    }

    /// A backend fault: logged in full, answered without details.
    pub fn internal(error: &str) -> Self {
        tracing::error!(%error, "native API: internal error");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the server failed to handle the request; it has been logged",
        )
    }
}

/// The engine's refusals, in one exhaustive match.
pub fn from_domain(error: &DomainError) -> Problem {
    use StatusCode as S;
    let detail = error.to_string();
    let (status, code, title) = match error {
        DomainError::CommunityNotFound => {
            (S::NOT_FOUND, "community_not_found", "Community not found")
        }
        DomainError::UserNotFound => (S::NOT_FOUND, "user_not_found", "User not found"),
        DomainError::NotMember => (S::CONFLICT, "not_member", "Not a member"),
        DomainError::SubjectNotMember => (
            S::CONFLICT,
            "subject_not_member",
            "The user is not a member",
        ),
        DomainError::LastOwner => (S::CONFLICT, "last_owner", "Last owner"),
        DomainError::NotPermitted => (S::FORBIDDEN, "not_permitted", "Not permitted"),
        DomainError::Banned => (S::FORBIDDEN, "banned", "Banned"),
        DomainError::SubjectBanned => (S::CONFLICT, "subject_banned", "The user is banned"),
        DomainError::InvitationRequired => {
            (S::FORBIDDEN, "invitation_required", "Invitation required")
        }
        DomainError::Archived => (S::CONFLICT, "archived", "Community archived"),
        DomainError::NoRequest => (S::CONFLICT, "no_request", "No pending request"),
        DomainError::RoleMismatch { actual } => {
            let mut problem = Problem::new(S::CONFLICT, "role_mismatch", "Role mismatch", detail);
            problem.actual_role = Some(actual.as_str().to_owned());
            return problem;
        }
        DomainError::NameTaken => (S::CONFLICT, "name_taken", "Name taken"),
        DomainError::UsernameTaken => (S::CONFLICT, "username_taken", "Username taken"),
        DomainError::EmailTaken => (S::CONFLICT, "email_taken", "Email taken"),
        DomainError::Invalid { field, reason } => return Problem::invalid(field, reason),
    };
    Problem::new(status, code, title, detail)
}

/// The authenticator's refusals, in one exhaustive match.
pub fn from_auth(error: &AuthError) -> Problem {
    use StatusCode as S;
    let detail = error.to_string();
    let (status, code, title) = match error {
        AuthError::Missing => (S::UNAUTHORIZED, "token_required", "Token required"),
        AuthError::Malformed => (S::UNAUTHORIZED, "token_invalid", "Token invalid"),
        AuthError::Unknown => (S::UNAUTHORIZED, "token_unknown", "Token unknown"),
        AuthError::Expired => (S::UNAUTHORIZED, "token_expired", "Token expired"),
        AuthError::Revoked => (S::UNAUTHORIZED, "token_revoked", "Token revoked"),
        AuthError::MissingScope(scope) => {
            let mut problem =
                Problem::new(S::FORBIDDEN, "scope_required", "Scope required", detail);
            problem.scope = Some(scope.as_str().to_owned());
            return problem;
        }
        AuthError::Backend(error) => return Problem::internal(error),
    };
    Problem::new(status, code, title, detail)
}

/// Every cause a handler fails for ([`Failure`], its conversions written
/// once in `http/error.rs`), in one exhaustive match: a handler uses `?` on
/// an authentication, a store call, a body read or parse.
impl<E: Into<Failure>> From<E> for Problem {
    fn from(error: E) -> Self {
        match error.into() {
            Failure::Auth(error) => from_auth(&error),
            Failure::Refused(error) => from_domain(&error),
            Failure::Store(cause) => Problem::internal(&cause),
            Failure::Body(error) => unread(error),
            Failure::Json(error) => malformed(error),
            Failure::BadRequest(detail) => Problem::invalid_query(detail),
            Failure::NotFound => Problem::not_found("no such resource"),
            // The rate-limit layer answers before any handler runs (see
            // [`throttled`], which adds `Retry-After`); this is its body.
            Failure::Throttled(throttled) => throttle_problem(&throttled),
        }
    }
}

/// A body that could not be read, in one exhaustive match.
fn unread(error: ReadError) -> Problem {
    let detail = error.to_string();
    match error {
        ReadError::TooLarge => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "Body too large",
            detail,
        ),
        ReadError::Unreadable(_) => Problem::new(
            StatusCode::BAD_REQUEST,
            "unreadable_body",
            "Unreadable body",
            detail,
        ),
    }
}

/// A body that is not the JSON the route takes.
fn malformed(error: BodyError) -> Problem {
    match error {
        BodyError::Syntax(detail) => Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "Malformed JSON",
            detail,
        ),
        BodyError::Shape(detail) => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            "Invalid body",
            detail,
        ),
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::to_vec(&*self.0).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if status == StatusCode::UNAUTHORIZED {
            let challenge = if self.code.starts_with("token_") && self.code != "token_required" {
                format!(
                    "Bearer realm=\"roster\", error=\"invalid_token\", error_description=\"{}\"",
                    self.code
                )
            } else {
                "Bearer realm=\"roster\"".to_owned()
            };
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                headers.insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}

/// A rate-limit (429 `too_many_requests`) or busy (503 `server_busy`)
/// refusal, with `Retry-After`.
pub fn throttled(throttled: &crate::ratelimit::Throttled) -> Response {
    throttled.finish(throttle_problem(throttled).into_response())
}

fn throttle_problem(throttled: &crate::ratelimit::Throttled) -> Problem {
    if throttled.busy {
        Problem::new(
            throttled.status(),
            "server_busy",
            "Server busy",
            throttled.message(),
        )
    } else {
        Problem::new(
            throttled.status(),
            "too_many_requests",
            "Too many requests",
            throttled.message(),
        )
    }
}
