//! What the store keeps and reads for the web console (issue 17): its
//! sign-in sessions, the member search by username prefix, the timeline
//! read newest first, the per-day counts of its chart, and the admin's
//! list of every community. The console is one more dialect: these are
//! reads and session rows, never a rule.

use chrono::{DateTime, NaiveDate, Utc};
use roster_engine::{EventKind, Standing};

use crate::MemberRow;

/// A console session to store: only the SHA-256 of the cookie's secret.
#[derive(Clone, Debug)]
pub struct NewConsoleSession {
    pub user: roster_engine::UserId,
    pub hash: [u8; 32],
    /// The session's CSRF token, put in every form and checked on every POST.
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

/// A stored console session.
#[derive(Clone, Debug)]
pub struct ConsoleSession {
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Set when signed out: the session is over.
    pub ended_at: Option<DateTime<Utc>>,
}

impl ConsoleSession {
    /// Neither signed out nor expired at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.ended_at.is_none() && now < self.expires_at
    }
}

/// A page of a community's people whose username starts with a prefix,
/// in username order (case-insensitive).
#[derive(Clone, Debug)]
pub struct MemberSearch {
    /// Compared case-insensitively; empty matches everyone.
    pub prefix: String,
    /// Only these standings (never `Standing::None`); empty means members of any role.
    pub standings: Vec<Standing>,
    /// The lowercased username of the previous page's last row.
    pub after: Option<String>,
    pub limit: u32,
}

/// One page of a member search.
#[derive(Clone, Debug)]
pub struct SearchPage {
    pub items: Vec<MemberRow>,
    /// Pass as [`MemberSearch::after`] for the next page; `None` at the end.
    pub next: Option<String>,
}

/// How many events of one kind a community had on one (UTC) day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayCount {
    pub day: NaiveDate,
    pub kind: EventKind,
    pub count: u64,
}

/// The lowercased prefix and its exclusive upper bound in byte order: a
/// prefix search is the key range `[low, high)`.
pub(crate) fn prefix_range(prefix: &str) -> (String, String) {
    let low = prefix.to_lowercase();
    let mut high = low.clone();
    high.push(char::MAX);
    (low, high)
}
