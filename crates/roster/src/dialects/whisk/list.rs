//! `GET /community/v2`: the caller's communities, filtered by role and paged
//! by opaque cursors.
//!
//! Query (dotted keys, repeated values): `filters.roles` (any of the
//! `COMMUNITY_ROLE_*` names but `INVALID`; none means every membership role;
//! `UNSET` selects open invitations), `paging.limit` (default 20, at most
//! 100; 0 means the default), `paging.cursors.after` or
//! `paging.cursors.before` (not both), `fields` (validated, see
//! [`super::wire::FIELDS`]). The site community is never listed.
//!
//! A cursor is base64url of `<community number>:<offset>`. `after` pages by
//! keyset (no community is skipped or repeated while memberships change);
//! `before` pages back by offset. Response:
//! `{"communities":[…],"paging":{"cursors":{"after","before"},"total":"N"}}`
//! — a cursor is omitted when there is no page on that side.

use super::error::WhiskError;
use super::{check_fields, clip, wire, Caller, Pairs};
use crate::app::AppState;
use crate::http::cursor;
use crate::http::error::Failure;
use crate::http::extract::Read;
use axum::extract::State;
use axum::Json;
use roster_engine::Standing;
use roster_store::{MembershipQuery, Paging};

const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;

/// A position in the list: the community number (keyset) and its offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cursor {
    num: i64,
    offset: u64,
}

impl Cursor {
    fn encode(self) -> String {
        cursor::encode(&format!("{}:{}", self.num, self.offset))
    }

    fn decode(text: &str) -> Option<Cursor> {
        let text = cursor::decode(text)?;
        let (num, offset) = text.split_once(':')?;
        Some(Cursor {
            num: num.parse().ok()?,
            offset: offset.parse().ok()?,
        })
    }
}

enum Start {
    First,
    After(Cursor),
    Before(Cursor),
}

struct ListQuery {
    standings: Vec<Standing>,
    limit: u32,
    start: Start,
}

fn bad(message: String) -> WhiskError {
    Failure::BadRequest(message).into()
}

fn parse(pairs: &[(String, String)]) -> Result<ListQuery, WhiskError> {
    check_fields(pairs)?;
    let mut query = ListQuery {
        standings: Vec::new(),
        limit: DEFAULT_LIMIT,
        start: Start::First,
    };
    let (mut after, mut before) = (None, None);
    for (key, value) in pairs {
        match key.as_str() {
            "filters.roles" => {
                let standing = wire::role_filter(value)
                    .ok_or_else(|| bad(format!("unknown role '{}'", clip(value))))?;
                if !query.standings.contains(&standing) {
                    query.standings.push(standing);
                }
            }
            "paging.limit" => {
                let limit: u64 = value
                    .parse()
                    .map_err(|_| bad("paging.limit must be a non-negative integer".into()))?;
                query.limit = match limit {
                    0 => DEFAULT_LIMIT,
                    n => u32::try_from(n.min(u64::from(MAX_LIMIT))).unwrap_or(MAX_LIMIT),
                };
            }
            "paging.cursors.after" if !value.is_empty() => after = Some(cursor(value)?),
            "paging.cursors.before" if !value.is_empty() => before = Some(cursor(value)?),
            _ => {}
        }
    }
    query.start = match (after, before) {
        (None, None) => Start::First,
        (Some(c), None) => Start::After(c),
        (None, Some(c)) => Start::Before(c),
        (Some(_), Some(_)) => {
            return Err(bad(
                "give paging.cursors.after or paging.cursors.before, not both".into(),
            ))
        }
    };
    Ok(query)
}

fn cursor(text: &str) -> Result<Cursor, WhiskError> {
    Cursor::decode(text)
        .ok_or_else(|| bad("the paging cursor is not one this server issued".into()))
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller<Read>,
    query: Pairs,
) -> Result<Json<wire::Listed>, WhiskError> {
    let query = parse(&query.pairs)?;
    // (paging, offset of the page's first row, rows wanted)
    let (paging, start, take) = match query.start {
        Start::First => (Paging::After(None), 0, query.limit),
        Start::After(c) => (Paging::After(Some(c.num)), c.offset, query.limit),
        Start::Before(c) => {
            let start = c.offset.saturating_sub(u64::from(query.limit));
            let take = u32::try_from(c.offset - start).unwrap_or(query.limit);
            (Paging::Offset(start), start, take)
        }
    };
    let membership = MembershipQuery {
        standings: query.standings,
        include_site: false,
        paging,
        limit: take.max(1),
    };
    let mut page = state.communities_of(caller.user.id, membership).await?;
    page.items
        .truncate(usize::try_from(take).unwrap_or(usize::MAX));
    let after = match (page.next, page.items.last()) {
        (Some(_), Some((last, _))) => Some(Cursor {
            num: last.num,
            offset: start + page.items.len() as u64,
        }),
        _ => None,
    };
    let before = match (start > 0, page.items.first()) {
        (true, Some((first, _))) => Some(Cursor {
            num: first.num,
            offset: start,
        }),
        _ => None,
    };
    Ok(Json(wire::Listed {
        communities: page
            .items
            .iter()
            .map(|(community, standing)| wire::community(community, *standing))
            .collect(),
        paging: wire::Paging {
            cursors: wire::Cursors {
                after: after.map(Cursor::encode),
                before: before.map(Cursor::encode),
            },
            total: page.total.to_string(),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor { num: 42, offset: 7 };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(Cursor::decode("not a cursor"), None);
        assert_eq!(Cursor::decode(""), None);
    }
}
