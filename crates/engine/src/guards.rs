//! The guards every decision shares: the actor's rank against a role, and
//! the refusals that recur across commands (the last owner, the site
//! community). Kept apart from `decide.rs` so that its table and its
//! commands read without them.

use crate::decide::Context;
use crate::error::DomainError;
use crate::model::{Role, Standing};

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

pub(crate) fn require_owner(ctx: &Context<'_>) -> Result<(), DomainError> {
    if rank(ctx) >= role_rank(Role::Owner) {
        Ok(())
    } else {
        Err(DomainError::NotPermitted)
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
