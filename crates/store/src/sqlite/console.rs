//! The web console's rows on SQLite (issue 17): sessions, the member
//! search by username prefix over `membership_names` (migration 0005), the
//! timeline newest first, the chart's per-day counts and every community
//! for admins. Each query is bounded by its page size and served by an
//! index.

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

use roster_engine::{CommunityId, DomainError, EventKind};

use super::refuse;
use super::rows::{
    self, fmt_ts, COMMUNITY_COLUMNS, COMMUNITY_FROM, EVENT_COLUMNS, MEMBER_USER_COLUMNS,
    USER_COLUMNS, USER_WIDTH,
};
use crate::console::prefix_range;
use crate::pages::filter;
use crate::{
    Community, ConsoleSession, DayCount, EventRecord, MemberRow, MemberSearch, NewConsoleSession,
    Page, Result, SearchPage, User,
};

pub(super) fn create_session(tx: &Connection, new: NewConsoleSession) -> Result<ConsoleSession> {
    let Some(user_num) = rows::user_num(tx, new.user)? else {
        return refuse(DomainError::UserNotFound);
    };
    let session = ConsoleSession {
        csrf: new.csrf,
        created_at: rows::now(),
        expires_at: rows::truncate(new.expires_at),
        ended_at: None,
    };
    rows::exec(
        tx,
        "INSERT INTO console_sessions (hash, user_num, csrf, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            &new.hash[..],
            user_num,
            session.csrf,
            fmt_ts(session.created_at),
            fmt_ts(session.expires_at),
        ],
    )?;
    Ok(session)
}

pub(super) fn session(
    conn: &Connection,
    hash: &[u8; 32],
) -> Result<Option<(ConsoleSession, User)>> {
    let sql = format!(
        "SELECT s.csrf, s.created_at, s.expires_at, s.ended_at, {USER_COLUMNS}
         FROM console_sessions s JOIN users u ON u.num = s.user_num
         WHERE s.hash = ?1"
    );
    Ok(rows::query_row(conn, &sql, [&hash[..]], |row| {
        let session = ConsoleSession {
            csrf: row.get(0)?,
            created_at: rows::ts(row, 1)?,
            expires_at: rows::ts(row, 2)?,
            ended_at: rows::opt_ts(row, 3)?,
        };
        Ok((session, rows::user(row, 4)?))
    })
    .optional()?)
}

pub(super) fn end_session(tx: &Connection, hash: &[u8; 32]) -> Result<bool> {
    let changed = rows::exec(
        tx,
        "UPDATE console_sessions SET ended_at = ?2 WHERE hash = ?1 AND ended_at IS NULL",
        params![&hash[..], fmt_ts(rows::now())],
    )?;
    Ok(changed == 1)
}

fn community_num(conn: &Connection, community: CommunityId) -> Result<i64> {
    let num = rows::query_row(
        conn,
        "SELECT num FROM communities WHERE id = ?1",
        [community.0.to_string()],
        |row| row.get(0),
    )
    .optional()?;
    match num {
        Some(num) => Ok(num),
        None => refuse(DomainError::CommunityNotFound),
    }
}

pub(super) fn search_members(
    conn: &Connection,
    community: CommunityId,
    query: &MemberSearch,
) -> Result<SearchPage> {
    let num = community_num(conn, community)?;
    let (low, high) = prefix_range(&query.prefix);
    // Usernames are never empty, so "" is below every cursor.
    let after = query.after.clone().unwrap_or_default();
    let limit = super::clamp_limit(query.limit);
    let mut args: Vec<Value> = vec![num.into(), low.into(), high.into(), after.into()];
    let mut marks = Vec::new();
    for standing in filter(&query.standings) {
        args.push(standing.as_str().to_owned().into());
        marks.push(format!("?{}", args.len()));
    }
    args.push((limit + 1).into());
    let sql = format!(
        "SELECT {MEMBER_USER_COLUMNS}, m.standing, m.since, n.name_key
         FROM membership_names n
         JOIN memberships m ON m.community_num = n.community_num AND m.user_num = n.user_num
         JOIN users u ON u.num = n.user_num
         WHERE n.community_num = ?1 AND n.name_key >= ?2 AND n.name_key < ?3
           AND n.name_key > ?4 AND m.standing IN ({marks})
         ORDER BY n.name_key LIMIT ?{last}",
        marks = marks.join(", "),
        last = args.len(),
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows_found = stmt
        .query_map(params_from_iter(args.iter()), |row| {
            Ok((
                MemberRow {
                    user: rows::user(row, 0)?,
                    standing: rows::standing(row, USER_WIDTH)?,
                    since: rows::ts(row, USER_WIDTH + 1)?,
                },
                row.get::<_, String>(USER_WIDTH + 2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next = if rows_found.len() > limit {
        rows_found.truncate(limit);
        rows_found.last().map(|(_, key)| key.clone())
    } else {
        None
    };
    Ok(SearchPage {
        items: rows_found.into_iter().map(|(row, _)| row).collect(),
        next,
    })
}

pub(super) fn recent_events(
    conn: &Connection,
    community: CommunityId,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<EventRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events
         WHERE community_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3"
    ))?;
    let events = stmt
        .query_map(
            params![
                community.0.to_string(),
                before.unwrap_or(i64::MAX),
                super::clamp_limit(limit)
            ],
            rows::event,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(events)
}

pub(super) fn daily_counts(
    conn: &Connection,
    community: CommunityId,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<DayCount>> {
    let mut stmt = conn.prepare_cached(
        "SELECT substr(at, 1, 10), kind, count(*) FROM events
         WHERE community_id = ?1 AND at >= ?2
         GROUP BY substr(at, 1, 10), kind ORDER BY 1",
    )?;
    let found = stmt
        .query_map(params![community.0.to_string(), fmt_ts(since)], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // A day or kind this build cannot read is left out of the chart.
    Ok(found
        .into_iter()
        .filter_map(|(day, kind, count)| {
            Some(DayCount {
                day: day.parse().ok()?,
                kind: kind.parse::<EventKind>().ok()?,
                count: u64::try_from(count).unwrap_or(0),
            })
        })
        .collect())
}

pub(super) fn list_communities(
    conn: &Connection,
    after: Option<i64>,
    limit: u32,
) -> Result<Page<Community>> {
    let limit = super::clamp_limit(limit);
    let sql = format!(
        "SELECT {COMMUNITY_COLUMNS} FROM {COMMUNITY_FROM}
         WHERE c.num > ?1 ORDER BY c.num LIMIT ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let items = stmt
        .query_map(params![after.unwrap_or(i64::MIN), limit + 1], |row| {
            rows::community(row, 0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let total: i64 = rows::query_row(conn, "SELECT count(*) FROM communities", [], |row| {
        row.get(0)
    })?;
    Ok(crate::pages::finish(
        items,
        limit,
        u64::try_from(total).unwrap_or(0),
        |c| c.num,
    ))
}
