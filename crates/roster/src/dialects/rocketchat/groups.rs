//! The `groups.*` routes: each names a group by `roomId` or `roomName`,
//! becomes one engine `Command` or one store read, and answers in
//! Rocket.Chat's envelope. The site community is never a group, and a
//! group the caller cannot see answers `error-room-not-found`.

use super::envelope::{self, Action, RcError};
use super::views::{self, USERNAMES_LIMIT};
use super::{auth, login, Params};
use crate::app::AppState;
use crate::auth::{Principal, Scope};
use crate::http::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use roster_engine::{
    in_sight, Command, CommunityId, ContributionMode, JoinPolicy, NewCommunity, Role, Settings,
    Sight, UserId, Visibility,
};
use roster_store::{
    Community, CommunityKey, MemberQuery, MembershipQuery, Outcome, Paging, Ruling, UserKey,
};
use serde_json::{Map, Value};

/// Page size when the request gives no `count`, and the largest served.
const DEFAULT_COUNT: u64 = 50;
const MAX_COUNT: u64 = 100;
/// Most usernames `groups.create` takes in `members`.
const MAX_CREATE_MEMBERS: usize = 1000;

type Reply = Result<Response, Response>;

/// Run a handler body, turning either side into the response.
fn reply(result: Reply) -> Response {
    result.unwrap_or_else(|response| response)
}

fn fail(error: RcError) -> Response {
    error.into_response()
}

/// The authenticated caller and the body's parameters.
async fn post_request(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    action: Action,
) -> Result<(Principal, Params), Response> {
    let principal = auth::principal(state, headers, Some(Scope::Write)).await?;
    let params = Params::from_body(headers, body, action).map_err(fail)?;
    Ok((principal, params))
}

/// The authenticated caller and the query's parameters.
async fn get_request(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
    action: Action,
) -> Result<(Principal, Params), Response> {
    let principal = auth::principal(state, headers, Some(Scope::Read)).await?;
    let params = Params::from_query(query, action).map_err(fail)?;
    Ok((principal, params))
}

/// The key of the group named by `roomId` (which wins) or `roomName`.
fn group_key(params: &Params, action: Action) -> Result<CommunityKey, RcError> {
    match (
        params.str("roomId", action)?,
        params.str("roomName", action)?,
    ) {
        (Some(id), _) => match CommunityId::parse(id.trim()) {
            Some(id) => Ok(CommunityKey::Id(id)),
            None => Err(RcError::room_not_found(action)),
        },
        (None, Some(name)) => Ok(CommunityKey::Name(name.to_owned())),
        (None, None) => Err(RcError::room_param_missing(action)),
    }
}

/// The group named by the parameters, if the caller may see it (for reads,
/// and for commands that must find their subject first).
async fn resolve(
    state: &AppState,
    principal: &Principal,
    params: &Params,
    action: Action,
) -> Result<Community, RcError> {
    let key = group_key(params, action)?;
    let viewer = principal.user.id;
    let found = state
        .run(move |store| store.community(&key, Some(viewer)))
        .await
        .map_err(|e| RcError::store(e, action, ""))?;
    match found {
        Some((community, standing))
            if in_sight(
                Sight::Group,
                &community.state,
                principal.is_admin(),
                standing,
            ) =>
        {
            Ok(community)
        }
        Some(_) | None => Err(RcError::room_not_found(action)),
    }
}

/// Run one command on the group `key` names, in one transaction that also
/// checks the group is in the caller's sight ([`Sight::Group`]).
async fn execute(
    state: &AppState,
    principal: &Principal,
    key: CommunityKey,
    command: Command,
    action: Action,
) -> Result<Outcome, RcError> {
    let ruling = state
        .execute_in_sight(Sight::Group, principal.actor(), key, command)
        .await
        .map_err(|e| RcError::store(e, action, ""))?;
    match ruling {
        Ruling::Accepted(outcome) => Ok(outcome),
        Ruling::Refused(refused) => {
            let room = refused.community.as_ref();
            let name = room.map_or("", |c| c.state.settings.name.as_str());
            Err(envelope::domain(&refused.error, action, name))
        }
    }
}

/// `{"group": …, "success": true}`.
fn group_reply(group: Value) -> Response {
    let mut body = Map::new();
    body.insert("group".into(), group);
    envelope::success(body)
}

/// `POST /api/v1/groups.leave`.
pub async fn leave(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    reply(leave_group(&state, &headers, body).await)
}

async fn leave_group(state: &AppState, headers: &HeaderMap, body: Body) -> Reply {
    let action = Action::Leave;
    let (principal, params) = post_request(state, headers, body, action).await?;
    let key = group_key(&params, action).map_err(fail)?;
    let outcome = execute(state, &principal, key, Command::Leave, action)
        .await
        .map_err(fail)?;
    let usernames = usernames(state, &outcome.community, action)
        .await
        .map_err(fail)?;
    Ok(group_reply(views::group_after_leave(
        &outcome.community,
        usernames,
    )))
}

/// The members' usernames, only while the group is small enough.
async fn usernames(
    state: &AppState,
    community: &Community,
    action: Action,
) -> Result<Option<Vec<String>>, RcError> {
    if community.state.counters.members > USERNAMES_LIMIT {
        return Ok(None);
    }
    let id = community.id();
    let query = MemberQuery {
        standings: Vec::new(),
        paging: Paging::Offset(0),
        limit: USERNAMES_LIMIT as u32,
    };
    let page = state
        .run(move |store| store.members(id, &query))
        .await
        .map_err(|e| RcError::store(e, action, ""))?;
    Ok(Some(
        page.items.into_iter().map(|m| m.user.username).collect(),
    ))
}

/// A command about one other user of a group (`userId` or `username`).
async fn member_command(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    action: Action,
    command: fn(UserId) -> Command,
) -> Result<(Community, Outcome), Response> {
    let (principal, params) = post_request(state, headers, body, action).await?;
    let group = resolve(state, &principal, &params, action)
        .await
        .map_err(fail)?;
    let subject = login::subject(state, &params, action).await.map_err(fail)?;
    let key = CommunityKey::Id(group.id());
    let outcome = execute(state, &principal, key, command(subject.id), action)
        .await
        .map_err(fail)?;
    if !outcome.changed() {
        if let Some(error) = RcError::unchanged(action) {
            return Err(fail(error));
        }
    }
    Ok((group, outcome))
}

/// A member command whose success is a bare `{"success": true}`.
async fn plain_member_command(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    action: Action,
    command: fn(UserId) -> Command,
) -> Response {
    match member_command(state, headers, body, action, command).await {
        Ok(_) => envelope::success(Map::new()),
        Err(response) => response,
    }
}

/// `POST /api/v1/groups.invite`: Rocket.Chat adds the user directly.
pub async fn invite(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let add = |subject| Command::Add { subject };
    match member_command(&state, &headers, body, Action::Invite, add).await {
        Ok((_, outcome)) => group_reply(views::group(&outcome.community)),
        Err(response) => response,
    }
}

/// `POST /api/v1/groups.kick`.
pub async fn kick(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let remove = |subject| Command::Remove { subject };
    plain_member_command(&state, &headers, body, Action::Kick, remove).await
}

/// `POST /api/v1/groups.addOwner`.
pub async fn add_owner(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let command = |subject| set_role(subject, Role::Owner, None);
    plain_member_command(&state, &headers, body, Action::AddOwner, command).await
}

/// `POST /api/v1/groups.removeOwner`: demotes an owner (and only an owner) to member.
pub async fn remove_owner(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let command = |subject| set_role(subject, Role::Member, Some(Role::Owner));
    plain_member_command(&state, &headers, body, Action::RemoveOwner, command).await
}

/// `POST /api/v1/groups.addModerator`: promotes a plain member to manager.
pub async fn add_moderator(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let command = |subject| set_role(subject, Role::Manager, Some(Role::Member));
    plain_member_command(&state, &headers, body, Action::AddModerator, command).await
}

/// `POST /api/v1/groups.removeModerator`: demotes a manager to member.
pub async fn remove_moderator(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let command = |subject| set_role(subject, Role::Member, Some(Role::Manager));
    plain_member_command(&state, &headers, body, Action::RemoveModerator, command).await
}

fn set_role(subject: UserId, role: Role, expect: Option<Role>) -> Command {
    Command::SetRole {
        subject,
        role,
        expect,
    }
}

/// `POST /api/v1/groups.archive`.
pub async fn archive(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    reply(group_command(&state, &headers, body, Action::Archive, Command::Archive).await)
}

/// `POST /api/v1/groups.unarchive`.
pub async fn unarchive(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    reply(
        group_command(
            &state,
            &headers,
            body,
            Action::Unarchive,
            Command::Unarchive,
        )
        .await,
    )
}

/// A command on the group itself, answered `{"success": true}`.
async fn group_command(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    action: Action,
    command: Command,
) -> Reply {
    let (principal, params) = post_request(state, headers, body, action).await?;
    let key = group_key(&params, action).map_err(fail)?;
    execute(state, &principal, key, command, action)
        .await
        .map_err(fail)?;
    Ok(envelope::success(Map::new()))
}

/// `GET /api/v1/groups.info?roomId=…|roomName=…`.
pub async fn info(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let action = Action::Info;
    let result = async {
        let (principal, params) = get_request(&state, &headers, query.as_deref(), action).await?;
        let group = resolve(&state, &principal, &params, action)
            .await
            .map_err(fail)?;
        Ok(group_reply(views::group(&group)))
    };
    reply(result.await)
}

/// `offset` and `count` of a paged read.
fn page(params: &Params, action: Action) -> Result<(u64, u64), RcError> {
    let offset = params.uint("offset", action)?.unwrap_or(0);
    let count = match params.uint("count", action)? {
        None => DEFAULT_COUNT,
        Some(0) => MAX_COUNT,
        Some(n) => n.min(MAX_COUNT),
    };
    Ok((offset, count))
}

/// `GET /api/v1/groups.members?roomId=…&offset=…&count=…`.
pub async fn members(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let action = Action::Members;
    let result = async {
        let (principal, params) = get_request(&state, &headers, query.as_deref(), action).await?;
        let group = resolve(&state, &principal, &params, action)
            .await
            .map_err(fail)?;
        let (offset, count) = page(&params, action).map_err(fail)?;
        let id = group.id();
        let query = MemberQuery {
            standings: Vec::new(),
            paging: Paging::Offset(offset),
            limit: count as u32,
        };
        let page = state
            .run(move |store| store.members(id, &query))
            .await
            .map_err(|e| fail(RcError::store(e, action, "")))?;
        let members: Vec<Value> = page.items.iter().map(|m| views::member(&m.user)).collect();
        let mut body = Map::new();
        body.insert("count".into(), members.len().into());
        body.insert("members".into(), members.into());
        body.insert("offset".into(), offset.into());
        body.insert("total".into(), page.total.into());
        Ok(envelope::success(body))
    };
    reply(result.await)
}

/// `GET /api/v1/groups.list?offset=…&count=…`: the caller's groups.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let action = Action::List;
    let result = async {
        let (principal, params) = get_request(&state, &headers, query.as_deref(), action).await?;
        let (offset, count) = page(&params, action).map_err(fail)?;
        let user = principal.user.id;
        let query = MembershipQuery {
            standings: Vec::new(),
            include_site: false,
            paging: Paging::Offset(offset),
            limit: count as u32,
        };
        let page = state
            .run(move |store| store.communities_of(user, &query))
            .await
            .map_err(|e| fail(RcError::store(e, action, "")))?;
        let groups: Vec<Value> = page.items.iter().map(|(c, _)| views::group(c)).collect();
        let mut body = Map::new();
        body.insert("count".into(), groups.len().into());
        body.insert("groups".into(), groups.into());
        body.insert("offset".into(), offset.into());
        body.insert("total".into(), page.total.into());
        Ok(envelope::success(body))
    };
    reply(result.await)
}

/// `POST /api/v1/groups.create`: `{name, members?: [usernames], readOnly?}`.
pub async fn create(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    reply(create_group(&state, &headers, body).await)
}

async fn create_group(state: &AppState, headers: &HeaderMap, body: Body) -> Reply {
    let action = Action::Create;
    let (principal, params) = post_request(state, headers, body, action).await?;
    let (name, usernames, read_only) = create_params(&params).map_err(fail)?;
    // Every member is found before anything is written.
    let mut members = Vec::with_capacity(usernames.len());
    for username in usernames {
        let key = UserKey::Username(username);
        let found = state
            .run(move |store| store.find_user(&key))
            .await
            .map_err(|e| fail(RcError::store(e, action, "")))?;
        match found {
            Some(user) => members.push(user.id),
            None => return Err(fail(RcError::user_not_found(action))),
        }
    }
    let new = NewCommunity {
        settings: Settings {
            name: name.clone(),
            description: String::new(),
            visibility: Visibility::Private,
            join_policy: JoinPolicy::Invite,
            contribution_mode: if read_only {
                ContributionMode::Managers
            } else {
                ContributionMode::Anyone
            },
        },
        site: false,
        // Added in the creating transaction: never a group with half its members.
        members,
    };
    let actor = principal.actor();
    let created = state
        .run(move |store| store.create_community(actor, new))
        .await
        .map_err(|e| fail(RcError::store(e, action, &name)))?;
    Ok(group_reply(views::group(&created.community)))
}

/// `name`, `members` and `readOnly`, checked as Rocket.Chat checks them.
fn create_params(params: &Params) -> Result<(String, Vec<String>, bool), RcError> {
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
    let read_only = match params.get("readOnly") {
        None => false,
        Some(Value::Bool(flag)) => *flag,
        Some(Value::String(text)) if text == "true" || text == "false" => text == "true",
        Some(_) => {
            return Err(RcError::failure(
                "Body param \"readOnly\" must be a boolean",
            ))
        }
    };
    Ok((name, members, read_only))
}
