//! The membership routes of both families: `invite` (one user, or the
//! newer `userIds`/`usernames` arrays), `kick`, `leave`, `join` (channels)
//! and the owner and moderator roles. Each is one engine command per
//! person; the rules (who may add, kick or promote whom, the last owner)
//! are the engine's.

use super::envelope::{Action, RcError};
use super::rooms::{answer, room, Call, Family, Kind};
use super::views;
use crate::app::AppState;
use crate::http::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use roster_engine::{Command, Role, UserId};
use roster_store::{CommunityKey, Outcome, UserKey};
use serde_json::Value;

/// Most people one `invite` adds by `userIds` or `usernames`.
const MAX_INVITED: usize = 1000;

/// `POST …leave`: the room as it stands after the leave.
pub async fn leave<K: Kind>(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let call = Call::post(&state, &headers, body, Action::Leave, K::FAMILY).await?;
        let outcome = call.execute_here(Command::Leave).await?;
        let usernames = call.usernames(&outcome.community).await?;
        Ok(call.room_reply(views::group_after_leave(&outcome.community, usernames)))
    };
    answer(K::FAMILY, result.await)
}

/// `POST channels.join`: Rocket.Chat's `joinRoom`. Roster's communities
/// have no join codes, so a `joinCode` is not needed and is ignored.
pub async fn join<K: Kind>(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let call = Call::post(&state, &headers, body, Action::Join, K::FAMILY).await?;
        let outcome = call.execute_here(Command::Join).await?;
        Ok(call.room_reply(room(&outcome.community)))
    };
    answer(K::FAMILY, result.await)
}

/// `POST …invite`: Rocket.Chat adds the users directly, by `userId` /
/// `username`, or by the arrays `userIds` / `usernames` (every user is
/// found before anyone is added; each addition is its own event).
pub async fn invite<K: Kind>(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let call = Call::post(&state, &headers, body, Action::Invite, K::FAMILY).await?;
        let (community, _) = call.resolve().await?;
        let people = invitees(&call).await?;
        let key = CommunityKey::Id(community.id());
        let mut latest = community;
        for subject in people {
            let outcome = call.execute(key.clone(), Command::Add { subject }).await?;
            latest = outcome.community;
        }
        Ok(call.room_reply(room(&latest)))
    };
    answer(K::FAMILY, result.await)
}

/// The people an invite names: the arrays when given, else one user.
async fn invitees(call: &Call) -> Result<Vec<UserId>, RcError> {
    let action = call.action;
    let keys: Vec<UserKey> = match (
        list(call, "userIds", action)?,
        list(call, "usernames", action)?,
    ) {
        (Some(ids), _) => ids
            .into_iter()
            .map(|id| match UserId::parse(id.trim()) {
                Some(id) => Ok(UserKey::Id(id)),
                None => Err(RcError::user_not_found(action)),
            })
            .collect::<Result<_, _>>()?,
        (None, Some(names)) => names.into_iter().map(UserKey::Username).collect(),
        (None, None) => return Ok(vec![call.subject().await?.id]),
    };
    let mut people = Vec::with_capacity(keys.len());
    for key in keys {
        match call.state.find_user(key).await.map_err(|e| call.fault(e))? {
            Some(user) if !people.contains(&user.id) => people.push(user.id),
            Some(_) => {}
            None => return Err(RcError::user_not_found(action)),
        }
    }
    Ok(people)
}

/// An array of strings, when the key is present.
fn list(call: &Call, key: &str, action: Action) -> Result<Option<Vec<String>>, RcError> {
    let bad = || {
        RcError::invalid(
            action,
            &format!("The parameter \"{key}\" must be an array of strings"),
        )
    };
    match call.params.get(key) {
        None => Ok(None),
        Some(Value::Array(items)) if items.is_empty() => Ok(None),
        Some(Value::Array(items)) if items.len() > MAX_INVITED => Err(RcError::invalid(
            action,
            &format!("The parameter \"{key}\" may hold at most {MAX_INVITED} users"),
        )),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(bad))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(bad()),
    }
}

/// A command about one other user of a room; unchanged is an error where
/// Rocket.Chat reports one (`addOwner` on an owner…).
async fn member_command(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    action: Action,
    family: Family,
    command: fn(UserId) -> Command,
) -> Result<(Call, Outcome), RcError> {
    let call = Call::post(state, headers, body, action, family).await?;
    let (community, _) = call.resolve().await?;
    let subject = call.subject().await?;
    let key = CommunityKey::Id(community.id());
    let outcome = call.execute(key, command(subject.id)).await?;
    if !outcome.changed() {
        if let Some(error) = RcError::unchanged(action) {
            return Err(error);
        }
    }
    Ok((call, outcome))
}

/// A member command answered `{"success": true}`.
async fn plain(
    state: AppState,
    headers: HeaderMap,
    body: Body,
    action: Action,
    family: Family,
    command: fn(UserId) -> Command,
) -> Response {
    let result = member_command(&state, &headers, body, action, family, command).await;
    answer(family, result.map(|(call, _)| call.done()))
}

/// `POST …kick`: `groups.kick` answers `{"success": true}`,
/// `channels.kick` the channel after the kick.
pub async fn kick<K: Kind>(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let remove = |subject| Command::Remove { subject };
    if K::FAMILY == Family::Group {
        return plain(state, headers, body, Action::Kick, K::FAMILY, remove).await;
    }
    let result = async {
        let (call, outcome) =
            member_command(&state, &headers, body, Action::Kick, K::FAMILY, remove).await?;
        Ok(call.room_reply(room(&outcome.community)))
    };
    answer(K::FAMILY, result.await)
}

/// `POST …addOwner`.
pub async fn add_owner<K: Kind>(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let command = |subject| set_role(subject, Role::Owner, None);
    plain(state, headers, body, Action::AddOwner, K::FAMILY, command).await
}

/// `POST …removeOwner`: demotes an owner (and only an owner) to member.
pub async fn remove_owner<K: Kind>(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let command = |subject| set_role(subject, Role::Member, Some(Role::Owner));
    plain(
        state,
        headers,
        body,
        Action::RemoveOwner,
        K::FAMILY,
        command,
    )
    .await
}

/// `POST …addModerator`: promotes a plain member to manager.
pub async fn add_moderator<K: Kind>(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let command = |subject| set_role(subject, Role::Manager, Some(Role::Member));
    plain(
        state,
        headers,
        body,
        Action::AddModerator,
        K::FAMILY,
        command,
    )
    .await
}

/// `POST …removeModerator`: demotes a manager to member.
pub async fn remove_moderator<K: Kind>(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let command = |subject| set_role(subject, Role::Member, Some(Role::Manager));
    plain(
        state,
        headers,
        body,
        Action::RemoveModerator,
        K::FAMILY,
        command,
    )
    .await
}

fn set_role(subject: UserId, role: Role, expect: Option<Role>) -> Command {
    Command::SetRole {
        subject,
        role,
        expect,
    }
}
