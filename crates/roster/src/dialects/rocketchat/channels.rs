//! The `channels.*` routes: Rocket.Chat's public channels, the public
//! communities (the site community aside). Every handler is shared with
//! `groups.*` (see `rooms.rs`); a private community (a group) answers
//! `error-room-not-found`, worded for a channel. Anyone may see a channel
//! (`info`, `members`, `list`) and join it; who may change it is the
//! engine's rule, as for a group.

use super::not_found::{get, post};
use super::room_members as members;
use super::room_reads as reads;
use super::room_settings as settings;
use super::rooms::Channels;
use crate::app::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/channels.create",
            post(settings::create::<Channels>),
        )
        .route("/api/v1/channels.join", post(members::join::<Channels>))
        .route("/api/v1/channels.invite", post(members::invite::<Channels>))
        .route("/api/v1/channels.leave", post(members::leave::<Channels>))
        .route("/api/v1/channels.kick", post(members::kick::<Channels>))
        .route(
            "/api/v1/channels.addOwner",
            post(members::add_owner::<Channels>),
        )
        .route(
            "/api/v1/channels.removeOwner",
            post(members::remove_owner::<Channels>),
        )
        .route(
            "/api/v1/channels.addModerator",
            post(members::add_moderator::<Channels>),
        )
        .route(
            "/api/v1/channels.removeModerator",
            post(members::remove_moderator::<Channels>),
        )
        .route(
            "/api/v1/channels.archive",
            post(settings::archive::<Channels>),
        )
        .route(
            "/api/v1/channels.unarchive",
            post(settings::unarchive::<Channels>),
        )
        .route(
            "/api/v1/channels.delete",
            post(settings::delete::<Channels>),
        )
        .route(
            "/api/v1/channels.rename",
            post(settings::rename::<Channels>),
        )
        .route(
            "/api/v1/channels.setDescription",
            post(settings::set_description::<Channels>),
        )
        .route(
            "/api/v1/channels.setType",
            post(settings::set_type::<Channels>),
        )
        .route(
            "/api/v1/channels.setReadOnly",
            post(settings::set_read_only::<Channels>),
        )
        .route("/api/v1/channels.open", post(reads::open::<Channels>))
        .route("/api/v1/channels.close", post(reads::close::<Channels>))
        .route("/api/v1/channels.hide", post(reads::hide::<Channels>))
        .route("/api/v1/channels.members", get(reads::members::<Channels>))
        .route("/api/v1/channels.info", get(reads::info::<Channels>))
        .route("/api/v1/channels.list", get(reads::every::<Channels>))
        .route(
            "/api/v1/channels.list.joined",
            get(reads::joined::<Channels>),
        )
        .route("/api/v1/channels.roles", get(reads::roles::<Channels>))
        .route(
            "/api/v1/channels.moderators",
            get(reads::moderators::<Channels>),
        )
        .route(
            "/api/v1/channels.counters",
            get(reads::counters::<Channels>),
        )
}
