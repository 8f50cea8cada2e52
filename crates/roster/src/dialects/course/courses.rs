//! Courses themselves: create (`POST /api/v2/course/`), read and delete
//! (`GET|DELETE /api/v2/course/{id}/`). Creating makes the caller the
//! owner, which the course API calls the `creator`.

use super::errors::ApiError;
use super::views::{self, CourseView, Privacy};
use super::{course, execute, BodyObject, Caller, Course, CourseNum};
use crate::app::AppState;
use crate::http::extract::{Read, Write};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_engine::{Command, ContributionMode, NewCommunity, Settings, Standing};
use roster_store::{Community, UserKey};
use serde_json::{Map, Value};

/// `POST /api/v2/course/` `{name, description?, privacy, type?, categories?}`
/// → 201 with the course. `type` and `categories` are checked for shape and
/// otherwise ignored: Roster keeps memberships, not lessons.
pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller<Write>,
    BodyObject(body): BodyObject,
) -> Result<(StatusCode, Json<CourseView>), ApiError> {
    let new = NewCommunity {
        settings: new_settings(&body)?,
        site: false,
        members: Vec::new(),
    };
    let outcome = state.create_community(caller.actor(), new).await?;
    let view = views::course(
        &outcome.community,
        views::user(&caller.user),
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
    CourseNum(num): CourseNum,
    caller: Caller<Read>,
) -> Result<Json<CourseView>, ApiError> {
    let Course {
        community,
        standing,
    } = course(&state, &caller, num).await?;
    Ok(Json(render(&state, &community, standing).await?))
}

/// `DELETE /api/v2/course/{id}/` → 204 (the owner, or an admin token).
pub(super) async fn delete(
    State(state): State<AppState>,
    CourseNum(num): CourseNum,
    caller: Caller<Write>,
) -> Result<StatusCode, ApiError> {
    let course = course(&state, &caller, num).await?;
    execute(&state, caller.actor(), &course, Command::Delete).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The course object, with its creator's current profile.
pub(super) async fn render(
    state: &AppState,
    community: &Community,
    standing: Standing,
) -> Result<CourseView, ApiError> {
    let found = state.find_user(UserKey::Id(community.creator.id)).await?;
    let creator = match found {
        Some(user) => views::user(&user),
        None => views::user_summary(&community.creator),
    };
    Ok(views::course(community, creator, standing))
}
