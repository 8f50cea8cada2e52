//! Operator actions shared by the CLI, the native API and the tests:
//! creating users (validated, password hashed) and issuing tokens.

use crate::app::AppState;
use crate::auth;
use crate::ratelimit::Throttled;
use chrono::{DateTime, Utc};
use roster_engine::{users, DomainError};
use roster_store::{Error, NewToken, NewUser, Profile, Result, Scopes, TokenRecord, User, UserKey};
use std::net::{IpAddr, Ipv4Addr};

/// A user to create, as an operator or the native API gives it.
#[derive(Clone, Debug, Default)]
pub struct UserSpec {
    pub username: String,
    pub password: String,
    pub email: Option<String>,
    pub admin: bool,
    pub profile: Profile,
}

/// Validate and create a user; the password is hashed on the bounded pool.
pub async fn create_user(state: &AppState, spec: UserSpec) -> Result<User> {
    users::validate_username(&spec.username)?;
    users::validate_password(&spec.password)?;
    if let Some(email) = &spec.email {
        users::validate_email(email)?;
    }
    validate_profile(&spec.profile)?;
    let password_hash = state.passwords.hash(&spec.password).await;
    let new = NewUser {
        username: spec.username,
        password_hash,
        email: spec.email,
        admin: spec.admin,
        profile: spec.profile,
    };
    state.call(move |store| store.create_user(new)).await
}

pub fn validate_profile(profile: &Profile) -> std::result::Result<(), DomainError> {
    users::validate_text("nickname", &profile.nickname)?;
    users::validate_text("slug", &profile.slug)?;
    users::validate_text("first_name", &profile.first_name)?;
    users::validate_text("last_name", &profile.last_name)?;
    users::validate_text("photo_url", &profile.photo_url)
}

/// Issue a token for a user. `admin` scope is only granted to admin users
/// (anyone else is `NotPermitted`, the engine's rule).
pub async fn issue_token(
    state: &AppState,
    user: &User,
    scopes: Scopes,
    label: &str,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(String, TokenRecord)> {
    users::may_hold_scope(user.admin, scopes.admin)?;
    users::validate_text("label", label)?;
    let (token, hash) = auth::generate_token();
    let new = NewToken {
        user: user.id,
        hash,
        scopes,
        label: label.to_owned(),
        expires_at,
    };
    let record = state.call(move |store| store.create_token(new)).await?;
    Ok((token, record))
}

/// What a password check found.
#[derive(Debug)]
pub enum PasswordCheck {
    Valid(Box<User>),
    /// Unknown user or wrong password: callers cannot tell which.
    Invalid,
    /// Refused before checking: a rate limit, the back-off, or a full pool.
    Throttled(Throttled),
}

/// Check a username (or email) and password from a client address, under
/// the login limits (see `ratelimit`); records the login on success. The
/// hash is verified on the bounded password pool, never on the runtime.
pub async fn check_password(
    state: &AppState,
    login: &str,
    password: &str,
    client: Option<IpAddr>,
) -> Result<PasswordCheck> {
    let address = client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let key = if login.contains('@') {
        UserKey::Email(login.to_owned())
    } else {
        UserKey::Username(login.to_owned())
    };
    let found = state.call(move |store| store.find_user(key)).await?;
    // One account, whichever name it is reached by.
    let account = found
        .as_ref()
        .map_or_else(|| login.to_lowercase(), |user| user.id.to_string());
    if let Err(throttled) = state.limits.before_login(&account, address) {
        return Ok(PasswordCheck::Throttled(throttled));
    }
    // An unknown user is checked against a dummy hash, so timing tells nothing.
    let stored = found
        .as_ref()
        .map_or(DUMMY_HASH, |user| user.password_hash.as_str());
    match state.passwords.verify_or_busy(password, stored).await {
        Err(busy) => return Ok(PasswordCheck::Throttled(busy.into())),
        Ok(false) => {
            state.limits.login_failed(&account, address);
            return Ok(PasswordCheck::Invalid);
        }
        Ok(true) => {}
    }
    let Some(user) = found else {
        return Ok(PasswordCheck::Invalid);
    };
    let id = user.id;
    state.call(move |store| store.record_login(id)).await?;
    state.limits.login_succeeded(&account, address);
    Ok(PasswordCheck::Valid(Box::new(user)))
}

/// A valid argon2 hash of a random string, verified against when a user is unknown.
pub(crate) const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0rVn0GXGvdNEj3K2iDpbwPUTZ0pKpjSYsGJ7WnUXMsE";

/// Find a user or fail with `UserNotFound`.
pub async fn user(state: &AppState, key: UserKey) -> Result<User> {
    state
        .call(move |store| store.find_user(key))
        .await?
        .ok_or(Error::Domain(DomainError::UserNotFound))
}
