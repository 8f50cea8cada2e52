//! Webhook subscriptions, their lease and their delivery log on SQLite
//! (see `crate::webhooks` for what each column means). SQLite has a single
//! node, so the lease only ever names this process; it is kept anyway so
//! that both backends answer alike.

use chrono::Duration as Span;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::rows::{self, fmt_ts};
use crate::webhooks::{kinds_text, parse_kinds, status_of, DELIVERY_LOG_LEN};
use crate::{Attempt, AttemptEffect, DeliveryRecord, Error, NewWebhook, Result, Webhook};
use roster_engine::{CommunityId, UserId};

const COLUMNS: &str = "id, url, community_id, kinds, secret, created_by, created_at, cursor, \
                       failures, paused_at, paused_reason";

fn uuid(text: &str) -> rusqlite::Result<uuid::Uuid> {
    uuid::Uuid::parse_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn webhook(row: &Row<'_>) -> rusqlite::Result<Webhook> {
    let community: Option<String> = row.get(2)?;
    let created_by: Option<String> = row.get(5)?;
    let kinds: String = row.get(3)?;
    let id: String = row.get(0)?;
    Ok(Webhook {
        id: uuid(&id)?,
        url: row.get(1)?,
        community: community.as_deref().map(uuid).transpose()?.map(CommunityId),
        kinds: parse_kinds(&kinds).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, e.into())
        })?,
        secret: row.get(4)?,
        created_by: created_by.as_deref().map(uuid).transpose()?.map(UserId),
        created_at: rows::ts(row, 6)?,
        cursor: row.get(7)?,
        failures: row.get(8)?,
        paused_at: rows::opt_ts(row, 9)?,
        paused_reason: row.get(10)?,
    })
}

pub(super) fn latest_seq(conn: &Connection) -> Result<i64> {
    Ok(rows::query_row(
        conn,
        "SELECT coalesce(max(seq), 0) FROM events",
        [],
        |row| row.get(0),
    )?)
}

pub(super) fn create(conn: &Connection, new: &NewWebhook) -> Result<Webhook> {
    let cursor = match new.after {
        Some(after) => after.max(0),
        None => latest_seq(conn)?,
    };
    rows::exec(
        conn,
        "INSERT INTO webhooks (id, url, community_id, kinds, secret, created_by, created_at, cursor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            new.id.to_string(),
            new.url,
            new.community.map(|c| c.0.to_string()),
            kinds_text(&new.kinds),
            new.secret,
            new.created_by.map(|u| u.0.to_string()),
            fmt_ts(rows::now()),
            cursor
        ],
    )?;
    find(conn, new.id)?.ok_or_else(|| Error::Backend("sqlite: webhook vanished".into()))
}

pub(super) fn find(conn: &Connection, id: uuid::Uuid) -> Result<Option<Webhook>> {
    Ok(rows::query_row(
        conn,
        &format!("SELECT {COLUMNS} FROM webhooks WHERE id = ?1"),
        [id.to_string()],
        webhook,
    )
    .optional()?)
}

pub(super) fn list(conn: &Connection, created_by: Option<UserId>) -> Result<Vec<Webhook>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM webhooks
         WHERE ?1 IS NULL OR created_by = ?1 ORDER BY created_at, id"
    ))?;
    let found = stmt
        .query_map([created_by.map(|u| u.0.to_string())], webhook)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(found)
}

pub(super) fn delete(conn: &Connection, id: uuid::Uuid) -> Result<bool> {
    let id = id.to_string();
    rows::exec(
        conn,
        "DELETE FROM webhook_deliveries WHERE webhook_id = ?1",
        [&id],
    )?;
    Ok(rows::exec(conn, "DELETE FROM webhooks WHERE id = ?1", [&id])? > 0)
}

pub(super) fn resume(conn: &Connection, id: uuid::Uuid) -> Result<Option<Webhook>> {
    rows::exec(
        conn,
        "UPDATE webhooks SET paused_at = NULL, paused_reason = NULL, failures = 0 WHERE id = ?1",
        [id.to_string()],
    )?;
    find(conn, id)
}

pub(super) fn pause(conn: &Connection, id: uuid::Uuid, reason: &str) -> Result<()> {
    rows::exec(
        conn,
        "UPDATE webhooks SET paused_at = ?2, paused_reason = ?3
         WHERE id = ?1 AND paused_at IS NULL",
        params![id.to_string(), fmt_ts(rows::now()), reason],
    )?;
    Ok(())
}

pub(super) fn lease(
    conn: &Connection,
    id: uuid::Uuid,
    node: &str,
    ttl: std::time::Duration,
) -> Result<bool> {
    let now = rows::now();
    let until = now + Span::from_std(ttl).unwrap_or(Span::seconds(60));
    let taken = rows::exec(
        conn,
        "UPDATE webhooks SET lease_node = ?2, lease_until = ?3
         WHERE id = ?1 AND paused_at IS NULL
           AND (lease_node IS NULL OR lease_node = ?2 OR lease_until < ?4)",
        params![id.to_string(), node, fmt_ts(until), fmt_ts(now)],
    )?;
    Ok(taken > 0)
}

pub(super) fn release(conn: &Connection, id: uuid::Uuid, node: &str) -> Result<()> {
    rows::exec(
        conn,
        "UPDATE webhooks SET lease_node = NULL, lease_until = NULL
         WHERE id = ?1 AND lease_node = ?2",
        params![id.to_string(), node],
    )?;
    Ok(())
}

pub(super) fn skip_to(conn: &Connection, id: uuid::Uuid, node: &str, seq: i64) -> Result<bool> {
    let moved = rows::exec(
        conn,
        "UPDATE webhooks SET cursor = ?3
         WHERE id = ?1 AND lease_node = ?2 AND cursor < ?3",
        params![id.to_string(), node, seq],
    )?;
    Ok(moved > 0)
}

pub(super) fn record(conn: &Connection, attempt: &Attempt) -> Result<AttemptEffect> {
    let id = attempt.webhook.to_string();
    let exists: Option<i64> =
        rows::query_row(conn, "SELECT 1 FROM webhooks WHERE id = ?1", [&id], |row| {
            row.get(0)
        })
        .optional()?;
    if exists.is_none() {
        return Ok(AttemptEffect::Logged);
    }
    let latency_ms = i64::try_from(attempt.latency.as_millis()).unwrap_or(i64::MAX);
    rows::exec(
        conn,
        "INSERT INTO webhook_deliveries
             (webhook_id, seq, delivery_id, at, status, error, latency_ms, redelivery)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            attempt.seq,
            attempt.delivery_id,
            fmt_ts(rows::truncate(attempt.at)),
            attempt.status,
            attempt.error,
            latency_ms,
            attempt.redelivery
        ],
    )?;
    rows::exec(
        conn,
        "DELETE FROM webhook_deliveries WHERE webhook_id = ?1 AND num <= (
             SELECT num FROM webhook_deliveries WHERE webhook_id = ?1
             ORDER BY num DESC LIMIT 1 OFFSET ?2)",
        params![id, DELIVERY_LOG_LEN],
    )?;
    if attempt.redelivery {
        return Ok(AttemptEffect::Logged);
    }
    if attempt.succeeded() {
        let moved = rows::exec(
            conn,
            "UPDATE webhooks SET cursor = max(cursor, ?3), failures = 0
             WHERE id = ?1 AND lease_node = ?2",
            params![id, attempt.node, attempt.seq],
        )?;
        return Ok(if moved > 0 {
            AttemptEffect::Advanced
        } else {
            AttemptEffect::Logged
        });
    }
    let failures: Option<u32> = rows::query_row(
        conn,
        "UPDATE webhooks SET failures = failures + 1
         WHERE id = ?1 AND lease_node = ?2 RETURNING failures",
        params![id, attempt.node],
        |row| row.get(0),
    )
    .optional()?;
    let Some(failures) = failures else {
        return Ok(AttemptEffect::Logged);
    };
    let paused = failures >= attempt.max_failures;
    if paused {
        let reason = format!(
            "{failures} failed attempts in a row; the last: {}",
            describe(attempt)
        );
        pause(conn, attempt.webhook, &reason)?;
    }
    Ok(AttemptEffect::Failed { failures, paused })
}

/// The last attempt's failure in words.
pub(crate) fn describe(attempt: &Attempt) -> String {
    match (attempt.status, &attempt.error) {
        (Some(status), _) => format!("HTTP {status}"),
        (None, Some(error)) => error.clone(),
        (None, None) => "no answer".to_owned(),
    }
}

pub(super) fn deliveries(
    conn: &Connection,
    id: uuid::Uuid,
    limit: u32,
) -> Result<Vec<DeliveryRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT num, seq, delivery_id, at, status, error, latency_ms, redelivery
         FROM webhook_deliveries WHERE webhook_id = ?1 ORDER BY num DESC LIMIT ?2",
    )?;
    let found = stmt
        .query_map(params![id.to_string(), limit.clamp(1, 1000)], |row| {
            let latency: i64 = row.get(6)?;
            Ok(DeliveryRecord {
                num: row.get(0)?,
                seq: row.get(1)?,
                delivery_id: row.get(2)?,
                at: rows::ts(row, 3)?,
                status: status_of(row.get(4)?),
                error: row.get(5)?,
                latency_ms: u64::try_from(latency).unwrap_or(0),
                redelivery: row.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(found)
}
