//! The read side: one community with a viewer's standing, a community's
//! people and a user's communities (filtered, paged by keyset or offset),
//! and the event feed. Each runs in one REPEATABLE READ, READ ONLY
//! transaction (see `mod.rs`), so that a page and its total come from one
//! snapshot; no read takes a lock or waits for a writer. Every query is
//! bounded by its page size and served by an index; totals come from the
//! community's counters when they can.

use tokio_postgres::types::ToSql;

use roster_engine::{CommunityId, Counters, DomainError, Standing, UserId};

use super::errors::{refuse, Res};
use super::rows::{
    self, COMMUNITY_COLUMNS, COMMUNITY_FROM, COMMUNITY_WIDTH, EVENT_COLUMNS, MEMBER_USER_COLUMNS,
    USER_WIDTH,
};
use super::sql::Sql;
use crate::pages::clamp_limit;
use crate::pages::{counted, empty_page, filter, finish};
use crate::{
    Community, CommunityKey, EventQuery, EventRecord, MemberQuery, MemberRow, MembershipQuery,
    Page, Paging,
};

/// A community by any of its keys (no lock: see `communities.rs` for writes).
pub(super) async fn load_community(
    client: &mut impl Sql,
    key: &CommunityKey,
) -> Res<Option<Community>> {
    let Some((column, value)) = rows::key_column(key) else {
        return Ok(None);
    };
    let sql = format!("SELECT {COMMUNITY_COLUMNS} FROM {COMMUNITY_FROM} WHERE c.{column} = $1");
    match client.query_opt(&sql, &[&*value]).await? {
        Some(row) => rows::community(&row, 0).map(Some),
        None => Ok(None),
    }
}

/// A community and the viewer's standing in it, in one statement (one
/// round trip, one snapshot); `None` standing without a viewer.
pub(super) async fn community(
    client: &mut impl Sql,
    key: &CommunityKey,
    viewer: Option<UserId>,
) -> Res<Option<(Community, Standing)>> {
    let Some((column, value)) = rows::key_column(key) else {
        return Ok(None);
    };
    let viewer = viewer.map(|user| user.0);
    let sql = format!(
        "SELECT {COMMUNITY_COLUMNS},
                (SELECT m.standing FROM memberships m JOIN users u ON u.num = m.user_num
                 WHERE m.community_num = c.num AND u.id = $2)
         FROM {COMMUNITY_FROM} WHERE c.{column} = $1"
    );
    let Some(row) = client.query_opt(&sql, &[&*value, &viewer]).await? else {
        return Ok(None);
    };
    let standing = match row.try_get::<_, Option<&str>>(COMMUNITY_WIDTH)? {
        Some(_) => rows::parsed(&row, COMMUNITY_WIDTH)?,
        None => Standing::None,
    };
    Ok(Some((rows::community(&row, 0)?, standing)))
}

pub(super) async fn site_community(client: &mut impl Sql) -> Res<Option<Community>> {
    let sql = format!("SELECT {COMMUNITY_COLUMNS} FROM {COMMUNITY_FROM} WHERE c.site");
    match client.query_opt(&sql, &[]).await? {
        Some(row) => rows::community(&row, 0).map(Some),
        None => Ok(None),
    }
}

/// One user's standing in one community (`None` when either is unknown).
pub(super) async fn standing(
    client: &mut impl Sql,
    community: CommunityId,
    user: UserId,
) -> Res<Standing> {
    let row = client
        .query_opt(
            "SELECT m.standing
         FROM memberships m
         JOIN communities c ON c.num = m.community_num
         JOIN users u ON u.num = m.user_num
         WHERE c.id = $1 AND u.id = $2",
            &[&community.0, &user.0],
        )
        .await?;
    match row {
        Some(row) => rows::parsed(&row, 0),
        None => Ok(Standing::None),
    }
}

pub(super) async fn members(
    client: &mut impl Sql,
    community: CommunityId,
    query: &MemberQuery,
) -> Res<Page<MemberRow>> {
    let found = client
        .query_opt(
            "SELECT num, members, owners, pending, invited FROM communities WHERE id = $1",
            &[&community.0],
        )
        .await?;
    let Some(found) = found else {
        return refuse(DomainError::CommunityNotFound);
    };
    let num: i64 = found.try_get(0)?;
    let counters = Counters {
        members: found.try_get(1)?,
        owners: found.try_get(2)?,
        pending: found.try_get(3)?,
        invited: found.try_get(4)?,
    };
    page_of(client, num, &counters, query).await
}

/// One page of the people of community `num`, whose counters (read in the
/// same transaction) give the total when the filter is a count they keep.
pub(super) async fn page_of(
    client: &mut impl Sql,
    num: i64,
    counters: &Counters,
    query: &MemberQuery,
) -> Res<Page<MemberRow>> {
    let standings = filter(&query.standings);
    if standings.is_empty() {
        return Ok(empty_page());
    }
    let names = names(&standings);
    let filter = "m.community_num = $1 AND m.standing = ANY($2)";
    let limit = clamp_limit(query.limit);
    let (page, a, b) = paging(&query.paging, "m.user_num", limit);
    let sql = format!(
        "SELECT {MEMBER_USER_COLUMNS}, m.standing, m.since
         FROM memberships m JOIN users u ON u.num = m.user_num
         WHERE {filter} {page}"
    );
    let items = client
        .query(&sql, &[&num, &names, &a, &b])
        .await?
        .iter()
        .map(|row| {
            Ok(MemberRow {
                user: rows::user(row, 0)?,
                standing: rows::parsed(row, USER_WIDTH)?,
                since: row.try_get(USER_WIDTH + 1)?,
            })
        })
        .collect::<Res<Vec<_>>>()?;
    let total = match counted(&standings, counters) {
        Some(total) => total,
        None => {
            count(
                client,
                &format!("SELECT count(*) FROM memberships m WHERE {filter}"),
                &[&num, &names],
            )
            .await?
        }
    };
    Ok(finish(items, limit, total, |row| row.user.num))
}

pub(super) async fn communities_of(
    client: &mut impl Sql,
    user: UserId,
    query: &MembershipQuery,
) -> Res<Page<(Community, Standing)>> {
    let Some(user_num) = rows::user_num(client, user).await? else {
        return refuse(DomainError::UserNotFound);
    };
    let standings = filter(&query.standings);
    if standings.is_empty() {
        return Ok(empty_page());
    }
    let names = names(&standings);
    let mut filter = "m.user_num = $1 AND m.standing = ANY($2)".to_owned();
    if !query.include_site {
        filter.push_str(" AND NOT c.site");
    }
    let limit = clamp_limit(query.limit);
    let (page, a, b) = paging(&query.paging, "m.community_num", limit);
    let sql = format!(
        "SELECT {COMMUNITY_COLUMNS}, m.standing
         FROM memberships m
         JOIN communities c ON c.num = m.community_num
         JOIN users cu ON cu.num = c.creator_num
         WHERE {filter} {page}"
    );
    let items = client
        .query(&sql, &[&user_num, &names, &a, &b])
        .await?
        .iter()
        .map(|row| {
            Ok((
                rows::community(row, 0)?,
                rows::parsed(row, COMMUNITY_WIDTH)?,
            ))
        })
        .collect::<Res<Vec<_>>>()?;
    let total = count(
        client,
        &format!(
            "SELECT count(*) FROM memberships m JOIN communities c ON c.num = m.community_num
             WHERE {filter}"
        ),
        &[&user_num, &names],
    )
    .await?;
    Ok(finish(items, limit, total, |(community, _)| community.num))
}

/// The feed, oldest first. Safe to follow with `after=` the last seq read:
/// events are numbered after commit, in commit order, and an unnumbered
/// one (`seq` NULL) is not in the feed yet (see `feed.rs`).
pub(super) async fn events(client: &mut impl Sql, query: &EventQuery) -> Res<Vec<EventRecord>> {
    let limit = clamp_limit(query.limit);
    let rows = match query.community {
        Some(community) => {
            client
                .query(
                    &format!(
                        "SELECT {EVENT_COLUMNS} FROM events
                 WHERE community_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
                    ),
                    &[&community.0, &query.after, &limit],
                )
                .await?
        }
        None => {
            client
                .query(
                    &format!(
                        "SELECT {EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2"
                    ),
                    &[&query.after, &limit],
                )
                .await?
        }
    };
    rows.iter().map(rows::event).collect()
}

/// The standings as stored text, for `standing = ANY($2)`.
fn names(standings: &[Standing]) -> Vec<&'static str> {
    standings.iter().map(|s| s.as_str()).collect()
}

/// The ordering and page clause on `key` with its two parameters ($3, $4),
/// fetching one row more than the page so that the caller knows whether
/// another page follows.
fn paging(paging: &Paging, key: &str, limit: i64) -> (String, i64, i64) {
    match paging {
        Paging::After(cursor) => (
            format!("AND {key} > $3 ORDER BY {key} LIMIT $4"),
            cursor.unwrap_or(i64::MIN),
            limit + 1,
        ),
        Paging::Offset(offset) => (
            format!("ORDER BY {key} LIMIT $3 OFFSET $4"),
            limit + 1,
            i64::try_from(*offset).unwrap_or(i64::MAX),
        ),
    }
}

async fn count(client: &mut impl Sql, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Res<u64> {
    let total: i64 = client.query_one(sql, args).await?.try_get(0)?;
    Ok(u64::try_from(total).unwrap_or(0))
}
