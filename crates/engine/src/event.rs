//! What an accepted command changed. Each accepted command yields exactly one
//! [`Decision`]: one event kind plus the row changes the store applies in the
//! same transaction.

use crate::ids::UserId;
use crate::model::{Settings, Standing};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kind of an event in the audit log and change feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    Updated,
    Archived,
    Unarchived,
    Deleted,
    Joined,
    Requested,
    RequestWithdrawn,
    Left,
    Invited,
    InvitationAccepted,
    InvitationDeclined,
    InvitationRevoked,
    Added,
    Approved,
    Rejected,
    Removed,
    RoleChanged,
    OwnershipTransferred,
    Banned,
    Unbanned,
}

impl EventKind {
    pub const ALL: &'static [EventKind] = &[
        EventKind::Created,
        EventKind::Updated,
        EventKind::Archived,
        EventKind::Unarchived,
        EventKind::Deleted,
        EventKind::Joined,
        EventKind::Requested,
        EventKind::RequestWithdrawn,
        EventKind::Left,
        EventKind::Invited,
        EventKind::InvitationAccepted,
        EventKind::InvitationDeclined,
        EventKind::InvitationRevoked,
        EventKind::Added,
        EventKind::Approved,
        EventKind::Rejected,
        EventKind::Removed,
        EventKind::RoleChanged,
        EventKind::OwnershipTransferred,
        EventKind::Banned,
        EventKind::Unbanned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Updated => "updated",
            EventKind::Archived => "archived",
            EventKind::Unarchived => "unarchived",
            EventKind::Deleted => "deleted",
            EventKind::Joined => "joined",
            EventKind::Requested => "requested",
            EventKind::RequestWithdrawn => "request_withdrawn",
            EventKind::Left => "left",
            EventKind::Invited => "invited",
            EventKind::InvitationAccepted => "invitation_accepted",
            EventKind::InvitationDeclined => "invitation_declined",
            EventKind::InvitationRevoked => "invitation_revoked",
            EventKind::Added => "added",
            EventKind::Approved => "approved",
            EventKind::Rejected => "rejected",
            EventKind::Removed => "removed",
            EventKind::RoleChanged => "role_changed",
            EventKind::OwnershipTransferred => "ownership_transferred",
            EventKind::Banned => "banned",
            EventKind::Unbanned => "unbanned",
        }
    }
}

impl FromStr for EventKind {
    type Err = crate::model::ParseError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        EventKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| crate::model::ParseError {
                what: "event kind",
                value: text.to_owned(),
            })
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One person's standing moving from one value to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    pub user: UserId,
    pub from: Standing,
    pub to: Standing,
}

/// A change the store must apply to its rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Write (or delete, when `to` is `None`) a membership row and adjust the counters.
    Standing(Transition),
    /// Replace the community's settings.
    Settings(Settings),
    /// Set or clear the archived flag.
    Archived(bool),
    /// Delete the community and every membership in it.
    Delete,
}

/// An accepted command: the event to append and the changes to apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub kind: EventKind,
    /// The person the event is about (the actor for self-service commands).
    pub subject: Option<UserId>,
    pub reason: Option<String>,
    pub changes: Vec<Change>,
}

/// The result of a command that was not refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing to do (already joined, already banned, …): no row, no event.
    Unchanged,
    Changed(Decision),
}
