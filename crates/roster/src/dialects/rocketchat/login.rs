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
) -> Response {
    let params = match Params::from_body(&headers, body, Action::Login) {
        Ok(params) => params,
        Err(e) => return e.into_response(),
    };
    match credentials(&params) {
        Some(Credentials::Resume(token)) => resume(&state, token).await,
        Some(Credentials::Password { login, password }) => {
            password_login(&state, login, password, client).await
        }
        None => envelope::login_refused(),
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
) -> Response {
    let user = match admin::check_password(state, login, password, client).await {
        Ok(PasswordCheck::Valid(user)) => *user,
        Ok(PasswordCheck::Invalid) => return envelope::login_refused(),
        Ok(PasswordCheck::Throttled(throttled)) => return envelope::throttled(&throttled),
        Err(e) => return RcError::store(e, Action::Login, "").into_response(),
    };
    let scopes = Scopes {
        read: true,
        write: true,
        admin: user.admin,
    };
    match admin::issue_token(state, &user, scopes, LOGIN_TOKEN_LABEL, None).await {
        Ok((token, _)) => logged_in(&user, &token),
        Err(e) => RcError::store(e, Action::Login, "").into_response(),
    }
}

/// Meteor's resume login: a valid token logs in as its user, unchanged.
async fn resume(state: &AppState, token: &str) -> Response {
    match crate::auth::authenticate(state, token).await {
        Ok(principal) => logged_in(&principal.user, token),
        Err(AuthError::Backend(detail)) => RcError::internal(&detail).into_response(),
        Err(
            AuthError::Missing
            | AuthError::Malformed
            | AuthError::Unknown
            | AuthError::Expired
            | AuthError::Revoked
            | AuthError::MissingScope(_),
        ) => envelope::login_refused(),
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
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let principal = match auth::principal(&state, &headers, None).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let (user, token) = (principal.user.id, principal.token.id);
    if let Err(e) = state.revoke_token(user, token).await {
        return RcError::store(e, Action::Login, "").into_response();
    }
    let body = LoggedOut {
        status: "success",
        data: LogoutMessage {
            message: "You've been logged out!",
        },
    };
    (StatusCode::OK, envelope::sorted(&body)).into_response()
}

/// `GET /api/v1/me`.
pub async fn me(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match auth::principal(&state, &headers, Some(Scope::Read)).await {
        Ok(principal) => match crate::auth::current_user(&state, &principal).await {
            Ok(user) => envelope::reply(views::me(&user)),
            Err(e) => RcError::internal(&e.to_string()).into_response(),
        },
        Err(response) => response,
    }
}

/// `GET /api/v1/users.info?userId=…|username=…`.
pub async fn users_info(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(response) = auth::principal(&state, &headers, Some(Scope::Read)).await {
        return response;
    }
    match find_user(&state, query.as_deref()).await {
        Ok(user) => envelope::reply(Info {
            user: views::user(&user),
        }),
        Err(e) => e.into_response(),
    }
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
