//! What an accepted command changed. Each accepted command yields exactly one
//! [`Decision`]: one event kind plus the row changes the store applies in the
//! same transaction.

use crate::ids::UserId;
use crate::model::ParseError;
use crate::model::{Settings, Standing};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use strum::{IntoStaticStr, VariantArray};

/// The kind of an event in the audit log and change feed.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
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
    /// The server's permission policy changed (issue 14); recorded on the
    /// site community, the reason saying what moved.
    PolicyChanged,
    /// Rows written by `roster import` (issue 15): one per community, or
    /// one per membership with `--events each`.
    Imported,
}

crate::model::string_forms!(EventKind, "event kind");

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
