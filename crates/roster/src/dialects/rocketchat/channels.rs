//! The `channels.*` routes: Rocket.Chat's public channels, the public
//! communities (the site community aside). Every handler is shared with
//! `groups.*` (see `rooms.rs`); a private community (a group) answers
//! `error-room-not-found`, worded for a channel. Anyone may see a channel
//! (`info`, `members`, `list`) and join it; who may change it is the
//! engine's rule, as for a group.

use super::not_found::{get, post};
use super::room_members as members;
use super::room_reads as reads;
use super::rooms::{self, Channels};
use crate::app::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    rooms::routes::<Channels>("channels")
        .route("/api/v1/channels.join", post(members::join::<Channels>))
        .route("/api/v1/channels.list", get(reads::every::<Channels>))
        .route(
            "/api/v1/channels.list.joined",
            get(reads::joined::<Channels>),
        )
}
