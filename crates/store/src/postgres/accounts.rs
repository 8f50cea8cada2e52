//! PostgreSQL's SQL for deleting an account (see `crate::account_flow`),
//! in one write transaction (retried as every write is).

use super::sql::Sql;

use roster_engine::{Actor, Standing, UserId};

use super::errors::{Fault, Res};
use super::rows;
use crate::account_flow::{self, AccountTx};

/// Delete an account; the number of events written.
pub(super) async fn delete_user(
    tx: &mut impl Sql,
    actor: Actor,
    user: UserId,
    relinquish: bool,
) -> Res<u64> {
    account_flow::delete_user(tx, actor, user, relinquish).await
}

impl<S: Sql> AccountTx for S {
    async fn standings_of(&mut self, user: i64) -> Res<Vec<i64>> {
        let rows = self
            .query(
                "SELECT community_num FROM memberships WHERE user_num = $1 ORDER BY community_num",
                &[&user],
            )
            .await?;
        rows.iter()
            .map(|row| row.try_get(0).map_err(Fault::from))
            .collect()
    }

    async fn successor(&mut self, community: i64, except: i64) -> Res<Option<(UserId, Standing)>> {
        let row = self
            .query_opt(
                "SELECT u.id, m.standing FROM memberships m JOIN users u ON u.num = m.user_num
             WHERE m.community_num = $1 AND m.user_num <> $2
               AND m.standing IN ('owner', 'manager', 'member')
             ORDER BY m.since, m.user_num LIMIT 1",
                &[&community, &except],
            )
            .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some((UserId(row.try_get(0)?), rows::parsed(&row, 1)?))),
        }
    }

    async fn delete_account(&mut self, user: i64, fallback: i64) -> Res<()> {
        self.execute(
            "UPDATE communities SET creator_num = COALESCE(
                (SELECT m.user_num FROM memberships m
                 WHERE m.community_num = communities.num AND m.standing = 'owner'
                 ORDER BY m.since, m.user_num LIMIT 1), $2)
             WHERE creator_num = $1",
            &[&user, &fallback],
        )
        .await?;
        self.execute("DELETE FROM tokens WHERE user_num = $1", &[&user])
            .await?;
        self.execute("DELETE FROM idempotency_keys WHERE user_num = $1", &[&user])
            .await?;
        self.execute("DELETE FROM users WHERE num = $1", &[&user])
            .await?;
        Ok(())
    }
}
