//! Bulk import and export on SQLite (issue 15). An import is one job of
//! the writer (`writer.rs`), so it is one transaction beside whatever else
//! this process writes, and SQLite's file lock keeps another process (a
//! running server) out until it commits: every row through statements
//! prepared once, the counters written once per community, the `imported`
//! events last. An export reads from one read transaction (one snapshot)
//! and hands each row to its sink as the cursor reaches it.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};

use roster_engine::import::{Existing, ExistingCommunity};
use roster_engine::{CommunityId, Counters, DomainError, EventKind, UserId};

use super::rows::{self, fmt_ts, COMMUNITY_COLUMNS, COMMUNITY_FROM, USER_COLUMNS};
use crate::{
    BulkProgress, Error, ExportQuery, ExportRow, ExportSink, ImportBatch, ImportEvents, ImportKeys,
    ImportSummary, Result, CHECK_EVERY,
};

/// Values per `IN (…)` list: well under SQLite's variable limit.
const CHUNK: usize = 500;

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Run `sql` (with `{}` where the `IN` list goes) over `values` in chunks.
fn each_in<T: rusqlite::ToSql>(
    conn: &Connection,
    sql: &str,
    values: &[T],
    mut row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<()>,
) -> Result<()> {
    for chunk in values.chunks(CHUNK) {
        let sql = sql.replace("{}", &placeholders(chunk.len()));
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(chunk))?;
        while let Some(r) = rows.next()? {
            row(r)?;
        }
    }
    Ok(())
}

fn uuid(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<uuid::Uuid> {
    rows::parsed(row, index)
}

pub(super) fn existing(conn: &Connection, keys: &ImportKeys) -> Result<Existing> {
    let mut out = Existing::default();
    let mut user = |row: &rusqlite::Row<'_>| {
        let id = UserId(uuid(row, 0)?);
        let name: String = row.get(1)?;
        out.usernames.insert(name.to_lowercase(), id);
        out.user_ids.insert(id, name);
        Ok(())
    };
    each_in(
        conn,
        "SELECT id, username FROM users WHERE username IN ({})",
        &keys.usernames,
        &mut user,
    )?;
    let ids: Vec<String> = keys.user_ids.iter().map(|id| id.to_string()).collect();
    each_in(
        conn,
        "SELECT id, username FROM users WHERE id IN ({})",
        &ids,
        &mut user,
    )?;
    each_in(
        conn,
        "SELECT email FROM users WHERE email IN ({})",
        &keys.emails,
        |row| {
            let email: String = row.get(0)?;
            out.emails.insert(email.to_lowercase());
            Ok(())
        },
    )?;
    let mut communities: HashMap<CommunityId, (i64, ExistingCommunity)> = HashMap::new();
    let mut community = |row: &rusqlite::Row<'_>| {
        let id = CommunityId(uuid(row, 1)?);
        let site: bool = row.get(4)?;
        if site {
            out.site = Some(id);
        }
        let found = ExistingCommunity {
            id,
            name: row.get(2)?,
            archived: row.get(3)?,
        };
        communities.insert(id, (row.get(0)?, found));
        Ok(())
    };
    const COLUMNS: &str = "SELECT num, id, name, archived, site FROM communities";
    each_in(
        conn,
        &format!("{COLUMNS} WHERE name IN ({{}})"),
        &keys.community_names,
        &mut community,
    )?;
    let ids: Vec<String> = keys.community_ids.iter().map(|id| id.to_string()).collect();
    each_in(
        conn,
        &format!("{COLUMNS} WHERE id IN ({{}})"),
        &ids,
        &mut community,
    )?;
    each_in(
        conn,
        &format!("{COLUMNS} WHERE site IN ({{}})"),
        &[1],
        &mut community,
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, m.standing FROM memberships m JOIN users u ON u.num = m.user_num
         WHERE m.community_num = ?1",
    )?;
    for (num, found) in communities.values() {
        let mut rows = stmt.query([num])?;
        while let Some(row) = rows.next()? {
            let user = UserId(uuid(row, 0)?);
            out.memberships
                .insert((found.id, user), rows::standing(row, 1)?);
        }
    }
    out.communities = communities.into_values().map(|(_, c)| c).collect();
    Ok(out)
}

/// A unique-constraint failure is a row another writer made since the plan.
fn conflict(error: rusqlite::Error, what: &str) -> Error {
    match &error {
        rusqlite::Error::SqliteFailure(e, _)
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Error::Backend(format!(
                "sqlite: {what} already exists (written since the file was checked: {error}); \
                 nothing was imported, run the import again"
            ))
        }
        _ => error.into(),
    }
}

/// Page cache for an import's transaction, in KiB: its dirty pages stay in
/// memory instead of spilling to the WAL before the commit.
const IMPORT_CACHE_KIB: i64 = 256 * 1024;

pub(super) fn import(
    conn: &Connection,
    batch: &ImportBatch,
    progress: &BulkProgress,
) -> Result<ImportSummary> {
    let cache: i64 = conn.query_row("PRAGMA cache_size", [], |row| row.get(0))?;
    conn.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
    let result = import_rows(conn, batch, progress);
    conn.pragma_update(None, "cache_size", cache)?;
    result
}

fn import_rows(
    conn: &Connection,
    batch: &ImportBatch,
    progress: &BulkProgress,
) -> Result<ImportSummary> {
    let now = fmt_ts(rows::now());
    let mut summary = ImportSummary::default();
    let mut nums: HashMap<UserId, i64> = HashMap::with_capacity(batch.users.len());
    let mut pending = 0u64;
    let mut tick = |n: u64| -> Result<()> {
        pending += n;
        if pending >= CHECK_EVERY {
            progress.add(pending);
            pending = 0;
            progress.check()?;
        }
        Ok(())
    };
    {
        let mut insert = conn.prepare_cached(
            "INSERT INTO users (id, username, email, email_verified, admin, nickname, slug,
                                first_name, last_name, photo_url, password_hash,
                                created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
        )?;
        for user in &batch.users {
            let p = &user.profile;
            insert
                .execute(params![
                    user.id.to_string(),
                    user.username,
                    user.email.as_deref().filter(|e| !e.is_empty()),
                    user.email_verified,
                    user.admin,
                    p.nickname,
                    p.slug,
                    p.first_name,
                    p.last_name,
                    p.photo_url,
                    user.password_hash,
                    now,
                ])
                .map_err(|e| conflict(e, &format!("user '{}'", user.username)))?;
            nums.insert(user.id, conn.last_insert_rowid());
            summary.users += 1;
            tick(1)?;
        }
    }
    let mut user_num = |id: UserId| -> Result<i64> {
        if let Some(&num) = nums.get(&id) {
            return Ok(num);
        }
        let num = rows::user_num(conn, id)?.ok_or(Error::Domain(DomainError::UserNotFound))?;
        nums.insert(id, num);
        Ok(num)
    };
    let mut insert_member = conn.prepare_cached(
        "INSERT INTO memberships (community_num, user_num, standing, since) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut insert_event = conn.prepare_cached(
        "INSERT INTO events (at, community_id, actor_id, subject_id, kind, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for community in &batch.communities {
        let mut counters = Counters::default();
        for member in &community.members {
            counters.apply(roster_engine::Standing::None, member.standing);
        }
        let id = community.id.to_string();
        let (num, actor) = match &community.new {
            Some(new) => {
                let creator_num = user_num(new.creator)?;
                rows::exec(
                    conn,
                    "INSERT INTO communities (id, name, description, visibility, join_policy,
                         contribution_mode, site, archived, creator_num, members, owners, pending,
                         invited, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?14, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
                    params![
                        id,
                        new.settings.name,
                        new.settings.description,
                        new.settings.visibility.as_str(),
                        new.settings.join_policy.as_str(),
                        new.settings.contribution_mode.as_str(),
                        new.site,
                        creator_num,
                        counters.members,
                        counters.owners,
                        counters.pending,
                        counters.invited,
                        now,
                        new.archived,
                    ],
                )
                .map_err(|e| conflict(e, &format!("community '{}'", new.settings.name)))?;
                summary.communities += 1;
                (conn.last_insert_rowid(), new.creator.to_string())
            }
            None => {
                let found: Option<(i64, String)> = rows::query_row(
                    conn,
                    "SELECT c.num, cu.id FROM communities c JOIN users cu ON cu.num = c.creator_num
                     WHERE c.id = ?1",
                    [&id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
                let Some((num, actor)) = found else {
                    return Err(Error::Domain(DomainError::CommunityNotFound));
                };
                rows::exec(
                    conn,
                    "UPDATE communities SET members = members + ?2, owners = owners + ?3,
                         pending = pending + ?4, invited = invited + ?5, updated_at = ?6
                     WHERE num = ?1",
                    params![
                        num,
                        counters.members,
                        counters.owners,
                        counters.pending,
                        counters.invited,
                        now
                    ],
                )?;
                let (members, owners): (i64, i64) = rows::query_row(
                    conn,
                    "SELECT members, owners FROM communities WHERE num = ?1",
                    [num],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )?;
                if !roster_engine::import::keeps_an_owner(members, owners) {
                    return Err(Error::Domain(DomainError::LastOwner));
                }
                (num, actor)
            }
        };
        for member in &community.members {
            let since = member.since.map(|at| fmt_ts(rows::truncate(at)));
            insert_member
                .execute(params![
                    num,
                    user_num(member.user)?,
                    member.standing.as_str(),
                    since.as_deref().unwrap_or(&now),
                ])
                .map_err(|e| conflict(e, &format!("a membership of {}", member.user)))?;
            summary.memberships += 1;
            if batch.events == ImportEvents::Each {
                let decision = roster_engine::import::decide_import(Some(member.user), 1);
                insert_event.execute(params![
                    now,
                    id,
                    actor,
                    member.user.to_string(),
                    decision.kind.as_str(),
                    decision.reason,
                ])?;
                summary.events += 1;
            }
            tick(1)?;
        }
        if batch.events == ImportEvents::PerCommunity {
            let decision = roster_engine::import::decide_import(None, community.members.len());
            debug_assert_eq!(decision.kind, EventKind::Imported);
            insert_event.execute(params![
                now,
                id,
                actor,
                Option::<String>::None,
                decision.kind.as_str(),
                decision.reason,
            ])?;
            summary.events += 1;
        }
    }
    progress.add(pending);
    progress.check()?;
    Ok(summary)
}

pub(super) fn export(
    conn: &Connection,
    query: &ExportQuery,
    sink: &mut ExportSink<'_>,
) -> Result<()> {
    let community = match &query.community {
        None => None,
        Some(key) => Some(
            super::reads::load_community(conn, key)?
                .ok_or(Error::Domain(DomainError::CommunityNotFound))?
                .num,
        ),
    };
    // One community: its people and its creator; everything: every row.
    let (users, communities, members) = match community {
        Some(_) => (
            "u.num IN (SELECT user_num FROM memberships WHERE community_num = ?1
                       UNION SELECT creator_num FROM communities WHERE num = ?1)",
            "c.num = ?1",
            "m.community_num = ?1",
        ),
        None => ("?1 IS NULL", "?1 IS NULL", "?1 IS NULL"),
    };
    let only = community;
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE {users} ORDER BY u.num");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![only])?;
    while let Some(row) = rows.next()? {
        sink(ExportRow::User(rows::user(row, 0)?))?;
    }
    let sql = format!(
        "SELECT {COMMUNITY_COLUMNS} FROM {COMMUNITY_FROM} WHERE {communities} ORDER BY c.num"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![only])?;
    while let Some(row) = rows.next()? {
        sink(ExportRow::Community(rows::community(row, 0)?))?;
    }
    let sql = format!(
        "SELECT c.name, u.username, m.standing, m.since
         FROM memberships m JOIN communities c ON c.num = m.community_num
                            JOIN users u ON u.num = m.user_num
         WHERE {members}
         ORDER BY m.community_num, m.user_num"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![only])?;
    while let Some(row) = rows.next()? {
        sink(ExportRow::Membership {
            community: row.get(0)?,
            username: row.get(1)?,
            standing: rows::standing(row, 2)?,
            since: rows::ts(row, 3)?,
        })?;
    }
    Ok(())
}
