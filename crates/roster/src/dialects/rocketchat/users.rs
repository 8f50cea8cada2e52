//! Rocket.Chat's user management: `users.create`, `users.list`,
//! `users.update` and `users.delete` (`users.info` is in `login.rs`).
//! Creating, changing and deleting accounts takes an `admin` token (a
//! Rocket.Chat admin's login carries one); listing takes any logged-in
//! caller, who sees every account's public fields. Roster keeps a
//! username, a password, an email and a display name (Rocket.Chat's
//! `name`, kept as the nickname); other fields are not stored.
//!
//! Deleting a user ends every membership through the engine
//! (`roster_engine::deletion`): as Rocket.Chat does, a user who is some
//! room's last owner is refused (`error-user-last-owner`) unless
//! `confirmRelinquish` is true; then ownership passes to the room's
//! longest-standing member, and a room left with nobody is deleted.

use super::envelope::{self, Action, RcError};
use super::{auth, views, Params};
use crate::admin::{self, UserSpec};
use crate::app::AppState;
use crate::auth::Scope;
use crate::http::body::Body;
use crate::http::timestamp;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use roster_engine::users;
use roster_store::{Profile, User, UserPatch};
use serde::Serialize;
use serde_json::Value;

use super::not_found::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users.create", post(create))
        .route("/api/v1/users.list", get(list))
        .route("/api/v1/users.update", post(update))
        .route("/api/v1/users.delete", post(delete))
}

/// Page size when the request gives no `count`, and the largest served.
const DEFAULT_COUNT: u64 = 50;
const MAX_COUNT: u64 = 100;

/// An email address in a user document.
#[derive(Serialize)]
struct Email {
    address: String,
    verified: bool,
}

/// A user as `users.create`, `users.update` and `users.list` show one.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserDoc {
    #[serde(rename = "_id")]
    id: String,
    username: String,
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    emails: Vec<Email>,
    status: &'static str,
    active: bool,
    roles: Vec<&'static str>,
    #[serde(rename = "type")]
    kind: &'static str,
    created_at: String,
    #[serde(rename = "_updatedAt")]
    updated_at: String,
}

fn user_doc(user: &User, with_email: bool) -> UserDoc {
    let mut roles = vec!["user"];
    if user.admin {
        roles.push("admin");
    }
    let emails = match (&user.email, with_email) {
        (Some(address), true) => vec![Email {
            address: address.clone(),
            verified: user.email_verified,
        }],
        _ => Vec::new(),
    };
    UserDoc {
        id: user.id.to_string(),
        username: user.username.clone(),
        name: views::display_name(user),
        emails,
        status: "offline",
        active: true,
        roles,
        kind: "user",
        created_at: timestamp(user.created_at),
        updated_at: timestamp(user.updated_at),
    }
}

#[derive(Serialize)]
struct OneUser {
    user: UserDoc,
}

/// A required string parameter of `params`.
fn required<'a>(params: &'a Params, key: &str, action: Action) -> Result<&'a str, RcError> {
    params
        .str(key, action)?
        .ok_or_else(|| RcError::invalid(action, &format!("The parameter \"{key}\" is required")))
}

/// `roles` holds `admin`? (absent: no).
fn wants_admin(params: &Params, action: Action) -> Result<bool, RcError> {
    match params.get("roles") {
        None => Ok(false),
        Some(Value::Array(roles)) => Ok(roles.iter().any(|r| r.as_str() == Some("admin"))),
        Some(_) => Err(RcError::invalid(
            action,
            "The parameter \"roles\" must be an array",
        )),
    }
}

/// `POST /api/v1/users.create`: `{email, name, password, username, roles?}`.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, RcError> {
    let action = Action::UsersCreate;
    auth::caller(&state, &headers, Some(Scope::Admin)).await?;
    let params = Params::from_body(&headers, body, action)?;
    let spec = UserSpec {
        username: required(&params, "username", action)?.to_owned(),
        password: required(&params, "password", action)?.to_owned(),
        email: Some(required(&params, "email", action)?.to_owned()),
        admin: wants_admin(&params, action)?,
        profile: Profile {
            nickname: required(&params, "name", action)?.to_owned(),
            ..Profile::default()
        },
    };
    let user = admin::create_user(&state, spec)
        .await
        .map_err(|e| RcError::store(e, action, ""))?;
    Ok(envelope::ok(OneUser {
        user: user_doc(&user, true),
    }))
}

#[derive(Serialize)]
struct UsersPage {
    users: Vec<UserDoc>,
    count: usize,
    offset: u64,
    total: u64,
}

/// `GET /api/v1/users.list?offset=…&count=…`: every account, by creation.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, RcError> {
    let action = Action::UsersList;
    let principal = auth::caller(&state, &headers, Some(Scope::Read)).await?;
    let params = Params::from_query(query.as_deref(), action)?;
    let offset = params.uint("offset", action)?.unwrap_or(0);
    let count = match params.uint("count", action)? {
        None => DEFAULT_COUNT,
        Some(0) => MAX_COUNT,
        Some(n) => n.min(MAX_COUNT),
    };
    let page = state
        .users_page(offset, count as u32)
        .await
        .map_err(|e| RcError::store(e, action, ""))?;
    let viewer = principal.user.id;
    let admin = principal.is_admin();
    let users: Vec<UserDoc> = page
        .items
        .iter()
        .map(|u| user_doc(u, users::may_see_private_fields(viewer, admin, u.id)))
        .collect();
    Ok(envelope::ok(UsersPage {
        count: users.len(),
        users,
        offset,
        total: page.total,
    }))
}

/// `POST /api/v1/users.update`: `{userId, data: {name?, email?, password?}}`.
/// A `data.username` other than the current one is refused: Roster does
/// not rename accounts.
pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, RcError> {
    let action = Action::UsersUpdate;
    auth::caller(&state, &headers, Some(Scope::Admin)).await?;
    let params = Params::from_body(&headers, body, action)?;
    let user = super::login::subject(&state, &params, action).await?;
    let Some(Value::Object(data)) = params.get("data") else {
        return Err(RcError::invalid(
            action,
            "The parameter \"data\" is required and must be an object",
        ));
    };
    let data = Params(data.clone());
    if let Some(username) = data.str("username", action)? {
        if username != user.username {
            return Err(RcError::invalid(action, "Roster does not rename users"));
        }
    }
    let email = data.str("email", action)?.map(str::to_owned);
    if let Some(email) = &email {
        users::validate_email(email).map_err(|e| envelope::domain(&e, action, ""))?;
    }
    let nickname = data.str("name", action)?.map(str::to_owned);
    if let Some(name) = &nickname {
        users::validate_text("name", name).map_err(|e| envelope::domain(&e, action, ""))?;
    }
    let password_hash = match data.str("password", action)? {
        None => None,
        Some(password) => {
            users::validate_password(password).map_err(|e| envelope::domain(&e, action, ""))?;
            Some(state.passwords.hash(password).await)
        }
    };
    let patch = UserPatch {
        email,
        nickname,
        password_hash,
        ..UserPatch::default()
    };
    let updated = state
        .update_user(user.id, patch)
        .await
        .map_err(|e| RcError::store(e, action, ""))?;
    Ok(envelope::ok(OneUser {
        user: user_doc(&updated, true),
    }))
}

/// `POST /api/v1/users.delete`: `{userId|username, confirmRelinquish?}`.
pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, RcError> {
    let action = Action::UsersDelete;
    let principal = auth::caller(&state, &headers, Some(Scope::Admin)).await?;
    let params = Params::from_body(&headers, body, action)?;
    let user = super::login::subject(&state, &params, action).await?;
    let relinquish = matches!(params.get("confirmRelinquish"), Some(Value::Bool(true)))
        || params.str("confirmRelinquish", action).ok().flatten() == Some("true");
    let actor = principal.actor();
    let id = user.id;
    state
        .delete_user(actor, id, relinquish)
        .await
        .map_err(|e| deletion_error(e, action))?;
    // Its cached tokens stop working on this node at once.
    state.tokens.forget_user(id);
    Ok(envelope::ok(super::rooms::Done {}))
}

/// A refused deletion in Rocket.Chat's words: the last owner of a room
/// is `error-user-last-owner`.
fn deletion_error(error: roster_store::Error, action: Action) -> RcError {
    match error {
        roster_store::Error::Domain(roster_engine::DomainError::LastOwner) => RcError::new(
            action,
            "error-user-last-owner",
            "The user is the last owner of a room: set a new owner first, or send confirmRelinquish",
        ),
        other => RcError::store(other, action, ""),
    }
}
