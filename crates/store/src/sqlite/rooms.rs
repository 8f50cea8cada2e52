//! SQLite's half of [`crate::RoomQuery`] and of `users.list`: the communities of one
//! visibility (the site community aside), every one or one member's.

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

use roster_engine::{DomainError, Standing};

use super::rows::{self, COMMUNITY_COLUMNS, COMMUNITY_FROM, COMMUNITY_WIDTH, USER_COLUMNS};
use super::{clamp_limit, refuse};
use crate::pages::finish;
use crate::{Community, Page, Result, RoomQuery, User};

const MEMBER: &str = "m.standing IN ('owner', 'manager', 'member')";

pub(super) fn rooms(conn: &Connection, query: &RoomQuery) -> Result<Page<(Community, Standing)>> {
    let limit = clamp_limit(query.limit);
    let offset = i64::try_from(query.offset).unwrap_or(i64::MAX);
    let visibility: Value = query.visibility.as_str().to_owned().into();
    let (from, filter, standing, args): (String, String, &str, Vec<Value>) = match query.member {
        Some(user) => {
            let Some(user_num) = rows::user_num(conn, user)? else {
                return refuse(DomainError::UserNotFound);
            };
            (
                "memberships m JOIN communities c ON c.num = m.community_num \
                 JOIN users cu ON cu.num = c.creator_num"
                    .to_owned(),
                format!("m.user_num = ?2 AND {MEMBER} AND c.site = 0 AND c.visibility = ?1"),
                "m.standing",
                vec![visibility, user_num.into()],
            )
        }
        None => (
            COMMUNITY_FROM.to_owned(),
            "c.site = 0 AND c.visibility = ?1".to_owned(),
            "'none'",
            vec![visibility],
        ),
    };
    let (a, b) = (args.len() + 1, args.len() + 2);
    let sql = format!(
        "SELECT {COMMUNITY_COLUMNS}, {standing} FROM {from} WHERE {filter}
         ORDER BY c.num LIMIT ?{a} OFFSET ?{b}"
    );
    let page_args = [Value::from(limit + 1), Value::from(offset)];
    let mut stmt = conn.prepare_cached(&sql)?;
    let items = stmt
        .query_map(params_from_iter(args.iter().chain(&page_args)), |row| {
            Ok((
                rows::community(row, 0)?,
                rows::standing(row, COMMUNITY_WIDTH)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let count_sql = format!("SELECT count(*) FROM {from} WHERE {filter}");
    let total: i64 = rows::query_row(conn, &count_sql, params_from_iter(args.iter()), |row| {
        row.get(0)
    })?;
    let total = u64::try_from(total).unwrap_or(0);
    Ok(finish(items, limit, total, |(c, _)| c.num))
}

/// Every account by creation order, `limit` of them after `offset`.
pub(super) fn users_page(conn: &Connection, offset: u64, limit: i64) -> Result<Page<User>> {
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.num LIMIT ?1 OFFSET ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let items = stmt
        .query_map(rusqlite::params![limit + 1, offset], |row| {
            rows::user(row, 0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let total: i64 = rows::query_row(conn, "SELECT count(*) FROM users", [], |row| row.get(0))?;
    let total = u64::try_from(total).unwrap_or(0);
    Ok(finish(items, limit, total, |u| u.num))
}
