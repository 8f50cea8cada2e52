//! The membership routes of both families: `invite` (one user, or the
//! newer `userIds`/`usernames` arrays), `kick`, `leave`, `join` (channels)
//! and the owner and moderator roles. Each is one engine command per
//! person; the rules (who may add, kick or promote whom, the last owner)
//! are the engine's.

use super::envelope::{Action, RcError};
use super::extract::{op, Answer, Room};
use super::rooms::{room, Call, Family, Kind};
use super::views;
use roster_engine::{Command, Role, UserId};
use roster_store::UserKey;
use serde_json::Value;

/// Most people one `invite` adds by `userIds` or `usernames`.
const MAX_INVITED: usize = 1000;

/// `POST …leave`: the room as it stands after the leave, with its
/// usernames as the leave's own transaction read them (small rooms only).
pub async fn leave<K: Kind>(call: Room<K, op::Leave>) -> Answer<K> {
    let outcome = call.execute_here(Command::Leave).await?;
    let room = views::group_after_leave(&outcome.community, outcome.usernames);
    Ok(call.room_reply(room))
}

/// `POST channels.join`: Rocket.Chat's `joinRoom`. Roster's communities
/// have no join codes, so a `joinCode` is not needed and is ignored.
pub async fn join<K: Kind>(call: Room<K, op::Join>) -> Answer<K> {
    let outcome = call.execute_here(Command::Join).await?;
    Ok(call.room_reply(room(&outcome.community)))
}

/// `POST …invite`: Rocket.Chat adds the users directly, by `userId` /
/// `username`, or by the arrays `userIds` / `usernames` (every user is
/// found, in one read, before anyone is added; each addition is its own
/// event, and the first also finds the room).
pub async fn invite<K: Kind>(call: Room<K, op::Invite>) -> Answer<K> {
    let key = call.key()?;
    let people = invitees(&call).await;
    let people = call.room_first(people).await?;
    let mut latest = None;
    for subject in people {
        let outcome = call.execute(key.clone(), Command::Add { subject }).await?;
        latest = Some(outcome.community);
    }
    let latest = match latest {
        Some(community) => community,
        None => call.resolve().await?.0,
    };
    Ok(call.room_reply(room(&latest)))
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
    let found = call
        .state
        .find_users(keys)
        .await
        .map_err(|e| call.fault(e))?;
    let mut people = Vec::with_capacity(found.len());
    for user in found {
        match user {
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

/// A command about one other user of a room, run on the room the
/// parameters name; unchanged is an error where Rocket.Chat reports one
/// (`addOwner` on an owner…). The answer is the room after it.
async fn member_command(
    call: &Call,
    command: fn(UserId) -> Command,
) -> Result<roster_store::Community, RcError> {
    let key = call.key()?;
    let subject = call.subject().await;
    let subject = call.room_first(subject).await?;
    let outcome = call.execute(key, command(subject.id)).await?;
    if !outcome.changed() {
        if let Some(error) = RcError::unchanged(call.action) {
            return Err(error);
        }
    }
    Ok(outcome.community)
}

/// `POST …kick`: `groups.kick` answers `{"success": true}`,
/// `channels.kick` the channel after the kick.
pub async fn kick<K: Kind>(call: Room<K, op::Kick>) -> Answer<K> {
    let after = member_command(&call, |subject| Command::Remove { subject }).await?;
    match K::FAMILY {
        Family::Group => Ok(call.done()),
        Family::Channel => Ok(call.room_reply(room(&after))),
    }
}

/// `POST …addOwner`.
pub async fn add_owner<K: Kind>(call: Room<K, op::AddOwner>) -> Answer<K> {
    let command = |subject| set_role(subject, Role::Owner, None);
    member_command(&call, command).await?;
    Ok(call.done())
}

/// `POST …removeOwner`: demotes an owner (and only an owner) to member.
pub async fn remove_owner<K: Kind>(call: Room<K, op::RemoveOwner>) -> Answer<K> {
    let command = |subject| set_role(subject, Role::Member, Some(Role::Owner));
    member_command(&call, command).await?;
    Ok(call.done())
}

/// `POST …addModerator`: promotes a plain member to manager.
pub async fn add_moderator<K: Kind>(call: Room<K, op::AddModerator>) -> Answer<K> {
    let command = |subject| set_role(subject, Role::Manager, Some(Role::Member));
    member_command(&call, command).await?;
    Ok(call.done())
}

/// `POST …removeModerator`: demotes a manager to member.
pub async fn remove_moderator<K: Kind>(call: Room<K, op::RemoveModerator>) -> Answer<K> {
    let command = |subject| set_role(subject, Role::Member, Some(Role::Manager));
    member_command(&call, command).await?;
    Ok(call.done())
}

fn set_role(subject: UserId, role: Role, expect: Option<Role>) -> Command {
    Command::SetRole {
        subject,
        role,
        expect,
    }
}
