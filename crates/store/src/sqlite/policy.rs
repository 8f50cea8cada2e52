//! The permission policy's rows on SQLite (issue 14): read (for the
//! writer's cache and for `Store::policy`) and replaced by
//! [`crate::policy::set_policy`] on the writer, whose single connection is
//! the lock against a concurrent change.

use rusqlite::{params, Connection, OptionalExtension};

use chrono::{DateTime, Utc};
use roster_engine::{Action, CommunityId, Level, Policy};

use super::communities::Writer;
use super::rows;
use crate::policy::{from_rows, PolicyTx, StoredPolicy};
use crate::{Error, Result};

/// The stored policy and its times.
pub(super) fn load_stored(conn: &Connection) -> Result<StoredPolicy> {
    let mut stmt = conn.prepare_cached("SELECT action, level, updated_at FROM policy")?;
    let rows = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, rows::ts(row, 2)?)))?
        .collect::<rusqlite::Result<Vec<(String, String, DateTime<Utc>)>>>()?;
    from_rows(rows).map_err(|e| Error::Backend(format!("sqlite: {e}")))
}

/// The stored policy.
pub(super) fn load(conn: &Connection) -> Result<Policy> {
    load_stored(conn).map(|stored| stored.policy)
}

/// Change the policy on the writer's transaction (`crate::policy::set_policy`).
pub(super) fn set(
    conn: &Connection,
    actor: roster_engine::Actor,
    changes: &[(Action, Level)],
) -> Result<crate::PolicyUpdate> {
    super::communities::ready(crate::policy::set_policy(&mut Writer(conn), actor, changes))
}

impl PolicyTx for Writer<'_> {
    async fn load_policy_for_update(&mut self) -> Result<Policy> {
        load(self.0)
    }

    async fn store_levels(&mut self, levels: &[(Action, Level)], at: DateTime<Utc>) -> Result<()> {
        for (action, level) in levels {
            rows::exec(
                self.0,
                "INSERT INTO policy (action, level, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (action) DO UPDATE
                 SET level = excluded.level, updated_at = excluded.updated_at",
                params![action.as_str(), level.as_str(), rows::fmt_ts(at)],
            )?;
        }
        Ok(())
    }

    async fn site_id(&mut self) -> Result<Option<CommunityId>> {
        let id: Option<String> = rows::query_row(
            self.0,
            "SELECT id FROM communities WHERE site = 1",
            [],
            |row| row.get(0),
        )
        .optional()?;
        id.map(|id| {
            CommunityId::parse(&id)
                .ok_or_else(|| Error::Backend(format!("sqlite: bad community id {id}")))
        })
        .transpose()
    }
}
