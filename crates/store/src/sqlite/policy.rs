//! The permission policy's rows on SQLite (issue 14): read (for the
//! writer's cache and for `Store::policy`) and replaced by
//! [`crate::policy::set_policy`] on the writer, whose single connection is
//! the lock against a concurrent change.

use rusqlite::{params, Connection, OptionalExtension};

use roster_engine::{CommunityId, Policy};

use super::communities::Writer;
use super::rows;
use crate::policy::{from_rows, PolicyTx};
use crate::{Error, Result};

/// The stored policy.
pub(super) fn load(conn: &Connection) -> Result<Policy> {
    let mut stmt = conn.prepare_cached("SELECT action, level FROM policy")?;
    let rows = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
    from_rows(rows).map_err(|e| Error::Backend(format!("sqlite: {e}")))
}

impl PolicyTx for Writer<'_> {
    fn load_policy_for_update(&mut self) -> Result<Policy> {
        load(self.0)
    }

    fn store_policy(&mut self, policy: &Policy) -> Result<()> {
        rows::exec(self.0, "DELETE FROM policy", [])?;
        for (action, level) in policy.overrides() {
            rows::exec(
                self.0,
                "INSERT INTO policy (action, level) VALUES (?1, ?2)",
                params![action.as_str(), level.as_str()],
            )?;
        }
        Ok(())
    }

    fn site_id(&mut self) -> Result<Option<CommunityId>> {
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
