//! What a caller asks the engine to do. Every dialect's write ends up as one
//! of these.

use crate::ids::UserId;
use crate::model::{ContributionMode, JoinPolicy, Role, Settings, Visibility};
use serde::{Deserialize, Serialize};

/// A command on an existing community. The actor is passed beside it; the
/// `subject` of self-service commands (join, leave) is the actor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Join, request to join, or accept an invitation.
    Join,
    /// Leave, withdraw a request, or decline an invitation.
    Leave,
    /// Invite someone; inviting a requester approves the request.
    Invite {
        subject: UserId,
    },
    /// Take back an open invitation.
    RevokeInvitation {
        subject: UserId,
    },
    /// Make someone a member directly (Rocket.Chat's `groups.invite`).
    Add {
        subject: UserId,
    },
    Approve {
        subject: UserId,
    },
    Reject {
        subject: UserId,
    },
    /// End someone else's membership, request or invitation.
    Remove {
        subject: UserId,
    },
    /// Change a member's role. With `expect`, refuse unless the member's
    /// current role is that one (a compare-and-set, so that "remove owner"
    /// never demotes a moderator that a concurrent call just changed).
    SetRole {
        subject: UserId,
        role: Role,
        expect: Option<Role>,
    },
    /// The subject becomes an owner and the acting owner a manager, in one step.
    TransferOwnership {
        subject: UserId,
    },
    Ban {
        subject: UserId,
        reason: Option<String>,
    },
    Unban {
        subject: UserId,
    },
    Update(SettingsPatch),
    Archive,
    Unarchive,
    Delete,
}

impl Command {
    /// The person the command is about, when it is not the actor.
    pub fn subject(&self) -> Option<UserId> {
        match self {
            Command::Invite { subject }
            | Command::RevokeInvitation { subject }
            | Command::Add { subject }
            | Command::Approve { subject }
            | Command::Reject { subject }
            | Command::Remove { subject }
            | Command::SetRole { subject, .. }
            | Command::TransferOwnership { subject }
            | Command::Ban { subject, .. }
            | Command::Unban { subject } => Some(*subject),
            Command::Join
            | Command::Leave
            | Command::Update(_)
            | Command::Archive
            | Command::Unarchive
            | Command::Delete => None,
        }
    }

    /// A stable name for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Join => "join",
            Command::Leave => "leave",
            Command::Invite { .. } => "invite",
            Command::RevokeInvitation { .. } => "revoke_invitation",
            Command::Add { .. } => "add",
            Command::Approve { .. } => "approve",
            Command::Reject { .. } => "reject",
            Command::Remove { .. } => "remove",
            Command::SetRole { .. } => "set_role",
            Command::TransferOwnership { .. } => "transfer_ownership",
            Command::Ban { .. } => "ban",
            Command::Unban { .. } => "unban",
            Command::Update(_) => "update",
            Command::Archive => "archive",
            Command::Unarchive => "unarchive",
            Command::Delete => "delete",
        }
    }
}

/// A partial update of a community's settings; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub visibility: Option<Visibility>,
    pub join_policy: Option<JoinPolicy>,
    pub contribution_mode: Option<ContributionMode>,
}

/// A community to create; the actor becomes its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCommunity {
    pub settings: Settings,
    /// The site community (at most one per server).
    pub site: bool,
    /// People who start as members beside the owner (Rocket.Chat's
    /// `groups.create` with `members`), added in the same step.
    pub members: Vec<UserId>,
}
