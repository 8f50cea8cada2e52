//! The `groups.*` routes: Rocket.Chat's private groups, the private
//! communities (the site community is never a group). Every handler is
//! shared with `channels.*` (see `rooms.rs`); a group the caller cannot
//! see, or a public community (a channel), answers `error-room-not-found`.

use super::not_found::{get, post};
use super::room_members as members;
use super::room_reads as reads;
use super::room_settings as settings;
use super::rooms::Groups;
use crate::app::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/groups.create", post(settings::create::<Groups>))
        .route("/api/v1/groups.invite", post(members::invite::<Groups>))
        .route("/api/v1/groups.leave", post(members::leave::<Groups>))
        .route("/api/v1/groups.kick", post(members::kick::<Groups>))
        .route(
            "/api/v1/groups.addOwner",
            post(members::add_owner::<Groups>),
        )
        .route(
            "/api/v1/groups.removeOwner",
            post(members::remove_owner::<Groups>),
        )
        .route(
            "/api/v1/groups.addModerator",
            post(members::add_moderator::<Groups>),
        )
        .route(
            "/api/v1/groups.removeModerator",
            post(members::remove_moderator::<Groups>),
        )
        .route("/api/v1/groups.archive", post(settings::archive::<Groups>))
        .route(
            "/api/v1/groups.unarchive",
            post(settings::unarchive::<Groups>),
        )
        .route("/api/v1/groups.delete", post(settings::delete::<Groups>))
        .route("/api/v1/groups.rename", post(settings::rename::<Groups>))
        .route(
            "/api/v1/groups.setDescription",
            post(settings::set_description::<Groups>),
        )
        .route("/api/v1/groups.setType", post(settings::set_type::<Groups>))
        .route(
            "/api/v1/groups.setReadOnly",
            post(settings::set_read_only::<Groups>),
        )
        .route("/api/v1/groups.open", post(reads::open::<Groups>))
        .route("/api/v1/groups.close", post(reads::close::<Groups>))
        .route("/api/v1/groups.hide", post(reads::hide::<Groups>))
        .route("/api/v1/groups.members", get(reads::members::<Groups>))
        .route("/api/v1/groups.info", get(reads::info::<Groups>))
        .route("/api/v1/groups.list", get(reads::joined::<Groups>))
        .route("/api/v1/groups.roles", get(reads::roles::<Groups>))
        .route(
            "/api/v1/groups.moderators",
            get(reads::moderators::<Groups>),
        )
        .route("/api/v1/groups.counters", get(reads::counters::<Groups>))
}
