//! The security headers on every console response: a strict
//! Content-Security-Policy (no script at all, styles only from Roster
//! itself, forms only to Roster, never framed), `X-Frame-Options: DENY`,
//! a referrer policy that keeps the console's URLs to itself, no MIME
//! sniffing, and no caching of pages that show private data.

use axum::http::{header, HeaderValue};
use axum::response::Response;

/// No script, no inline style, no external anything.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
     img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The middleware form of [`apply`].
pub async fn secure(response: Response) -> Response {
    apply(response)
}

/// Add the headers (a handler's own `Cache-Control` is kept: the stylesheet's).
pub fn apply(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // `same-origin`, not `no-referrer`: browsers then still send `Origin`
    // on the console's own form posts, which the CSRF check reads.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}
