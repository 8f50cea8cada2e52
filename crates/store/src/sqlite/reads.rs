//! The read side: one community with a viewer's standing, a community's
//! people and a user's communities (filtered, paged by keyset or offset),
//! and the event feed. Every query is bounded by its page size and served
//! by an index; totals come from the community's counters when they can.

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

use roster_engine::{Actor, CommunityId, Counters, DomainError, Sight, Standing, UserId};

use super::rows::{
    self, COMMUNITY_COLUMNS, COMMUNITY_FROM, COMMUNITY_WIDTH, EVENT_COLUMNS, MEMBER_USER_COLUMNS,
    USER_WIDTH,
};
use super::{clamp_limit, refuse};
use crate::pages::{counted, empty_page, filter, finish};
use crate::{
    Community, CommunityKey, DataVersion, EventQuery, EventRecord, MemberQuery, MemberRow,
    MembershipQuery, Page, Paging, Result, Revalidated,
};

/// A community by any of its keys.
pub(super) fn load_community(conn: &Connection, key: &CommunityKey) -> Result<Option<Community>> {
    let (column, value): (&str, Value) = match key {
        CommunityKey::Id(id) => ("id", id.0.to_string().into()),
        CommunityKey::Num(num) => ("num", (*num).into()),
        CommunityKey::Name(name) => ("name", name.clone().into()),
    };
    let sql = format!("SELECT {COMMUNITY_COLUMNS} FROM {COMMUNITY_FROM} WHERE c.{column} = ?1");
    Ok(rows::query_row(conn, &sql, [value], |row| rows::community(row, 0)).optional()?)
}

/// A community and the viewer's standing in it, in one statement (the
/// membership read of every dialect's "get").
pub(super) fn community(
    conn: &Connection,
    key: &CommunityKey,
    viewer: Option<UserId>,
) -> Result<Option<(Community, Standing)>> {
    let (column, value): (&str, Value) = match key {
        CommunityKey::Id(id) => ("id", id.0.to_string().into()),
        CommunityKey::Num(num) => ("num", (*num).into()),
        CommunityKey::Name(name) => ("name", name.clone().into()),
    };
    let viewer: Value = viewer.map_or(Value::Null, |v| v.0.to_string().into());
    let sql = format!(
        "SELECT {COMMUNITY_COLUMNS},
             (SELECT m.standing FROM memberships m JOIN users u ON u.num = m.user_num
              WHERE m.community_num = c.num AND u.id = ?2)
         FROM {COMMUNITY_FROM} WHERE c.{column} = ?1"
    );
    let found = rows::query_row(conn, &sql, [value, viewer], |row| {
        let standing = match row.get_ref(COMMUNITY_WIDTH)? {
            rusqlite::types::ValueRef::Null => Standing::None,
            _ => rows::standing(row, COMMUNITY_WIDTH)?,
        };
        Ok((rows::community(row, 0)?, standing))
    });
    Ok(found.optional()?)
}

pub(super) fn site_community(conn: &Connection) -> Result<Option<Community>> {
    let sql = format!("SELECT {COMMUNITY_COLUMNS} FROM {COMMUNITY_FROM} WHERE c.site = 1");
    Ok(rows::query_row(conn, &sql, [], |row| rows::community(row, 0)).optional()?)
}

/// One user's standing in one community (`None` when either is unknown).
pub(super) fn standing(
    conn: &Connection,
    community: CommunityId,
    user: UserId,
) -> Result<Standing> {
    Ok(rows::query_row(
        conn,
        "SELECT m.standing
             FROM memberships m
             JOIN communities c ON c.num = m.community_num
             JOIN users u ON u.num = m.user_num
             WHERE c.id = ?1 AND u.id = ?2",
        [community.0.to_string(), user.0.to_string()],
        |row| rows::standing(row, 0),
    )
    .optional()?
    .unwrap_or(Standing::None))
}

pub(super) fn members(
    conn: &Connection,
    community: CommunityId,
    query: &MemberQuery,
) -> Result<Page<MemberRow>> {
    let found = rows::query_row(
        conn,
        "SELECT num, members, owners, pending, invited FROM communities WHERE id = ?1",
        [community.0.to_string()],
        |row| {
            let counters = Counters {
                members: row.get(1)?,
                owners: row.get(2)?,
                pending: row.get(3)?,
                invited: row.get(4)?,
            };
            Ok((row.get::<_, i64>(0)?, counters))
        },
    )
    .optional()?;
    let Some((num, counters)) = found else {
        return refuse(DomainError::CommunityNotFound);
    };
    page_of(conn, num, &counters, query)
}

/// One page of the people of community `num`, whose counters (read in the
/// same transaction) give the total when the filter is a count they keep.
/// People of a community as `viewer` addresses it through `sight` (the
/// engine's `listable` decides), one page; `Unchanged` instead of the page
/// when the read is at the `known` version.
pub(super) fn members_in_sight(
    conn: &Connection,
    sight: Sight,
    key: &CommunityKey,
    viewer: Actor,
    query: &MemberQuery,
    version: Option<DataVersion>,
    known: Option<DataVersion>,
) -> Result<Revalidated<Page<MemberRow>>> {
    let found = community(conn, key, Some(viewer.user))?;
    let community = crate::listable(found, sight, viewer, &query.standings)?;
    if version.is_some() && version == known {
        return Ok(Revalidated::Unchanged);
    }
    let page = page_of(conn, community.num, &community.state.counters, query)?;
    Ok(Revalidated::Read(page, version))
}

pub(super) fn page_of(
    conn: &Connection,
    num: i64,
    counters: &Counters,
    query: &MemberQuery,
) -> Result<Page<MemberRow>> {
    let standings = filter(&query.standings);
    if standings.is_empty() {
        return Ok(empty_page());
    }
    let mut args: Vec<Value> = vec![num.into()];
    let filter = format!(
        "m.community_num = ?1 AND m.standing IN ({})",
        placeholders(&mut args, &standings)
    );
    let limit = clamp_limit(query.limit);
    let (page, page_args) = paging(&query.paging, "m.user_num", args.len(), limit);
    let sql = format!(
        "SELECT {MEMBER_USER_COLUMNS}, m.standing, m.since
         FROM memberships m JOIN users u ON u.num = m.user_num
         WHERE {filter} {page}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let items = stmt
        .query_map(params_from_iter(args.iter().chain(&page_args)), |row| {
            Ok(MemberRow {
                user: rows::user(row, 0)?,
                standing: rows::standing(row, USER_WIDTH)?,
                since: rows::ts(row, USER_WIDTH + 1)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let total = match counted(&standings, counters) {
        Some(total) => total,
        None => count(
            conn,
            &format!("SELECT count(*) FROM memberships m WHERE {filter}"),
            &args,
        )?,
    };
    Ok(finish(items, limit, total, |row| row.user.num))
}

pub(super) fn communities_of(
    conn: &Connection,
    user: UserId,
    query: &MembershipQuery,
) -> Result<Page<(Community, Standing)>> {
    let Some(user_num) = rows::user_num(conn, user)? else {
        return refuse(DomainError::UserNotFound);
    };
    let standings = filter(&query.standings);
    if standings.is_empty() {
        return Ok(empty_page());
    }
    let mut args: Vec<Value> = vec![user_num.into()];
    let mut filter = format!(
        "m.user_num = ?1 AND m.standing IN ({})",
        placeholders(&mut args, &standings)
    );
    if !query.include_site {
        filter.push_str(" AND c.site = 0");
    }
    let limit = clamp_limit(query.limit);
    let (page, page_args) = paging(&query.paging, "m.community_num", args.len(), limit);
    let sql = format!(
        "SELECT {COMMUNITY_COLUMNS}, m.standing
         FROM memberships m
         JOIN communities c ON c.num = m.community_num
         JOIN users cu ON cu.num = c.creator_num
         WHERE {filter} {page}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let items = stmt
        .query_map(params_from_iter(args.iter().chain(&page_args)), |row| {
            Ok((
                rows::community(row, 0)?,
                rows::standing(row, COMMUNITY_WIDTH)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let total = count(
        conn,
        &format!(
            "SELECT count(*) FROM memberships m JOIN communities c ON c.num = m.community_num
             WHERE {filter}"
        ),
        &args,
    )?;
    Ok(finish(items, limit, total, |(community, _)| community.num))
}

pub(super) fn events(conn: &Connection, query: &EventQuery) -> Result<Vec<EventRecord>> {
    let limit = clamp_limit(query.limit);
    let mut stmt;
    let rows = match query.community {
        Some(community) => {
            stmt = conn.prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM events
                 WHERE community_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
            ))?;
            stmt.query_map(
                params![community.0.to_string(), query.after, limit],
                rows::event,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?
        }
        None => {
            stmt = conn.prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2"
            ))?;
            stmt.query_map(params![query.after, limit], rows::event)?
                .collect::<rusqlite::Result<Vec<_>>>()?
        }
    };
    Ok(rows)
}

/// `?2, ?3, …` for the standings, appended to `args`.
fn placeholders(args: &mut Vec<Value>, standings: &[Standing]) -> String {
    let mut marks = Vec::with_capacity(standings.len());
    for standing in standings {
        args.push(standing.as_str().to_owned().into());
        marks.push(format!("?{}", args.len()));
    }
    marks.join(", ")
}

/// The ordering and page clause on `key`, fetching one row more than the
/// page so that the caller knows whether another page follows.
fn paging(paging: &Paging, key: &str, bound: usize, limit: i64) -> (String, Vec<Value>) {
    let (a, b) = (bound + 1, bound + 2);
    match paging {
        Paging::After(cursor) => (
            format!("AND {key} > ?{a} ORDER BY {key} LIMIT ?{b}"),
            vec![cursor.unwrap_or(i64::MIN).into(), (limit + 1).into()],
        ),
        Paging::Offset(offset) => (
            format!("ORDER BY {key} LIMIT ?{a} OFFSET ?{b}"),
            vec![
                (limit + 1).into(),
                i64::try_from(*offset).unwrap_or(i64::MAX).into(),
            ],
        ),
    }
}

fn count(conn: &Connection, sql: &str, args: &[Value]) -> Result<u64> {
    let total: i64 = rows::query_row(conn, sql, params_from_iter(args), |row| row.get(0))?;
    Ok(u64::try_from(total).unwrap_or(0))
}
