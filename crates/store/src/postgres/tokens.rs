//! API tokens: only a SHA-256 hash of each secret is stored, beside its
//! scopes, expiry and revocation. The authenticator looks tokens up by hash
//! (on every request, so one indexed query outside any transaction) and
//! decides itself whether an expired or revoked one is refused.

use roster_engine::{DomainError, UserId};

use super::errors::{refuse, Res};
use super::rows::{self, TOKEN_COLUMNS, TOKEN_WIDTH, USER_COLUMNS};
use super::sql::Sql;
use crate::{NewToken, TokenRecord, User};

pub(super) async fn create(client: &mut impl Sql, new: &NewToken) -> Res<TokenRecord> {
    let Some(user_num) = rows::user_num(client, new.user).await? else {
        return refuse(DomainError::UserNotFound);
    };
    let record = TokenRecord {
        id: uuid::Uuid::new_v4(),
        user: new.user,
        scopes: new.scopes,
        label: new.label.clone(),
        created_at: rows::now(),
        expires_at: new.expires_at.map(rows::truncate),
        revoked_at: None,
    };
    client
        .execute(
            "INSERT INTO tokens (id, user_num, hash, scopes, label, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &record.id,
                &user_num,
                &&new.hash[..],
                &record.scopes.to_text(),
                &record.label,
                &record.created_at,
                &record.expires_at,
            ],
        )
        .await?;
    Ok(record)
}

/// The token with this hash and its user, whatever its expiry or revocation.
pub(super) async fn find(
    client: &mut impl Sql,
    hash: &[u8; 32],
) -> Res<Option<(TokenRecord, User)>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS}, {USER_COLUMNS}
         FROM tokens t JOIN users u ON u.num = t.user_num
         WHERE t.hash = $1"
    );
    match client.query_opt(&sql, &[&&hash[..]]).await? {
        Some(row) => Ok(Some((
            rows::token(&row, 0)?,
            rows::user(&row, TOKEN_WIDTH)?,
        ))),
        None => Ok(None),
    }
}

/// A user's tokens, newest first (an unknown user has none).
pub(super) async fn list(client: &mut impl Sql, user: UserId) -> Res<Vec<TokenRecord>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS}
         FROM tokens t JOIN users u ON u.num = t.user_num
         WHERE u.id = $1
         ORDER BY t.created_at DESC, t.num DESC"
    );
    client
        .query(&sql, &[&user.0])
        .await?
        .iter()
        .map(|row| rows::token(row, 0))
        .collect()
}

/// Revoke one of `user`'s tokens; false when it is unknown, someone else's
/// or already revoked.
pub(super) async fn revoke(client: &mut impl Sql, user: UserId, token: uuid::Uuid) -> Res<bool> {
    let changed = client
        .execute(
            "UPDATE tokens SET revoked_at = $3
         WHERE id = $1 AND revoked_at IS NULL
           AND user_num = (SELECT num FROM users WHERE id = $2)",
            &[&token, &user.0, &rows::now()],
        )
        .await?;
    Ok(changed == 1)
}
