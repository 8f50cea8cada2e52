//! The web console at `/console` (issue 17): server-rendered HTML over
//! the same engine commands and store reads as the APIs, so that owners
//! and operators can see and act on their communities without curl.
//!
//! It is one more dialect: a page reads the store, a form becomes one
//! engine command run through [`AppState::execute_in_sight`] with
//! `Sight::Viewable` (a private community out of sight is 404, as in the
//! APIs), and a refusal is shown in plain words ([`refusal`]) next to the
//! action. Which buttons a page shows is asked of the engine
//! (`roster_engine::offers`). Every page works without JavaScript (there
//! is none); the only asset is a stylesheet embedded in the binary.
//!
//! - [`session`]: sign in and out, the session cookie, the signed-in viewer;
//! - [`csrf`]: the per-session token in every form, and the origin check;
//! - [`headers`]: the security headers on every console response;
//! - [`communities`], [`community`], [`actions`], [`members`],
//!   [`timeline`] (with [`chart`]), [`admin`]: the pages and their forms;
//! - [`layout`], [`form`], [`assets`]: the page shell, form bodies, the CSS.

pub mod actions;
pub mod admin;
pub mod assets;
pub mod chart;
pub mod communities;
pub mod community;
pub mod csrf;
pub mod form;
pub mod headers;
pub mod layout;
pub mod members;
pub mod refusal;
pub mod session;
pub mod timeline;

use crate::app::AppState;
use crate::ratelimit::Throttled;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

/// The console's routes, all under `/console`, each response with the
/// security headers.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/console",
            get(|| async { Redirect::to("/console/communities") }),
        )
        .route(
            "/console/",
            get(|| async { Redirect::to("/console/communities") }),
        )
        .route(
            "/console/sign-in",
            get(session::sign_in_page).post(session::sign_in),
        )
        .route("/console/sign-out", post(session::sign_out))
        .route(
            "/console/communities",
            get(communities::page).post(communities::create),
        )
        .route("/console/communities/{id}", get(community::page))
        .route("/console/communities/{id}/timeline", get(timeline::page))
        .route("/console/communities/{id}/{action}", post(actions::act))
        .route("/console/admin", get(admin::page))
        .route("/console/admin/users", post(admin::create_user))
        .route("/console/admin/tokens", post(admin::create_token))
        .route("/console/assets/console.css", get(assets::stylesheet))
        .route("/console/{*rest}", get(not_found).post(not_found))
        .layer(axum::middleware::map_response(headers::secure))
}

/// What a console handler answers when it does not render a page: an
/// error page with a status.
#[derive(Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub title: &'static str,
    pub detail: String,
}

impl Failure {
    pub fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Self {
        Failure {
            status,
            title,
            detail: detail.into(),
        }
    }

    pub fn not_found() -> Self {
        Failure::new(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no such page, or it is not yours to see.",
        )
    }

    pub fn bad_form(detail: impl Into<String>) -> Self {
        Failure::new(StatusCode::BAD_REQUEST, "This form cannot be read", detail)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = layout::bare(
            self.title,
            maud::html! {
                h1 { (self.title) }
                p { (self.detail) }
                p { a href="/console/communities" { "Back to my communities" } }
            },
        );
        (self.status, body).into_response()
    }
}

impl From<roster_store::Error> for Failure {
    fn from(error: roster_store::Error) -> Self {
        match error {
            roster_store::Error::Domain(error) => match error {
                roster_engine::DomainError::CommunityNotFound => Failure::not_found(),
                other => Failure::new(
                    StatusCode::CONFLICT,
                    "Refused",
                    refusal::words(&other, None).to_string(),
                ),
            },
            roster_store::Error::Backend(detail) => {
                tracing::error!(%detail, "console: store failure");
                Failure::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The database is not answering",
                    "Try again in a moment.",
                )
            }
        }
    }
}

async fn not_found() -> Failure {
    Failure::not_found()
}

/// A rate-limit refusal on a console path, as a page with `Retry-After`.
pub fn throttled(throttled: &Throttled) -> Response {
    let seconds = throttled.retry_after.as_secs().max(1);
    let (status, title) = if throttled.busy {
        (StatusCode::SERVICE_UNAVAILABLE, "The server is busy")
    } else {
        (StatusCode::TOO_MANY_REQUESTS, "Too many attempts")
    };
    let mut response = Failure::new(
        status,
        title,
        format!("Wait {seconds} seconds, then try again."),
    )
    .into_response();
    if let Ok(value) = seconds.to_string().parse() {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    headers::apply(response)
}
