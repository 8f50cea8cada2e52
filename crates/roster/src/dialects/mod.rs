//! The wire dialects: each module makes Roster byte-compatible with one
//! public API. A dialect only translates — wire request to
//! `roster_engine::Command`, outcome or `DomainError` to its documented wire
//! response. It holds no membership rule.

pub mod course;
pub mod rocketchat;
pub mod whisk;
pub mod wix;

use crate::app::AppState;
use axum::Router;

/// Every dialect's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(whisk::router())
        .merge(rocketchat::router())
        .merge(course::router())
        .merge(wix::router())
}
