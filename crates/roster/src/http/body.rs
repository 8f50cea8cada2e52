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
