//! Sessions and users: `login` (password or `resume` token), `logout`,
//! `me` and `users.info`. A login issues an ordinary Roster token (scopes
//! read and write, label `rocketchat-login`), so `logout` is its revocation.
//! An admin user's login token also holds `admin`, as a Rocket.Chat
//! admin's session carries the admin role's permissions (`users.create`…).

use super::envelope::{self, Action, RcError};
use super::{auth, views, Params};
use crate::admin::{self, PasswordCheck};
use crate::app::AppState;
use crate::auth::{AuthError, Scope};
use crate::http::body::Body;
use crate::ratelimit::ClientAddress;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use roster_engine::UserId;
use roster_store::{Scopes, User, UserKey};
use serde_json::Value;
use std::net::IpAddr;

/// Label of the tokens `login` issues.
pub const LOGIN_TOKEN_LABEL: &str = "rocketchat-login";

/// `POST /api/v1/login`: `{"user"|"username"|"email", "password"}` or `{"resume": token}`.
pub async fn login(
    State(state): State<AppState>,
    Extension(ClientAddress(client)): Extension<ClientAddress>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, RcError> {
    let params = Params::from_body(&headers, body, Action::Login)?;
    match credentials(&params) {
        Some(Credentials::Resume(token)) => resume(&state, token).await,
        Some(Credentials::Password { login, password }) => {
            password_login(&state, login, password, client).await
        }
        None => Err(RcError::login_refused()),
    }
}

enum Credentials<'a> {
    Resume(&'a str),
    Password { login: &'a str, password: &'a str },
}

/// What the body offers to log in with; `None` when nothing usable (a
/// hashed `{"digest": …}` password cannot be checked against argon2).
fn credentials(params: &Params) -> Option<Credentials<'_>> {
    let text = |key: &str| {
        params
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    if let Some(token) = text("resume") {
        return Some(Credentials::Resume(token));
    }
    let password = text("password")?;
    let login = text("user")
        .or_else(|| text("username"))
        .or_else(|| text("email").filter(|e| e.contains('@')))?;
    Some(Credentials::Password { login, password })
}

async fn password_login(
    state: &AppState,
    login: &str,
    password: &str,
    client: Option<IpAddr>,
) -> Result<Response, RcError> {
    let store = |e| RcError::store(e, Action::Login, "");
    let user = match admin::check_password(state, login, password, client)
        .await
        .map_err(store)?
    {
        PasswordCheck::Valid(user) => *user,
        PasswordCheck::Invalid => return Err(RcError::login_refused()),
        PasswordCheck::Throttled(throttled) => return Err(RcError::throttled(throttled)),
    };
    let scopes = Scopes {
        read: true,
        write: true,
        admin: user.admin,
    };
    let (token, _) = admin::issue_token(state, &user, scopes, LOGIN_TOKEN_LABEL, None)
        .await
        .map_err(store)?;
    Ok(logged_in(&user, &token))
}

/// Meteor's resume login: a valid token logs in as its user, unchanged.
async fn resume(state: &AppState, token: &str) -> Result<Response, RcError> {
    match crate::auth::authenticate(state, token).await {
        Ok(principal) => Ok(logged_in(&principal.user, token)),
        Err(AuthError::Backend(detail)) => Err(RcError::internal(&detail)),
        Err(
            AuthError::Missing
            | AuthError::Malformed
            | AuthError::Unknown
            | AuthError::Expired
            | AuthError::Revoked
            | AuthError::MissingScope(_),
        ) => Err(RcError::login_refused()),
    }
}

/// `login`'s answer: `{"status":"success","data":{…},"success":true}`.
#[derive(serde::Serialize)]
struct LoggedIn<'a> {
    status: &'static str,
    data: LoginData<'a>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct LoginData<'a> {
    user_id: String,
    auth_token: &'a str,
    me: views::Me,
}

fn logged_in(user: &User, token: &str) -> Response {
    envelope::reply(LoggedIn {
        status: "success",
        data: LoginData {
            user_id: user.id.to_string(),
            auth_token: token,
            me: views::me(user),
        },
    })
}

/// `logout`'s answer (Rocket.Chat's has no `success`).
#[derive(serde::Serialize)]
struct LoggedOut {
    status: &'static str,
    data: LogoutMessage,
}

#[derive(serde::Serialize)]
struct LogoutMessage {
    message: &'static str,
}

/// `users.info`'s answer.
#[derive(serde::Serialize)]
struct Info {
    user: views::UserInfo,
}

/// `POST|GET /api/v1/logout`: revokes the token of the request.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, RcError> {
    let principal = auth::caller(&state, &headers, None).await?;
    state
        .revoke_token(principal.user.id, principal.token.id)
        .await
        .map_err(|e| RcError::store(e, Action::Login, ""))?;
    let body = LoggedOut {
        status: "success",
        data: LogoutMessage {
            message: "You've been logged out!",
        },
    };
    Ok((StatusCode::OK, envelope::sorted(&body)).into_response())
}

/// `GET /api/v1/me`.
pub async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, RcError> {
    let principal = auth::caller(&state, &headers, Some(Scope::Read)).await?;
    let user = crate::auth::current_user(&state, &principal)
        .await
        .map_err(|e| RcError::internal(&e.to_string()))?;
    Ok(envelope::reply(views::me(&user)))
}

/// `GET /api/v1/users.info?userId=…|username=…`.
pub async fn users_info(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, RcError> {
    auth::caller(&state, &headers, Some(Scope::Read)).await?;
    let user = find_user(&state, query.as_deref()).await?;
    Ok(envelope::reply(Info {
        user: views::user(&user),
    }))
}

async fn find_user(state: &AppState, query: Option<&str>) -> Result<User, RcError> {
    let action = Action::UsersInfo;
    let params = Params::from_query(query, action)?;
    subject(state, &params, action).await
}

/// The user a request names by `userId`, `username` or `user` (Rocket.Chat's
/// `getUserFromParams`).
pub async fn subject(state: &AppState, params: &Params, action: Action) -> Result<User, RcError> {
    let key = if let Some(id) = params.str("userId", action)? {
        match UserId::parse(id.trim()) {
            Some(id) => UserKey::Id(id),
            None => return Err(RcError::user_not_found(action)),
        }
    } else if let Some(name) = params
        .str("username", action)?
        .or(params.str("user", action)?)
    {
        UserKey::Username(name.trim().to_owned())
    } else {
        return Err(RcError::user_param_missing(action));
    };
    match state.find_user(key).await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(RcError::user_not_found(action)),
        Err(e) => Err(RcError::store(e, action, "")),
    }
}
