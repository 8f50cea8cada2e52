//! Row <-> record mapping, in one place: the column lists every query
//! selects, the functions that turn a row into a record, and the text forms
//! of timestamps, ids, standings and scopes. A stored value that does not
//! parse is reported as a backend error, never a panic.

use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use roster_engine::{CommunityId, CommunityState, Counters, EventKind, Settings, Standing, UserId};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Params, Row};

use crate::{Community, EventRecord, Profile, Result, Scopes, TokenRecord, User, UserSummary};

/// Run one statement, prepared once per connection (its cache).
pub(super) fn exec(conn: &Connection, sql: &str, params: impl Params) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// The first row of one query, prepared once per connection (its cache).
pub(super) fn query_row<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    f: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached(sql)?.query_row(params, f)
}

/// The current time, truncated to the millisecond that is stored, so that a
/// record returned by a write equals the same record read back.
pub(super) fn now() -> DateTime<Utc> {
    truncate(Utc::now())
}

/// A caller's timestamp as it will be stored: whole milliseconds, within
/// the years 0000..=9999 that RFC 3339 text (and its lexical order) covers.
pub(super) fn truncate(at: DateTime<Utc>) -> DateTime<Utc> {
    const MIN: i64 = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
    const MAX: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    let millis = at.timestamp_millis().clamp(MIN, MAX);
    DateTime::from_timestamp_millis(millis).unwrap_or(at)
}

/// RFC 3339 UTC with milliseconds: sorts lexically in time order.
pub(super) fn fmt_ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn conversion<E>(index: usize, error: E) -> rusqlite::Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(error))
}

/// A text column parsed with `FromStr`.
pub(super) fn parsed<T>(row: &Row<'_>, index: usize) -> rusqlite::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    // Read in place: no `String` per value (a page of members parses a
    // standing per row, a community three enums).
    let text = row.get_ref(index)?.as_str()?;
    text.parse().map_err(|e| conversion(index, e))
}

pub(super) fn ts(row: &Row<'_>, index: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text = row.get_ref(index)?.as_str()?;
    if let Some(at) = stored_ts(text) {
        return Ok(at);
    }
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| conversion(index, e))
}

/// The form [`fmt_ts`] stores (`2024-02-22T13:52:00.674Z`), read without
/// chrono's general parser (a page of members reads three per row); any
/// other text is left to that parser.
fn stored_ts(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() != 24 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || b[19] != b'.' || b[23] != b'Z' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let date = chrono::NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)?;
    let time = date.and_hms_milli_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?, num(20, 23)?)?;
    Some(time.and_utc())
}

pub(super) fn opt_ts(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    match row.get_ref(index)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => ts(row, index).map(Some),
    }
}

fn uuid_at(row: &Row<'_>, index: usize) -> rusqlite::Result<uuid::Uuid> {
    let text = row.get_ref(index)?.as_str()?;
    text.parse().map_err(|e| conversion(index, e))
}

// --- users -----------------------------------------------------------------

/// The user columns, for a `users` table aliased `u`.
pub(super) const USER_COLUMNS: &str = "u.num, u.id, u.username, u.email, u.email_verified, \
     u.admin, u.nickname, u.slug, u.first_name, u.last_name, u.photo_url, u.password_hash, \
     u.created_at, u.updated_at, u.last_login_at";
/// [`USER_COLUMNS`] for pages of people (members, search results): the
/// same columns but an empty password hash, which no page shows, so that
/// hashes never leave the database on a list (and a page copies 50 fewer
/// strings).
pub(super) const MEMBER_USER_COLUMNS: &str = "u.num, u.id, u.username, u.email, u.email_verified, \
     u.admin, u.nickname, u.slug, u.first_name, u.last_name, u.photo_url, '', \
     u.created_at, u.updated_at, u.last_login_at";
/// How many columns [`USER_COLUMNS`] selects.
pub(super) const USER_WIDTH: usize = 15;

/// A user from [`USER_COLUMNS`] starting at column `at`.
pub(super) fn user(row: &Row<'_>, at: usize) -> rusqlite::Result<User> {
    Ok(User {
        num: row.get(at)?,
        id: UserId(uuid_at(row, at + 1)?),
        username: row.get(at + 2)?,
        email: row.get(at + 3)?,
        email_verified: row.get(at + 4)?,
        admin: row.get(at + 5)?,
        profile: Profile {
            nickname: row.get(at + 6)?,
            slug: row.get(at + 7)?,
            first_name: row.get(at + 8)?,
            last_name: row.get(at + 9)?,
            photo_url: row.get(at + 10)?,
        },
        password_hash: row.get(at + 11)?,
        created_at: ts(row, at + 12)?,
        updated_at: ts(row, at + 13)?,
        last_login_at: opt_ts(row, at + 14)?,
    })
}

/// A user's number from its id.
pub(super) fn user_num(conn: &Connection, id: UserId) -> Result<Option<i64>> {
    Ok(query_row(
        conn,
        "SELECT num FROM users WHERE id = ?1",
        [id.0.to_string()],
        |row| row.get(0),
    )
    .optional()?)
}

// --- communities -------------------------------------------------------------

/// The community columns and its creator's, for `communities c JOIN users cu`.
pub(super) const COMMUNITY_COLUMNS: &str = "c.num, c.id, c.name, c.description, c.visibility, \
     c.join_policy, c.contribution_mode, c.archived, c.site, c.members, c.owners, c.pending, \
     c.invited, c.created_at, c.updated_at, cu.id, cu.num, cu.username";
/// The `FROM` clause matching [`COMMUNITY_COLUMNS`].
pub(super) const COMMUNITY_FROM: &str = "communities c JOIN users cu ON cu.num = c.creator_num";
/// How many columns [`COMMUNITY_COLUMNS`] selects.
pub(super) const COMMUNITY_WIDTH: usize = 18;

/// A community from [`COMMUNITY_COLUMNS`] starting at column `at`.
pub(super) fn community(row: &Row<'_>, at: usize) -> rusqlite::Result<Community> {
    let creator = UserSummary {
        id: UserId(uuid_at(row, at + 15)?),
        num: row.get(at + 16)?,
        username: row.get(at + 17)?,
    };
    Ok(Community {
        num: row.get(at)?,
        state: CommunityState {
            id: CommunityId(uuid_at(row, at + 1)?),
            settings: Settings {
                name: row.get(at + 2)?,
                description: row.get(at + 3)?,
                visibility: parsed(row, at + 4)?,
                join_policy: parsed(row, at + 5)?,
                contribution_mode: parsed(row, at + 6)?,
            },
            archived: row.get(at + 7)?,
            site: row.get(at + 8)?,
            creator: creator.id,
            counters: Counters {
                members: row.get(at + 9)?,
                owners: row.get(at + 10)?,
                pending: row.get(at + 11)?,
                invited: row.get(at + 12)?,
            },
        },
        created_at: ts(row, at + 13)?,
        updated_at: ts(row, at + 14)?,
        creator,
    })
}

// --- memberships -------------------------------------------------------------

/// A stored standing (`None` is never stored: no row means no standing).
pub(super) fn standing(row: &Row<'_>, index: usize) -> rusqlite::Result<Standing> {
    parsed(row, index)
}

/// One membership row's standing, by primary key.
pub(super) fn standing_by_num(conn: &Connection, community: i64, user: i64) -> Result<Standing> {
    Ok(query_row(
        conn,
        "SELECT standing FROM memberships WHERE community_num = ?1 AND user_num = ?2",
        [community, user],
        |row| standing(row, 0),
    )
    .optional()?
    .unwrap_or(Standing::None))
}

// --- events ------------------------------------------------------------------

pub(super) const EVENT_COLUMNS: &str = "seq, at, community_id, actor_id, subject_id, kind, reason";

pub(super) fn event(row: &Row<'_>) -> rusqlite::Result<EventRecord> {
    let subject: Option<String> = row.get(4)?;
    let subject = match subject {
        Some(text) => Some(UserId(text.parse().map_err(|e| conversion(4, e))?)),
        None => None,
    };
    Ok(EventRecord {
        seq: row.get(0)?,
        at: ts(row, 1)?,
        community: CommunityId(uuid_at(row, 2)?),
        actor: UserId(uuid_at(row, 3)?),
        subject,
        kind: parsed::<EventKind>(row, 5)?,
        reason: row.get(6)?,
    })
}

// --- tokens ------------------------------------------------------------------

/// The token columns, for `tokens t JOIN users u` (the user's id is `u.id`).
pub(super) const TOKEN_COLUMNS: &str =
    "t.id, u.id, t.scopes, t.label, t.created_at, t.expires_at, t.revoked_at";
pub(super) const TOKEN_WIDTH: usize = 7;

pub(super) fn token(row: &Row<'_>, at: usize) -> rusqlite::Result<TokenRecord> {
    let scopes: String = row.get(at + 2)?;
    Ok(TokenRecord {
        id: uuid_at(row, at)?,
        user: UserId(uuid_at(row, at + 1)?),
        scopes: Scopes::parse_lenient(&scopes),
        label: row.get(at + 3)?,
        created_at: ts(row, at + 4)?,
        expires_at: opt_ts(row, at + 5)?,
        revoked_at: opt_ts(row, at + 6)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_sort_lexically() {
        let a = DateTime::from_timestamp_millis(1_000).unwrap();
        let b = DateTime::from_timestamp_millis(1_001).unwrap();
        assert_eq!(fmt_ts(a), "1970-01-01T00:00:01.000Z");
        assert!(fmt_ts(a) < fmt_ts(b));
        assert_eq!(
            fmt_ts(truncate(DateTime::<Utc>::MAX_UTC)),
            "9999-12-31T23:59:59.999Z"
        );
        assert_eq!(
            fmt_ts(truncate(DateTime::<Utc>::MIN_UTC)),
            "0000-01-01T00:00:00.000Z"
        );
        let at = now();
        assert_eq!(at.timestamp_subsec_nanos() % 1_000_000, 0);
        assert_eq!(truncate(at), at);
    }

    #[test]
    fn stored_timestamps_read_back_as_chrono_reads_them() {
        let spread = (0..2000).map(|i| i * 7_919_777_777_131 % 253_402_300_799_999);
        let edges = [
            -62_167_219_200_000i64,
            0,
            951_782_400_123,
            253_402_300_799_999,
        ];
        for millis in edges.into_iter().chain(spread) {
            let at = DateTime::from_timestamp_millis(millis).unwrap();
            let text = fmt_ts(at);
            let chrono = DateTime::parse_from_rfc3339(&text).unwrap();
            assert_eq!(stored_ts(&text), Some(chrono.with_timezone(&Utc)), "{text}");
        }
        for other in [
            "2024-02-22T13:52:00Z",
            "2024-02-22T13:52:00.674+01:00",
            "2024-02-30T13:52:00.674Z",
            "2024-02-22T13:52:60.674Z",
            "2024-02-22T13:5x:00.674Z",
            "2024-02-22 13:52:00.674Z",
        ] {
            assert_eq!(stored_ts(other), None, "{other}");
        }
    }
}
