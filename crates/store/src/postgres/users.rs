//! User accounts: creation (with the site community's bookkeeping, in the
//! same transaction), lookups by every key a dialect knows, profile patches,
//! logins and the admin listing.
//!
//! Usernames and emails compare case-insensitively, as SQLite's
//! `COLLATE NOCASE` does: the unique indexes are on `lower(…)` and every
//! look-up compares `lower(…)`. (`lower` folds all of Unicode where NOCASE
//! folds ASCII only: "Ä" and "ä" are one name here, two in SQLite.)

use super::sql::Sql;
use tokio_postgres::types::ToSql;

use roster_engine::{DomainError, UserId};

use super::communities::{self, SITE_LOCK};
use super::errors::{refuse, Fault, Res};
use super::rows::{self, USER_COLUMNS};
use crate::user_flow::{self, Patched, Unique, UserTx};
use crate::{NewUser, User, UserKey, UserPatch};

/// Create a user, and take the site community's step for them (the
/// backend-neutral `user_flow::create`).
///
/// Two nodes may create users at once: a username or email taken by the
/// other meanwhile is caught by the unique indexes (UsernameTaken,
/// EmailTaken), and while no site community exists the decision "found it,
/// join it, or stay outside" is made under [`SITE_LOCK`], so that exactly
/// one site community is created and everyone created after it is in it.
pub(super) async fn create(tx: &mut impl Sql, new: &NewUser) -> Res<User> {
    user_flow::create(&mut Users(tx), new).await
}

/// Apply a profile patch (the backend-neutral `user_flow::update`), the
/// user's row locked: two patches of one user apply one after the other.
pub(super) async fn update(tx: &mut impl Sql, id: UserId, patch: &UserPatch) -> Res<User> {
    user_flow::update(&mut Users(tx), id, patch).await
}

/// A write transaction, as `user_flow` drives it.
struct Users<'a, S>(&'a mut S);

impl<S: Sql> UserTx for Users<'_, S> {
    type Error = Fault;

    async fn taken(&mut self, column: Unique, value: &str, except: Option<i64>) -> Res<bool> {
        taken(self.0, column.column(), value, except).await
    }

    async fn insert_user(&mut self, new: &NewUser, email: Option<&str>) -> Res<i64> {
        let profile = &new.profile;
        let row = self
            .0
            .query_one(
                "INSERT INTO users (id, username, email, email_verified, admin, nickname, slug,
                                first_name, last_name, photo_url, password_hash,
                                created_at, updated_at)
             VALUES ($1, $2, $3, false, $4, $5, $6, $7, $8, $9, $10, $11, $11)
             RETURNING num",
                &[
                    &UserId::random().0,
                    &new.username,
                    &email,
                    &new.admin,
                    &profile.nickname,
                    &profile.slug,
                    &profile.first_name,
                    &profile.last_name,
                    &profile.photo_url,
                    &new.password_hash,
                    &rows::now(),
                ],
            )
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn user_by_num(&mut self, num: i64) -> Res<Option<User>> {
        find(self.0, &UserKey::Num(num)).await
    }

    async fn lock_user(&mut self, id: UserId) -> Res<Option<User>> {
        let locked = self
            .0
            .query_opt("SELECT num FROM users WHERE id = $1 FOR UPDATE", &[&id.0])
            .await?;
        if locked.is_none() {
            return Ok(None);
        }
        find(self.0, &UserKey::Id(id)).await
    }

    async fn settled_site(&mut self) -> Res<Option<i64>> {
        if let Some(site) = communities::site_num(self.0).await? {
            return Ok(Some(site));
        }
        // Wait for any other node deciding the same, then look again
        // (a new statement: READ COMMITTED sees what it committed).
        self.0
            .execute("SELECT pg_advisory_xact_lock($1)", &[&SITE_LOCK])
            .await?;
        communities::site_num(self.0).await
    }

    async fn join_site(&mut self, site: i64, user: &User) -> Res<()> {
        communities::join_site(self.0, site, user).await
    }

    async fn create_site(&mut self, owner: &User) -> Res<()> {
        communities::create_site(self.0, owner).await
    }

    async fn write_user(&mut self, num: i64, patched: &Patched) -> Res<()> {
        let profile = &patched.profile;
        self.0
            .execute(
                "UPDATE users SET email = $2, email_verified = $3, nickname = $4, slug = $5,
                              first_name = $6, last_name = $7, photo_url = $8,
                              password_hash = $9, updated_at = $10
             WHERE num = $1",
                &[
                    &num,
                    &patched.email,
                    &patched.email_verified,
                    &profile.nickname,
                    &profile.slug,
                    &profile.first_name,
                    &profile.last_name,
                    &profile.photo_url,
                    &patched.password_hash,
                    &rows::now(),
                ],
            )
            .await?;
        Ok(())
    }
}

pub(super) async fn find(client: &mut impl Sql, key: &UserKey) -> Res<Option<User>> {
    if let UserKey::Username(text) | UserKey::Email(text) = key {
        if !rows::storable(text) {
            return Ok(None);
        }
    }
    let (filter, value): (&str, Box<dyn ToSql + Send + Sync>) = match key {
        UserKey::Id(id) => ("u.id = $1", Box::new(id.0)),
        UserKey::Num(num) => ("u.num = $1", Box::new(*num)),
        UserKey::Username(name) => ("lower(u.username) = lower($1)", Box::new(name.clone())),
        UserKey::Email(email) => ("lower(u.email) = lower($1)", Box::new(email.clone())),
    };
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE {filter}");
    match client.query_opt(&sql, &[&*value]).await? {
        Some(row) => rows::user(&row, 0).map(Some),
        None => Ok(None),
    }
}

pub(super) async fn record_login(client: &mut impl Sql, id: UserId) -> Res<()> {
    let changed = client
        .execute(
            "UPDATE users SET last_login_at = $2 WHERE id = $1",
            &[&id.0, &rows::now()],
        )
        .await?;
    if changed == 0 {
        return refuse(DomainError::UserNotFound);
    }
    Ok(())
}

pub(super) async fn list(client: &mut impl Sql, after: Option<i64>, limit: i64) -> Res<Vec<User>> {
    let sql =
        format!("SELECT {USER_COLUMNS} FROM users u WHERE u.num > $1 ORDER BY u.num LIMIT $2");
    client
        .query(&sql, &[&after.unwrap_or(i64::MIN), &limit])
        .await?
        .iter()
        .map(|row| rows::user(row, 0))
        .collect()
}

/// Does another user (not `except`) hold this username or email,
/// case-insensitively? `column` is one of the two names, never input.
async fn taken(client: &mut impl Sql, column: &str, value: &str, except: Option<i64>) -> Res<bool> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM users
                        WHERE lower({column}) = lower($1) AND num IS DISTINCT FROM $2)"
    );
    let row = client.query_one(&sql, &[&value, &except]).await?;
    Ok(row.try_get(0)?)
}
