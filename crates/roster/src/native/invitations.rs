//! `/v1/communities/{id}/invitations`: list open invitations, invite
//! someone (inviting a requester approves the request), revoke an
//! invitation. The list is for managers, owners and admins.

use super::extract::{scope, Caller, CommunityPath, JsonBody, MemberPath};
use super::members::{self, PageQuery, Subject};
use super::problem::Problem;
use super::views::{MemberPage, OutcomeView, PageBody};
use crate::app::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use roster_engine::{Command, Standing};

#[utoipa::path(
    get, path = "/v1/communities/{id}/invitations", tag = "invitations", operation_id = "list_invitations",
    description = "People invited and not yet joined (managers, owners, admins). \
                   Scope: community:read.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID"), PageQuery),
    responses((status = 200, description = "One page", body = MemberPage)),
)]
pub async fn list(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Read>,
    CommunityPath(community): CommunityPath,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<PageBody, Problem> {
    members::standing_page(state, principal, community, query, Standing::Invited).await
}

#[utoipa::path(
    post, path = "/v1/communities/{id}/invitations", tag = "invitations", operation_id = "invite",
    description = "Invite someone (managers, owners, admins). Scope: community:write.",
    params(("id" = uuid::Uuid, Path, description = "The community's UUID")),
    request_body = Subject,
    responses((status = 200, description = "The invitee's standing after", body = OutcomeView)),
)]
pub async fn invite(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    CommunityPath(community): CommunityPath,
    JsonBody(input): JsonBody<Subject>,
) -> Result<Json<OutcomeView>, Problem> {
    members::on_body_subject(&state, &principal, community, input, |subject| {
        Command::Invite { subject }
    })
    .await
}

#[utoipa::path(
    delete, path = "/v1/communities/{id}/invitations/{user_id}", tag = "invitations", operation_id = "revoke_invitation",
    description = "Take back an open invitation (managers, owners, admins). \
                   Scope: community:write.",
    params(
        ("id" = uuid::Uuid, Path, description = "The community's UUID"),
        ("user_id" = uuid::Uuid, Path, description = "The invitee's UUID"),
    ),
    responses((status = 200, description = "The user's standing after", body = OutcomeView)),
)]
pub async fn revoke(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    MemberPath(community, subject): MemberPath,
) -> Result<Json<OutcomeView>, Problem> {
    members::on_subject(&state, &principal, community, subject, |subject| {
        Command::RevokeInvitation { subject }
    })
    .await
}
