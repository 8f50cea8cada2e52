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

use chrono::Duration;
use postgres::Transaction;
use roster_engine::{DomainError, UserId};

use super::errors::{refuse, Fault, Res};
use super::rows;
use crate::{IdempotencyBegin, RequestFingerprint, StoredResponse, IDEMPOTENCY_TTL_SECONDS};

/// Purge expired keys, then hold `key` for `fingerprint` or say why not.
pub(super) fn begin(
    tx: &mut Transaction<'_>,
    user: UserId,
    key: &str,
    fingerprint: &RequestFingerprint,
) -> Res<IdempotencyBegin> {
    let Some(user_num) = rows::user_num(tx, user)? else {
        return refuse(DomainError::UserNotFound);
    };
    let now = rows::now();
    let horizon = now - Duration::seconds(IDEMPOTENCY_TTL_SECONDS);
    tx.execute(
        "DELETE FROM idempotency_keys WHERE created_at <= $1",
        &[&horizon],
    )?;
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
        )?;
        if inserted == 1 {
            return Ok(IdempotencyBegin::Started);
        }
        let held = tx.query_opt(
            "SELECT method, path, body_sha256, status, headers, body
             FROM idempotency_keys WHERE user_num = $1 AND key = $2",
            &[&user_num, &key],
        )?;
        let Some(held) = held else { continue };
        let method: &str = held.try_get(0)?;
        let path: &str = held.try_get(1)?;
        let body_sha256: &[u8] = held.try_get(2)?;
        if method != fingerprint.method
            || path != fingerprint.path
            || body_sha256 != fingerprint.body_sha256
        {
            return Ok(IdempotencyBegin::Mismatch);
        }
        let Some(status) = held.try_get::<_, Option<i32>>(3)? else {
            return Ok(IdempotencyBegin::InFlight);
        };
        let status = u16::try_from(status)
            .map_err(|_| Fault::Other(format!("idempotency key: stored status {status}")))?;
        let headers: Option<&str> = held.try_get(4)?;
        let headers: Vec<(String, String)> = serde_json::from_str(headers.unwrap_or("[]"))
            .map_err(|e| Fault::Other(format!("idempotency key: stored headers: {e}")))?;
        let body: Option<Vec<u8>> = held.try_get(5)?;
        return Ok(IdempotencyBegin::Replay(StoredResponse {
            status,
            headers,
            body: body.unwrap_or_default(),
        }));
    }
    Err(Fault::Other(
        "idempotency key: held and released again while beginning".into(),
    ))
}

/// Complete the held key with its response.
pub(super) fn finish(
    tx: &mut Transaction<'_>,
    user: UserId,
    key: &str,
    response: &StoredResponse,
) -> Res<()> {
    if !(100..500).contains(&response.status) {
        return Err(Fault::Other(format!(
            "idempotency key: a {} response is not stored",
            response.status
        )));
    }
    let headers = serde_json::to_string(&response.headers)
        .map_err(|e| Fault::Other(format!("idempotency key: headers: {e}")))?;
    let changed = tx.execute(
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
    )?;
    if changed == 0 {
        // Not held: it expired and was purged during an (impossibly) long
        // request, or the caller finished it twice. Nothing to replay then.
        tracing::warn!(%user, "idempotency key finished while not held");
    }
    Ok(())
}

/// Release a key that is still in flight; a completed one stays.
pub(super) fn abandon(tx: &mut Transaction<'_>, user: UserId, key: &str) -> Res<()> {
    tx.execute(
        "DELETE FROM idempotency_keys
         WHERE user_num = (SELECT num FROM users WHERE id = $1) AND key = $2
           AND status IS NULL",
        &[&user.0, &key],
    )?;
    Ok(())
}
