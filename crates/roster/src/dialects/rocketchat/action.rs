//! The Rocket.Chat operations Roster serves, each with the Meteor server
//! method a Rocket.Chat error names in `details.method` (the envelope's
//! failures in `envelope.rs` read some messages differently per operation),
//! and each as a marker type (`op::Leave`…) for the routes' extractor.

macro_rules! actions {
    ($($name:ident),* $(,)?) => {
        /// The Rocket.Chat operation a request performs; its Meteor method
        /// name goes into `details.method`, and some errors read differently
        /// per operation.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Action {
            $($name,)*
        }

        /// One marker type per operation, named as its [`Action`], so that a
        /// room route's extractor (`extract::Room<K, A>`) knows it.
        pub mod op {
            use super::{Action, Op};
            $(
                #[doc = concat!("[`Action::", stringify!($name), "`] as a type.")]
                // Only the room routes take the extractor; the others'
                // markers stand for the list's sake.
                #[allow(dead_code)]
                pub struct $name;
                impl Op for $name {
                    const ACTION: Action = Action::$name;
                }
            )*
        }
    };
}

/// An operation as a type.
pub trait Op: Send + Sync + 'static {
    const ACTION: Action;
}

actions!(
    Login,
    UsersInfo,
    Create,
    Invite,
    Leave,
    Kick,
    AddOwner,
    RemoveOwner,
    AddModerator,
    RemoveModerator,
    Archive,
    Unarchive,
    Info,
    Members,
    List,
    Delete,
    Rename,
    SetDescription,
    SetType,
    SetReadOnly,
    Roles,
    Moderators,
    Counters,
    Open,
    Close,
    Hide,
    Join,
    UsersCreate,
    UsersList,
    UsersUpdate,
    UsersDelete,
);

impl Action {
    /// The Rocket.Chat server method behind the REST route.
    pub fn method(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::UsersInfo => "getFullUserData",
            Action::Create => "createPrivateGroup",
            Action::Invite => "addUsersToRoom",
            Action::Leave => "leaveRoom",
            Action::Kick => "removeUserFromRoom",
            Action::AddOwner => "addRoomOwner",
            Action::RemoveOwner => "removeRoomOwner",
            Action::AddModerator => "addRoomModerator",
            Action::RemoveModerator => "removeRoomModerator",
            Action::Archive => "archiveRoom",
            Action::Unarchive => "unarchiveRoom",
            Action::Info => "getRoomById",
            Action::Members => "getUsersOfRoom",
            Action::List => "rooms/get",
            Action::Delete => "eraseRoom",
            Action::Rename | Action::SetDescription | Action::SetType | Action::SetReadOnly => {
                "saveRoomSettings"
            }
            Action::Roles | Action::Moderators => "getRoomRoles",
            Action::Counters => "getRoomCounters",
            Action::Open => "openRoom",
            Action::Close | Action::Hide => "hideRoom",
            Action::Join => "joinRoom",
            Action::UsersCreate | Action::UsersUpdate => "insertOrUpdateUser",
            Action::UsersList => "users.list",
            Action::UsersDelete => "deleteUser",
        }
    }
}
