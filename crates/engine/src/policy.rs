//! The server-wide permission policy: for each governed action, the lowest
//! rank allowed to take it. Deployments tune who may invite, remove, ban,
//! set roles, archive or create (Rocket.Chat's permission grid is one view
//! of it); the defaults are the rules Roster always had, so nothing changes
//! for anyone who does not touch it.
//!
//! What a policy can never change: the invariants. The last owner cannot
//! leave, be removed, be banned or be demoted, whatever the policy says;
//! removing or banning a member still needs a rank above theirs; demoting a
//! manager still needs a rank above manager; the site community can never
//! be archived or deleted. The policy only decides whether an actor's rank
//! lets them *try*.
//!
//! | action | commands | default | levels accepted |
//! |---|---|---|---|
//! | `create` | create a community | member (any user) | member, admin, nobody |
//! | `invite` | invite, add, approve, reject, revoke an invitation | manager | any |
//! | `invite_anywhere` | the same, by an admin with no membership in the community | admin | admin, nobody |
//! | `remove` | remove a member (of a lower rank) | manager | any |
//! | `remove_anywhere` | remove, by an admin with no membership in the community | admin | admin, nobody |
//! | `ban` | ban (a lower rank) and unban | manager | any |
//! | `set_owner` | any role change to or from owner; transfer ownership | owner | any |
//! | `set_manager` | member ↔ manager (demoting a manager also needs a rank above manager) | manager | any |
//! | `archive` | archive | owner | any |
//! | `unarchive` | unarchive | owner | any |
//! | `delete` | delete a community | owner | any |
//! | `leave` | a member leaving (withdrawing a request or declining an invitation is never refused) | member | any |
//!
//! Ranks: member < manager < owner < admin (an elevated token); `nobody`
//! refuses everyone, admins too. Updating a community's settings is not
//! governed: it stays manager and above.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use strum::{IntoStaticStr, VariantArray};

use crate::error::DomainError;
use crate::model::{Actor, ParseError, Role, Standing};

/// A governed action.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    Create,
    Invite,
    InviteAnywhere,
    Remove,
    RemoveAnywhere,
    Ban,
    SetOwner,
    SetManager,
    Archive,
    Unarchive,
    Delete,
    Leave,
}

crate::model::string_forms!(Action, "policy action");

/// The lowest rank a policy lets take an action.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Level {
    Member,
    Manager,
    Owner,
    /// Admins (elevated tokens) only.
    Admin,
    /// Nobody, admins included.
    Nobody,
}

crate::model::string_forms!(Level, "policy level");

/// An actor's rank in one community: their role there, or `Admin` for an
/// elevated actor, or `None` without a membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rank {
    None,
    Member,
    Manager,
    Owner,
    Admin,
}

impl Rank {
    /// The rank of an actor with `standing`; `admin` outranks every role.
    pub fn of(admin: bool, standing: Standing) -> Rank {
        if admin {
            return Rank::Admin;
        }
        match standing {
            Standing::Member(role) => Rank::from(role),
            _ => Rank::None,
        }
    }
}

impl From<Role> for Rank {
    fn from(role: Role) -> Rank {
        match role {
            Role::Member => Rank::Member,
            Role::Manager => Rank::Manager,
            Role::Owner => Rank::Owner,
        }
    }
}

impl Level {
    /// Does this level admit `rank`?
    pub fn admits(self, rank: Rank) -> bool {
        let needed = match self {
            Level::Member => Rank::Member,
            Level::Manager => Rank::Manager,
            Level::Owner => Rank::Owner,
            Level::Admin => Rank::Admin,
            Level::Nobody => return false,
        };
        rank >= needed
    }
}

impl Action {
    /// Today's rule: the level nothing-configured means.
    pub fn default_level(self) -> Level {
        match self {
            Action::Create | Action::Leave => Level::Member,
            Action::Invite | Action::Remove | Action::Ban | Action::SetManager => Level::Manager,
            Action::InviteAnywhere | Action::RemoveAnywhere => Level::Admin,
            Action::SetOwner | Action::Archive | Action::Unarchive | Action::Delete => Level::Owner,
        }
    }

    /// The levels that mean something for this action. Creating happens
    /// outside any community (there is no role yet), and the `_anywhere`
    /// actions are by definition by someone with no role in the community.
    pub fn accepts(self, level: Level) -> bool {
        match self {
            Action::Create => matches!(level, Level::Member | Level::Admin | Level::Nobody),
            Action::InviteAnywhere | Action::RemoveAnywhere => {
                matches!(level, Level::Admin | Level::Nobody)
            }
            _ => true,
        }
    }
}

/// The server-wide policy: a level per action. Built from defaults plus
/// the stored overrides; `Policy::default()` is today's rules.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Policy {
    /// Only the actions set away from their default.
    overrides: BTreeMap<Action, Level>,
}

impl Policy {
    /// The level of `action`.
    pub fn level(&self, action: Action) -> Level {
        self.overrides
            .get(&action)
            .copied()
            .unwrap_or_else(|| action.default_level())
    }

    /// Set one action's level, refusing a level the action does not accept.
    pub fn set(&mut self, action: Action, level: Level) -> Result<(), DomainError> {
        if !action.accepts(level) {
            return Err(DomainError::Invalid {
                field: action.into(),
                reason: "this level does not apply to this action",
            });
        }
        if level == action.default_level() {
            self.overrides.remove(&action);
        } else {
            self.overrides.insert(action, level);
        }
        Ok(())
    }

    /// Does the policy let an actor of `rank` take `action`?
    pub fn allows(&self, action: Action, rank: Rank) -> bool {
        self.level(action).admits(rank)
    }

    /// Every action with its level, in a stable order.
    pub fn levels(&self) -> Vec<(Action, Level)> {
        Action::ALL
            .iter()
            .map(|&action| (action, self.level(action)))
            .collect()
    }

    /// The actions set away from their default.
    pub fn overrides(&self) -> impl Iterator<Item = (Action, Level)> + '_ {
        self.overrides.iter().map(|(&a, &l)| (a, l))
    }

    /// What changes from `self` to `next`: `"action: old -> new"` per
    /// action, comma-separated (the policy event's reason); empty when
    /// nothing differs.
    pub fn describe_change(&self, next: &Policy) -> String {
        Action::ALL
            .iter()
            .filter(|&&a| self.level(a) != next.level(a))
            .map(|&a| format!("{a}: {} -> {}", self.level(a), next.level(a)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// An accepted policy change: the policy after it and the event's reason
/// (what moved, see [`Policy::describe_change`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyChange {
    pub next: Policy,
    pub reason: String,
}

/// May `actor` change the policy? Admins only (an elevated actor). A
/// dialect asks before it reads the request, to refuse in its own order.
pub fn may_change_policy(actor: Actor) -> bool {
    actor.admin
}

/// Decide a change of the policy: [`may_change_policy`]; each level must
/// apply to its action; `None` when nothing differs (no event).
pub fn decide_policy_change(
    actor: Actor,
    current: &Policy,
    changes: &[(Action, Level)],
) -> Result<Option<PolicyChange>, DomainError> {
    if !may_change_policy(actor) {
        return Err(DomainError::NotPermitted);
    }
    let mut next = current.clone();
    for &(action, level) in changes {
        next.set(action, level)?;
    }
    let reason = current.describe_change(&next);
    if reason.is_empty() {
        return Ok(None);
    }
    Ok(Some(PolicyChange { next, reason }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_todays_ranks() {
        let policy = Policy::default();
        assert!(policy.allows(Action::Invite, Rank::Manager));
        assert!(!policy.allows(Action::Invite, Rank::Member));
        assert!(policy.allows(Action::Delete, Rank::Owner));
        assert!(!policy.allows(Action::Delete, Rank::Manager));
        assert!(policy.allows(Action::RemoveAnywhere, Rank::Admin));
        assert!(!policy.allows(Action::RemoveAnywhere, Rank::Owner));
        assert!(policy.allows(Action::Leave, Rank::Member));
        assert!(!policy.allows(Action::Leave, Rank::None));
        assert_eq!(policy.overrides().count(), 0);
    }

    #[test]
    fn nobody_refuses_admins_and_defaults_are_not_stored() {
        let mut policy = Policy::default();
        policy.set(Action::Ban, Level::Nobody).unwrap();
        assert!(!policy.allows(Action::Ban, Rank::Admin));
        policy.set(Action::Ban, Level::Manager).unwrap();
        assert_eq!(policy, Policy::default());
    }

    #[test]
    fn levels_that_mean_nothing_are_refused() {
        let mut policy = Policy::default();
        assert!(policy.set(Action::Create, Level::Owner).is_err());
        assert!(policy.set(Action::RemoveAnywhere, Level::Member).is_err());
        assert!(policy.set(Action::RemoveAnywhere, Level::Nobody).is_ok());
        assert_eq!(policy.level(Action::Create), Level::Member);
    }

    #[test]
    fn only_admins_change_the_policy_and_no_change_is_none() {
        let user = crate::UserId(uuid::Uuid::from_u128(1));
        let plain = Actor { user, admin: false };
        let admin = Actor { user, admin: true };
        let change = [(Action::Invite, Level::Member)];
        let current = Policy::default();
        assert_eq!(
            decide_policy_change(plain, &current, &change),
            Err(DomainError::NotPermitted)
        );
        let accepted = decide_policy_change(admin, &current, &change)
            .unwrap()
            .unwrap();
        assert_eq!(accepted.next.level(Action::Invite), Level::Member);
        assert_eq!(accepted.reason, "invite: manager -> member");
        assert_eq!(
            decide_policy_change(admin, &accepted.next, &change),
            Ok(None)
        );
    }

    #[test]
    fn a_change_is_described() {
        let mut next = Policy::default();
        next.set(Action::Remove, Level::Owner).unwrap();
        assert_eq!(
            Policy::default().describe_change(&next),
            "remove: manager -> owner"
        );
        assert_eq!(next.describe_change(&next), "");
    }
}
