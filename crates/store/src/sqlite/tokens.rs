//! API tokens: only a SHA-256 hash of each secret is stored, beside its
//! scopes, expiry and revocation. The authenticator looks tokens up by hash
//! and decides itself whether an expired or revoked one is refused.

use rusqlite::{params, Connection, OptionalExtension};

use roster_engine::{DomainError, UserId};

use super::refuse;
use super::rows::{self, fmt_ts, TOKEN_COLUMNS, TOKEN_WIDTH, USER_COLUMNS};
use crate::{NewToken, Result, TokenRecord, User};

pub(super) fn create(tx: &Connection, new: NewToken) -> Result<TokenRecord> {
    let Some(user_num) = rows::user_num(tx, new.user)? else {
        return refuse(DomainError::UserNotFound);
    };
    let record = TokenRecord {
        id: uuid::Uuid::new_v4(),
        user: new.user,
        scopes: new.scopes,
        label: new.label,
        created_at: rows::now(),
        expires_at: new.expires_at.map(rows::truncate),
        revoked_at: None,
    };
    rows::exec(
        tx,
        "INSERT INTO tokens (id, user_num, hash, scopes, label, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            record.id.to_string(),
            user_num,
            &new.hash[..],
            record.scopes.to_text(),
            record.label,
            fmt_ts(record.created_at),
            record.expires_at.map(fmt_ts),
        ],
    )?;
    Ok(record)
}

/// The token with this hash and its user, whatever its expiry or revocation.
pub(super) fn find(conn: &Connection, hash: &[u8; 32]) -> Result<Option<(TokenRecord, User)>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS}, {USER_COLUMNS}
         FROM tokens t JOIN users u ON u.num = t.user_num
         WHERE t.hash = ?1"
    );
    Ok(rows::query_row(conn, &sql, [&hash[..]], |row| {
        Ok((rows::token(row, 0)?, rows::user(row, TOKEN_WIDTH)?))
    })
    .optional()?)
}

/// A user's tokens, newest first (an unknown user has none).
pub(super) fn list(conn: &Connection, user: UserId) -> Result<Vec<TokenRecord>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS}
         FROM tokens t JOIN users u ON u.num = t.user_num
         WHERE u.id = ?1
         ORDER BY t.created_at DESC, t.rowid DESC"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let tokens = stmt
        .query_map([user.0.to_string()], |row| rows::token(row, 0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(tokens)
}

/// Revoke one of `user`'s tokens; false when it is unknown, someone else's
/// or already revoked.
pub(super) fn revoke(tx: &Connection, user: UserId, token: uuid::Uuid) -> Result<bool> {
    let changed = rows::exec(
        tx,
        "UPDATE tokens SET revoked_at = ?3
         WHERE id = ?1 AND revoked_at IS NULL
           AND user_num = (SELECT num FROM users WHERE id = ?2)",
        params![token.to_string(), user.0.to_string(), fmt_ts(rows::now())],
    )?;
    Ok(changed == 1)
}
