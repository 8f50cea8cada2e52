//! Roster's own HTTP API, `/v1/...`: JSON in and out, bearer tokens with
//! scopes, RFC 9457 problems, an OpenAPI 3.1 document at `/openapi.json`
//! generated from the handlers themselves.
//!
//! Like every dialect it only translates: a request becomes one engine
//! `Command` or one store read, and an `Outcome` or `DomainError` becomes
//! JSON ([`views`]) or a problem ([`problem`]). This module assembles the
//! routes; each resource has its own module. Writes honour
//! `Idempotency-Key` ([`idempotency`]), on the handlers only: a request
//! routed nowhere (404, 405) does not consume its key.

pub mod bans;
pub mod communities;
pub mod constraints;
pub mod events;
pub mod extract;
pub mod idempotency;
pub mod invitations;
pub mod members;
pub mod openapi;
pub mod problem;
pub mod requests;
pub mod tokens;
pub mod users;
pub mod views;
// Configurable permissions (issue 14).
pub mod policy;
// Webhooks and the live event stream (issue 16).
pub mod stream;
pub mod webhooks;

use crate::app::AppState;
use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use problem::Problem;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

/// The native API's routes and `/openapi.json`. `state` is the one the
/// application runs with: the idempotency middleware needs it up front.
pub fn router(state: &AppState) -> Router<AppState> {
    let (router, doc) = build(|(schemas, paths, methods)| {
        // On each method's handler only: a request that reaches none (404,
        // or 405 from the route's fallback) never holds its key.
        let methods = methods.route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ));
        (schemas, paths, methods)
    });
    let document = match serde_json::to_vec(&doc) {
        Ok(bytes) => axum::body::Bytes::from(bytes),
        Err(error) => {
            tracing::error!(%error, "cannot serialise the OpenAPI document");
            axum::body::Bytes::new()
        }
    };
    router
        .route(
            "/v1/{*rest}",
            any(|uri: Uri| async move { Problem::not_found(format!("no route {}", uri.path())) }),
        )
        .layer(axum::middleware::map_response(method_not_allowed))
        .route(
            "/openapi.json",
            get(move || {
                let document = document.clone();
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            HeaderValue::from_static("application/json"),
                        )],
                        document,
                    )
                }
            }),
        )
}

/// The routes (each passed through `wrap`) and their OpenAPI document.
fn build(
    wrap: impl Fn(UtoipaMethodRouter<AppState>) -> UtoipaMethodRouter<AppState>,
) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(openapi::skeleton())
        .routes(wrap(routes!(users::create)))
        .routes(wrap(routes!(users::me, users::update_me)))
        .routes(wrap(routes!(users::get_one)))
        .routes(wrap(routes!(tokens::create, tokens::list)))
        .routes(wrap(routes!(tokens::revoke)))
        .routes(wrap(routes!(communities::create, communities::list_mine)))
        .routes(wrap(routes!(
            communities::get_one,
            communities::update,
            communities::delete
        )))
        .routes(wrap(routes!(communities::archive)))
        .routes(wrap(routes!(communities::unarchive)))
        .routes(wrap(routes!(members::list, members::add)))
        .routes(wrap(routes!(members::join)))
        .routes(wrap(routes!(members::leave)))
        .routes(wrap(routes!(members::remove)))
        .routes(wrap(routes!(members::set_role)))
        .routes(wrap(routes!(members::transfer)))
        .routes(wrap(routes!(invitations::list, invitations::invite)))
        .routes(wrap(routes!(invitations::revoke)))
        .routes(wrap(routes!(requests::list)))
        .routes(wrap(routes!(requests::approve)))
        .routes(wrap(routes!(requests::reject)))
        .routes(wrap(routes!(bans::list, bans::ban)))
        .routes(wrap(routes!(bans::unban)))
        .routes(wrap(routes!(events::community)))
        .routes(wrap(routes!(events::all)))
        // Configurable permissions (issue 14).
        .routes(wrap(routes!(policy::get, policy::set)))
        // Webhooks and the live event stream (issue 16).
        .routes(wrap(routes!(stream::stream)))
        .routes(wrap(routes!(webhooks::create, webhooks::list)))
        .routes(wrap(routes!(webhooks::get_one, webhooks::delete)))
        .routes(wrap(routes!(webhooks::resume)))
        .routes(wrap(routes!(webhooks::deliveries)))
        .routes(wrap(routes!(webhooks::redeliver)))
        .split_for_parts();
    openapi::finish(&mut doc);
    (router, doc)
}

/// axum answers a wrong method with an empty 405; give it the problem shape.
async fn method_not_allowed(response: Response) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED
        || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let problem = Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
        "this route does not answer that method; see the Allow header",
    )
    .into_response();
    let (problem_parts, body) = problem.into_parts();
    parts.headers.extend(problem_parts.headers);
    Response::from_parts(parts, Body::new(body))
}
