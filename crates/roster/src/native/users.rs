//! `/v1/users`: create an account (admin scope), read one, read and update
//! your own. Validation is `roster_engine::users`'; creation goes through
//! `admin::create_user`, like the CLI's.

use super::constraints;
use super::extract::{scope, Caller, JsonBody, UserPath};
use super::problem::Problem;
use super::views::{self, UserView};
use crate::admin::{self, UserSpec};
use crate::app::AppState;
use crate::auth::Principal;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use roster_engine::users::{self, may_see_private_fields};
use roster_store::{Profile, UserKey, UserPatch};
use serde::Deserialize;
use utoipa::ToSchema;

/// Profile fields: each up to 256 characters, no control characters.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ProfileInput {
    #[schema(schema_with = constraints::profile_text, required = false)]
    pub nickname: String,
    #[schema(schema_with = constraints::profile_text, required = false)]
    pub slug: String,
    #[schema(schema_with = constraints::profile_text, required = false)]
    pub first_name: String,
    #[schema(schema_with = constraints::profile_text, required = false)]
    pub last_name: String,
    #[schema(schema_with = constraints::profile_text, required = false)]
    pub photo_url: String,
}

/// An account to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// 1 to 64 of ASCII letters, digits, `.`, `_`, `-`.
    #[schema(schema_with = constraints::username)]
    pub username: String,
    /// 8 to 1024 characters.
    #[schema(schema_with = constraints::password)]
    pub password: String,
    #[serde(default)]
    #[schema(schema_with = constraints::email, required = false)]
    pub email: Option<String>,
    /// May hold admin-scoped tokens.
    #[serde(default)]
    pub admin: bool,
    #[serde(default)]
    #[schema(required = false)]
    pub profile: Option<ProfileInput>,
}

/// Changes to your account; absent fields keep their value. An empty
/// `email` removes it. A new `password` needs the `current_password`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct UpdateMe {
    #[schema(schema_with = constraints::email, required = false)]
    pub email: Option<String>,
    #[schema(schema_with = constraints::optional_password, required = false)]
    pub password: Option<String>,
    pub current_password: Option<String>,
    #[schema(schema_with = constraints::optional_profile_text, required = false)]
    pub nickname: Option<String>,
    #[schema(schema_with = constraints::optional_profile_text, required = false)]
    pub slug: Option<String>,
    #[schema(schema_with = constraints::optional_profile_text, required = false)]
    pub first_name: Option<String>,
    #[schema(schema_with = constraints::optional_profile_text, required = false)]
    pub last_name: Option<String>,
    #[schema(schema_with = constraints::optional_profile_text, required = false)]
    pub photo_url: Option<String>,
}

#[utoipa::path(
    post, path = "/v1/users", tag = "users", operation_id = "create_user",
    description = "Create an account. Scope: admin.",
    request_body = CreateUser,
    responses((status = 201, description = "Created", body = UserView)),
)]
pub async fn create(
    State(state): State<AppState>,
    _caller: Caller<scope::Admin>,
    JsonBody(input): JsonBody<CreateUser>,
) -> Result<Response, Problem> {
    let profile = input.profile.unwrap_or_default();
    let spec = UserSpec {
        username: input.username,
        password: input.password,
        email: input.email.filter(|e| !e.is_empty()),
        admin: input.admin,
        profile: Profile {
            nickname: profile.nickname,
            slug: profile.slug,
            first_name: profile.first_name,
            last_name: profile.last_name,
            photo_url: profile.photo_url,
        },
    };
    let user = admin::create_user(&state, spec).await?;
    let mut response = (StatusCode::CREATED, Json(views::user(&user, true))).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("/v1/users/{}", user.id)) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

#[utoipa::path(
    get, path = "/v1/users/me", tag = "users", operation_id = "get_me",
    description = "Your account. Scope: community:read.",
    responses((status = 200, description = "Your account", body = UserView)),
)]
pub async fn me(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Read>,
) -> Result<Json<UserView>, Problem> {
    let user = crate::auth::current_user(&state, &principal).await?;
    Ok(Json(views::user(&user, true)))
}

#[utoipa::path(
    get, path = "/v1/users/{id}", tag = "users", operation_id = "get_user",
    description = "An account; its email only to the user and admins. Scope: community:read.",
    params(("id" = uuid::Uuid, Path, description = "The user's UUID")),
    responses((status = 200, description = "The account", body = UserView)),
)]
pub async fn get_one(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Read>,
    UserPath(id): UserPath,
) -> Result<Json<UserView>, Problem> {
    let user = admin::user(&state, UserKey::Id(id)).await?;
    let private = may_see_private_fields(principal.user.id, principal.is_admin(), user.id);
    Ok(Json(views::user(&user, private)))
}

#[utoipa::path(
    patch, path = "/v1/users/me", tag = "users", operation_id = "update_me",
    description = "Update your profile, email or password. Scope: community:write.",
    request_body = UpdateMe,
    responses((status = 200, description = "Your account after", body = UserView)),
)]
pub async fn update_me(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    JsonBody(input): JsonBody<UpdateMe>,
) -> Result<Json<UserView>, Problem> {
    if let Some(email) = input.email.as_deref().filter(|e| !e.is_empty()) {
        users::validate_email(email)?;
    }
    for (field, value) in [
        ("nickname", &input.nickname),
        ("slug", &input.slug),
        ("first_name", &input.first_name),
        ("last_name", &input.last_name),
        ("photo_url", &input.photo_url),
    ] {
        if let Some(value) = value {
            users::validate_text(field, value)?;
        }
    }
    let password_hash = match &input.password {
        None => None,
        Some(password) => {
            Some(new_password_hash(&state, &principal, password, input.current_password).await?)
        }
    };
    let patch = UserPatch {
        email: input.email,
        nickname: input.nickname,
        slug: input.slug,
        first_name: input.first_name,
        last_name: input.last_name,
        photo_url: input.photo_url,
        password_hash,
    };
    let id = principal.user.id;
    let user = state.update_user(id, patch).await?;
    Ok(Json(views::user(&user, true)))
}

/// Check the current password and hash the new one (both on the bounded pool).
async fn new_password_hash(
    state: &AppState,
    principal: &Principal,
    password: &str,
    current: Option<String>,
) -> Result<String, Problem> {
    users::validate_password(password)?;
    let Some(current) = current else {
        return Err(Problem::invalid(
            "current_password",
            "required to change the password",
        ));
    };
    let stored = &principal.user.password_hash;
    let hash = if state.passwords.verify(&current, stored).await {
        Some(state.passwords.hash(password).await)
    } else {
        None
    };
    hash.ok_or_else(|| {
        Problem::new(
            StatusCode::FORBIDDEN,
            "wrong_password",
            "Wrong password",
            "current_password does not match",
        )
    })
}
