//! Idempotency keys (the native API's `Idempotency-Key` header): a key is
//! held before its request runs, completed with the response after it, and
//! replayed to any retry, so that a client retrying after a timeout never
//! applies a change twice.
//!
//! # Why begin/finish around the command, not one transaction
//!
//! The response is rendered by the HTTP layer from the command's `Outcome`
//! after the store returns, so writing it in the command's own transaction
//! would mean every store write taking a rendering callback from every
//! handler. Instead each key costs two short transactions around the
//! command, which is still safe:
//!
//! - [`begin`] commits the held (in-flight) row *before* the command runs.
//!   Every later request with the key, concurrent or not, sees that row and
//!   does not run: the command runs at most once per key, whatever happens
//!   afterwards.
//! - [`finish`] stores the response after the command committed. If the
//!   process dies in between, the change is applied and the key stays in
//!   flight until it expires (24 hours): a retry is answered 409
//!   `idempotency_key_in_flight`, never applied a second time. The failure
//!   mode is "no replay", not "applied twice". A client that keeps getting
//!   409 for a request it sent long ago recovers by reading the state (the
//!   community, its members, or the event feed) to learn whether its change
//!   happened, and if it did not, by sending it again under a new key.
//!   (The server runs each keyed request to completion even when the client
//!   disconnects or the request times out, so only a crash leaves a key
//!   held.)
//! - [`abandon`] releases a key whose request failed with a 5xx (nothing
//!   was applied, or the failure is the server's), so a retry runs again.

use roster_engine::{DomainError, UserId};
use rusqlite::{params, Connection, OptionalExtension};

use super::refuse;
use super::rows::{self, fmt_ts};
use crate::idempotency::{horizon, ruling, stored_headers};
use crate::{Error, IdempotencyBegin, RequestFingerprint, Result, StoredResponse};

/// A row as read back.
struct Held {
    method: String,
    path: String,
    body_sha256: Vec<u8>,
    status: Option<i64>,
    headers: Option<String>,
    body: Option<Vec<u8>>,
}

/// Purge expired keys, then hold `key` for `fingerprint` or say why not.
pub(super) fn begin(
    tx: &Connection,
    user: UserId,
    key: &str,
    fingerprint: &RequestFingerprint,
) -> Result<IdempotencyBegin> {
    let Some(user_num) = rows::user_num(tx, user)? else {
        return refuse(DomainError::UserNotFound);
    };
    let now = rows::now();
    rows::exec(
        tx,
        "DELETE FROM idempotency_keys WHERE created_at <= ?1",
        [fmt_ts(horizon(now))],
    )?;
    let held = rows::query_row(
        tx,
        "SELECT method, path, body_sha256, status, headers, body
             FROM idempotency_keys WHERE user_num = ?1 AND key = ?2",
        params![user_num, key],
        |row| {
            Ok(Held {
                method: row.get(0)?,
                path: row.get(1)?,
                body_sha256: row.get(2)?,
                status: row.get(3)?,
                headers: row.get(4)?,
                body: row.get(5)?,
            })
        },
    )
    .optional()?;
    let Some(held) = held else {
        rows::exec(
            tx,
            "INSERT INTO idempotency_keys (user_num, key, method, path, body_sha256, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                user_num,
                key,
                fingerprint.method,
                fingerprint.path,
                &fingerprint.body_sha256[..],
                fmt_ts(now),
            ],
        )?;
        return Ok(IdempotencyBegin::Started);
    };
    let held = crate::idempotency::Held {
        method: &held.method,
        path: &held.path,
        body_sha256: &held.body_sha256,
        status: held.status,
        headers: held.headers.as_deref(),
        body: held.body,
    };
    ruling(held, fingerprint).map_err(Error::Backend)
}

/// Complete the held key with its response.
pub(super) fn finish(
    tx: &Connection,
    user: UserId,
    key: &str,
    response: &StoredResponse,
) -> Result<()> {
    let headers = stored_headers(response).map_err(Error::Backend)?;
    let changed = rows::exec(
        tx,
        "UPDATE idempotency_keys SET status = ?3, headers = ?4, body = ?5, completed_at = ?6
         WHERE user_num = (SELECT num FROM users WHERE id = ?1) AND key = ?2
           AND status IS NULL",
        params![
            user.0.to_string(),
            key,
            response.status,
            headers,
            response.body,
            fmt_ts(rows::now()),
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
pub(super) fn abandon(tx: &Connection, user: UserId, key: &str) -> Result<()> {
    rows::exec(
        tx,
        "DELETE FROM idempotency_keys
         WHERE user_num = (SELECT num FROM users WHERE id = ?1) AND key = ?2
           AND status IS NULL",
        params![user.0.to_string(), key],
    )?;
    Ok(())
}
