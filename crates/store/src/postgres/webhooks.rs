//! Webhook subscriptions, their lease and their delivery log on PostgreSQL
//! (see `crate::webhooks` for what each column means).
//!
//! Several nodes share the database, so the lease is what keeps one
//! subscription on one node: a node takes or renews it with one
//! conditional `UPDATE` (the row is free, already its own, or its lease
//! has expired by the database's clock, so the nodes' clocks never
//! matter), and every cursor move is conditional on still holding it.

use tokio_postgres::Row;

use super::sql::Sql;
use roster_engine::{CommunityId, UserId};

use super::errors::{Fault, Res};
use super::rows;
use crate::webhooks::{kinds_text, parse_kinds, DELIVERY_LOG_LEN};
use crate::{Attempt, AttemptEffect, DeliveryRecord, NewWebhook, Webhook};

const COLUMNS: &str = "id, url, community_id, kinds, secret, created_by, created_at, cursor, \
                       failures, paused_at, paused_reason";

fn webhook(row: &Row) -> Res<Webhook> {
    let community: Option<uuid::Uuid> = row.try_get(2)?;
    let created_by: Option<uuid::Uuid> = row.try_get(5)?;
    let kinds: String = row.try_get(3)?;
    let failures: i32 = row.try_get(8)?;
    Ok(Webhook {
        id: row.try_get(0)?,
        url: row.try_get(1)?,
        community: community.map(CommunityId),
        kinds: parse_kinds(&kinds).map_err(Fault::Other)?,
        secret: row.try_get(4)?,
        created_by: created_by.map(UserId),
        created_at: row.try_get(6)?,
        cursor: row.try_get(7)?,
        failures: u32::try_from(failures).unwrap_or(0),
        paused_at: row.try_get(9)?,
        paused_reason: row.try_get(10)?,
    })
}

pub(super) async fn latest_seq(client: &mut impl Sql) -> Res<i64> {
    Ok(client
        .query_one("SELECT coalesce(max(seq), 0)::bigint FROM events", &[])
        .await?
        .try_get(0)?)
}

pub(super) async fn create(tx: &mut impl Sql, new: &NewWebhook) -> Res<Webhook> {
    let cursor = match new.after {
        Some(after) => after.max(0),
        None => latest_seq(tx).await?,
    };
    let row = tx.query_one(
        &format!(
            "INSERT INTO webhooks (id, url, community_id, kinds, secret, created_by, created_at, cursor)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
        ),
        &[
            &new.id,
            &new.url,
            &new.community.map(|c| c.0),
            &kinds_text(&new.kinds),
            &new.secret,
            &new.created_by.map(|u| u.0),
            &rows::now(),
            &cursor,
        ],
    ).await?;
    webhook(&row)
}

pub(super) async fn find(client: &mut impl Sql, id: uuid::Uuid) -> Res<Option<Webhook>> {
    client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM webhooks WHERE id = $1"),
            &[&id],
        )
        .await?
        .as_ref()
        .map(webhook)
        .transpose()
}

pub(super) async fn list(client: &mut impl Sql, created_by: Option<UserId>) -> Res<Vec<Webhook>> {
    client
        .query(
            &format!(
                "SELECT {COLUMNS} FROM webhooks
                 WHERE $1::uuid IS NULL OR created_by = $1 ORDER BY created_at, id"
            ),
            &[&created_by.map(|u| u.0)],
        )
        .await?
        .iter()
        .map(webhook)
        .collect()
}

pub(super) async fn delete(tx: &mut impl Sql, id: uuid::Uuid) -> Res<bool> {
    Ok(tx
        .execute("DELETE FROM webhooks WHERE id = $1", &[&id])
        .await?
        > 0)
}

pub(super) async fn resume(tx: &mut impl Sql, id: uuid::Uuid) -> Res<Option<Webhook>> {
    tx.execute(
        "UPDATE webhooks SET paused_at = NULL, paused_reason = NULL, failures = 0 WHERE id = $1",
        &[&id],
    )
    .await?;
    find(tx, id).await
}

pub(super) async fn pause(tx: &mut impl Sql, id: uuid::Uuid, reason: &str) -> Res<()> {
    tx.execute(
        "UPDATE webhooks SET paused_at = $2, paused_reason = $3
         WHERE id = $1 AND paused_at IS NULL",
        &[&id, &rows::now(), &reason],
    )
    .await?;
    Ok(())
}

pub(super) async fn lease(
    tx: &mut impl Sql,
    id: uuid::Uuid,
    node: &str,
    ttl: std::time::Duration,
) -> Res<bool> {
    let seconds = ttl.as_secs_f64();
    let taken = tx
        .execute(
            "UPDATE webhooks
         SET lease_node = $2, lease_until = clock_timestamp() + make_interval(secs => $3)
         WHERE id = $1 AND paused_at IS NULL
           AND (lease_node IS NULL OR lease_node = $2 OR lease_until < clock_timestamp())",
            &[&id, &node, &seconds],
        )
        .await?;
    Ok(taken > 0)
}

pub(super) async fn release(tx: &mut impl Sql, id: uuid::Uuid, node: &str) -> Res<()> {
    tx.execute(
        "UPDATE webhooks SET lease_node = NULL, lease_until = NULL
         WHERE id = $1 AND lease_node = $2",
        &[&id, &node],
    )
    .await?;
    Ok(())
}

pub(super) async fn skip_to(tx: &mut impl Sql, id: uuid::Uuid, node: &str, seq: i64) -> Res<bool> {
    let moved = tx
        .execute(
            "UPDATE webhooks SET cursor = $3 WHERE id = $1 AND lease_node = $2 AND cursor < $3",
            &[&id, &node, &seq],
        )
        .await?;
    Ok(moved > 0)
}

pub(super) async fn record(tx: &mut impl Sql, attempt: &Attempt) -> Res<AttemptEffect> {
    let id = attempt.webhook;
    // Lock the subscription: its log and counters change together.
    if tx
        .query_opt("SELECT 1 FROM webhooks WHERE id = $1 FOR UPDATE", &[&id])
        .await?
        .is_none()
    {
        return Ok(AttemptEffect::Logged);
    }
    let latency_ms = i64::try_from(attempt.latency.as_millis()).unwrap_or(i64::MAX);
    let status = attempt.status.map(i32::from);
    tx.execute(
        "INSERT INTO webhook_deliveries
             (webhook_id, seq, delivery_id, at, status, error, latency_ms, redelivery)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &id,
            &attempt.seq,
            &attempt.delivery_id,
            &rows::truncate(attempt.at),
            &status,
            &attempt.error,
            &latency_ms,
            &attempt.redelivery,
        ],
    )
    .await?;
    tx.execute(
        "DELETE FROM webhook_deliveries WHERE webhook_id = $1 AND num <= (
             SELECT num FROM webhook_deliveries WHERE webhook_id = $1
             ORDER BY num DESC LIMIT 1 OFFSET $2)",
        &[&id, &DELIVERY_LOG_LEN],
    )
    .await?;
    if attempt.redelivery {
        return Ok(AttemptEffect::Logged);
    }
    if attempt.succeeded() {
        let moved = tx
            .execute(
                "UPDATE webhooks SET cursor = greatest(cursor, $3), failures = 0
             WHERE id = $1 AND lease_node = $2",
                &[&id, &attempt.node, &attempt.seq],
            )
            .await?;
        return Ok(if moved > 0 {
            AttemptEffect::Advanced
        } else {
            AttemptEffect::Logged
        });
    }
    let Some(row) = tx
        .query_opt(
            "UPDATE webhooks SET failures = failures + 1
         WHERE id = $1 AND lease_node = $2 RETURNING failures",
            &[&id, &attempt.node],
        )
        .await?
    else {
        return Ok(AttemptEffect::Logged);
    };
    let failures: i32 = row.try_get(0)?;
    let failures = u32::try_from(failures).unwrap_or(0);
    let paused = failures >= attempt.max_failures;
    if paused {
        let reason = format!(
            "{failures} failed attempts in a row; the last: {}",
            describe(attempt)
        );
        pause(tx, id, &reason).await?;
    }
    Ok(AttemptEffect::Failed { failures, paused })
}

fn describe(attempt: &Attempt) -> String {
    match (attempt.status, &attempt.error) {
        (Some(status), _) => format!("HTTP {status}"),
        (None, Some(error)) => error.clone(),
        (None, None) => "no answer".to_owned(),
    }
}

pub(super) async fn deliveries(
    client: &mut impl Sql,
    id: uuid::Uuid,
    limit: u32,
) -> Res<Vec<DeliveryRecord>> {
    let limit = i64::from(limit.clamp(1, 1000));
    client
        .query(
            "SELECT num, seq, delivery_id, at, status, error, latency_ms, redelivery
             FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY num DESC LIMIT $2",
            &[&id, &limit],
        )
        .await?
        .iter()
        .map(|row| {
            let status: Option<i32> = row.try_get(4)?;
            let latency: i64 = row.try_get(6)?;
            Ok(DeliveryRecord {
                num: row.try_get(0)?,
                seq: row.try_get(1)?,
                delivery_id: row.try_get(2)?,
                at: row.try_get(3)?,
                status: status.and_then(|s| u16::try_from(s).ok()),
                error: row.try_get(5)?,
                latency_ms: u64::try_from(latency).unwrap_or(0),
                redelivery: row.try_get(7)?,
            })
        })
        .collect()
}
