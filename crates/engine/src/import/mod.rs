//! Bulk import (`roster import`): the records a file may hold and the rules
//! each must pass before any row is written. The rules are the API's own
//! (names and texts from [`crate::users`] and `community_text.rs`, a
//! community's first owner, no membership without its user and community)
//! plus what only a file can get wrong: duplicates within the file, a
//! community without an owner, a membership that would demote that owner,
//! a standing that does not exist. [`plan()`] turns records and what the
//! database already holds into the rows to write, or a rejection per
//! record, so that the store only writes.

mod plan;

pub use plan::{
    plan, Existing, ExistingCommunity, Plan, PlannedCommunity, PlannedMember, PlannedUser,
};

use crate::error::DomainError;
use crate::event::{Decision, EventKind};
use crate::ids::{CommunityId, UserId};
use crate::model::{Settings, Standing};
use crate::{community_text, users};
use std::fmt;

/// How a record names a user or a community: its canonical id, or its
/// username / community name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ref<Id> {
    Id(Id),
    Name(String),
}

impl<Id: fmt::Display> fmt::Display for Ref<Id> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ref::Id(id) => write!(f, "{id}"),
            Ref::Name(name) => write!(f, "'{name}'"),
        }
    }
}

/// A password as a file gives it: in clear (hashed before writing) or
/// already an argon2 PHC string (an export's, or another system's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Password {
    Clear(String),
    Hash(String),
}

/// A user record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserRecord {
    /// Kept when given (an export's), so that ids survive a round trip.
    pub id: Option<UserId>,
    pub username: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub admin: bool,
    pub nickname: String,
    pub slug: String,
    pub first_name: String,
    pub last_name: String,
    pub photo_url: String,
    /// None: the account gets no usable password (a random one, hashed).
    pub password: Option<Password>,
}

/// A community record; its `owner` becomes its creator and first owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommunityRecord {
    pub id: Option<CommunityId>,
    pub settings: Settings,
    pub owner: Option<Ref<UserId>>,
    /// The site community (one per server): a file's site community is the
    /// database's when it has one already.
    pub site: bool,
    /// Archived communities come in archived (an export's).
    pub archived: bool,
}

/// A membership record: `standing` as written in the file (checked here).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MembershipRecord {
    pub community: Ref<CommunityId>,
    pub user: Ref<UserId>,
    pub standing: String,
    /// When the standing began, milliseconds since the epoch (now when absent).
    pub since: Option<i64>,
}

/// One record of an import file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    User(UserRecord),
    Community(CommunityRecord),
    Membership(MembershipRecord),
}

/// Why a record cannot be imported.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Reject {
    #[error("unknown user {0}")]
    UnknownUser(String),
    #[error("unknown community {0}")]
    UnknownCommunity(String),
    #[error("duplicate: {0} appears earlier in the file")]
    Duplicate(String),
    #[error("bad standing '{0}': use owner, manager, member, invited, requested or banned")]
    BadStanding(String),
    #[error("a community needs an owner: give its 'owner'")]
    OwnerMissing,
    #[error("{0} is the community's owner and must stay owner (no community is left without one)")]
    OwnerDemoted(String),
    #[error("{user} already has the standing '{standing}' here; import never changes a standing")]
    StandingConflict { user: String, standing: Standing },
    /// The record names a user or community whose own record was rejected.
    #[error("{0} was rejected on its own line")]
    DependsOnRejected(String),
    #[error("the community is archived")]
    Archived,
    #[error("{0}")]
    Rule(DomainError),
    /// Not decodable: the format layer's complaint (bad JSON, bad CSV row,
    /// not UTF-8, unknown record type).
    #[error("malformed: {0}")]
    Malformed(String),
}

/// A user record's fields, by the API's rules.
pub fn check_user(user: &UserRecord) -> Result<(), Reject> {
    users::validate_username(&user.username).map_err(Reject::Rule)?;
    if let Some(email) = users::email_or_none(user.email.as_deref()) {
        users::validate_email(email).map_err(Reject::Rule)?;
    }
    for (field, text) in [
        ("nickname", &user.nickname),
        ("slug", &user.slug),
        ("first_name", &user.first_name),
        ("last_name", &user.last_name),
        ("photo_url", &user.photo_url),
    ] {
        users::validate_text(field, text).map_err(Reject::Rule)?;
    }
    match &user.password {
        Some(Password::Clear(clear)) => users::validate_password(clear).map_err(Reject::Rule),
        Some(Password::Hash(hash)) => check_password_hash(hash),
        None => Ok(()),
    }
}

/// A stored password must be an argon2 PHC string (`$argon2id$…`).
pub fn check_password_hash(hash: &str) -> Result<(), Reject> {
    let ok = hash.len() <= users::MAX_PASSWORD
        && (hash.starts_with("$argon2id$")
            || hash.starts_with("$argon2i$")
            || hash.starts_with("$argon2d$"))
        && !hash.chars().any(|c| c.is_control() || c.is_whitespace());
    if !ok {
        return Err(Reject::Rule(DomainError::Invalid {
            field: "password_hash",
            reason: "must be an argon2 PHC string ($argon2id$...)",
        }));
    }
    Ok(())
}

/// A community record's settings, by the API's rules.
pub fn check_community(community: &CommunityRecord) -> Result<(), Reject> {
    community_text::validate_settings(&community.settings).map_err(Reject::Rule)
}

/// The standing a membership record names: any stored standing, never `none`.
pub fn parse_standing(text: &str) -> Result<Standing, Reject> {
    match text.parse::<Standing>() {
        Ok(Standing::None) | Err(_) => Err(Reject::BadStanding(text.to_owned())),
        Ok(standing) => Ok(standing),
    }
}

/// A membership for a person who already has a standing in the community:
/// the same standing is already there (nothing to do, so a re-import
/// changes nothing); any other would be a transition that only the API's
/// commands may make, so it is refused.
pub fn check_existing_standing(
    user: &str,
    current: Standing,
    wanted: Standing,
) -> Result<(), Reject> {
    if current == wanted {
        Ok(())
    } else {
        Err(Reject::StandingConflict {
            user: user.to_owned(),
            standing: current,
        })
    }
}

/// After an import a community with members has an owner (the invariant
/// the API keeps): true when the counters say so.
pub fn keeps_an_owner(members: i64, owners: i64) -> bool {
    members == 0 || owners > 0
}

/// The event an import writes: `imported`, by the community's owner, about
/// one person (`--events each`) or about the whole community (`subject`
/// `None`, the reason saying how many memberships came in).
pub fn decide_import(subject: Option<UserId>, memberships: usize) -> Decision {
    Decision {
        kind: EventKind::Imported,
        subject,
        reason: match subject {
            Some(_) => None,
            None => Some(format!("{memberships} memberships imported")),
        },
        changes: Vec::new(),
    }
}
