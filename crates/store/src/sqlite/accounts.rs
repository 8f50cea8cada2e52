//! SQLite's SQL for deleting an account (see `crate::account_flow`), on
//! the writer's transaction.

use rusqlite::{params, OptionalExtension};

use roster_engine::{Actor, Standing, UserId};

use super::communities::Writer;
use super::rows;
use crate::account_flow::{self, AccountTx};
use crate::{Error, Result};

/// Delete an account; the number of events written.
pub(super) fn delete_user(
    tx: &rusqlite::Connection,
    actor: Actor,
    user: UserId,
    relinquish: bool,
) -> Result<u64> {
    super::communities::ready(account_flow::delete_user(
        &mut Writer(tx),
        actor,
        user,
        relinquish,
    ))
}

impl AccountTx for Writer<'_> {
    async fn standings_of(&mut self, user: i64) -> Result<Vec<i64>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT community_num FROM memberships WHERE user_num = ?1 ORDER BY community_num",
        )?;
        let nums = stmt
            .query_map([user], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(nums)
    }

    async fn successor(
        &mut self,
        community: i64,
        except: i64,
    ) -> Result<Option<(UserId, Standing)>> {
        let found = rows::query_row(
            self.0,
            "SELECT u.id, m.standing FROM memberships m JOIN users u ON u.num = m.user_num
             WHERE m.community_num = ?1 AND m.user_num <> ?2
               AND m.standing IN ('owner', 'manager', 'member')
             ORDER BY m.since, m.user_num LIMIT 1",
            params![community, except],
            |row| Ok((row.get::<_, String>(0)?, rows::standing(row, 1)?)),
        )
        .optional()?;
        match found {
            None => Ok(None),
            Some((id, standing)) => match UserId::parse(&id) {
                Some(id) => Ok(Some((id, standing))),
                None => Err(Error::Backend(format!(
                    "stored user id '{id}' is not a UUID"
                ))),
            },
        }
    }

    async fn delete_account(&mut self, user: i64, fallback: i64) -> Result<()> {
        self.0.execute(
            "UPDATE communities SET creator_num = COALESCE(
                (SELECT m.user_num FROM memberships m
                 WHERE m.community_num = communities.num AND m.standing = 'owner'
                 ORDER BY m.since, m.user_num LIMIT 1), ?2)
             WHERE creator_num = ?1",
            params![user, fallback],
        )?;
        self.0
            .execute("DELETE FROM tokens WHERE user_num = ?1", [user])?;
        self.0
            .execute("DELETE FROM idempotency_keys WHERE user_num = ?1", [user])?;
        self.0.execute("DELETE FROM users WHERE num = ?1", [user])?;
        Ok(())
    }
}
