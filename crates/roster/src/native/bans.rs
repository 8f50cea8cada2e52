//! `/v1/communities/{id}/bans`: the banned list, banning (which ends any
//! membership, request or invitation) and unbanning. For managers, owners
//! and admins; who may ban whom is the engine's rule.

use super::extract::{self, scope, Caller, CommunityPath, JsonBody, MemberPath};
use super::members::{self, PageQuery};
use super::problem::Problem;
use super::views::{self, MemberPage, OutcomeView, PageBody};
use crate::app::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use roster_engine::{Command, Standing, UserId};
use serde::Deserialize;
use utoipa::ToSchema;

/// Whom to ban, and why (kept in the event feed).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ban {
    pub user_id: uuid::Uuid,
    /// Up to 2000 characters.
    #[serde(default)]
    #[schema(schema_with = super::constraints::optional_multiline_text, required = false)]
    pub reason: Option<String>,
}

#[utoipa::path(
    get, path = "/v1/communities/{id}/bans", tag = "bans", operation_id = "list_bans",
    description = "Banned people (managers, owners, admins). Scope: community:read.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID"), PageQuery),
    responses((status = 200, description = "One page", body = MemberPage)),
)]
pub async fn list(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Read>,
    CommunityPath(community): CommunityPath,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<PageBody, Problem> {
    members::standing_page(state, principal, community, query, Standing::Banned).await
}

#[utoipa::path(
    post, path = "/v1/communities/{id}/bans", tag = "bans", operation_id = "ban",
    description = "Ban someone of lower rank. Scope: community:write.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID")),
    request_body = Ban,
    responses((status = 200, description = "The user's standing after", body = OutcomeView)),
)]
pub async fn ban(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    CommunityPath(community): CommunityPath,
    JsonBody(input): JsonBody<Ban>,
) -> Result<Json<OutcomeView>, Problem> {
    let subject = UserId(input.user_id);
    let command = Command::Ban {
        subject,
        reason: input.reason,
    };
    let outcome = extract::execute(&state, principal.actor(), community, command).await?;
    Ok(Json(views::outcome(&outcome, subject)))
}

#[utoipa::path(
    delete, path = "/v1/communities/{id}/bans/{user_id}", tag = "bans", operation_id = "unban",
    description = "Lift a ban. Scope: community:write.",
    params(
        ("id" = uuid::Uuid, Path, description = "The community's UUID"),
        ("user_id" = uuid::Uuid, Path, description = "The banned user's UUID"),
    ),
    responses((status = 200, description = "The user's standing after", body = OutcomeView)),
)]
pub async fn unban(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    MemberPath(community, subject): MemberPath,
) -> Result<Json<OutcomeView>, Problem> {
    members::on_subject(&state, &principal, community, subject, |subject| {
        Command::Unban { subject }
    })
    .await
}
