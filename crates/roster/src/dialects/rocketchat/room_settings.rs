//! The routes that create, change or delete a room itself, for both
//! families: `create`, `delete`, `rename`, `setDescription`, `setType`
//! (`p` ↔ `c`: the community's visibility), `setReadOnly` (stored: the
//! community's contribution mode, shown as `ro`), `archive`, `unarchive`.
//! Each change is one engine command (`Update`, `Delete`, `Archive`…),
//! so the engine decides who may make it and writes its one event.

use super::envelope::{Action, RcError};
use super::extract::{op, Answer, Room};
use super::rooms::{room, Call, Family, Kind};
use roster_engine::{
    Command, ContributionMode, JoinPolicy, NewCommunity, Settings, SettingsPatch, Visibility,
};
use roster_store::UserKey;
use serde::Serialize;
use serde_json::Value;

/// Most usernames `create` takes in `members`.
const MAX_CREATE_MEMBERS: usize = 1000;

/// How a room of each family is created: a group is private and
/// invite-only, a channel public and open.
fn settings_for(family: Family, name: String, read_only: bool) -> Settings {
    let visibility = family.visibility();
    Settings {
        name,
        description: String::new(),
        visibility,
        join_policy: join_policy_for(visibility),
        contribution_mode: contribution_mode(read_only),
    }
}

/// A group takes members by invitation; a channel is open to anyone.
fn join_policy_for(visibility: Visibility) -> JoinPolicy {
    match visibility {
        Visibility::Private => JoinPolicy::Invite,
        Visibility::Public => JoinPolicy::Open,
    }
}

fn contribution_mode(read_only: bool) -> ContributionMode {
    if read_only {
        ContributionMode::Managers
    } else {
        ContributionMode::Anyone
    }
}

/// `POST …create`: `{name, members?: [usernames], readOnly?}`.
pub async fn create<K: Kind>(call: Room<K, op::Create>) -> Answer<K> {
    let (name, usernames, read_only) = create_params(&call)?;
    // Every member is found, in one read, before anything is written.
    let keys = usernames.into_iter().map(UserKey::Username).collect();
    let found = call
        .state
        .find_users(keys)
        .await
        .map_err(|e| call.fault(e))?;
    let members = found
        .into_iter()
        .map(|user| user.map(|u| u.id))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| RcError::user_not_found(call.action))?;
    let new = NewCommunity {
        settings: settings_for(K::FAMILY, name.clone(), read_only),
        site: false,
        // Added in the creating transaction: never a room with half its members.
        members,
    };
    let actor = call.principal.actor();
    let created = call
        .state
        .create_community(actor, new)
        .await
        .map_err(|e| RcError::store(e, Action::Create, &name))?;
    Ok(call.room_reply(room(&created.community)))
}

/// `name`, `members` and `readOnly`, checked as Rocket.Chat checks them.
fn create_params(call: &Call) -> Result<(String, Vec<String>, bool), RcError> {
    let params = &call.params;
    let name = match params.get("name") {
        Some(Value::String(name)) if !name.is_empty() => name.clone(),
        Some(Value::String(_)) | None => {
            return Err(RcError::failure("Body param \"name\" is required"))
        }
        Some(_) => return Err(RcError::failure("Body param \"name\" must be a string")),
    };
    let members_error = || RcError::failure("Body param \"members\" must be an array if provided");
    let members = match params.get("members") {
        None => Vec::new(),
        Some(Value::Array(items)) => {
            if items.len() > MAX_CREATE_MEMBERS {
                return Err(RcError::failure(format!(
                    "Body param \"members\" must hold at most {MAX_CREATE_MEMBERS} usernames"
                )));
            }
            items
                .iter()
                .map(|item| item.as_str().map(str::to_owned).ok_or_else(members_error))
                .collect::<Result<Vec<_>, _>>()?
        }
        Some(_) => return Err(members_error()),
    };
    let read_only = flag(params.get("readOnly"))
        .unwrap_or(Some(false))
        .ok_or_else(|| RcError::failure("Body param \"readOnly\" must be a boolean"))?;
    Ok((name, members, read_only))
}

/// A boolean parameter (`true`/`false` or their strings): `None` when
/// absent, `Some(None)` when not a boolean.
fn flag(value: Option<&Value>) -> Option<Option<bool>> {
    match value? {
        Value::Bool(flag) => Some(Some(*flag)),
        Value::String(text) if text == "true" || text == "false" => Some(Some(text == "true")),
        _ => Some(None),
    }
}

/// `POST …delete`: the community and every membership in it go, one
/// `deleted` event.
pub async fn delete<K: Kind>(call: Room<K, op::Delete>) -> Answer<K> {
    call.execute_here(Command::Delete).await?;
    Ok(call.done())
}

/// `POST …archive`.
pub async fn archive<K: Kind>(call: Room<K, op::Archive>) -> Answer<K> {
    call.execute_here(Command::Archive).await?;
    Ok(call.done())
}

/// `POST …unarchive`.
pub async fn unarchive<K: Kind>(call: Room<K, op::Unarchive>) -> Answer<K> {
    call.execute_here(Command::Unarchive).await?;
    Ok(call.done())
}

/// Run a settings change; `same` is Rocket.Chat's failure when the value
/// is already the one asked for (`None`: an unchanged room is a success).
async fn update(
    call: &Call,
    patch: SettingsPatch,
    same: Option<String>,
) -> Result<roster_store::Community, RcError> {
    let outcome = call.execute_here(Command::Update(patch)).await?;
    match same {
        Some(reason) if !outcome.changed() => Err(RcError::failure(reason)),
        _ => Ok(outcome.community),
    }
}

/// A required string body parameter (`""` allowed when `empty_ok`).
fn required(call: &Call, key: &str, empty_ok: bool) -> Result<String, RcError> {
    let missing = || RcError::failure(format!("The bodyParam \"{key}\" is required"));
    match call.params.get(key) {
        Some(Value::String(text)) if empty_ok || !text.trim().is_empty() => Ok(text.clone()),
        Some(Value::String(_)) | None => Err(missing()),
        Some(_) => Err(RcError::invalid(
            call.action,
            &format!("The parameter \"{key}\" must be a string"),
        )),
    }
}

/// `POST …rename`: `{roomId|roomName, name}` → the renamed room.
pub async fn rename<K: Kind>(call: Room<K, op::Rename>) -> Answer<K> {
    let name = required(&call, "name", false)?;
    let patch = SettingsPatch {
        name: Some(name.clone()),
        ..SettingsPatch::default()
    };
    let room_doc = update(&call, patch, None)
        .await
        .map_err(|e| renamed_error(e, &name))?;
    Ok(call.room_reply(room(&room_doc)))
}

/// A rename's name conflict quotes the new name, as Rocket.Chat does.
fn renamed_error(error: RcError, name: &str) -> RcError {
    if error.kind() == Some("error-duplicate-channel-name") {
        return RcError::new(
            Action::Rename,
            "error-duplicate-channel-name",
            format!("A channel with name '{name}' exists"),
        );
    }
    error
}

/// `{"description": …, "success": true}`.
#[derive(Serialize)]
struct DescriptionSet {
    description: String,
}

/// `POST …setDescription`: `{roomId|roomName, description}`.
pub async fn set_description<K: Kind>(call: Room<K, op::SetDescription>) -> Answer<K> {
    let description = required(&call, "description", true)?;
    let patch = SettingsPatch {
        description: Some(description.clone()),
        ..SettingsPatch::default()
    };
    update(&call, patch, None).await?;
    Ok(super::envelope::ok(DescriptionSet { description }))
}

/// `POST …setType`: `{roomId|roomName, type: "c"|"p"}`. A group made `c`
/// becomes a public, open community (a channel); a channel made `p` a
/// private, invite-only one (a group). The answer is the room after the
/// change, under the route's family key.
pub async fn set_type<K: Kind>(call: Room<K, op::SetType>) -> Answer<K> {
    let visibility = match required(&call, "type", false)?.as_str() {
        "c" => Visibility::Public,
        "p" => Visibility::Private,
        other => {
            return Err(RcError::new(
                call.action,
                "error-invalid-room-type",
                format!("{other} is not a valid room type"),
            )
            .into())
        }
    };
    let patch = SettingsPatch {
        visibility: Some(visibility),
        join_policy: Some(join_policy_for(visibility)),
        ..SettingsPatch::default()
    };
    let noun = K::FAMILY.noun();
    let same = format!("The {noun} type is the same as what it would be changed to.");
    let changed = update(&call, patch, Some(same)).await?;
    Ok(call.room_reply(room(&changed)))
}

/// `POST …setReadOnly`: `{roomId|roomName, readOnly}`, stored as the
/// community's contribution mode (managers only when read-only).
pub async fn set_read_only<K: Kind>(call: Room<K, op::SetReadOnly>) -> Answer<K> {
    let read_only = match flag(call.params.get("readOnly")) {
        None => return Err(RcError::failure("The bodyParam \"readOnly\" is required").into()),
        Some(None) => {
            return Err(RcError::invalid(
                call.action,
                "The parameter \"readOnly\" must be a boolean",
            )
            .into())
        }
        Some(Some(flag)) => flag,
    };
    let patch = SettingsPatch {
        contribution_mode: Some(contribution_mode(read_only)),
        ..SettingsPatch::default()
    };
    let noun = K::FAMILY.noun();
    let same = format!("The {noun} read only setting is the same as what it would be changed to.");
    let changed = update(&call, patch, Some(same)).await?;
    Ok(call.room_reply(room(&changed)))
}
