//! `/v1/communities`: create, read, update, archive, unarchive and delete a
//! community, and list the caller's communities. Each write is one engine
//! command; the rules (who may update, archive, delete) are the engine's.

use super::constraints;
use super::extract::{self, scope, Caller, CommunityPath, JsonBody};
use super::problem::Problem;
use super::views::{self, CommunityPage, CommunityView, OutcomeView};
use crate::app::AppState;
use crate::auth::Principal;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use roster_engine::{
    Command, CommunityId, ContributionMode, JoinPolicy, NewCommunity, Settings, SettingsPatch,
    Visibility,
};
use roster_store::{MembershipQuery, Paging};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// A community to create; the caller becomes its owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCommunity {
    /// Unique; 1 to 100 characters, no control characters, no outer spaces.
    #[schema(schema_with = constraints::community_name)]
    pub name: String,
    /// Up to 2000 characters.
    #[serde(default)]
    #[schema(schema_with = constraints::multiline_text, required = false)]
    pub description: String,
    /// Default `public`.
    #[serde(default)]
    #[schema(schema_with = constraints::optional_visibility, required = false)]
    pub visibility: Option<Visibility>,
    /// Default `open` for public communities, `request` for private ones.
    #[serde(default)]
    #[schema(schema_with = constraints::optional_join_policy, required = false)]
    pub join_policy: Option<JoinPolicy>,
    /// Default `anyone`.
    #[serde(default)]
    #[schema(schema_with = constraints::optional_contribution_mode, required = false)]
    pub contribution_mode: Option<ContributionMode>,
}

/// Settings to change; absent fields keep their value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCommunity {
    #[serde(default)]
    #[schema(schema_with = constraints::optional_community_name, required = false)]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = constraints::optional_multiline_text, required = false)]
    pub description: Option<String>,
    #[serde(default)]
    #[schema(schema_with = constraints::optional_visibility, required = false)]
    pub visibility: Option<Visibility>,
    #[serde(default)]
    #[schema(schema_with = constraints::optional_join_policy, required = false)]
    pub join_policy: Option<JoinPolicy>,
    #[serde(default)]
    #[schema(schema_with = constraints::optional_contribution_mode, required = false)]
    pub contribution_mode: Option<ContributionMode>,
}

/// Filter and page of `GET /v1/communities`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MineQuery {
    /// Comma-separated standings: owner, manager, member, invited,
    /// requested, banned. Default: memberships of any role.
    #[param(schema_with = constraints::my_standings)]
    pub standing: Option<String>,
    /// The `next` cursor of the previous page.
    #[param(schema_with = constraints::cursor)]
    pub after: Option<String>,
    /// Page size, 1 to 1000 (default 50).
    #[param(schema_with = constraints::limit)]
    pub limit: Option<String>,
    /// Another user's communities (admin scope).
    #[param(schema_with = constraints::uuid_text)]
    pub user_id: Option<String>,
}

#[utoipa::path(
    post, path = "/v1/communities", tag = "communities", operation_id = "create_community",
    description = "Create a community owned by the caller. Scope: community:write.",
    request_body = CreateCommunity,
    responses((status = 201, description = "Created; `Location` names it", body = OutcomeView)),
)]
pub async fn create(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    JsonBody(input): JsonBody<CreateCommunity>,
) -> Result<Response, Problem> {
    let visibility = input.visibility.unwrap_or(Visibility::Public);
    let new = NewCommunity {
        settings: Settings {
            name: input.name,
            description: input.description,
            visibility,
            join_policy: input
                .join_policy
                .unwrap_or(JoinPolicy::default_for(visibility)),
            contribution_mode: input.contribution_mode.unwrap_or(ContributionMode::Anyone),
        },
        site: false,
        members: Vec::new(),
    };
    let actor = principal.actor();
    let outcome = state.create_community(actor, new).await?;
    let view = views::outcome(&outcome, actor.user);
    let mut response = (StatusCode::CREATED, Json(view)).into_response();
    let location = format!("/v1/communities/{}", outcome.community.id());
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

#[utoipa::path(
    get, path = "/v1/communities", tag = "communities", operation_id = "list_my_communities",
    description = "The caller's communities (or, with the admin scope, another user's), \
                   each with the caller's `standing`. Scope: community:read.",
    params(MineQuery),
    responses((status = 200, description = "One page", body = CommunityPage)),
)]
pub async fn list_mine(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Read>,
    query: Result<Query<MineQuery>, QueryRejection>,
) -> Result<Json<CommunityPage>, Problem> {
    let query = extract::query(query)?;
    let user = query
        .user_id
        .as_deref()
        .map(extract::user_id)
        .transpose()?
        .map(|id| id.0);
    let actor = extract::acting_for(&principal, user)?;
    let membership = MembershipQuery {
        standings: extract::standings(query.standing.as_deref())?,
        include_site: true,
        paging: Paging::After(extract::decode_cursor(query.after.as_deref())?),
        limit: extract::limit(query.limit.as_deref())?,
    };
    let page = state.communities_of(actor.user, membership).await?;
    Ok(Json(CommunityPage {
        items: page
            .items
            .iter()
            .map(|(community, standing)| views::community(community, Some(*standing)))
            .collect(),
        next: page.next.map(extract::encode_cursor),
        total: page.total,
    }))
}

#[utoipa::path(
    get, path = "/v1/communities/{id}", tag = "communities", operation_id = "get_community",
    description = "A community with the caller's `standing`. Private communities are \
                   404 to people without standing. Scope: community:read.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID")),
    responses((status = 200, description = "The community", body = CommunityView)),
)]
pub async fn get_one(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Read>,
    CommunityPath(id): CommunityPath,
) -> Result<Json<CommunityView>, Problem> {
    let (community, standing) = extract::visible(&state, &principal, id).await?;
    Ok(Json(views::community(&community, Some(standing))))
}

#[utoipa::path(
    patch, path = "/v1/communities/{id}", tag = "communities", operation_id = "update_community",
    description = "Change settings (managers, owners, admins). Scope: community:write.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID")),
    request_body = UpdateCommunity,
    responses((status = 200, description = "Updated (or unchanged)", body = OutcomeView)),
)]
pub async fn update(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    CommunityPath(id): CommunityPath,
    JsonBody(input): JsonBody<UpdateCommunity>,
) -> Result<Json<OutcomeView>, Problem> {
    let patch = SettingsPatch {
        name: input.name,
        description: input.description,
        visibility: input.visibility,
        join_policy: input.join_policy,
        contribution_mode: input.contribution_mode,
    };
    let actor = principal.actor();
    let outcome = extract::execute(&state, actor, id, Command::Update(patch)).await?;
    Ok(Json(views::outcome(&outcome, actor.user)))
}

#[utoipa::path(
    delete, path = "/v1/communities/{id}", tag = "communities", operation_id = "delete_community",
    description = "Delete a community and every membership in it (owners, admins). \
                   Scope: community:write.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID")),
    responses((status = 204, description = "Deleted")),
)]
pub async fn delete(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    CommunityPath(id): CommunityPath,
) -> Result<StatusCode, Problem> {
    extract::execute(&state, principal.actor(), id, Command::Delete).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/v1/communities/{id}/archive", tag = "communities", operation_id = "archive_community",
    description = "Archive: every write but unarchive is refused until unarchived \
                   (owners, admins). Scope: community:write.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID")),
    responses((status = 200, description = "Archived (or already)", body = OutcomeView)),
)]
pub async fn archive(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    CommunityPath(community): CommunityPath,
) -> Result<Json<OutcomeView>, Problem> {
    simple(state, principal, community, Command::Archive).await
}

#[utoipa::path(
    post, path = "/v1/communities/{id}/unarchive", tag = "communities", operation_id = "unarchive_community",
    description = "Unarchive (owners, admins). Scope: community:write.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID")),
    responses((status = 200, description = "Unarchived (or already)", body = OutcomeView)),
)]
pub async fn unarchive(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    CommunityPath(community): CommunityPath,
) -> Result<Json<OutcomeView>, Problem> {
    simple(state, principal, community, Command::Unarchive).await
}

/// A command about the community itself, by the caller.
async fn simple(
    state: AppState,
    principal: Principal,
    id: CommunityId,
    command: Command,
) -> Result<Json<OutcomeView>, Problem> {
    let actor = principal.actor();
    let outcome = extract::execute(&state, actor, id, command).await?;
    Ok(Json(views::outcome(&outcome, actor.user)))
}
