//! The guards every decision shares: the actor's rank against a role, and
//! the refusals that recur across commands (the last owner, the site
//! community). Kept apart from `decide.rs` so that its table and its
//! commands read without them.

use crate::decide::Context;
use crate::error::DomainError;
use crate::model::{Role, Standing};
use crate::policy::{Action, Policy, Rank};

/// The actor's rank: 0 without a membership, 1 member, 2 manager, 3 owner, 4 admin.
fn rank(ctx: &Context<'_>) -> u8 {
    if ctx.actor.admin {
        return 4;
    }
    match ctx.actor_standing {
        Standing::Member(role) => role_rank(role),
        _ => 0,
    }
}

fn role_rank(role: Role) -> u8 {
    match role {
        Role::Member => 1,
        Role::Manager => 2,
        Role::Owner => 3,
    }
}

pub(crate) fn require_manager(ctx: &Context<'_>) -> Result<(), DomainError> {
    if rank(ctx) >= role_rank(Role::Manager) {
        Ok(())
    } else {
        Err(DomainError::NotPermitted)
    }
}

/// The policy's check: may the actor's rank take `action`?
pub(crate) fn require(
    policy: &Policy,
    ctx: &Context<'_>,
    action: Action,
) -> Result<(), DomainError> {
    if policy.allows(action, Rank::of(ctx.actor.admin, ctx.actor_standing)) {
        Ok(())
    } else {
        Err(DomainError::NotPermitted)
    }
}

/// [`require`] for an action with an "anywhere" form: an admin with no
/// membership in the community is checked against `anywhere`, everyone
/// else against `here`.
pub(crate) fn require_here_or_anywhere(
    policy: &Policy,
    ctx: &Context<'_>,
    here: Action,
    anywhere: Action,
) -> Result<(), DomainError> {
    let outsider = !matches!(ctx.actor_standing, Standing::Member(_));
    if ctx.actor.admin && outsider {
        require(policy, ctx, anywhere)
    } else {
        require(policy, ctx, here)
    }
}

pub(crate) fn require_outranks(ctx: &Context<'_>, subject_role: Role) -> Result<(), DomainError> {
    if rank(ctx) > role_rank(subject_role) {
        Ok(())
    } else {
        Err(DomainError::NotPermitted)
    }
}

pub(crate) fn refuse_last_owner(ctx: &Context<'_>, role: Role) -> Result<(), DomainError> {
    if role == Role::Owner && ctx.community.counters.owners <= 1 {
        Err(DomainError::LastOwner)
    } else {
        Ok(())
    }
}

pub(crate) fn refuse_on_site(ctx: &Context<'_>) -> Result<(), DomainError> {
    if ctx.community.site {
        Err(DomainError::NotPermitted)
    } else {
        Ok(())
    }
}
