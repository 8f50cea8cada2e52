//! The event feed's numbering, without a lock held by every write
//! transaction (issue 13): events are numbered after commit, by one
//! stamper at a time.
//!
//! Followers page the feed with `after=<seq>`, so an event must never
//! become visible after one with a higher seq: a follower that has read
//! seq 11 never goes back for 10. Numbers drawn while rows are inserted
//! (`nextval`) break that as soon as writers run concurrently, since
//! transactions commit in whatever order they finish. Until issue 13 every
//! write therefore drew its number under one database-wide advisory lock
//! held to its commit, so the whole cluster committed one change at a time.
//!
//! Now a write transaction inserts its event unnumbered (`seq` NULL, an
//! internal `id` from a plain sequence) and commits without waiting for
//! anyone but the holders of the rows it locks. Once committed, the writer
//! hands its event to its node's stamper (`stamper.rs`), which asks for
//! it and every event committed meanwhile to be numbered ([`stamp_all`],
//! the SQL function `roster_stamp_events`, migration 0006): unless no
//! event waits (another node's stamp numbered them), it takes the stamp
//! lock ([`STAMP_LOCK`], transaction-level) and, in a fresh snapshot,
//! numbers every committed, unnumbered event in id order after the
//! highest number given, then commits, which releases the lock. One stamp
//! numbers every event committed before it (a batch), and a stamp that
//! writes nothing commits without a WAL flush.
//!
//! Why a follower never skips: the stamper that numbers a batch holds the
//! lock until its commit is visible, so the next stamper's snapshot
//! includes it and its numbers are all higher; a reader's snapshot that
//! sees a batch therefore sees every earlier one. Events of one community
//! keep their commit order: its writers run one after another under the
//! community's row lock, so a later event has a higher id and is never
//! visible without the earlier one. Readers only ever see numbered events
//! (`seq > $1` excludes NULL), so an unnumbered event is simply not in the
//! feed yet; a writer that dies between its commit and its stamp leaves its
//! event for the next stamp (any write's) to number.
//!
//! The stamp is one short statement after commit, serialized across the
//! cluster, but it holds no row lock and does not wait for in-flight write
//! transactions: commands on different communities commit in parallel.
//! SQLite needs none of this: its single writer commits in seq order.

use std::collections::HashMap;

use super::errors::Res;
use super::sql::Sql;

/// Advisory lock (transaction-level) held by the one stamper at a time,
/// from before it reads the highest number to its commit.
pub(super) const STAMP_LOCK: i64 = 0x726f_7374_6572_0004; // "roster" 4

/// Insert an event unnumbered; its id, as a placeholder `seq` of `-id`
/// until [`stamp_all`] numbers it after commit.
pub(super) async fn insert(client: &mut impl Sql, event: &crate::EventRecord) -> Res<i64> {
    let subject = event.subject.map(|s| s.0);
    let kind = event.kind.as_str();
    let row = client
        .query_one(
            "INSERT INTO events (at, community_id, actor_id, subject_id, kind, reason)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id",
            &[
                &event.at,
                &event.community.0,
                &event.actor.0,
                &subject,
                &kind,
                &event.reason,
            ],
        )
        .await?;
    let id: i64 = row.try_get(0)?;
    client.inserted(id);
    Ok(-id)
}

/// Number every committed, unnumbered event (see the module doc), outside
/// any transaction, and read the numbers of `ids` (committed before the
/// call): the stamp of one batch (`stamper.rs`).
pub(super) async fn stamp_all(client: &mut impl Sql, ids: &[i64]) -> Res<HashMap<i64, i64>> {
    client
        .query_one("SELECT roster_stamp_events(NULL, $1)", &[&STAMP_LOCK])
        .await?;
    // A statement of its own: its snapshot sees the stamp just committed.
    let rows = client
        .query(
            "SELECT id, seq FROM events WHERE id = ANY($1) AND seq IS NOT NULL",
            &[&ids],
        )
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect()
}

/// Inside a transaction that numbers its own events as it inserts them
/// (the bulk import): take the stamp lock, held to its commit, number
/// what other writers committed, and return the highest number, after
/// which the caller's events go.
pub(super) async fn lock_for_numbering(client: &mut impl Sql) -> Res<i64> {
    client
        .execute("SELECT pg_advisory_xact_lock($1)", &[&STAMP_LOCK])
        .await?;
    client.execute("SELECT roster_stamp_pending()", &[]).await?;
    let highest = "SELECT coalesce(max(seq), 0)::bigint FROM events";
    Ok(client.query_one(highest, &[]).await?.try_get(0)?)
}
