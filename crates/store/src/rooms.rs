//! The query behind Rocket.Chat's two families of rooms (feature `rooms`):
//! a community is a private group or a public channel by its visibility,
//! so `groups.list`, `channels.list` and `channels.list.joined` each read
//! the communities of one visibility, all of them or one member's, paged
//! by offset. Kept apart from `model.rs` so the other queries read without it.

use roster_engine::{UserId, Visibility};

/// Non-site communities of one visibility, in creation order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomQuery {
    pub visibility: Visibility,
    /// Only those this user is a member of (any role); `None`: every one.
    pub member: Option<UserId>,
    pub offset: u64,
    pub limit: u32,
}
