//! Why a command was refused. Each dialect maps this enum in one exhaustive
//! `match`, so adding a variant fails to compile until every dialect has
//! chosen its wire form.

use crate::model::Role;

/// `&'static str` from a refusal is its variant's name in snake_case
/// (`last_owner`, `role_mismatch`): the metrics' label.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum DomainError {
    #[error("community not found")]
    CommunityNotFound,
    #[error("user not found")]
    UserNotFound,
    /// The actor has no membership, request or invitation to end.
    #[error("you are not a member of this community")]
    NotMember,
    /// The subject of a command is not a member (or has no standing to end).
    #[error("the user is not a member of this community")]
    SubjectNotMember,
    /// The last owner can neither leave, be removed, be banned nor be demoted.
    #[error("the last owner cannot leave; transfer ownership first")]
    LastOwner,
    /// The actor's rank does not allow the command.
    #[error("you are not allowed to do this")]
    NotPermitted,
    /// The actor is banned from the community.
    #[error("you are banned from this community")]
    Banned,
    /// The subject is banned; unban first.
    #[error("the user is banned from this community")]
    SubjectBanned,
    /// The community is invite-only and the actor holds no invitation.
    #[error("this community can only be joined by invitation")]
    InvitationRequired,
    #[error("the community is archived")]
    Archived,
    /// Approve or reject without a pending request.
    #[error("there is no pending join request")]
    NoRequest,
    /// `SetRole` with an `expect` that did not hold.
    #[error("the member's role is {actual}")]
    RoleMismatch { actual: Role },
    /// Another community already has this name.
    #[error("a community with this name already exists")]
    NameTaken,
    #[error("the username is taken")]
    UsernameTaken,
    #[error("the email address is taken")]
    EmailTaken,
    /// A field's value is not acceptable.
    #[error("{field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
}
