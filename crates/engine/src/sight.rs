//! Who may see a community at all, and who may see what only the people
//! running it see. A dialect names its [`Sight`] with each command, and
//! [`decide_in_sight`] refuses a community the actor may not see before any
//! other rule runs, inside the command's transaction, under the
//! community's lock: no dialect reads the community first to check.

use crate::decide::{decide_under, Context};
use crate::error::DomainError;
use crate::event::Effect;
use crate::model::{CommunityState, JoinPolicy, Role, Standing, Visibility};
use crate::policy::Policy;
use crate::Command;

/// May a viewer (with `standing` in the community) see it at all?
/// Public communities are visible to everyone, and so are private ones that
/// take join requests (a stranger must be able to ask: Whisk's private
/// communities answer a join with `PENDING`). A private invite-only
/// community (a "secret" course) is visible only to the people who have a
/// standing in it, banned people excepted, and to admins.
pub fn can_view(community: &CommunityState, admin: bool, standing: Standing) -> bool {
    admin
        || community.settings.visibility == Visibility::Public
        || community.settings.join_policy == JoinPolicy::Request
        || !matches!(standing, Standing::None | Standing::Banned)
}

/// May a viewer see what only the people running a community see: its
/// pending requests, invitations, bans and event feed? Managers, owners and
/// admins may.
pub fn can_manage(admin: bool, standing: Standing) -> bool {
    admin || matches!(standing, Standing::Member(Role::Manager | Role::Owner))
}

/// Which communities a dialect lets its caller address. One outside the
/// sight is answered as if it did not exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sight {
    /// Every community: the rules alone decide (the native API's writes,
    /// Wix's site community, the admin CLI).
    Any,
    /// The communities [`can_view`] shows the actor (Whisk).
    Viewable,
    /// Rocket.Chat's groups (`t:"p"`): private communities only, never the
    /// site community, and only those the actor has a standing in (banned
    /// aside), or any for an admin. A public community is a channel.
    Group,
    /// The course API: what [`can_view`] shows, the site community aside
    /// (it is no course).
    Course,
    /// The course API's `POST …/join/`: any course, so that a secret one
    /// answers `InvitationRequired` rather than 404.
    CourseJoin,
    /// Rocket.Chat's channels (`t:"c"`): public communities, the site
    /// community aside, seen by everyone (a channel is open to view).
    Channel,
}

/// Is the community within `sight` for a viewer with `standing`?
pub fn in_sight(sight: Sight, community: &CommunityState, admin: bool, standing: Standing) -> bool {
    match sight {
        Sight::Any => true,
        Sight::Viewable => can_view(community, admin, standing),
        Sight::Group => {
            !community.site
                && community.settings.visibility == Visibility::Private
                && (admin || !matches!(standing, Standing::None | Standing::Banned))
        }
        Sight::Channel => !community.site && community.settings.visibility == Visibility::Public,
        Sight::Course => !community.site && can_view(community, admin, standing),
        Sight::CourseJoin => !community.site,
    }
}

/// What a reader who addresses a community through `sight` is answered:
/// nothing to refuse, or `CommunityNotFound` when the community is out of
/// that sight (so that it reads as if it did not exist). Every dialect's
/// reads ask this once, through the store's `community_in_sight`.
pub fn view_in_sight(
    sight: Sight,
    community: &CommunityState,
    admin: bool,
    standing: Standing,
) -> Result<(), DomainError> {
    if in_sight(sight, community, admin, standing) {
        Ok(())
    } else {
        Err(DomainError::CommunityNotFound)
    }
}

/// May a reader see what only the people running a community see
/// ([`can_manage`])? `NotPermitted` when not.
pub fn may_manage(admin: bool, standing: Standing) -> Result<(), DomainError> {
    if can_manage(admin, standing) {
        Ok(())
    } else {
        Err(DomainError::NotPermitted)
    }
}

/// May a reader who sees a community list its people holding `standings`?
/// Members of any role (or no filter): yes; the invited, the requesters
/// and the banned only for those who [`may_manage`] it.
pub fn may_list(
    admin: bool,
    standing: Standing,
    standings: &[Standing],
) -> Result<(), DomainError> {
    if standings.iter().all(|s| s.is_member()) {
        Ok(())
    } else {
        may_manage(admin, standing)
    }
}

/// Decide one command for an actor who addresses the community through
/// `sight`: `CommunityNotFound` when the actor may not see it, otherwise
/// [`decide`].
pub fn decide_in_sight(
    sight: Sight,
    ctx: &Context<'_>,
    command: &Command,
) -> Result<Effect, DomainError> {
    decide_in_sight_under(&Policy::default(), sight, ctx, command)
}

/// [`decide_in_sight`] under a server's `policy`.
pub fn decide_in_sight_under(
    policy: &Policy,
    sight: Sight,
    ctx: &Context<'_>,
    command: &Command,
) -> Result<Effect, DomainError> {
    if !in_sight(sight, ctx.community, ctx.actor.admin, ctx.actor_standing) {
        return Err(DomainError::CommunityNotFound);
    }
    decide_under(policy, ctx, command)
}
