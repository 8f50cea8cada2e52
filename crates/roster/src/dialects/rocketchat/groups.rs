//! The `groups.*` routes: Rocket.Chat's private groups, the private
//! communities (the site community is never a group). Every handler is
//! shared with `channels.*` (see `rooms.rs`); a group the caller cannot
//! see, or a public community (a channel), answers `error-room-not-found`.

use super::not_found::get;
use super::room_reads as reads;
use super::rooms::{self, Groups};
use crate::app::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    rooms::routes::<Groups>("groups").route("/api/v1/groups.list", get(reads::joined::<Groups>))
}
