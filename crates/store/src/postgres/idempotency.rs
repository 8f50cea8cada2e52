//! Idempotency keys (the native API's `Idempotency-Key` header) on
//! PostgreSQL, with the SQLite backend's semantics: a key is held before its
//! request runs, completed with the response after it, and replayed to any
//! retry (see `sqlite/idempotency.rs` for why begin/finish surround the
//! command instead of sharing its transaction).
//!
//! What differs is concurrency: two nodes may begin the same key at the
//! same moment. The hold is an `INSERT … ON CONFLICT DO NOTHING` on the
//! primary key, so exactly one of them inserts (the other waits for the
//! first to commit, then inserts nothing) and only that one runs the
//! request; the other then reads the row and answers in-flight, replay or
//! mismatch.

use super::sql::Sql;
use roster_engine::{DomainError, UserId};

use super::errors::{refuse, Fault, Res};
use super::rows;
use crate::idempotency::{horizon, ruling, stored_headers, Held};
use crate::{IdempotencyBegin, RequestFingerprint, StoredResponse};

/// Purge expired keys, then hold `key` for `fingerprint` or say why not.
pub(super) async fn begin(
    tx: &mut impl Sql,
    user: UserId,
    key: &str,
    fingerprint: &RequestFingerprint,
) -> Res<IdempotencyBegin> {
    let Some(user_num) = rows::user_num(tx, user).await? else {
        return refuse(DomainError::UserNotFound);
    };
    let now = rows::now();
    tx.execute(
        "DELETE FROM idempotency_keys WHERE created_at <= $1",
        &[&horizon(now)],
    )
    .await?;
    // A row released (abandoned) between the INSERT and the SELECT below is
    // simply tried again; twice is plenty for that rare interleaving.
    for _ in 0..3 {
        let inserted = tx.execute(
            "INSERT INTO idempotency_keys (user_num, key, method, path, body_sha256, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (user_num, key) DO NOTHING",
            &[
                &user_num,
                &key,
                &fingerprint.method,
                &fingerprint.path,
                &&fingerprint.body_sha256[..],
                &now,
            ],
        ).await?;
        if inserted == 1 {
            return Ok(IdempotencyBegin::Started);
        }
        let held = tx
            .query_opt(
                "SELECT method, path, body_sha256, status, headers, body
             FROM idempotency_keys WHERE user_num = $1 AND key = $2",
                &[&user_num, &key],
            )
            .await?;
        let Some(held) = held else { continue };
        let held = Held {
            method: held.try_get(0)?,
            path: held.try_get(1)?,
            body_sha256: held.try_get(2)?,
            status: held.try_get::<_, Option<i32>>(3)?.map(i64::from),
            headers: held.try_get(4)?,
            body: held.try_get(5)?,
        };
        return ruling(held, fingerprint).map_err(Fault::Other);
    }
    Err(Fault::Other(
        "idempotency key: held and released again while beginning".into(),
    ))
}

/// Complete the held key with its response.
pub(super) async fn finish(
    tx: &mut impl Sql,
    user: UserId,
    key: &str,
    response: &StoredResponse,
) -> Res<()> {
    let headers = stored_headers(response).map_err(Fault::Other)?;
    let changed = tx
        .execute(
            "UPDATE idempotency_keys SET status = $3, headers = $4, body = $5, completed_at = $6
         WHERE user_num = (SELECT num FROM users WHERE id = $1) AND key = $2
           AND status IS NULL",
            &[
                &user.0,
                &key,
                &i32::from(response.status),
                &headers,
                &response.body,
                &rows::now(),
            ],
        )
        .await?;
    if changed == 0 {
        // Not held: it expired and was purged during an (impossibly) long
        // request, or the caller finished it twice. Nothing to replay then.
        tracing::warn!(%user, "idempotency key finished while not held");
    }
    Ok(())
}

/// Release a key that is still in flight; a completed one stays.
pub(super) async fn abandon(tx: &mut impl Sql, user: UserId, key: &str) -> Res<()> {
    tx.execute(
        "DELETE FROM idempotency_keys
         WHERE user_num = (SELECT num FROM users WHERE id = $1) AND key = $2
           AND status IS NULL",
        &[&user.0, &key],
    )
    .await?;
    Ok(())
}
