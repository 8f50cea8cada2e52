//! `/v1/communities/{id}/members` and the self-service routes: list the
//! people of a community, join, leave, add, remove, set a role, transfer
//! ownership. Each write is one engine command.

use super::extract::{self, scope, Caller, CommunityPath, JsonBody, MemberPath};
use super::problem::Problem;
use super::views::{self, schemas, MemberPage, OutcomeView, PageBody};
use crate::app::AppState;
use crate::auth::Principal;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use roster_engine::{Command, CommunityId, Role, Sight, Standing, UserId};
use roster_store::{CommunityKey, MemberQuery, Paging};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Filter and page of the people lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Comma-separated standings: owner, manager, member (anyone who can
    /// see the community); invited, requested, banned (managers and admins).
    /// Default: members of any role.
    #[param(schema_with = super::constraints::people_standings)]
    pub standing: Option<String>,
    /// The `next` cursor of the previous page.
    #[param(schema_with = super::constraints::cursor)]
    pub after: Option<String>,
    /// Page size, 1 to 1000 (default 50).
    #[param(schema_with = super::constraints::limit)]
    pub limit: Option<String>,
}

/// Paging of the invitation, request and ban lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next` cursor of the previous page.
    #[param(schema_with = super::constraints::cursor)]
    pub after: Option<String>,
    /// Page size, 1 to 1000 (default 50).
    #[param(schema_with = super::constraints::limit)]
    pub limit: Option<String>,
}

/// Join or leave as yourself, or (admin scope) as the user named.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfService {
    #[serde(default)]
    pub user_id: Option<uuid::Uuid>,
}

/// The person a command is about.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    pub user_id: uuid::Uuid,
}

/// A new role; with `expect`, refused unless the member's role is that one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRole {
    #[schema(schema_with = schemas::role)]
    pub role: Role,
    #[serde(default)]
    #[schema(schema_with = super::constraints::optional_role, required = false)]
    pub expect: Option<Role>,
}

/// One page of the people who hold `standing` (the invitation, request
/// and ban lists): the body of those three list handlers.
pub(super) async fn standing_page(
    state: AppState,
    principal: Principal,
    community: CommunityId,
    query: Result<Query<PageQuery>, QueryRejection>,
    standing: Standing,
) -> Result<PageBody, Problem> {
    let query = extract::query(query)?;
    people(
        &state,
        &principal,
        community,
        vec![standing],
        query.after.as_deref(),
        query.limit.as_deref(),
    )
    .await
}

/// People of a community with the given standings, for a caller who may
/// see the community; standings other than roles need a manager.
pub(super) async fn people(
    state: &AppState,
    principal: &Principal,
    community: CommunityId,
    standings: Vec<Standing>,
    after: Option<&str>,
    limit: Option<&str>,
) -> Result<PageBody, Problem> {
    let paging = Paging::After(extract::decode_cursor(after)?);
    let limit = extract::limit(limit)?;
    let query = MemberQuery {
        standings,
        paging,
        limit,
    };
    // One hand-off for the visibility check and the page; the engine
    // decides both (`view_in_sight`, `may_list`). The page itself is read
    // and rendered only when the store changed since it was last.
    let key = CommunityKey::Id(community);
    let body = state
        .members_rendered(
            "native",
            Sight::Viewable,
            key,
            principal.actor(),
            query,
            |page| {
                MemberPage {
                    items: page.items.into_iter().map(views::member).collect(),
                    next: page.next.map(extract::encode_cursor),
                    total: page.total,
                }
                .body()
            },
        )
        .await?;
    Ok(PageBody(body))
}

/// Run a command about `subject` by the caller; the answer names the subject.
pub(super) async fn on_subject(
    state: &AppState,
    principal: &Principal,
    community: CommunityId,
    subject: UserId,
    command: impl FnOnce(roster_engine::UserId) -> Command,
) -> Result<Json<OutcomeView>, Problem> {
    let outcome = extract::execute(state, principal.actor(), community, command(subject)).await?;
    Ok(Json(views::outcome(&outcome, subject)))
}

/// Run a command about the body's `user_id` by the caller.
pub(super) async fn on_body_subject(
    state: &AppState,
    principal: &Principal,
    community: CommunityId,
    input: Subject,
    command: impl FnOnce(roster_engine::UserId) -> Command,
) -> Result<Json<OutcomeView>, Problem> {
    let subject = roster_engine::UserId(input.user_id);
    let outcome = extract::execute(state, principal.actor(), community, command(subject)).await?;
    Ok(Json(views::outcome(&outcome, subject)))
}

#[utoipa::path(
    get, path = "/v1/communities/{id}/members", tag = "members", operation_id = "list_members",
    description = "People of a community, by join order. Scope: community:read.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID"), PeopleQuery),
    responses((status = 200, description = "One page", body = MemberPage)),
)]
pub async fn list(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Read>,
    CommunityPath(community): CommunityPath,
    query: Result<Query<PeopleQuery>, QueryRejection>,
) -> Result<PageBody, Problem> {
    let query = extract::query(query)?;
    let standings = extract::standings(query.standing.as_deref())?;
    people(
        &state,
        &principal,
        community,
        standings,
        query.after.as_deref(),
        query.limit.as_deref(),
    )
    .await
}

#[utoipa::path(
    post, path = "/v1/communities/{id}/members", tag = "members", operation_id = "add_member",
    description = "Make someone a member directly (managers, owners, admins). \
                   Scope: community:write.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID")),
    request_body = Subject,
    responses((status = 200, description = "Added (or already a member)", body = OutcomeView)),
)]
pub async fn add(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    CommunityPath(community): CommunityPath,
    JsonBody(input): JsonBody<Subject>,
) -> Result<Json<OutcomeView>, Problem> {
    on_body_subject(&state, &principal, community, input, |subject| {
        Command::Add { subject }
    })
    .await
}

#[utoipa::path(
    post, path = "/v1/communities/{id}/join", tag = "members", operation_id = "join_community",
    description = "Join, request to join, or accept an invitation, as decided by the \
                   community's join policy. Scope: community:write.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID")),
    request_body(content = SelfService, description = "Optional"),
    responses((status = 200, description = "The caller's standing after", body = OutcomeView)),
)]
pub async fn join(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    CommunityPath(community): CommunityPath,
    JsonBody(input): JsonBody<SelfService>,
) -> Result<Json<OutcomeView>, Problem> {
    self_service(state, principal, community, input, Command::Join).await
}

#[utoipa::path(
    post, path = "/v1/communities/{id}/leave", tag = "members", operation_id = "leave_community",
    description = "Leave, withdraw a request, or decline an invitation. The last owner \
                   cannot leave (`last_owner`); someone without standing gets \
                   `not_member`. Scope: community:write.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID")),
    request_body(content = SelfService, description = "Optional"),
    responses((status = 200, description = "The caller's standing after", body = OutcomeView)),
)]
pub async fn leave(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    CommunityPath(community): CommunityPath,
    JsonBody(input): JsonBody<SelfService>,
) -> Result<Json<OutcomeView>, Problem> {
    self_service(state, principal, community, input, Command::Leave).await
}

async fn self_service(
    state: AppState,
    principal: Principal,
    community: CommunityId,
    input: SelfService,
    command: Command,
) -> Result<Json<OutcomeView>, Problem> {
    let actor = extract::acting_for(&principal, input.user_id)?;
    let outcome = extract::execute(&state, actor, community, command).await?;
    Ok(Json(views::outcome(&outcome, actor.user)))
}

#[utoipa::path(
    delete, path = "/v1/communities/{id}/members/{user_id}", tag = "members", operation_id = "remove_member",
    description = "Remove a member of lower rank, reject a request or revoke an \
                   invitation (managers, owners, admins); yourself: leave. \
                   Scope: community:write.",
    params(
        ("id" = uuid::Uuid, Path, description = "The community's UUID"),
        ("user_id" = uuid::Uuid, Path, description = "The user's UUID"),
    ),
    responses((status = 200, description = "The user's standing after", body = OutcomeView)),
)]
pub async fn remove(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    MemberPath(community, subject): MemberPath,
) -> Result<Json<OutcomeView>, Problem> {
    on_subject(&state, &principal, community, subject, |subject| {
        Command::Remove { subject }
    })
    .await
}

#[utoipa::path(
    put, path = "/v1/communities/{id}/members/{user_id}/role", tag = "members", operation_id = "set_member_role",
    description = "Change a member's role (owners and admins: any; managers: member to \
                   manager). Scope: community:write.",
    params(
        ("id" = uuid::Uuid, Path, description = "The community's UUID"),
        ("user_id" = uuid::Uuid, Path, description = "The member's UUID"),
    ),
    request_body = SetRole,
    responses((status = 200, description = "The member's standing after", body = OutcomeView)),
)]
pub async fn set_role(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    MemberPath(community, subject): MemberPath,
    JsonBody(input): JsonBody<SetRole>,
) -> Result<Json<OutcomeView>, Problem> {
    let command = Command::SetRole {
        subject,
        role: input.role,
        expect: input.expect,
    };
    let outcome = extract::execute(&state, principal.actor(), community, command).await?;
    Ok(Json(views::outcome(&outcome, subject)))
}

#[utoipa::path(
    post, path = "/v1/communities/{id}/transfer", tag = "members", operation_id = "transfer_ownership",
    description = "Make a member owner; the acting owner becomes a manager, in one step. \
                   Scope: community:write.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID")),
    request_body = Subject,
    responses((status = 200, description = "The new owner's standing", body = OutcomeView)),
)]
pub async fn transfer(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    CommunityPath(community): CommunityPath,
    JsonBody(input): JsonBody<Subject>,
) -> Result<Json<OutcomeView>, Problem> {
    on_body_subject(&state, &principal, community, input, |subject| {
        Command::TransferOwnership { subject }
    })
    .await
}
