//! Roster's records as Rocket.Chat documents: a room (a private group of
//! type `p`, or a public channel of type `c`), a user, a member of a room.
//! Ids are the hyphenated UUIDs. Each document is a typed struct, so that a
//! misspelt wire key is a compile error.

use crate::http::timestamp;
use roster_engine::{ContributionMode, Visibility};
use roster_store::{Community, User};
use serde::Serialize;

/// A room's type: `c` for a public community (a channel), `p` for a
/// private one (a group).
pub fn room_type(c: &Community) -> &'static str {
    match c.state.settings.visibility {
        Visibility::Public => "c",
        Visibility::Private => "p",
    }
}

/// A user as a room names its creator (`u`).
#[derive(Serialize)]
pub struct Creator {
    #[serde(rename = "_id")]
    id: String,
    username: String,
}

/// A room document.
#[derive(Serialize)]
pub struct Room {
    #[serde(rename = "_id")]
    id: String,
    name: String,
    /// Shown by every rendering but `groups.leave`'s.
    #[serde(skip_serializing_if = "Option::is_none")]
    fname: Option<String>,
    t: &'static str,
    #[serde(rename = "usersCount")]
    users_count: i64,
    msgs: u64,
    u: Creator,
    ts: String,
    ro: bool,
    #[serde(rename = "sysMes")]
    sys_mes: bool,
    #[serde(rename = "_updatedAt")]
    updated_at: String,
    /// Only in `groups.leave`'s answer, and only for a small room.
    #[serde(skip_serializing_if = "Option::is_none")]
    usernames: Option<Vec<String>>,
}

/// The fields every rendering of a group shares.
fn group_base(c: &Community) -> Room {
    let state = &c.state;
    Room {
        id: c.id().to_string(),
        name: state.settings.name.clone(),
        fname: None,
        t: room_type(c),
        users_count: state.counters.members,
        msgs: 0,
        u: Creator {
            id: c.creator.id.to_string(),
            username: c.creator.username.clone(),
        },
        ts: timestamp(c.created_at),
        ro: state.settings.contribution_mode == ContributionMode::Managers,
        sys_mes: true,
        updated_at: timestamp(c.updated_at),
        usernames: None,
    }
}

/// The group as `groups.leave` documents it: with the members' usernames
/// when the leave's transaction read them (a room of at most
/// [`roster_store::ROOM_USERNAMES_LIMIT`] members).
pub fn group_after_leave(c: &Community, usernames: Option<Vec<String>>) -> Room {
    Room {
        usernames,
        ..group_base(c)
    }
}

/// The group as `groups.create`, `groups.info`, `groups.invite` and
/// `groups.list` show it.
pub fn group(c: &Community) -> Room {
    Room {
        fname: Some(c.state.settings.name.clone()),
        ..group_base(c)
    }
}

/// The name Rocket.Chat shows: the nickname, else first and last name, else
/// the username.
pub fn display_name(user: &User) -> String {
    let profile = &user.profile;
    if !profile.nickname.trim().is_empty() {
        return profile.nickname.clone();
    }
    let full = format!("{} {}", profile.first_name.trim(), profile.last_name.trim());
    match full.trim() {
        "" => user.username.clone(),
        name => name.to_owned(),
    }
}

/// A member in `groups.members`. Its keys are declared in the order the
/// `json!` map it replaced wrote them (`groups.members` is not re-sorted).
#[derive(Serialize)]
pub struct Member {
    #[serde(rename = "_id")]
    id: String,
    name: String,
    status: &'static str,
    username: String,
}

pub fn member(user: &User) -> Member {
    Member {
        id: user.id.to_string(),
        username: user.username.clone(),
        name: display_name(user),
        status: "offline",
    }
}

/// A user in `users.info`: a member's fields, and `active`.
#[derive(Serialize)]
pub struct UserInfo {
    #[serde(flatten)]
    member: Member,
    active: bool,
}

pub fn user(user: &User) -> UserInfo {
    UserInfo {
        member: member(user),
        active: true,
    }
}

/// One address of `me`'s `emails`.
#[derive(Serialize)]
pub struct Email {
    address: String,
    verified: bool,
}

/// The caller in `me` and in `login`'s `data.me`: `users.info`'s fields,
/// the roles and the address.
#[derive(Serialize)]
pub struct Me {
    #[serde(flatten)]
    user: UserInfo,
    roles: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    emails: Option<[Email; 1]>,
}

pub fn me(account: &User) -> Me {
    let mut roles = vec!["user"];
    if account.admin {
        roles.push("admin");
    }
    let emails = account.email.as_ref().map(|address| {
        [Email {
            address: address.clone(),
            verified: account.email_verified,
        }]
    });
    Me {
        user: user(account),
        roles,
        emails,
    }
}
