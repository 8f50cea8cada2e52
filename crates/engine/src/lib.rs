//! Roster's membership engine.
//!
//! Every rule about who may join, leave, invite, approve, remove, promote or
//! ban lives here, once, as pure functions over a small projection of the
//! community (its settings and counters) and the two memberships a command
//! touches (actor and subject). No I/O, no async, no SQL, no HTTP: the store
//! loads the projection and applies the [`Decision`], the server's dialects
//! only translate wire formats to [`Command`]s and [`DomainError`]s back.
//!
//! The full transition table is in [`decide`]'s module documentation.

pub mod command;
pub mod decide;
pub mod error;
pub mod event;
pub mod ids;
pub mod model;
pub mod sight;
pub mod site;
pub mod users;

pub use command::{Command, NewCommunity, SettingsPatch};
pub use decide::{decide, decide_create, Context};
pub use error::DomainError;
pub use event::{Change, Decision, Effect, EventKind, Transition};
pub use ids::{CommunityId, UserId};
pub use model::{
    Actor, CommunityState, ContributionMode, Counters, JoinPolicy, ParseError, Role, Settings,
    Standing, Visibility,
};
pub use sight::{can_manage, can_view, decide_in_sight, in_sight, Sight};
pub use site::{decide_site_join, site_step, SiteStep};
