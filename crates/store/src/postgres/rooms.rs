//! PostgreSQL's half of [`crate::RoomQuery`]: the communities of one
//! visibility (the site community aside), every one or one member's.

use super::sql::Sql;
use tokio_postgres::types::ToSql;

use roster_engine::{DomainError, Standing};

use super::errors::{refuse, Res};
use super::rows::{self, COMMUNITY_COLUMNS, COMMUNITY_FROM, COMMUNITY_WIDTH, USER_COLUMNS};
use crate::pages::clamp_limit;
use crate::pages::finish;
use crate::{Community, Page, RoomQuery, User};

const MEMBER: &str = "m.standing IN ('owner', 'manager', 'member')";

pub(super) async fn rooms(
    client: &mut impl Sql,
    query: &RoomQuery,
) -> Res<Page<(Community, Standing)>> {
    let limit = clamp_limit(query.limit);
    let offset = i64::try_from(query.offset).unwrap_or(i64::MAX);
    let visibility = query.visibility.as_str();
    let user_num = match query.member {
        Some(user) => match rows::user_num(client, user).await? {
            Some(num) => Some(num),
            None => return refuse(DomainError::UserNotFound),
        },
        None => None,
    };
    let (from, filter, standing) = match user_num {
        Some(_) => (
            "memberships m JOIN communities c ON c.num = m.community_num \
                 JOIN users cu ON cu.num = c.creator_num"
                .to_owned(),
            format!("m.user_num = $2 AND {MEMBER} AND NOT c.site AND c.visibility = $1"),
            "m.standing",
        ),
        None => (
            COMMUNITY_FROM.to_owned(),
            "NOT c.site AND c.visibility = $1".to_owned(),
            "'none'::text",
        ),
    };
    let mut args: Vec<&(dyn ToSql + Sync)> = vec![&visibility];
    if let Some(num) = &user_num {
        args.push(num);
    }
    let (a, b) = (args.len() + 1, args.len() + 2);
    let sql = format!(
        "SELECT {COMMUNITY_COLUMNS}, {standing} FROM {from} WHERE {filter}
         ORDER BY c.num LIMIT ${a} OFFSET ${b}"
    );
    let fetch = limit + 1;
    let mut page_args = args.clone();
    page_args.push(&fetch);
    page_args.push(&offset);
    let items = client
        .query(&sql, &page_args)
        .await?
        .iter()
        .map(|row| {
            Ok((
                rows::community(row, 0)?,
                rows::parsed(row, COMMUNITY_WIDTH)?,
            ))
        })
        .collect::<Res<Vec<_>>>()?;
    let count_sql = format!("SELECT count(*) FROM {from} WHERE {filter}");
    let total: i64 = client.query_one(&count_sql, &args).await?.try_get(0)?;
    let total = u64::try_from(total).unwrap_or(0);
    Ok(finish(items, limit, total, |(c, _)| c.num))
}

/// Every account by creation order, `limit` of them after `offset`.
pub(super) async fn users_page(client: &mut impl Sql, offset: u64, limit: i64) -> Res<Page<User>> {
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.num LIMIT $1 OFFSET $2");
    let fetch = limit + 1;
    let items = client
        .query(&sql, &[&fetch, &offset])
        .await?
        .iter()
        .map(|row| rows::user(row, 0))
        .collect::<Res<Vec<_>>>()?;
    let total: i64 = client
        .query_one("SELECT count(*) FROM users", &[])
        .await?
        .try_get(0)?;
    let total = u64::try_from(total).unwrap_or(0);
    Ok(finish(items, limit, total, |u| u.num))
}
