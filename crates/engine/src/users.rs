//! Rules for user accounts: what a username, password, email and profile
//! field may hold.

use crate::error::DomainError;
use crate::ids::UserId;

pub const MAX_USERNAME: usize = 64;
pub const MIN_PASSWORD: usize = 8;
pub const MAX_PASSWORD: usize = 1024;
pub const MAX_TEXT: usize = 256;

/// A username: 1 to 64 of ASCII letters, digits, `.`, `_`, `-`.
pub fn validate_username(name: &str) -> Result<(), DomainError> {
    let valid_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty() || name.len() > MAX_USERNAME || !name.chars().all(valid_char) {
        return Err(DomainError::Invalid {
            field: "username",
            reason: "use 1 to 64 letters, digits, '.', '_' or '-'",
        });
    }
    Ok(())
}

pub fn validate_password(password: &str) -> Result<(), DomainError> {
    let len = password.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&len) {
        return Err(DomainError::Invalid {
            field: "password",
            reason: "use 8 to 1024 characters",
        });
    }
    Ok(())
}

pub fn validate_email(email: &str) -> Result<(), DomainError> {
    let ok = email.len() <= MAX_TEXT
        && !email.chars().any(|c| c.is_control() || c.is_whitespace())
        && matches!(email.split_once('@'), Some((local, domain)) if !local.is_empty() && !domain.is_empty());
    if !ok {
        return Err(DomainError::Invalid {
            field: "email",
            reason: "not an email address",
        });
    }
    Ok(())
}

/// A free-text profile field (nickname, names, photo URL): at most 256
/// characters, no control characters.
pub fn validate_text(field: &'static str, text: &str) -> Result<(), DomainError> {
    if text.chars().count() > MAX_TEXT || text.chars().any(char::is_control) {
        return Err(DomainError::Invalid {
            field,
            reason: "at most 256 characters, no control characters",
        });
    }
    Ok(())
}

/// An email as a patch or a new account gives it: empty means none.
pub fn email_or_none(email: Option<&str>) -> Option<&str> {
    email.filter(|e| !e.is_empty())
}

/// Is the email still verified after it changes from `current` to `new`?
/// Only while it is the same address: letters compare ignoring ASCII case
/// (domains are case-insensitive; other letters are taken as they are, so
/// a changed one starts unverified, the cautious side).
pub fn email_stays_verified(current: Option<&str>, new: Option<&str>, verified: bool) -> bool {
    let same = match (current, new) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    };
    verified && same
}

/// May a viewer see a user's private fields (email, its verification)?
/// The user themselves may, and so may an admin token, whoever it acts for.
pub fn may_see_private_fields(viewer: UserId, admin: bool, subject: UserId) -> bool {
    admin || viewer == subject
}

/// May a user hold a token with the `admin` scope? Only admin users may;
/// anyone else asking for it is refused as not permitted (not as bad input:
/// the request is well formed, the caller just lacks the standing).
pub fn may_hold_scope(user_is_admin: bool, wants_admin_scope: bool) -> Result<(), DomainError> {
    if wants_admin_scope && !user_is_admin {
        return Err(DomainError::NotPermitted);
    }
    Ok(())
}
