//! Deleting an account: what it does to each community the account has a
//! standing in, decided here once so that every dialect (Rocket.Chat's
//! `users.delete` today) and every backend agree.
//!
//! Roster follows Rocket.Chat's `deleteUser`: only an admin may delete an
//! account; an account that is some community's last owner is refused
//! ([`DomainError::LastOwner`]) unless the caller confirms that ownership
//! is to be relinquished; then the community's longest-standing other
//! member becomes its owner, and a community left with nobody is deleted
//! (the site community is never deleted: it is left empty). Every other
//! standing (member, invited, requested, banned) simply ends. Each change
//! is its own event: `ownership_transferred` to the successor, `removed`
//! (reason `account deleted`) for the account's own row, or `deleted`.

use crate::error::DomainError;
use crate::event::{Change, Decision, EventKind, Transition};
use crate::ids::UserId;
use crate::model::{Actor, CommunityState, Role, Standing};

/// The reason written on the `removed` event of a deleted account.
pub const ACCOUNT_DELETED: &str = "account deleted";

/// May `actor` delete the account `subject`? Only an admin may
/// (Rocket.Chat's `delete-user` permission belongs to its admin role), and
/// not their own account: the one admin left could lock everyone out.
pub fn may_delete_account(actor: Actor, subject: UserId) -> Result<(), DomainError> {
    if actor.admin && actor.user != subject {
        Ok(())
    } else {
        Err(DomainError::NotPermitted)
    }
}

/// Does this community need a successor before `standing` can go?
pub fn needs_successor(community: &CommunityState, standing: Standing) -> bool {
    standing == Standing::Member(Role::Owner) && community.counters.owners <= 1
}

/// The decisions, in order, that end `user`'s `standing` in `community`.
/// `successor` is the longest-standing other member and their standing
/// (asked for only when [`needs_successor`]); `relinquish` is the caller's
/// consent to hand ownership on. Nothing for a user with no standing.
pub fn decide_account_departure(
    community: &CommunityState,
    user: UserId,
    standing: Standing,
    successor: Option<(UserId, Standing)>,
    relinquish: bool,
) -> Result<Vec<Decision>, DomainError> {
    if standing == Standing::None {
        return Ok(Vec::new());
    }
    let removal = Decision {
        kind: EventKind::Removed,
        subject: Some(user),
        reason: Some(ACCOUNT_DELETED.to_owned()),
        changes: vec![Change::Standing(Transition {
            user,
            from: standing,
            to: Standing::None,
        })],
    };
    if !needs_successor(community, standing) {
        return Ok(vec![removal]);
    }
    if !relinquish {
        return Err(DomainError::LastOwner);
    }
    match successor {
        Some((next, from @ Standing::Member(_))) => Ok(vec![
            Decision {
                kind: EventKind::OwnershipTransferred,
                subject: Some(next),
                reason: Some(ACCOUNT_DELETED.to_owned()),
                changes: vec![Change::Standing(Transition {
                    user: next,
                    from,
                    to: Standing::Member(Role::Owner),
                })],
            },
            removal,
        ]),
        _ if community.site => Ok(vec![removal]),
        _ => Ok(vec![Decision {
            kind: EventKind::Deleted,
            subject: Some(user),
            reason: Some(ACCOUNT_DELETED.to_owned()),
            changes: vec![Change::Delete],
        }]),
    }
}
