//! The read routes of both families: `info`, `members`, the lists
//! (`groups.list` and `channels.list.joined`: the caller's rooms;
//! `channels.list`: every channel), `roles`, `moderators`, `counters`,
//! and `open` / `close` / `hide`, which in Rocket.Chat change only how a
//! member's client shows the room: Roster keeps no such per-member view
//! state, so they check that the caller is a member and change nothing.
//!
//! `msgs` (here, in `counters`, and in every room document) is 0: Roster
//! keeps no messages, and it does not invent the system messages
//! Rocket.Chat would post for membership changes; its event feed
//! (`GET /v1/communities/{id}/events`) is where those changes are read.

use super::envelope::{self, RcError};
use super::extract::{op, Answer, Room};
use super::rooms::{room, Call, Kind};
use super::views;
use crate::http::timestamp;
use axum::response::Response;
use roster_engine::{Role, Standing};
use roster_store::RoomQuery;
use serde::Serialize;

/// Most owners and moderators `roles` and `moderators` list.
const MAX_ROLES: u32 = 1000;

/// `GET …info?roomId=…|roomName=…`.
pub async fn info<K: Kind>(call: Room<K, op::Info>) -> Answer<K> {
    let (community, _) = call.resolve().await?;
    Ok(call.room_reply(room(&community)))
}

/// `{"members": […], "count", "offset", "total", "success": true}`.
#[derive(Serialize)]
struct MembersPage {
    members: Vec<views::Member>,
    count: usize,
    offset: u64,
    total: u64,
}

/// `GET …members?roomId=…&offset=…&count=…`.
pub async fn members<K: Kind>(call: Room<K, op::Members>) -> Answer<K> {
    let (community, _) = call.resolve().await?;
    let (offset, count) = call.page()?;
    let page = call
        .members(&community, Vec::new(), offset, count as u32)
        .await?;
    let members: Vec<views::Member> = page.items.iter().map(|m| views::member(&m.user)).collect();
    Ok(envelope::ok(MembersPage {
        count: members.len(),
        members,
        offset,
        total: page.total,
    }))
}

/// `GET groups.list` / `channels.list.joined`: the caller's rooms of the
/// family; `channels.list`: every channel.
async fn rooms_page(call: &Call, joined: bool) -> Result<Response, RcError> {
    let (offset, count) = call.page()?;
    let query = RoomQuery {
        visibility: call.family.visibility(),
        member: joined.then_some(call.principal.user.id),
        offset,
        limit: count as u32,
    };
    let page = call.state.rooms(query).await.map_err(|e| call.fault(e))?;
    let rooms: Vec<views::Room> = page.items.iter().map(|(c, _)| room(c)).collect();
    let count = rooms.len();
    let (groups, channels) = match call.family {
        super::rooms::Family::Group => (Some(rooms), None),
        super::rooms::Family::Channel => (None, Some(rooms)),
    };
    Ok(envelope::reply(RoomsPage {
        groups,
        channels,
        count,
        offset,
        total: page.total,
    }))
}

/// `{"groups"|"channels": […], "count", "offset", "total", "success": true}`.
#[derive(Serialize)]
struct RoomsPage {
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<Vec<views::Room>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channels: Option<Vec<views::Room>>,
    count: usize,
    offset: u64,
    total: u64,
}

/// `GET groups.list` and `GET channels.list.joined`.
pub async fn joined<K: Kind>(call: Room<K, op::List>) -> Answer<K> {
    Ok(rooms_page(&call, true).await?)
}

/// `GET channels.list`: every channel.
pub async fn every<K: Kind>(call: Room<K, op::List>) -> Answer<K> {
    Ok(rooms_page(&call, false).await?)
}

/// A user as `roles` and `moderators` show one.
#[derive(Serialize)]
struct RoleUser {
    #[serde(rename = "_id")]
    id: String,
    username: String,
    name: String,
}

/// One entry of `roles`: a member and their room roles.
#[derive(Serialize)]
struct RoomRole {
    rid: String,
    u: RoleUser,
    roles: Vec<&'static str>,
}

#[derive(Serialize)]
struct Roles {
    roles: Vec<RoomRole>,
}

#[derive(Serialize)]
struct Moderators {
    moderators: Vec<RoleUser>,
}

/// The room's members holding `standings`, up to [`MAX_ROLES`].
async fn holders(
    call: &Call,
    standings: Vec<Standing>,
) -> Result<(String, Vec<(RoleUser, &'static str)>), RcError> {
    let (community, _) = call.resolve().await?;
    let id = community.id();
    let page = call.members(&community, standings, 0, MAX_ROLES).await?;
    let people = page
        .items
        .iter()
        .map(|m| {
            let role = match m.standing {
                Standing::Member(Role::Owner) => "owner",
                _ => "moderator",
            };
            let user = RoleUser {
                id: m.user.id.to_string(),
                username: m.user.username.clone(),
                name: views::display_name(&m.user),
            };
            (user, role)
        })
        .collect();
    Ok((id.to_string(), people))
}

/// `GET …roles?roomId=…`: the owners (`owner`) and managers (`moderator`).
pub async fn roles<K: Kind>(call: Room<K, op::Roles>) -> Answer<K> {
    let standings = vec![
        Standing::Member(Role::Owner),
        Standing::Member(Role::Manager),
    ];
    let (rid, people) = holders(&call, standings).await?;
    let roles = people
        .into_iter()
        .map(|(u, role)| RoomRole {
            rid: rid.clone(),
            u,
            roles: vec![role],
        })
        .collect();
    Ok(envelope::ok(Roles { roles }))
}

/// `GET …moderators?roomId=…`: the managers.
pub async fn moderators<K: Kind>(call: Room<K, op::Moderators>) -> Answer<K> {
    let (_, people) = holders(&call, vec![Standing::Member(Role::Manager)]).await?;
    let moderators = people.into_iter().map(|(u, _)| u).collect();
    Ok(envelope::ok(Moderators { moderators }))
}

/// `counters`: Roster keeps no messages, so nothing is unread.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Counters {
    joined: bool,
    members: i64,
    unreads: u64,
    unreads_from: Option<String>,
    msgs: u64,
    latest: String,
    user_mentions: u64,
}

/// `GET …counters?roomId=…`.
pub async fn counters<K: Kind>(call: Room<K, op::Counters>) -> Answer<K> {
    let (community, standing) = call.resolve().await?;
    let joined = standing.is_member();
    let updated = timestamp(community.updated_at);
    Ok(envelope::ok(Counters {
        joined,
        members: community.state.counters.members,
        unreads: 0,
        unreads_from: joined.then(|| updated.clone()),
        msgs: 0,
        latest: updated,
        user_mentions: 0,
    }))
}

/// `open`, `close`, `hide`: a member's own view of the room. Roster keeps
/// none, so each answers `{"success": true}` for a member of the room
/// and the family's not-in-room failure for anyone else.
async fn view_change(call: &Call) -> Result<Response, RcError> {
    let (community, standing) = call.resolve().await?;
    if !standing.is_member() {
        let name = &community.state.settings.name;
        let noun = call.family.noun();
        return Err(RcError::failure(format!(
            "The user/callee is not in the {noun} \"{name}\"!"
        )));
    }
    Ok(call.done())
}

/// `POST …open`.
pub async fn open<K: Kind>(call: Room<K, op::Open>) -> Answer<K> {
    Ok(view_change(&call).await?)
}

/// `POST …close`.
pub async fn close<K: Kind>(call: Room<K, op::Close>) -> Answer<K> {
    Ok(view_change(&call).await?)
}

/// `POST …hide`.
pub async fn hide<K: Kind>(call: Room<K, op::Hide>) -> Answer<K> {
    Ok(view_change(&call).await?)
}
