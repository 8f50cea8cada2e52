//! Courses themselves: create (`POST /api/v2/course/`), read and delete
//! (`GET|DELETE /api/v2/course/{id}/`). Creating makes the caller the
//! owner, which the course API calls the `creator`.

use super::errors::ApiError;
use super::views::{self, Privacy};
use super::{body_object, caller, course, course_num, execute, Course};
use crate::app::AppState;
use crate::auth::Scope;
use crate::http::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use roster_engine::{Command, ContributionMode, NewCommunity, Settings, Standing};
use roster_store::{Community, UserKey};
use serde_json::{Map, Value};

/// `POST /api/v2/course/` `{name, description?, privacy, type?, categories?}`
/// → 201 with the course. `type` and `categories` are checked for shape and
/// otherwise ignored: Roster keeps memberships, not lessons.
pub(super) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let principal = caller(&state, &headers, Scope::Write).await?;
    let body = body_object(&headers, body)?;
    let settings = new_settings(&body)?;
    let actor = principal.actor();
    let new = NewCommunity {
        settings,
        site: false,
        members: Vec::new(),
    };
    let outcome = state
        .run(move |store| store.create_community(actor, new))
        .await?;
    let view = views::course(
        &outcome.community,
        views::user(&principal.user),
        outcome.actor_standing,
    );
    Ok((StatusCode::CREATED, Json(view)))
}

/// The settings a create body asks for; the engine validates name and description.
fn new_settings(body: &Map<String, Value>) -> Result<Settings, ApiError> {
    let name = match body.get("name") {
        Some(Value::String(name)) => name.clone(),
        None | Some(Value::Null) => return Err(ApiError::invalid("name: This field is required.")),
        Some(_) => return Err(ApiError::invalid("name: Not a valid string.")),
    };
    let description = match body.get("description") {
        Some(Value::String(text)) => text.clone(),
        None | Some(Value::Null) => String::new(),
        Some(_) => return Err(ApiError::invalid("description: Not a valid string.")),
    };
    let privacy = match body.get("privacy") {
        None | Some(Value::Null) => Privacy::Secret,
        Some(Value::String(text)) => Privacy::parse(text).ok_or_else(|| {
            ApiError::invalid(format!(
                "privacy: \"{}\" is not a valid choice.",
                short(text)
            ))
        })?,
        Some(_) => return Err(ApiError::invalid("privacy: Not a valid string.")),
    };
    match body.get("type") {
        None | Some(Value::Null) => {}
        Some(Value::String(t))
            if matches!(t.as_str(), "self-paced" | "structured" | "scheduled") => {}
        Some(_) => return Err(ApiError::invalid("type: Not a valid choice.")),
    }
    match body.get("categories") {
        None | Some(Value::Null | Value::Array(_) | Value::String(_)) => {}
        Some(_) => return Err(ApiError::invalid("categories: Expected a list of items.")),
    }
    let (visibility, join_policy) = privacy.settings();
    Ok(Settings {
        name,
        description,
        visibility,
        join_policy,
        contribution_mode: ContributionMode::Anyone,
    })
}

/// At most 40 characters of a value echoed in an error message.
fn short(text: &str) -> String {
    text.chars().take(40).collect()
}

/// `GET /api/v2/course/{id}/` → the course with the caller's `join_status`.
pub(super) async fn get(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let num = course_num(path)?;
    let principal = caller(&state, &headers, Scope::Read).await?;
    let Course {
        community,
        standing,
    } = course(&state, &principal, num).await?;
    Ok(Json(render(&state, &community, standing).await?))
}

/// `DELETE /api/v2/course/{id}/` → 204 (the owner, or an admin token).
pub(super) async fn delete(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let num = course_num(path)?;
    let principal = caller(&state, &headers, Scope::Write).await?;
    let course = course(&state, &principal, num).await?;
    execute(&state, principal.actor(), &course, Command::Delete).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The course object, with its creator's current profile.
pub(super) async fn render(
    state: &AppState,
    community: &Community,
    standing: Standing,
) -> Result<Value, ApiError> {
    let creator = community.creator.clone();
    let key = UserKey::Id(creator.id);
    let found = state.run(move |store| store.find_user(&key)).await?;
    let creator = match found {
        Some(user) => views::user(&user),
        None => views::user_summary(&creator),
    };
    Ok(views::course(community, creator, standing))
}
