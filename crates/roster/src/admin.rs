//! Operator actions shared by the CLI, the native API and the tests:
//! creating users (validated, password hashed) and issuing tokens.

use crate::app::AppState;
use crate::auth;
use chrono::{DateTime, Utc};
use roster_engine::{users, DomainError};
use roster_store::{Error, NewToken, NewUser, Profile, Result, Scopes, TokenRecord, User, UserKey};

/// A user to create, as an operator or the native API gives it.
#[derive(Clone, Debug, Default)]
pub struct UserSpec {
    pub username: String,
    pub password: String,
    pub email: Option<String>,
    pub admin: bool,
    pub profile: Profile,
}

/// Validate and create a user; the password is hashed off the runtime.
pub async fn create_user(state: &AppState, spec: UserSpec) -> Result<User> {
    users::validate_username(&spec.username)?;
    users::validate_password(&spec.password)?;
    if let Some(email) = &spec.email {
        users::validate_email(email)?;
    }
    validate_profile(&spec.profile)?;
    state
        .run(move |store| {
            let password_hash = crate::password::hash(&spec.password);
            store.create_user(NewUser {
                username: spec.username,
                password_hash,
                email: spec.email,
                admin: spec.admin,
                profile: spec.profile,
            })
        })
        .await
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
    let record = state.run(move |store| store.create_token(new)).await?;
    Ok((token, record))
}

/// Check a username (or email) and password; records the login on success.
/// `Ok(None)` for any mismatch, so callers cannot tell which part was wrong.
pub async fn check_password(state: &AppState, login: &str, password: &str) -> Result<Option<User>> {
    let login = login.to_owned();
    let password = password.to_owned();
    state
        .run(move |store| {
            let key = if login.contains('@') {
                UserKey::Email(login)
            } else {
                UserKey::Username(login)
            };
            let Some(user) = store.find_user(&key)? else {
                // Spend the same time as a real check, so timing tells nothing.
                crate::password::verify(&password, DUMMY_HASH);
                return Ok(None);
            };
            if !crate::password::verify(&password, &user.password_hash) {
                return Ok(None);
            }
            store.record_login(user.id)?;
            Ok(Some(user))
        })
        .await
}

/// A valid argon2 hash of a random string, verified against when a user is unknown.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0rVn0GXGvdNEj3K2iDpbwPUTZ0pKpjSYsGJ7WnUXMsE";

/// Find a user or fail with `UserNotFound`.
pub async fn user(state: &AppState, key: UserKey) -> Result<User> {
    state
        .run(move |store| store.find_user(&key))
        .await?
        .ok_or(Error::Domain(DomainError::UserNotFound))
}
