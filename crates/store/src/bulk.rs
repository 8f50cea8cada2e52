//! What bulk import and export speak (issue 15): the keys an import file
//! names (to look up what already exists), the rows of a planned import,
//! the shared progress and stop flag, and the rows an export streams. The
//! rules are the engine's (`roster_engine::import`); a backend only looks
//! up and writes.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use roster_engine::{CommunityId, Settings, Standing, UserId};

use crate::{Community, Profile, User};

/// Everything an import file names, to look up in the database.
#[derive(Clone, Debug, Default)]
pub struct ImportKeys {
    pub usernames: Vec<String>,
    pub user_ids: Vec<UserId>,
    pub emails: Vec<String>,
    pub community_names: Vec<String>,
    pub community_ids: Vec<CommunityId>,
}

/// A user row to insert (its password already hashed).
#[derive(Clone, Debug)]
pub struct ImportUser {
    pub id: UserId,
    pub username: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub admin: bool,
    pub profile: Profile,
    pub password_hash: String,
}

/// A membership row to insert.
#[derive(Clone, Debug)]
pub struct ImportMember {
    pub user: UserId,
    pub standing: Standing,
    pub since: Option<DateTime<Utc>>,
}

/// A community to create (with `settings`) or an existing one to add to.
#[derive(Clone, Debug)]
pub struct ImportCommunity {
    pub id: CommunityId,
    /// `Some` for a new community.
    pub new: Option<NewImportCommunity>,
    pub members: Vec<ImportMember>,
}

/// A community an import creates.
#[derive(Clone, Debug)]
pub struct NewImportCommunity {
    pub settings: Settings,
    /// The site community (one per server).
    pub site: bool,
    pub archived: bool,
    /// Its creator, who is among its members (as owner, unless the file
    /// names another owner).
    pub creator: UserId,
}

/// How many events an import writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImportEvents {
    /// One `imported` event per community (the default).
    #[default]
    PerCommunity,
    /// One `imported` event per membership row.
    Each,
}

/// One transaction of an import.
#[derive(Clone, Debug, Default)]
pub struct ImportBatch {
    pub users: Vec<ImportUser>,
    pub communities: Vec<ImportCommunity>,
    pub events: ImportEvents,
}

impl ImportBatch {
    /// Rows in the batch (users and memberships), for progress.
    pub fn rows(&self) -> u64 {
        let members: usize = self.communities.iter().map(|c| c.members.len()).sum();
        (self.users.len() + members) as u64
    }
}

/// What an import wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub users: u64,
    pub communities: u64,
    pub memberships: u64,
    pub events: u64,
}

/// Rows written so far, and a request to stop, shared between the writer
/// and whoever shows progress (and catches Ctrl-C).
#[derive(Debug, Default)]
pub struct BulkProgress {
    rows: AtomicU64,
    stop: AtomicBool,
}

impl BulkProgress {
    pub fn add(&self, rows: u64) {
        self.rows.fetch_add(rows, Ordering::Relaxed);
    }
    pub fn rows(&self) -> u64 {
        self.rows.load(Ordering::Relaxed)
    }
    /// Ask the running import or export to stop at its next check.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
    /// An error when a stop was asked: the transaction rolls back.
    pub fn check(&self) -> crate::Result<()> {
        if self.stopped() {
            return Err(crate::Error::Backend(STOPPED.into()));
        }
        Ok(())
    }
}

/// The error text of an import stopped on request.
pub const STOPPED: &str = "stopped on request; the transaction was rolled back";

/// Rows between two progress updates and stop checks.
pub const CHECK_EVERY: u64 = 4096;

/// One row of an export, in the order written: users, communities,
/// memberships.
#[derive(Clone, Debug)]
pub enum ExportRow {
    User(User),
    Community(Community),
    Membership {
        community: String,
        username: String,
        standing: Standing,
        since: DateTime<Utc>,
    },
}

/// What to export.
#[derive(Clone, Debug, Default)]
pub struct ExportQuery {
    /// One community (its members and their accounts), or everything.
    pub community: Option<crate::CommunityKey>,
}

/// The sink an export writes each row to; an error stops the export.
pub type ExportSink<'a> = dyn FnMut(ExportRow) -> crate::Result<()> + 'a;
