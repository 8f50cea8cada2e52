//! The web console's rows on PostgreSQL (issue 17): sessions, the member
//! search by username prefix over `membership_names` (migration 0005), the
//! timeline newest first, the chart's per-day counts and every community
//! for admins. Each query is bounded by its page size and served by an
//! index.

use super::sql::Sql;
use tokio_postgres::types::ToSql;

use roster_engine::{CommunityId, DomainError, EventKind};

use super::errors::{refuse, Res};
use super::rows::{
    self, parsed, COMMUNITY_COLUMNS, COMMUNITY_FROM, EVENT_COLUMNS, MEMBER_USER_COLUMNS,
    USER_COLUMNS, USER_WIDTH,
};
use crate::console::prefix_range;
use crate::pages::clamp_limit;
use crate::pages::{filter, finish};
use crate::{
    Community, ConsoleSession, DayCount, EventRecord, MemberRow, MemberSearch, NewConsoleSession,
    Page, SearchPage, User,
};

pub(super) async fn create_session(
    client: &mut impl Sql,
    new: &NewConsoleSession,
) -> Res<ConsoleSession> {
    let Some(user_num) = rows::user_num(client, new.user).await? else {
        return refuse(DomainError::UserNotFound);
    };
    let session = ConsoleSession {
        csrf: new.csrf.clone(),
        created_at: rows::now(),
        expires_at: rows::truncate(new.expires_at),
        ended_at: None,
    };
    client
        .execute(
            "INSERT INTO console_sessions (hash, user_num, csrf, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
            &[
                &&new.hash[..],
                &user_num,
                &session.csrf,
                &session.created_at,
                &session.expires_at,
            ],
        )
        .await?;
    Ok(session)
}

pub(super) async fn session(
    client: &mut impl Sql,
    hash: &[u8; 32],
) -> Res<Option<(ConsoleSession, User)>> {
    let sql = format!(
        "SELECT s.csrf, s.created_at, s.expires_at, s.ended_at, {USER_COLUMNS}
         FROM console_sessions s JOIN users u ON u.num = s.user_num
         WHERE s.hash = $1"
    );
    match client.query_opt(&sql, &[&&hash[..]]).await? {
        Some(row) => Ok(Some((
            ConsoleSession {
                csrf: row.try_get(0)?,
                created_at: row.try_get(1)?,
                expires_at: row.try_get(2)?,
                ended_at: row.try_get(3)?,
            },
            rows::user(&row, 4)?,
        ))),
        None => Ok(None),
    }
}

pub(super) async fn end_session(client: &mut impl Sql, hash: &[u8; 32]) -> Res<bool> {
    let changed = client
        .execute(
            "UPDATE console_sessions SET ended_at = $2 WHERE hash = $1 AND ended_at IS NULL",
            &[&&hash[..], &rows::now()],
        )
        .await?;
    Ok(changed == 1)
}

async fn community_num(client: &mut impl Sql, community: CommunityId) -> Res<i64> {
    match client
        .query_opt("SELECT num FROM communities WHERE id = $1", &[&community.0])
        .await?
    {
        Some(row) => Ok(row.try_get(0)?),
        None => refuse(DomainError::CommunityNotFound),
    }
}

pub(super) async fn search_members(
    client: &mut impl Sql,
    community: CommunityId,
    query: &MemberSearch,
) -> Res<SearchPage> {
    let num = community_num(client, community).await?;
    let after = query.after.clone().unwrap_or_default();
    // A NUL cannot be stored, so no username starts with it.
    if !rows::storable(&query.prefix) || !rows::storable(&after) {
        return Ok(SearchPage {
            items: Vec::new(),
            next: None,
        });
    }
    let (low, high) = prefix_range(&query.prefix);
    let standings: Vec<String> = filter(&query.standings)
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    let limit = clamp_limit(query.limit);
    let sql = format!(
        "SELECT {MEMBER_USER_COLUMNS}, m.standing, m.since, n.name_key
         FROM membership_names n
         JOIN memberships m ON m.community_num = n.community_num AND m.user_num = n.user_num
         JOIN users u ON u.num = n.user_num
         WHERE n.community_num = $1 AND n.name_key >= $2 AND n.name_key < $3
           AND n.name_key > $4 AND m.standing = ANY($5)
         ORDER BY n.name_key LIMIT $6"
    );
    let args: [&(dyn ToSql + Sync); 6] = [&num, &low, &high, &after, &standings, &(limit + 1)];
    let mut found = Vec::new();
    for row in client.query(&sql, &args).await? {
        found.push((
            MemberRow {
                user: rows::user(&row, 0)?,
                standing: parsed(&row, USER_WIDTH)?,
                since: row.try_get(USER_WIDTH + 1)?,
            },
            row.try_get::<_, String>(USER_WIDTH + 2)?,
        ));
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next = if found.len() > limit {
        found.truncate(limit);
        found.last().map(|(_, key)| key.clone())
    } else {
        None
    };
    Ok(SearchPage {
        items: found.into_iter().map(|(row, _)| row).collect(),
        next,
    })
}

pub(super) async fn recent_events(
    client: &mut impl Sql,
    community: CommunityId,
    before: Option<i64>,
    limit: u32,
) -> Res<Vec<EventRecord>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events
         WHERE community_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3"
    );
    let rows_found = client
        .query(
            &sql,
            &[
                &community.0,
                &before.unwrap_or(i64::MAX),
                &clamp_limit(limit),
            ],
        )
        .await?;
    rows_found.iter().map(rows::event).collect()
}

pub(super) async fn daily_counts(
    client: &mut impl Sql,
    community: CommunityId,
    since: chrono::DateTime<chrono::Utc>,
) -> Res<Vec<DayCount>> {
    let found = client
        .query(
            "SELECT (at AT TIME ZONE 'UTC')::date AS day, kind, count(*)
         FROM events WHERE community_id = $1 AND at >= $2
         GROUP BY day, kind ORDER BY day",
            &[&community.0, &since],
        )
        .await?;
    let mut counts = Vec::new();
    for row in found {
        let kind: String = row.try_get(1)?;
        // A kind this build cannot read is left out of the chart.
        let Ok(kind) = kind.parse::<EventKind>() else {
            continue;
        };
        let count: i64 = row.try_get(2)?;
        counts.push(DayCount {
            day: row.try_get(0)?,
            kind,
            count: u64::try_from(count).unwrap_or(0),
        });
    }
    Ok(counts)
}

pub(super) async fn list_communities(
    client: &mut impl Sql,
    after: Option<i64>,
    limit: u32,
) -> Res<Page<Community>> {
    let limit = clamp_limit(limit);
    let sql = format!(
        "SELECT {COMMUNITY_COLUMNS} FROM {COMMUNITY_FROM}
         WHERE c.num > $1 ORDER BY c.num LIMIT $2"
    );
    let items = client
        .query(&sql, &[&after.unwrap_or(i64::MIN), &(limit + 1)])
        .await?
        .iter()
        .map(|row| rows::community(row, 0))
        .collect::<Res<Vec<_>>>()?;
    let total: i64 = client
        .query_one("SELECT count(*) FROM communities", &[])
        .await?
        .try_get(0)?;
    Ok(finish(
        items,
        limit,
        u64::try_from(total).unwrap_or(0),
        |c| c.num,
    ))
}
