//! Roster's membership engine.
//!
//! Every rule about who may join, leave, invite, approve, remove, promote or
//! ban lives here, once, as pure functions over a small projection of the
//! community (its settings and counters) and the two memberships a command
//! touches (actor and subject). No I/O, no async, no SQL, no HTTP: the store
//! loads the projection and applies the [`Decision`], the server's dialects
//! only translate wire formats to [`Command`]s and [`DomainError`]s back.
//!
//! # A tour
//!
//! - `model.rs`: the vocabulary (roles, standings, settings, counters,
//!   [`Actor`] and whom an admin acting for a member acts as);
//! - `command.rs`: what a caller may ask ([`Command`], [`NewCommunity`]);
//! - [`sight`]: which communities a dialect's caller may address at all
//!   ([`Sight`], [`can_view`]), checked first by [`decide_in_sight`] for a
//!   command and by [`view_in_sight`] for a read (and [`may_manage`]: who
//!   sees the lists only a community's managers see);
//! - [`decide`](mod@decide): the transition table (its module documentation) and
//!   [`decide()`], one `match` over the command;
//! - `community_text.rs`: what a name, a description and a ban's reason
//!   may hold;
//! - [`site`]: the site community's rules (who joins it, who founds it);
//! - [`users`]: what an account's fields may hold, when an email stays
//!   verified, who sees private profile fields;
//! - [`policy`]: the server-wide permission policy (the lowest rank allowed
//!   per governed action), which `decide_under` reads;
//! - `webhooks.rs`: who may subscribe to, manage and list webhooks;
//! - `event.rs`: what an accepted command changed ([`Decision`], one
//!   [`EventKind`]); `error.rs`: why one was refused ([`DomainError`]).
//!
//! A leave: the store builds a [`Context`] (the community, the actor's
//! standing) under the community's lock and calls
//! `decide_in_sight(sight, &ctx, &Command::Leave)`: out of sight is
//! `CommunityNotFound`; otherwise `decide` answers `left` (or
//! `request_withdrawn`, `invitation_declined`), or refuses with `NotMember`
//! or `LastOwner`.

mod command;
mod community_text;
pub mod decide;
pub mod deletion;
mod error;
mod event;
mod guards;
mod ids;
mod model;
// What interfaces may offer as buttons (the web console, issue 17).
pub mod offers;
pub mod sight;
pub mod site;
pub mod users;
// Configurable permissions (issue 14): the server-wide policy.
pub mod policy;
// Bulk import's record rules (issue 15).
pub mod import;

pub use command::{Command, NewCommunity, SettingsPatch};
pub use decide::{decide, decide_create, Context};
pub use error::DomainError;
pub use event::{Change, Decision, Effect, EventKind, Transition};
pub use ids::{CommunityId, UserId};
pub use model::{
    Actor, CommunityState, ContributionMode, Counters, JoinPolicy, ParseError, Role, Settings,
    Standing, Visibility,
};
pub use sight::{
    can_manage, can_view, decide_in_sight, in_sight, may_list, may_manage, view_in_sight, Sight,
};
pub use site::{decide_site_join, site_step, SiteStep};
// Configurable permissions (issue 14).
pub use decide::{decide_create_under, decide_under};
pub use policy::{decide_policy_change, Action, Level, Policy, PolicyChange, Rank};
pub use sight::decide_in_sight_under;
// Webhooks (issue 16): who may subscribe and manage subscriptions.
pub mod webhooks;
pub use webhooks::{may_manage_webhook, may_subscribe, webhooks_listed_for};
