//! The vocabulary of membership: roles, standings, community settings and
//! the counters that must always equal the membership rows.

use crate::ids::{CommunityId, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use strum::{IntoStaticStr, VariantArray};

/// A value that does not name any variant of an enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{value}'")]
pub struct ParseError {
    pub what: &'static str,
    pub value: String,
}

/// The string forms of an enum whose variants are plain names: `as_str`
/// (strum's `IntoStaticStr`), `Display`, every variant as `ALL` (strum's
/// `VariantArray`), and `FromStr` refusing an unknown name with a
/// [`ParseError`] naming `what` was parsed.
macro_rules! string_forms {
    ($name:ident, $what:literal) => {
        impl $name {
            /// Every variant, in order.
            pub const ALL: &'static [$name] = <$name as strum::VariantArray>::VARIANTS;

            /// The stable lowercase name used in storage and in the native API.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }

        impl FromStr for $name {
            type Err = ParseError;
            fn from_str(text: &str) -> Result<Self, ParseError> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|variant| variant.as_str() == text)
                    .ok_or_else(|| ParseError {
                        what: $what,
                        value: text.to_owned(),
                    })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_forms;

/// A plain-named enum with its derives and [`string_forms!`]: its stored
/// names are its variants' in snake_case.
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            IntoStaticStr, VariantArray,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($variant),+ }
        string_forms!($name, $what);
    };
}

string_enum!(
    /// A member's role, ordered by rank: member < manager < owner.
    Role, "role" { Member, Manager, Owner }
);
string_enum!(
    /// Who can see a community: anyone, or only the people who have a standing in it.
    Visibility, "visibility" { Public, Private }
);
string_enum!(
    /// What a join by a person with no standing does.
    JoinPolicy, "join policy" { Open, Request, Invite }
);
string_enum!(
    /// Who may contribute content (Whisk's mode, Rocket.Chat's `ro`).
    ContributionMode, "contribution mode" { Anyone, Managers }
);

impl JoinPolicy {
    /// The policy of a new community that names none: public ones are
    /// open, private ones take join requests.
    pub fn default_for(visibility: Visibility) -> JoinPolicy {
        match visibility {
            Visibility::Public => JoinPolicy::Open,
            Visibility::Private => JoinPolicy::Request,
        }
    }
}

/// A person's standing in one community.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Standing {
    /// No relation at all.
    #[default]
    None,
    /// Invited by a manager; joining accepts the invitation.
    Invited,
    /// Asked to join a community whose policy is `request`.
    Requested,
    /// A member with a role.
    Member(Role),
    /// Banned: may not join until unbanned.
    Banned,
}

impl Standing {
    /// Every standing a membership row can hold (everything but `None`).
    pub const STORED: [Standing; 6] = [
        Standing::Member(Role::Owner),
        Standing::Member(Role::Manager),
        Standing::Member(Role::Member),
        Standing::Invited,
        Standing::Requested,
        Standing::Banned,
    ];

    /// The role, if this is a membership.
    pub fn role(self) -> Option<Role> {
        match self {
            Standing::Member(role) => Some(role),
            _ => None,
        }
    }

    pub fn is_member(self) -> bool {
        matches!(self, Standing::Member(_))
    }

    /// The flat name stored in a membership row and used by the native API:
    /// `owner`, `manager`, `member`, `invited`, `requested`, `banned` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::None => "none",
            Standing::Invited => "invited",
            Standing::Requested => "requested",
            Standing::Member(role) => role.as_str(),
            Standing::Banned => "banned",
        }
    }
}

impl FromStr for Standing {
    type Err = ParseError;
    fn from_str(text: &str) -> Result<Self, ParseError> {
        match text {
            "none" => Ok(Standing::None),
            "invited" => Ok(Standing::Invited),
            "requested" => Ok(Standing::Requested),
            "banned" => Ok(Standing::Banned),
            other => other
                .parse::<Role>()
                .map(Standing::Member)
                .map_err(|_| ParseError {
                    what: "standing",
                    value: text.to_owned(),
                }),
        }
    }
}

impl fmt::Display for Standing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A community's editable settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub name: String,
    pub description: String,
    pub visibility: Visibility,
    pub join_policy: JoinPolicy,
    pub contribution_mode: ContributionMode,
}

/// Counters kept on the community row; always equal to its membership rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Members of any role.
    pub members: i64,
    /// Members whose role is owner.
    pub owners: i64,
    /// Pending join requests.
    pub pending: i64,
    /// Open invitations.
    pub invited: i64,
}

impl Counters {
    /// The counters after one person's standing moves from `from` to `to`.
    pub fn apply(&mut self, from: Standing, to: Standing) {
        self.add(from, -1);
        self.add(to, 1);
    }

    fn add(&mut self, standing: Standing, delta: i64) {
        match standing {
            Standing::Member(role) => {
                self.members += delta;
                if role == Role::Owner {
                    self.owners += delta;
                }
            }
            Standing::Requested => self.pending += delta,
            Standing::Invited => self.invited += delta,
            Standing::None | Standing::Banned => {}
        }
    }
}

/// The projection of a community that every decision reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommunityState {
    pub id: CommunityId,
    pub settings: Settings,
    pub archived: bool,
    /// The site community (Wix's "site members"): one per server, never deleted.
    pub site: bool,
    pub creator: UserId,
    pub counters: Counters,
}

/// Who is acting: a user, and whether their token is elevated (`admin`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    pub admin: bool,
}

impl Actor {
    /// The actor a command runs as when this one acts for `member` (the
    /// dialect has checked it may): itself for itself; for anyone else,
    /// that member as they would act on their own, without elevation, so
    /// that acting for someone never does more than they could.
    pub fn acting_for(self, member: UserId) -> Actor {
        if member == self.user {
            self
        } else {
            Actor {
                user: member,
                admin: false,
            }
        }
    }
}
