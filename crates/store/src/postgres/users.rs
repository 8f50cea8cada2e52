//! User accounts: creation (with the site community's bookkeeping, in the
//! same transaction), lookups by every key a dialect knows, profile patches,
//! logins and the admin listing.
//!
//! Usernames and emails compare case-insensitively, as SQLite's
//! `COLLATE NOCASE` does: the unique indexes are on `lower(…)` and every
//! look-up compares `lower(…)`. (`lower` folds all of Unicode where NOCASE
//! folds ASCII only: "Ä" and "ä" are one name here, two in SQLite.)

use postgres::types::ToSql;
use postgres::{GenericClient, Transaction};

use roster_engine::users::{email_or_none, email_stays_verified};
use roster_engine::{site_step, DomainError, SiteStep, UserId};

use super::communities::{self, SITE_LOCK};
use super::errors::{refuse, Res};
use super::rows::{self, USER_COLUMNS};
use crate::{NewUser, User, UserKey, UserPatch};

/// Create a user, and take the site community's step for them
/// ([`site_step`]: join it, found it, or stay outside).
///
/// Two nodes may create users at once: a username or email taken by the
/// other meanwhile is caught by the unique indexes (UsernameTaken,
/// EmailTaken), and while no site community exists the decision "found it,
/// join it, or stay outside" is made under [`SITE_LOCK`], so that exactly
/// one site community is created and everyone created after it is in it.
pub(super) fn create(tx: &mut Transaction<'_>, new: &NewUser) -> Res<User> {
    let email = email_or_none(new.email.as_deref());
    if taken(tx, "username", &new.username, None)? {
        return refuse(DomainError::UsernameTaken);
    }
    if let Some(email) = &email {
        if taken(tx, "email", email, None)? {
            return refuse(DomainError::EmailTaken);
        }
    }
    let now = rows::now();
    let profile = &new.profile;
    let row = tx.query_one(
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
            &now,
        ],
    )?;
    let num: i64 = row.try_get(0)?;
    let user = by_num(tx, num)?;
    let site = match communities::site_num(tx)? {
        Some(site) => Some(site),
        None => {
            // Wait for any other node deciding the same, then look again
            // (a new statement: READ COMMITTED sees what it committed).
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SITE_LOCK])?;
            communities::site_num(tx)?
        }
    };
    match (site, site_step(site.is_some(), user.admin)) {
        (Some(site), SiteStep::Join) => communities::join_site(tx, site, &user)?,
        (_, SiteStep::Found) => communities::create_site(tx, &user)?,
        _ => {}
    }
    // Joining the site stamps the user's `updated_at`: return it as stored.
    by_num(tx, num)
}

pub(super) fn find(client: &mut impl GenericClient, key: &UserKey) -> Res<Option<User>> {
    if let UserKey::Username(text) | UserKey::Email(text) = key {
        if !rows::storable(text) {
            return Ok(None);
        }
    }
    let (filter, value): (&str, Box<dyn ToSql + Sync>) = match key {
        UserKey::Id(id) => ("u.id = $1", Box::new(id.0)),
        UserKey::Num(num) => ("u.num = $1", Box::new(*num)),
        UserKey::Username(name) => ("lower(u.username) = lower($1)", Box::new(name.clone())),
        UserKey::Email(email) => ("lower(u.email) = lower($1)", Box::new(email.clone())),
    };
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE {filter}");
    match client.query_opt(&sql, &[&*value])? {
        Some(row) => rows::user(&row, 0).map(Some),
        None => Ok(None),
    }
}

/// Apply a profile patch; whether the email stays verified is the
/// engine's [`email_stays_verified`].
pub(super) fn update(tx: &mut Transaction<'_>, id: UserId, patch: &UserPatch) -> Res<User> {
    // Lock the row: two patches of one user apply one after the other.
    let locked = tx.query_opt("SELECT num FROM users WHERE id = $1 FOR UPDATE", &[&id.0])?;
    if locked.is_none() {
        return refuse(DomainError::UserNotFound);
    }
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
    tx.execute(
        "UPDATE users SET email = $2, email_verified = $3, nickname = $4, slug = $5,
                          first_name = $6, last_name = $7, photo_url = $8,
                          password_hash = $9, updated_at = $10
         WHERE num = $1",
        &[
            &user.num,
            &email,
            &verified,
            &keep(&patch.nickname, &profile.nickname),
            &keep(&patch.slug, &profile.slug),
            &keep(&patch.first_name, &profile.first_name),
            &keep(&patch.last_name, &profile.last_name),
            &keep(&patch.photo_url, &profile.photo_url),
            &keep(&patch.password_hash, &user.password_hash),
            &rows::now(),
        ],
    )?;
    by_num(tx, user.num)
}

pub(super) fn record_login(client: &mut impl GenericClient, id: UserId) -> Res<()> {
    let changed = client.execute(
        "UPDATE users SET last_login_at = $2 WHERE id = $1",
        &[&id.0, &rows::now()],
    )?;
    if changed == 0 {
        return refuse(DomainError::UserNotFound);
    }
    Ok(())
}

pub(super) fn list(
    client: &mut impl GenericClient,
    after: Option<i64>,
    limit: i64,
) -> Res<Vec<User>> {
    let sql =
        format!("SELECT {USER_COLUMNS} FROM users u WHERE u.num > $1 ORDER BY u.num LIMIT $2");
    client
        .query(&sql, &[&after.unwrap_or(i64::MIN), &limit])?
        .iter()
        .map(|row| rows::user(row, 0))
        .collect()
}

pub(super) fn by_num(client: &mut impl GenericClient, num: i64) -> Res<User> {
    match find(client, &UserKey::Num(num))? {
        Some(user) => Ok(user),
        None => refuse(DomainError::UserNotFound),
    }
}

/// Does another user (not `except`) hold this username or email,
/// case-insensitively? `column` is one of the two names, never input.
fn taken(
    client: &mut impl GenericClient,
    column: &str,
    value: &str,
    except: Option<i64>,
) -> Res<bool> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM users
                        WHERE lower({column}) = lower($1) AND num IS DISTINCT FROM $2)"
    );
    let row = client.query_one(&sql, &[&value, &except])?;
    Ok(row.try_get(0)?)
}
