//! The records the store reads and writes, beside the engine's own types.

use chrono::{DateTime, Utc};
use roster_engine::{CommunityId, CommunityState, DomainError, EventKind, Standing, UserId};
use serde::Serialize;

/// How a caller names a community: canonical id, integer number, or unique name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CommunityKey {
    Id(CommunityId),
    Num(i64),
    Name(String),
}

/// How a caller names a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserKey {
    Id(UserId),
    Num(i64),
    Username(String),
    Email(String),
}

/// A stored community: the engine's projection plus what dialects render.
#[derive(Clone, Debug)]
pub struct Community {
    /// The integer number (the course API's id).
    pub num: i64,
    pub state: CommunityState,
    pub creator: UserSummary,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Community {
    pub fn id(&self) -> CommunityId {
        self.state.id
    }
}

/// The few user fields shown beside a community (its creator).
#[derive(Clone, Debug, Serialize)]
pub struct UserSummary {
    pub id: UserId,
    pub num: i64,
    pub username: String,
}

/// Profile fields shown by the dialects (Wix's `profile` and `contact`,
/// the course API's `real_name` and `avatar`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub nickname: String,
    pub slug: String,
    pub first_name: String,
    pub last_name: String,
    pub photo_url: String,
}

/// A stored user account.
#[derive(Clone, Debug)]
pub struct User {
    pub id: UserId,
    pub num: i64,
    pub username: String,
    pub email: Option<String>,
    pub email_verified: bool,
    /// May hold `admin`-scoped tokens.
    pub admin: bool,
    pub profile: Profile,
    /// argon2 PHC string.
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

impl User {
    pub fn summary(&self) -> UserSummary {
        UserSummary {
            id: self.id,
            num: self.num,
            username: self.username.clone(),
        }
    }
}

/// A user to create. Validation is the caller's (see `roster_engine::users`).
#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: String,
    pub password_hash: String,
    pub email: Option<String>,
    pub admin: bool,
    pub profile: Profile,
}

/// A partial profile update; `None` keeps a field.
#[derive(Clone, Debug, Default)]
pub struct UserPatch {
    pub email: Option<String>,
    pub nickname: Option<String>,
    pub slug: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub photo_url: Option<String>,
    pub password_hash: Option<String>,
}

/// Token scopes, stored as a comma-separated list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Scopes {
    pub read: bool,
    pub write: bool,
    pub admin: bool,
}

impl Scopes {
    /// The comma-separated list clients send and the stores keep:
    /// `community:read,community:write,admin`, in that order, only those held.
    pub fn to_text(self) -> String {
        [
            (self.read, "community:read"),
            (self.write, "community:write"),
            (self.admin, "admin"),
        ]
        .iter()
        .filter(|(held, _)| *held)
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join(",")
    }

    /// The inverse of [`Scopes::to_text`]; blanks around names are ignored,
    /// an unknown name is an error (for lists a client sends).
    pub fn parse(text: &str) -> std::result::Result<Scopes, String> {
        let mut scopes = Scopes::default();
        for name in names(text) {
            if !scopes.grant(name) {
                return Err(format!("unknown scope '{name}'"));
            }
        }
        Ok(scopes)
    }

    /// Like [`Scopes::parse`], but an unknown name grants nothing and the
    /// others still count (for stored lists written by another build).
    pub fn parse_lenient(text: &str) -> Scopes {
        let mut scopes = Scopes::default();
        for name in names(text) {
            scopes.grant(name);
        }
        scopes
    }

    /// Grant the scope called `name`; false when no scope has that name.
    fn grant(&mut self, name: &str) -> bool {
        match name {
            "community:read" => self.read = true,
            "community:write" => self.write = true,
            "admin" => self.admin = true,
            _ => return false,
        }
        true
    }
}

/// The names of a comma-separated scope list, trimmed, blanks skipped.
fn names(text: &str) -> impl Iterator<Item = &str> {
    text.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
}

/// A token to store: only its SHA-256 hash is kept.
#[derive(Clone, Debug)]
pub struct NewToken {
    pub user: UserId,
    pub hash: [u8; 32],
    pub scopes: Scopes,
    pub label: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A stored token (never the secret itself).
#[derive(Clone, Debug, Serialize)]
pub struct TokenRecord {
    pub id: uuid::Uuid,
    pub user: UserId,
    pub scopes: Scopes,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The result of an accepted (or unchanged) command.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The community after the command (before it, for a delete).
    pub community: Community,
    /// The actor's standing after the command.
    pub actor_standing: Standing,
    /// The subject's standing after the command (the actor's for self-service).
    pub subject_standing: Standing,
    /// The event written, or `None` when nothing changed.
    pub event: Option<EventRecord>,
    /// The members' usernames after the command, read in its transaction,
    /// when its reply needs them ([`write_flow`](crate) fills them for a
    /// leave through a room sight, Rocket.Chat's, of a room of at most
    /// [`ROOM_USERNAMES_LIMIT`] members); `None` otherwise.
    pub usernames: Option<Vec<String>>,
}

/// The most members a room may have for a leave's reply to list their
/// usernames (Rocket.Chat's `groups.leave`), so that no reply costs
/// O(members).
pub const ROOM_USERNAMES_LIMIT: i64 = 1000;

impl Outcome {
    pub fn changed(&self) -> bool {
        self.event.is_some()
    }
}

/// What a command came to when its refusals are answers rather than
/// errors: accepted (perhaps unchanged), or refused by the rules.
#[derive(Clone, Debug)]
pub enum Ruling {
    Accepted(Outcome),
    Refused(Refusal),
}

/// A command the rules refused, with what the refusal was decided on, so
/// that a dialect answering "you are already out" needs no second read.
/// Nothing was written.
#[derive(Clone, Debug)]
pub struct Refusal {
    pub error: DomainError,
    /// The community as it was, when it exists and the actor may see it.
    pub community: Option<Community>,
    /// The actor's standing the refusal was decided on (`None` when the
    /// community is unknown or out of sight).
    pub actor_standing: Standing,
}

impl Ruling {
    /// The outcome, or the refusal as a store error (for callers to whom a
    /// refusal is a failure).
    pub fn accepted(self) -> crate::Result<Outcome> {
        match self {
            Ruling::Accepted(outcome) => Ok(outcome),
            Ruling::Refused(refusal) => Err(crate::Error::Domain(refusal.error)),
        }
    }
}

/// Where a page starts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Paging {
    /// Keyset: the rows after this cursor (an opaque number).
    After(Option<i64>),
    /// Skip this many rows (dialects that page by offset).
    Offset(u64),
}

/// Which state of the database a read saw, as far as the store can tell:
/// two reads that came back with the same version saw the same rows, in
/// every table. Versions only grow, so a copy made at an older version is
/// never current again. SQLite hands them out (see `sqlite::readers`);
/// PostgreSQL does not, so its reads are always made in full.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DataVersion(pub u64);

/// The answer to a read made for a caller who may already hold its
/// result, read at the version it passed.
#[derive(Clone, Debug)]
pub enum Revalidated<T> {
    /// Nothing in the database changed since that version: the caller's
    /// copy is current. The read's checks (who may see what) were made.
    Unchanged,
    /// The result as read now, and its version when the store can tell.
    Read(T, Option<DataVersion>),
}

/// One page of rows, with the cursor of its last row and the total count.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Cursor to pass as `Paging::After` for the next page; `None` at the end.
    pub next: Option<i64>,
    /// How many rows match the filter in all.
    pub total: u64,
}

/// A filter and page over one community's people.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MemberQuery {
    /// Only these standings (never `Standing::None`); empty means members of any role.
    pub standings: Vec<Standing>,
    pub paging: Paging,
    pub limit: u32,
}

/// A filter and page over one user's communities.
#[derive(Clone, Debug)]
pub struct MembershipQuery {
    /// Only these standings; empty means members of any role.
    pub standings: Vec<Standing>,
    /// Leave out the site community (every dialect but Wix and native).
    pub include_site: bool,
    pub paging: Paging,
    pub limit: u32,
}

/// A person in a community. Read for a page of people, so `user` carries
/// no password hash (it is empty).
#[derive(Clone, Debug)]
pub struct MemberRow {
    pub user: User,
    pub standing: Standing,
    pub since: DateTime<Utc>,
}

/// A filter over the event feed.
#[derive(Clone, Debug)]
pub struct EventQuery {
    pub community: Option<CommunityId>,
    pub after: i64,
    pub limit: u32,
}

/// One row of the audit log and change feed.
#[derive(Clone, Debug, Serialize)]
pub struct EventRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub community: CommunityId,
    pub actor: UserId,
    pub subject: Option<UserId>,
    pub kind: EventKind,
    pub reason: Option<String>,
}

/// How long an idempotency key is remembered: 24 hours after its first use.
pub const IDEMPOTENCY_TTL_SECONDS: i64 = 24 * 60 * 60;

/// What a request that carries an idempotency key was: a retry must match
/// all of it, or the key is being reused for another request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestFingerprint {
    /// `POST`, `PUT`, `PATCH`, `DELETE`.
    pub method: String,
    /// The path and query as sent.
    pub path: String,
    /// SHA-256 of the request body.
    pub body_sha256: [u8; 32],
}

/// A response kept for replay, byte for byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    /// 100..=499: a 5xx is never stored.
    pub status: u16,
    /// The headers that describe the body (content-type, location), in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The answer to beginning a request under an idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// The key was free: it is now held for this request, which must run
    /// and then be finished (or abandoned).
    Started,
    /// The same request already completed: send this again.
    Replay(StoredResponse),
    /// The key was used for a different request.
    Mismatch,
    /// The same request is still running (or its server stopped before it
    /// finished; the key then stays held until it expires).
    InFlight,
}

#[cfg(test)]
mod tests {
    use super::Scopes;

    /// Both backends store scopes as [`Scopes::to_text`] and read them
    /// back with [`Scopes::parse_lenient`].
    #[test]
    fn stored_scopes_round_trip() {
        for bits in 0..8u8 {
            let scopes = Scopes {
                read: bits & 1 != 0,
                write: bits & 2 != 0,
                admin: bits & 4 != 0,
            };
            assert_eq!(Scopes::parse_lenient(&scopes.to_text()), scopes);
        }
        assert_eq!(
            Scopes::parse_lenient("bogus, admin"),
            Scopes {
                admin: true,
                ..Scopes::default()
            }
        );
    }
}
