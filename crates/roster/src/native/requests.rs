//! `/v1/communities/{id}/requests`: pending join requests, and approving
//! or rejecting one. For managers, owners and admins.

use super::extract::{scope, Caller, CommunityPath, MemberPath};
use super::members::{self, PageQuery};
use super::problem::Problem;
use super::views::{MemberPage, OutcomeView, PageBody};
use crate::app::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use roster_engine::{Command, Standing};

#[utoipa::path(
    get, path = "/v1/communities/{id}/requests", tag = "requests", operation_id = "list_requests",
    description = "Pending join requests (managers, owners, admins). Scope: community:read.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID"), PageQuery),
    responses((status = 200, description = "One page", body = MemberPage)),
)]
pub async fn list(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Read>,
    CommunityPath(community): CommunityPath,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<PageBody, Problem> {
    members::standing_page(state, principal, community, query, Standing::Requested).await
}

#[utoipa::path(
    post, path = "/v1/communities/{id}/requests/{user_id}/approve", tag = "requests", operation_id = "approve_request",
    description = "Approve a pending request: the requester becomes a member. \
                   Scope: community:write.",
    params(
        ("id" = uuid::Uuid, Path, description = "The community's UUID"),
        ("user_id" = uuid::Uuid, Path, description = "The requester's UUID"),
    ),
    responses((status = 200, description = "The requester's standing after", body = OutcomeView)),
)]
pub async fn approve(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    MemberPath(community, subject): MemberPath,
) -> Result<Json<OutcomeView>, Problem> {
    members::on_subject(&state, &principal, community, subject, |subject| {
        Command::Approve { subject }
    })
    .await
}

#[utoipa::path(
    post, path = "/v1/communities/{id}/requests/{user_id}/reject", tag = "requests", operation_id = "reject_request",
    description = "Reject a pending request. Scope: community:write.",
    params(
        ("id" = uuid::Uuid, Path, description = "The community's UUID"),
        ("user_id" = uuid::Uuid, Path, description = "The requester's UUID"),
    ),
    responses((status = 200, description = "The requester's standing after", body = OutcomeView)),
)]
pub async fn reject(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    MemberPath(community, subject): MemberPath,
) -> Result<Json<OutcomeView>, Problem> {
    members::on_subject(&state, &principal, community, subject, |subject| {
        Command::Reject { subject }
    })
    .await
}
