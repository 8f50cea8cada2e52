//! Row <-> record mapping, in one place: the column lists every query
//! selects, the functions that turn a row into a record, and the clock.
//! Ids are `uuid`, timestamps `timestamptz` and flags `boolean` in this
//! schema, so most columns map directly; the enums (standings, policies,
//! event kinds) are text, and one that does not parse is a backend error,
//! never a panic.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use roster_engine::{CommunityId, CommunityState, Counters, Settings, Standing, UserId};
use tokio_postgres::Row;

use super::errors::{Fault, Res};
use super::sql::Sql;
use crate::{Community, EventRecord, Profile, Scopes, TokenRecord, User, UserSummary};

/// The current time, truncated to the millisecond, as SQLite stores it:
/// a record returned by a write equals the same record read back, on
/// either backend (`timestamptz` itself keeps microseconds).
pub(super) fn now() -> DateTime<Utc> {
    truncate(Utc::now())
}

/// A caller's timestamp as it will be stored: whole milliseconds, within
/// the years 0000..=9999 that the SQLite backend (RFC 3339 text) covers.
pub(super) fn truncate(at: DateTime<Utc>) -> DateTime<Utc> {
    const MIN: i64 = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
    const MAX: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    let millis = at.timestamp_millis().clamp(MIN, MAX);
    DateTime::from_timestamp_millis(millis).unwrap_or(at)
}

/// Can PostgreSQL text hold this? It refuses NUL (an error, where SQLite
/// stores it), so a look-up by such a key finds nothing without asking.
pub(super) fn storable(text: &str) -> bool {
    !text.contains('\0')
}

/// A text column parsed with `FromStr`.
pub(super) fn parsed<T>(row: &Row, index: usize) -> Res<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let text: &str = row.try_get(index)?;
    text.parse()
        .map_err(|e| Fault::Other(format!("stored value '{text}' in column {index}: {e}")))
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
     u.admin, u.nickname, u.slug, u.first_name, u.last_name, u.photo_url, ''::text, \
     u.created_at, u.updated_at, u.last_login_at";
/// How many columns [`USER_COLUMNS`] selects.
pub(super) const USER_WIDTH: usize = 15;

/// A user from [`USER_COLUMNS`] starting at column `at`.
pub(super) fn user(row: &Row, at: usize) -> Res<User> {
    Ok(User {
        num: row.try_get(at)?,
        id: UserId(row.try_get(at + 1)?),
        username: row.try_get(at + 2)?,
        email: row.try_get(at + 3)?,
        email_verified: row.try_get(at + 4)?,
        admin: row.try_get(at + 5)?,
        profile: Profile {
            nickname: row.try_get(at + 6)?,
            slug: row.try_get(at + 7)?,
            first_name: row.try_get(at + 8)?,
            last_name: row.try_get(at + 9)?,
            photo_url: row.try_get(at + 10)?,
        },
        password_hash: row.try_get(at + 11)?,
        created_at: row.try_get(at + 12)?,
        updated_at: row.try_get(at + 13)?,
        last_login_at: row.try_get(at + 14)?,
    })
}

/// A user's number from its id.
pub(super) async fn user_num(client: &mut impl Sql, id: UserId) -> Res<Option<i64>> {
    let row = client
        .query_opt("SELECT num FROM users WHERE id = $1", &[&id.0])
        .await?;
    Ok(match row {
        Some(row) => Some(row.try_get(0)?),
        None => None,
    })
}

// --- communities -------------------------------------------------------------

/// The column a community key names and its value, for `c.{column} = $1`;
/// `None` for a name PostgreSQL text cannot hold (nothing to find).
pub(super) fn key_column(
    key: &crate::CommunityKey,
) -> Option<(
    &'static str,
    Box<dyn tokio_postgres::types::ToSql + Send + Sync>,
)> {
    use crate::CommunityKey;
    Some(match key {
        CommunityKey::Id(id) => ("id", Box::new(id.0)),
        CommunityKey::Num(num) => ("num", Box::new(*num)),
        CommunityKey::Name(name) if storable(name) => ("name", Box::new(name.clone())),
        CommunityKey::Name(_) => return None,
    })
}

/// The community columns and its creator's, for `communities c JOIN users cu`.
pub(super) const COMMUNITY_COLUMNS: &str = "c.num, c.id, c.name, c.description, c.visibility, \
     c.join_policy, c.contribution_mode, c.archived, c.site, c.members, c.owners, c.pending, \
     c.invited, c.created_at, c.updated_at, cu.id, cu.num, cu.username";
/// The `FROM` clause matching [`COMMUNITY_COLUMNS`].
pub(super) const COMMUNITY_FROM: &str = "communities c JOIN users cu ON cu.num = c.creator_num";
/// How many columns [`COMMUNITY_COLUMNS`] selects.
pub(super) const COMMUNITY_WIDTH: usize = 18;

/// A community from [`COMMUNITY_COLUMNS`] starting at column `at`.
pub(super) fn community(row: &Row, at: usize) -> Res<Community> {
    let creator = UserSummary {
        id: UserId(row.try_get(at + 15)?),
        num: row.try_get(at + 16)?,
        username: row.try_get(at + 17)?,
    };
    Ok(Community {
        num: row.try_get(at)?,
        state: CommunityState {
            id: CommunityId(row.try_get(at + 1)?),
            settings: Settings {
                name: row.try_get(at + 2)?,
                description: row.try_get(at + 3)?,
                visibility: parsed(row, at + 4)?,
                join_policy: parsed(row, at + 5)?,
                contribution_mode: parsed(row, at + 6)?,
            },
            archived: row.try_get(at + 7)?,
            site: row.try_get(at + 8)?,
            creator: creator.id,
            counters: Counters {
                members: row.try_get(at + 9)?,
                owners: row.try_get(at + 10)?,
                pending: row.try_get(at + 11)?,
                invited: row.try_get(at + 12)?,
            },
        },
        created_at: row.try_get(at + 13)?,
        updated_at: row.try_get(at + 14)?,
        creator,
    })
}

// --- memberships -------------------------------------------------------------

/// One membership row's standing, by primary key (no row: `None`).
pub(super) async fn standing_by_num(
    client: &mut impl Sql,
    community: i64,
    user: i64,
) -> Res<Standing> {
    let row = client
        .query_opt(
            "SELECT standing FROM memberships WHERE community_num = $1 AND user_num = $2",
            &[&community, &user],
        )
        .await?;
    match row {
        Some(row) => parsed(&row, 0),
        None => Ok(Standing::None),
    }
}

// --- events ------------------------------------------------------------------

pub(super) const EVENT_COLUMNS: &str = "seq, at, community_id, actor_id, subject_id, kind, reason";

pub(super) fn event(row: &Row) -> Res<EventRecord> {
    let subject: Option<uuid::Uuid> = row.try_get(4)?;
    Ok(EventRecord {
        seq: row.try_get(0)?,
        at: row.try_get(1)?,
        community: CommunityId(row.try_get(2)?),
        actor: UserId(row.try_get(3)?),
        subject: subject.map(UserId),
        kind: parsed(row, 5)?,
        reason: row.try_get(6)?,
    })
}

// --- tokens ------------------------------------------------------------------

/// The token columns, for `tokens t JOIN users u` (the user's id is `u.id`).
pub(super) const TOKEN_COLUMNS: &str =
    "t.id, u.id, t.scopes, t.label, t.created_at, t.expires_at, t.revoked_at";
pub(super) const TOKEN_WIDTH: usize = 7;

pub(super) fn token(row: &Row, at: usize) -> Res<TokenRecord> {
    let scopes: &str = row.try_get(at + 2)?;
    Ok(TokenRecord {
        id: row.try_get(at)?,
        user: UserId(row.try_get(at + 1)?),
        scopes: Scopes::parse_lenient(scopes),
        label: row.try_get(at + 3)?,
        created_at: row.try_get(at + 4)?,
        expires_at: row.try_get(at + 5)?,
        revoked_at: row.try_get(at + 6)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_whole_milliseconds() {
        let at = now();
        assert_eq!(at.timestamp_subsec_nanos() % 1_000_000, 0);
        assert_eq!(truncate(at), at);
        assert_eq!(
            truncate(DateTime::<Utc>::MAX_UTC).timestamp_millis(),
            253_402_300_799_999
        );
    }
}
