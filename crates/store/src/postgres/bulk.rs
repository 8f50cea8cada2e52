//! Bulk import and export on PostgreSQL (issue 15). An import is one READ
//! COMMITTED transaction: users and memberships go in through `COPY … FROM
//! STDIN` (text format), new communities with their counters already
//! computed, existing ones locked (`FOR UPDATE`, in number order) and their
//! counters moved once; the events go last, under the feed's advisory lock
//! like every other write's, so the feed stays in commit order. An export
//! reads one REPEATABLE READ snapshot through portals, a few thousand rows
//! at a time, so its memory stays constant.

use std::collections::HashMap;
use std::pin::Pin;

use bytes::Bytes;
use futures_util::SinkExt;
use roster_engine::import::{Existing, ExistingCommunity};
use roster_engine::{CommunityId, Counters, DomainError, Standing, UserId};
use tokio_postgres::CopyInSink;
use uuid::Uuid;

use super::errors::{Fault, Res};
use super::rows::{self, COMMUNITY_COLUMNS, COMMUNITY_FROM, USER_COLUMNS};
use super::sql::{LiveTx, Sql};
use crate::{
    BulkProgress, ExportQuery, ExportRow, ExportSink, ImportBatch, ImportEvents, ImportKeys,
    ImportSummary, CHECK_EVERY,
};

/// Rows fetched per portal round trip in an export.
const FETCH: i32 = 5000;
/// Bytes of COPY text buffered before they are sent.
const COPY_BUFFER: usize = 1 << 20;

pub(super) async fn existing(tx: &mut impl Sql, keys: &ImportKeys) -> Res<Existing> {
    let mut out = Existing::default();
    let names: Vec<String> = keys.usernames.iter().map(|n| n.to_lowercase()).collect();
    let ids: Vec<Uuid> = keys.user_ids.iter().map(|id| id.0).collect();
    for row in tx
        .query(
            "SELECT id, username FROM users WHERE lower(username) = ANY($1) OR id = ANY($2)",
            &[&names, &ids],
        )
        .await?
    {
        let id = UserId(row.try_get(0)?);
        let name: String = row.try_get(1)?;
        out.usernames.insert(name.to_lowercase(), id);
        out.user_ids.insert(id, name);
    }
    let emails: Vec<String> = keys.emails.iter().map(|e| e.to_lowercase()).collect();
    for row in tx
        .query(
            "SELECT lower(email) FROM users WHERE lower(email) = ANY($1)",
            &[&emails],
        )
        .await?
    {
        out.emails.insert(row.try_get(0)?);
    }
    let ids: Vec<Uuid> = keys.community_ids.iter().map(|id| id.0).collect();
    let found = tx
        .query(
            "SELECT num, id, name, archived, site FROM communities
         WHERE name = ANY($1) OR id = ANY($2) OR site",
            &[&keys.community_names, &ids],
        )
        .await?;
    for row in found {
        let num: i64 = row.try_get(0)?;
        let id = CommunityId(row.try_get(1)?);
        if row.try_get::<_, bool>(4)? {
            out.site = Some(id);
        }
        out.communities.push(ExistingCommunity {
            id,
            name: row.try_get(2)?,
            archived: row.try_get(3)?,
        });
        for member in tx
            .query(
                "SELECT u.id, m.standing FROM memberships m JOIN users u ON u.num = m.user_num
             WHERE m.community_num = $1",
                &[&num],
            )
            .await?
        {
            let user = UserId(member.try_get(0)?);
            out.memberships
                .insert((id, user), rows::parsed(&member, 1)?);
        }
    }
    Ok(out)
}

/// One value of a COPY text row: backslash escapes, `\N` for NULL.
fn field(out: &mut String, value: Option<&str>) {
    match value {
        None => out.push_str("\\N"),
        Some(text) => {
            for c in text.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
    }
}

/// A COPY in progress: rows are buffered and sent a megabyte at a time.
struct Copy {
    sink: Pin<Box<CopyInSink<Bytes>>>,
    buffer: String,
}

impl Copy {
    async fn start(tx: &mut LiveTx<'_>, sql: &str) -> Res<Copy> {
        Ok(Copy {
            sink: Box::pin(tx.tx.copy_in(sql).await?),
            buffer: String::with_capacity(COPY_BUFFER + 4096),
        })
    }

    async fn row(&mut self, values: &[Option<&str>]) -> Res<()> {
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self.buffer.push('\t');
            }
            field(&mut self.buffer, *value);
        }
        self.buffer.push('\n');
        if self.buffer.len() >= COPY_BUFFER {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Res<()> {
        let chunk = Bytes::from(std::mem::take(&mut self.buffer).into_bytes());
        self.sink.send(chunk).await?;
        self.buffer.reserve(COPY_BUFFER + 4096);
        Ok(())
    }

    async fn finish(mut self) -> Res<u64> {
        self.flush().await?;
        Ok(self.sink.as_mut().finish().await?)
    }
}

fn stop_check(progress: &BulkProgress, pending: &mut u64, n: u64) -> Res<()> {
    *pending += n;
    if *pending >= CHECK_EVERY {
        progress.add(*pending);
        *pending = 0;
        if progress.stopped() {
            return Err(Fault::Other(crate::STOPPED.into()));
        }
    }
    Ok(())
}

pub(super) async fn import(
    tx: &mut LiveTx<'_>,
    batch: &ImportBatch,
    progress: &BulkProgress,
) -> Res<ImportSummary> {
    let now = rows::now();
    let now_text = now.to_rfc3339();
    let mut summary = ImportSummary::default();
    let mut pending = 0u64;
    let mut copy = Copy::start(
        tx,
        "COPY users (id, username, email, email_verified, admin, nickname, slug, first_name,
                     last_name, photo_url, password_hash, created_at, updated_at) FROM STDIN",
    )
    .await?;
    for user in &batch.users {
        let p = &user.profile;
        let id = user.id.to_string();
        copy.row(&[
            Some(&id),
            Some(&user.username),
            user.email.as_deref().filter(|e| !e.is_empty()),
            Some(if user.email_verified { "t" } else { "f" }),
            Some(if user.admin { "t" } else { "f" }),
            Some(&p.nickname),
            Some(&p.slug),
            Some(&p.first_name),
            Some(&p.last_name),
            Some(&p.photo_url),
            Some(&user.password_hash),
            Some(&now_text),
            Some(&now_text),
        ])
        .await?;
        stop_check(progress, &mut pending, 1)?;
    }
    summary.users = copy.finish().await?;
    // Every user the memberships and communities name, new or not.
    let mut wanted: Vec<Uuid> = batch.users.iter().map(|u| u.id.0).collect();
    for community in &batch.communities {
        wanted.extend(community.members.iter().map(|m| m.user.0));
        if let Some(new) = &community.new {
            wanted.push(new.creator.0);
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    let mut nums: HashMap<Uuid, i64> = HashMap::with_capacity(wanted.len());
    for row in tx
        .query("SELECT id, num FROM users WHERE id = ANY($1)", &[&wanted])
        .await?
    {
        nums.insert(row.try_get(0)?, row.try_get(1)?);
    }
    let num_of = |id: UserId| {
        nums.get(&id.0)
            .copied()
            .ok_or(Fault::Domain(DomainError::UserNotFound))
    };

    // Existing communities: locked in number order (no deadlock with the
    // commands, which lock one community each).
    let touched: Vec<Uuid> = batch
        .communities
        .iter()
        .filter(|c| c.new.is_none())
        .map(|c| c.id.0)
        .collect();
    let mut locked: HashMap<Uuid, (i64, Uuid)> = HashMap::new();
    for row in tx
        .query(
            "SELECT c.num, c.id, cu.id FROM communities c JOIN users cu ON cu.num = c.creator_num
         WHERE c.id = ANY($1) ORDER BY c.num FOR UPDATE OF c",
            &[&touched],
        )
        .await?
    {
        locked.insert(row.try_get(1)?, (row.try_get(0)?, row.try_get(2)?));
    }
    let insert_community =
        "INSERT INTO communities (id, name, description, visibility, join_policy,
             contribution_mode, site, archived, creator_num, members, owners, pending,
             invited, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $14, $8, $9, $10, $11, $12, $13, $13)
         RETURNING num";
    let mut targets = Vec::with_capacity(batch.communities.len());
    for community in &batch.communities {
        let mut counters = Counters::default();
        for member in &community.members {
            counters.apply(Standing::None, member.standing);
        }
        let (num, actor) = match &community.new {
            Some(new) => {
                let row = tx
                    .query_one(
                        insert_community,
                        &[
                            &community.id.0,
                            &new.settings.name,
                            &new.settings.description,
                            &new.settings.visibility.as_str(),
                            &new.settings.join_policy.as_str(),
                            &new.settings.contribution_mode.as_str(),
                            &new.site,
                            &num_of(new.creator)?,
                            &counters.members,
                            &counters.owners,
                            &counters.pending,
                            &counters.invited,
                            &now,
                            &new.archived,
                        ],
                    )
                    .await?;
                summary.communities += 1;
                (row.try_get::<_, i64>(0)?, new.creator.0)
            }
            None => {
                let &(num, actor) = locked
                    .get(&community.id.0)
                    .ok_or(Fault::Domain(DomainError::CommunityNotFound))?;
                let row = tx
                    .query_one(
                        "UPDATE communities SET members = members + $2, owners = owners + $3,
                         pending = pending + $4, invited = invited + $5, updated_at = $6
                     WHERE num = $1 RETURNING members, owners",
                        &[
                            &num,
                            &counters.members,
                            &counters.owners,
                            &counters.pending,
                            &counters.invited,
                            &now,
                        ],
                    )
                    .await?;
                if !roster_engine::import::keeps_an_owner(row.try_get(0)?, row.try_get(1)?) {
                    return Err(Fault::Domain(DomainError::LastOwner));
                }
                (num, actor)
            }
        };
        targets.push((num, actor));
    }
    let mut copy = Copy::start(
        tx,
        "COPY memberships (community_num, user_num, standing, since) FROM STDIN",
    )
    .await?;
    for (community, (num, _)) in batch.communities.iter().zip(&targets) {
        let num = num.to_string();
        for member in &community.members {
            let user = num_of(member.user)?.to_string();
            let since = member.since.map(|at| rows::truncate(at).to_rfc3339());
            copy.row(&[
                Some(&num),
                Some(&user),
                Some(member.standing.as_str()),
                Some(since.as_deref().unwrap_or(&now_text)),
            ])
            .await?;
            stop_check(progress, &mut pending, 1)?;
        }
    }
    summary.memberships = copy.finish().await?;
    // The import numbers its events itself, holding the stamp lock to its
    // commit (see feed.rs): taken last, so never while waiting for a row.
    let mut seq = super::feed::lock_for_numbering(tx).await?;
    let mut next_seq = || {
        seq += 1;
        seq.to_string()
    };
    let mut copy = Copy::start(
        tx,
        "COPY events (seq, at, community_id, actor_id, subject_id, kind, reason) FROM STDIN",
    )
    .await?;
    for (community, (_, actor)) in batch.communities.iter().zip(&targets) {
        let id = community.id.to_string();
        let actor = actor.to_string();
        match batch.events {
            ImportEvents::PerCommunity => {
                let decision = roster_engine::import::decide_import(None, community.members.len());
                copy.row(&[
                    Some(&next_seq()),
                    Some(&now_text),
                    Some(&id),
                    Some(&actor),
                    None,
                    Some(decision.kind.as_str()),
                    decision.reason.as_deref(),
                ])
                .await?;
            }
            ImportEvents::Each => {
                for member in &community.members {
                    let decision = roster_engine::import::decide_import(Some(member.user), 1);
                    let subject = member.user.to_string();
                    copy.row(&[
                        Some(&next_seq()),
                        Some(&now_text),
                        Some(&id),
                        Some(&actor),
                        Some(&subject),
                        Some(decision.kind.as_str()),
                        decision.reason.as_deref(),
                    ])
                    .await?;
                }
            }
        }
    }
    summary.events = copy.finish().await?;
    progress.add(pending);
    if progress.stopped() {
        return Err(Fault::Other(crate::STOPPED.into()));
    }
    Ok(summary)
}

fn sink_fault(error: crate::Error) -> Fault {
    match error {
        crate::Error::Domain(e) => Fault::Domain(e),
        crate::Error::Backend(message) => Fault::Other(message),
    }
}

/// Stream one query's rows through a portal.
async fn stream(
    tx: &mut LiveTx<'_>,
    sql: &str,
    only: &Option<i64>,
    mut each: impl FnMut(&tokio_postgres::Row) -> Res<()>,
) -> Res<()> {
    let portal = tx.tx.bind(sql, &[only]).await?;
    loop {
        let rows = tx.tx.query_portal(&portal, FETCH).await?;
        if rows.is_empty() {
            return Ok(());
        }
        for row in &rows {
            each(row)?;
        }
    }
}

/// Every row the query asks for, through `sink`, from the snapshot `tx`
/// reads. Its future holds the sink (not `Send`): it is waited on, never
/// spawned.
pub(super) async fn export(
    tx: &mut LiveTx<'_>,
    query: &ExportQuery,
    sink: &mut ExportSink<'_>,
) -> Res<()> {
    let only: Option<i64> = match &query.community {
        None => None,
        Some(key) => Some(
            super::reads::load_community(tx, key)
                .await?
                .ok_or(Fault::Domain(DomainError::CommunityNotFound))?
                .num,
        ),
    };
    let (users, communities, members) = match only {
        Some(_) => (
            "u.num IN (SELECT user_num FROM memberships WHERE community_num = $1
                       UNION SELECT creator_num FROM communities WHERE num = $1)",
            "c.num = $1",
            "m.community_num = $1",
        ),
        None => (
            "$1::bigint IS NULL",
            "$1::bigint IS NULL",
            "$1::bigint IS NULL",
        ),
    };
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE {users} ORDER BY u.num");
    stream(tx, &sql, &only, |row| {
        sink(ExportRow::User(rows::user(row, 0)?)).map_err(sink_fault)
    })
    .await?;
    let sql = format!(
        "SELECT {COMMUNITY_COLUMNS} FROM {COMMUNITY_FROM} WHERE {communities} ORDER BY c.num"
    );
    stream(tx, &sql, &only, |row| {
        sink(ExportRow::Community(rows::community(row, 0)?)).map_err(sink_fault)
    })
    .await?;
    let sql = format!(
        "SELECT c.name, u.username, m.standing, m.since
         FROM memberships m JOIN communities c ON c.num = m.community_num
                            JOIN users u ON u.num = m.user_num
         WHERE {members}
         ORDER BY m.community_num, m.user_num"
    );
    stream(tx, &sql, &only, |row| {
        sink(ExportRow::Membership {
            community: row.try_get(0)?,
            username: row.try_get(1)?,
            standing: rows::parsed(row, 2)?,
            since: row.try_get(3)?,
        })
        .map_err(sink_fault)
    })
    .await
}
