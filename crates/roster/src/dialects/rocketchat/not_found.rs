//! Rocket.Chat's answer to a request its API does not serve: any path
//! under `/api/v1/` that no route takes is a 404 in the envelope
//! (`{"success":false,"error":"Resource not found"}`, as Rocket.Chat's
//! server answers an unknown endpoint), and a served route called with
//! another method is a 405 in the same envelope, never an empty body.
//! The catch-all is only `/api/v1/{*rest}`: the other dialects' paths
//! (`/v1/`, `/community/v2/`, `/api/v2/`, `/members/v1/`) never reach it.

use super::envelope::RcError;
use crate::app::AppState;
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{self, any, MethodRouter};
use axum::Router;

/// The catch-all route of `/api/v1/`.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/{*rest}", any(not_found))
}

async fn not_found() -> Response {
    RcError::not_found("Resource not found").into_response()
}

async fn wrong_method() -> Response {
    let mut response = RcError::not_found("Method not allowed").into_response();
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}

/// A GET route whose other methods answer in the envelope.
pub fn get<H, T>(handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    routing::get(handler).fallback(wrong_method)
}

/// A POST route whose other methods answer in the envelope.
pub fn post<H, T>(handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    routing::post(handler).fallback(wrong_method)
}
