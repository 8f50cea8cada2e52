//! Reading a request body under the size limit, so that every dialect can
//! refuse an oversized or unreadable body in its own error shape.
//!
//! The limit is axum's [`DefaultBodyLimit`](axum::extract::DefaultBodyLimit)
//! (set to [`BODY_LIMIT`] in `server::router`), which the `Bytes` extractor
//! enforces while it reads: a declared `Content-Length` and a chunked body
//! are both cut once they pass the limit, never buffered whole. A handler
//! takes its body as [`Body`] (the extractor's result, never its plain-text
//! rejection) and calls [`read`]; each dialect maps [`ReadError`] to its wire
//! in its error module. A route that takes no body never reads one: axum
//! only reads what a handler extracts, and hyper drops the unread rest.
//!
//! A body whose declared `Content-Length` is already over the limit is
//! refused before a byte of it is read: [`cut_declared_oversize`] swaps it
//! for one that the same reading path reports as too large.

use crate::config::BODY_LIMIT;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;

/// A handler's body argument: the bytes, or why they could not be read.
pub type Body = Result<Bytes, BytesRejection>;

/// Why a body could not be read (before any parsing).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Longer than [`BODY_LIMIT`]: each dialect's 413.
    #[error("the body exceeds {BODY_LIMIT} bytes")]
    TooLarge,
    /// The client sent a broken body (a bad chunk, a dropped connection):
    /// each dialect's 400.
    #[error("the body could not be read: {0}")]
    Unreadable(String),
}

/// The body's bytes, or a [`ReadError`].
pub fn read(body: Body) -> Result<Bytes, ReadError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ReadError::TooLarge
        } else {
            ReadError::Unreadable(rejection.body_text())
        }
    })
}

/// Stands in for the body of a request that declares more than
/// [`BODY_LIMIT`] bytes: one byte over the limit, so that whatever reads it
/// (the `Bytes` extractor, the idempotency layer) reports
/// [`ReadError::TooLarge`] at once, in its API's own shape.
static OVERSIZED: [u8; BODY_LIMIT + 1] = [0; BODY_LIMIT + 1];

/// Middleware (`axum::middleware::map_request`): a request whose declared
/// `Content-Length` exceeds [`BODY_LIMIT`] has its body replaced by
/// [`OVERSIZED`] before any handler runs. Its real body is never read, so
/// the client is never told `100 Continue` and its bytes are not awaited;
/// hyper closes the connection after the 413.
pub async fn cut_declared_oversize(request: axum::extract::Request) -> axum::extract::Request {
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_none_or(|length| length <= BODY_LIMIT as u64) {
        return request;
    }
    let (parts, _unread) = request.into_parts();
    axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(Bytes::from_static(&OVERSIZED)),
    )
}
