//! Roster's records as Rocket.Chat documents: a room (a private group of
//! type `p`, or a public channel of type `c`), a user, a member of a room.
//! Ids are the hyphenated UUIDs.

use crate::http::timestamp;
use roster_engine::{ContributionMode, Visibility};
use roster_store::{Community, User};
use serde_json::{json, Map, Value};

/// Above this many members a group is shown without `usernames`, so that no
/// response costs O(members).
pub const USERNAMES_LIMIT: i64 = 1000;

/// A room's type: `c` for a public community (a channel), `p` for a
/// private one (a group).
pub fn room_type(c: &Community) -> &'static str {
    match c.state.settings.visibility {
        Visibility::Public => "c",
        Visibility::Private => "p",
    }
}

/// The fields every rendering of a group shares.
fn group_base(c: &Community) -> Map<String, Value> {
    let state = &c.state;
    let mut map = Map::new();
    map.insert("_id".into(), c.id().to_string().into());
    map.insert("name".into(), state.settings.name.clone().into());
    map.insert("t".into(), room_type(c).into());
    map.insert("usersCount".into(), state.counters.members.into());
    map.insert("msgs".into(), 0.into());
    map.insert(
        "u".into(),
        json!({ "_id": c.creator.id.to_string(), "username": c.creator.username }),
    );
    map.insert("ts".into(), timestamp(c.created_at).into());
    map.insert(
        "ro".into(),
        (state.settings.contribution_mode == ContributionMode::Managers).into(),
    );
    map.insert("sysMes".into(), true.into());
    map.insert("_updatedAt".into(), timestamp(c.updated_at).into());
    map
}

/// The group as `groups.leave` documents it: with the members' usernames
/// when they were fetched (at most [`USERNAMES_LIMIT`] members).
pub fn group_after_leave(c: &Community, usernames: Option<Vec<String>>) -> Value {
    let mut map = group_base(c);
    if let Some(usernames) = usernames {
        map.insert("usernames".into(), usernames.into());
    }
    Value::Object(map)
}

/// The group as `groups.create`, `groups.info`, `groups.invite` and
/// `groups.list` show it.
pub fn group(c: &Community) -> Value {
    let mut map = group_base(c);
    map.insert("fname".into(), c.state.settings.name.clone().into());
    Value::Object(map)
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

/// A member in `groups.members`.
pub fn member(user: &User) -> Value {
    json!({
        "_id": user.id.to_string(),
        "username": user.username,
        "name": display_name(user),
        "status": "offline",
    })
}

/// A user in `users.info`.
pub fn user(user: &User) -> Value {
    json!({
        "_id": user.id.to_string(),
        "username": user.username,
        "name": display_name(user),
        "status": "offline",
        "active": true,
    })
}

/// The caller in `me` and in `login`'s `data.me`.
pub fn me(user: &User) -> Map<String, Value> {
    let mut roles = vec!["user"];
    if user.admin {
        roles.push("admin");
    }
    let mut map = Map::new();
    map.insert("_id".into(), user.id.to_string().into());
    map.insert("username".into(), user.username.clone().into());
    map.insert("name".into(), display_name(user).into());
    map.insert("status".into(), "offline".into());
    map.insert("active".into(), true.into());
    map.insert("roles".into(), roles.into());
    if let Some(email) = &user.email {
        map.insert(
            "emails".into(),
            json!([{ "address": email, "verified": user.email_verified }]),
        );
    }
    map
}
