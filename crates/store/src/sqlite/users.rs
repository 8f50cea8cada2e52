//! User accounts: creation (with the site community's bookkeeping, in the
//! same transaction), lookups by every key a dialect knows, profile patches,
//! logins and the admin listing.

use rusqlite::{params, Connection, OptionalExtension};

use roster_engine::{DomainError, UserId};

use super::rows::{self, fmt_ts, USER_COLUMNS};
use super::{communities, refuse};
use crate::user_flow::{self, Patched, Unique, UserTx};
use crate::{Error, NewUser, Result, User, UserKey, UserPatch};

/// Create a user, and take the site community's step for them (the
/// backend-neutral `user_flow::create`).
pub(super) fn create(tx: &Connection, new: NewUser) -> Result<User> {
    communities::ready(user_flow::create(&mut Users(tx), &new))
}

/// Apply a profile patch (the backend-neutral `user_flow::update`; the
/// writer's `BEGIN IMMEDIATE` already holds the write lock).
pub(super) fn update(tx: &Connection, id: UserId, patch: &UserPatch) -> Result<User> {
    communities::ready(user_flow::update(&mut Users(tx), id, patch))
}

/// The writer's transaction, as `user_flow` drives it.
struct Users<'c>(&'c Connection);

impl UserTx for Users<'_> {
    type Error = Error;

    async fn taken(&mut self, column: Unique, value: &str, except: Option<i64>) -> Result<bool> {
        taken(self.0, column.column(), value, except)
    }

    async fn insert_user(&mut self, new: &NewUser, email: Option<&str>) -> Result<i64> {
        let profile = &new.profile;
        rows::exec(
            self.0,
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
                fmt_ts(rows::now()),
            ],
        )?;
        Ok(self.0.last_insert_rowid())
    }

    async fn user_by_num(&mut self, num: i64) -> Result<Option<User>> {
        find(self.0, &UserKey::Num(num))
    }

    async fn lock_user(&mut self, id: UserId) -> Result<Option<User>> {
        find(self.0, &UserKey::Id(id))
    }

    /// One writer: what this transaction reads is settled.
    async fn settled_site(&mut self) -> Result<Option<i64>> {
        communities::site_num(self.0)
    }

    async fn join_site(&mut self, site: i64, user: &User) -> Result<()> {
        communities::join_site(self.0, site, user)
    }

    async fn create_site(&mut self, owner: &User) -> Result<()> {
        communities::create_site(self.0, owner)
    }

    async fn write_user(&mut self, num: i64, patched: &Patched) -> Result<()> {
        let profile = &patched.profile;
        rows::exec(
            self.0,
            "UPDATE users SET email = ?2, email_verified = ?3, nickname = ?4, slug = ?5,
                              first_name = ?6, last_name = ?7, photo_url = ?8,
                              password_hash = ?9, updated_at = ?10
             WHERE num = ?1",
            params![
                num,
                patched.email,
                patched.email_verified,
                profile.nickname,
                profile.slug,
                profile.first_name,
                profile.last_name,
                profile.photo_url,
                patched.password_hash,
                fmt_ts(rows::now()),
            ],
        )?;
        Ok(())
    }
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
