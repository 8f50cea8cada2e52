//! The console's only asset, a stylesheet, embedded in the binary at
//! build time (no CDN, no font, nothing fetched at run time).

use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;

/// The stylesheet, readable from a 390 px phone to a desktop.
pub const STYLESHEET: &str = include_str!("assets/console.css");

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        STYLESHEET,
    )
}
