//! User accounts: creation (with the site community's bookkeeping, in the
//! same transaction), lookups by every key a dialect knows, profile patches,
//! logins and the admin listing.

use rusqlite::{params, Connection, OptionalExtension};

use roster_engine::users::{email_or_none, email_stays_verified};
use roster_engine::{site_step, DomainError, SiteStep, UserId};

use super::rows::{self, fmt_ts, USER_COLUMNS};
use super::{communities, refuse};
use crate::{NewUser, Result, User, UserKey, UserPatch};

/// Create a user, and take the site community's step for them
/// ([`site_step`]: join it, found it, or stay outside).
pub(super) fn create(tx: &Connection, new: NewUser) -> Result<User> {
    let email = email_or_none(new.email.as_deref());
    if taken(tx, "username", &new.username, None)? {
        return refuse(DomainError::UsernameTaken);
    }
    if let Some(email) = &email {
        if taken(tx, "email", email, None)? {
            return refuse(DomainError::EmailTaken);
        }
    }
    let now = fmt_ts(rows::now());
    let profile = &new.profile;
    rows::exec(
        tx,
        "INSERT INTO users (id, username, email, email_verified, admin, nickname, slug,
                            first_name, last_name, photo_url, password_hash,
                            created_at, updated_at)
         VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        params![
            UserId::random().0.to_string(),
            new.username,
            email,
            new.admin,
            profile.nickname,
            profile.slug,
            profile.first_name,
            profile.last_name,
            profile.photo_url,
            new.password_hash,
            now,
        ],
    )?;
    let num = tx.last_insert_rowid();
    let user = by_num(tx, num)?;
    let site = communities::site_num(tx)?;
    match (site, site_step(site.is_some(), user.admin)) {
        (Some(site), SiteStep::Join) => communities::join_site(tx, site, &user)?,
        (_, SiteStep::Found) => communities::create_site(tx, &user)?,
        _ => {}
    }
    // Joining the site stamps the user's `updated_at`: return it as stored.
    by_num(tx, num)
}

pub(super) fn find(conn: &Connection, key: &UserKey) -> Result<Option<User>> {
    let (column, value): (&str, rusqlite::types::Value) = match key {
        UserKey::Id(id) => ("id", id.0.to_string().into()),
        UserKey::Num(num) => ("num", (*num).into()),
        UserKey::Username(name) => ("username", name.clone().into()),
        UserKey::Email(email) => ("email", email.clone().into()),
    };
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.{column} = ?1");
    Ok(rows::query_row(conn, &sql, [value], |row| rows::user(row, 0)).optional()?)
}

/// Apply a profile patch; whether the email stays verified is the
/// engine's [`email_stays_verified`].
pub(super) fn update(tx: &Connection, id: UserId, patch: &UserPatch) -> Result<User> {
    let Some(user) = find(tx, &UserKey::Id(id))? else {
        return refuse(DomainError::UserNotFound);
    };
    let mut email = user.email.clone();
    let mut verified = user.email_verified;
    if let Some(new_email) = &patch.email {
        let new_email = email_or_none(Some(new_email));
        if let Some(address) = new_email {
            if taken(tx, "email", address, Some(user.num))? {
                return refuse(DomainError::EmailTaken);
            }
        }
        verified = email_stays_verified(user.email.as_deref(), new_email, verified);
        email = new_email.map(str::to_owned);
    }
    let keep =
        |value: &Option<String>, current: &str| value.clone().unwrap_or_else(|| current.to_owned());
    let profile = &user.profile;
    rows::exec(
        tx,
        "UPDATE users SET email = ?2, email_verified = ?3, nickname = ?4, slug = ?5,
                          first_name = ?6, last_name = ?7, photo_url = ?8,
                          password_hash = ?9, updated_at = ?10
         WHERE num = ?1",
        params![
            user.num,
            email,
            verified,
            keep(&patch.nickname, &profile.nickname),
            keep(&patch.slug, &profile.slug),
            keep(&patch.first_name, &profile.first_name),
            keep(&patch.last_name, &profile.last_name),
            keep(&patch.photo_url, &profile.photo_url),
            keep(&patch.password_hash, &user.password_hash),
            fmt_ts(rows::now()),
        ],
    )?;
    by_num(tx, user.num)
}

pub(super) fn record_login(tx: &Connection, id: UserId) -> Result<()> {
    let changed = rows::exec(
        tx,
        "UPDATE users SET last_login_at = ?2 WHERE id = ?1",
        params![id.0.to_string(), fmt_ts(rows::now())],
    )?;
    if changed == 0 {
        return refuse(DomainError::UserNotFound);
    }
    Ok(())
}

pub(super) fn list(conn: &Connection, after: Option<i64>, limit: i64) -> Result<Vec<User>> {
    let sql =
        format!("SELECT {USER_COLUMNS} FROM users u WHERE u.num > ?1 ORDER BY u.num LIMIT ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let users = stmt
        .query_map(params![after.unwrap_or(i64::MIN), limit], |row| {
            rows::user(row, 0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(users)
}

pub(super) fn by_num(conn: &Connection, num: i64) -> Result<User> {
    match find(conn, &UserKey::Num(num))? {
        Some(user) => Ok(user),
        None => refuse(DomainError::UserNotFound),
    }
}

/// Does another user (not `except`) hold this username or email? Both
/// columns compare case-insensitively (`COLLATE NOCASE` in the schema).
fn taken(conn: &Connection, column: &str, value: &str, except: Option<i64>) -> Result<bool> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM users WHERE {column} = ?1 AND num IS NOT ?2)");
    Ok(rows::query_row(
        conn,
        &sql,
        params![value, except],
        |row| row.get(0),
    )?)
}
