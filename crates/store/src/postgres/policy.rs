//! The permission policy's rows on PostgreSQL (issue 14): read (for each
//! node's cache, refreshed within `POLICY_REFRESH`, and for
//! `Store::policy`) and replaced by [`crate::policy::set_policy`] under the
//! advisory lock [`POLICY_LOCK`], so that two nodes changing it at once
//! apply one change after the other.

use chrono::{DateTime, Utc};
use roster_engine::{Action, CommunityId, Level, Policy};

use super::errors::{Fault, Res};
use super::sql::Sql;
use crate::policy::{from_rows, PolicyTx, StoredPolicy};

/// Advisory lock (transaction-level) held while the policy is read for a
/// change and rewritten.
const POLICY_LOCK: i64 = 0x726f_7374_6572_0004; // "roster" 4

/// The stored policy and its times.
pub(super) async fn load_stored(client: &mut impl Sql) -> Res<StoredPolicy> {
    let rows = client
        .query("SELECT action, level, updated_at FROM policy", &[])
        .await?;
    let rows = rows
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .collect::<Res<Vec<(String, String, DateTime<Utc>)>>>()?;
    from_rows(rows).map_err(Fault::Other)
}

/// The stored policy.
pub(super) async fn load(client: &mut impl Sql) -> Res<Policy> {
    load_stored(client).await.map(|stored| stored.policy)
}

impl<S: Sql> PolicyTx for S {
    async fn load_policy_for_update(&mut self) -> Res<Policy> {
        self.execute("SELECT pg_advisory_xact_lock($1)", &[&POLICY_LOCK])
            .await?;
        load(self).await
    }

    async fn store_levels(&mut self, levels: &[(Action, Level)], at: DateTime<Utc>) -> Res<()> {
        for (action, level) in levels {
            self.execute(
                "INSERT INTO policy (action, level, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (action) DO UPDATE
                 SET level = excluded.level, updated_at = excluded.updated_at",
                &[&action.as_str(), &level.as_str(), &at],
            )
            .await?;
        }
        Ok(())
    }

    async fn site_id(&mut self) -> Res<Option<CommunityId>> {
        let row = self
            .query_opt("SELECT id FROM communities WHERE site", &[])
            .await?;
        Ok(match row {
            Some(row) => Some(CommunityId(row.try_get(0)?)),
            None => None,
        })
    }
}
