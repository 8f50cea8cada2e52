//! Deleting an account (feature `rooms`: Rocket.Chat's `users.delete`),
//! once for both backends, in one transaction: every community the
//! account has a standing in is locked in turn (by number, so two
//! deletions never wait on each other in a cycle), the engine's
//! [`decide_account_departure`] says what happens there (hand ownership
//! on, remove, or delete a community left empty), each decision is
//! applied through [`write_flow::apply`] with its one event, and last the
//! account goes with its tokens and idempotency keys. A refusal (the last
//! owner without `relinquish`) rolls everything back: nothing is written.
//!
//! The communities the account created keep a creator: their longest-
//! standing owner, else the admin who deleted the account. That is not a
//! membership change and writes no event.

use roster_engine::deletion::{decide_account_departure, may_delete_account, needs_successor};
use roster_engine::{Actor, DomainError, Standing, UserId};

use crate::nums::CommunityNum;
use crate::write_flow::{self, CommandTx, Standings};
use crate::CommunityKey;

/// The SQL an account deletion needs beyond a command's.
pub(crate) trait AccountTx: CommandTx {
    /// The numbers of the communities the user has any standing in, ascending.
    async fn standings_of(&mut self, user: i64) -> Result<Vec<i64>, Self::Error>;
    /// The longest-standing member of a community other than `except`.
    async fn successor(
        &mut self,
        community: i64,
        except: i64,
    ) -> Result<Option<(UserId, Standing)>, Self::Error>;
    /// Give the user's created communities another creator (their first
    /// owner, else `fallback`), then delete the user's tokens,
    /// idempotency keys and row.
    async fn delete_account(&mut self, user: i64, fallback: i64) -> Result<(), Self::Error>;
}

/// Delete `user`'s account as `actor`; the number of events written.
pub(crate) async fn delete_user<T: AccountTx>(
    tx: &mut T,
    actor: Actor,
    user: UserId,
    relinquish: bool,
) -> Result<u64, T::Error> {
    may_delete_account(actor, user)?;
    let Some(actor_num) = tx.user_num(actor.user).await? else {
        return Err(DomainError::UserNotFound.into());
    };
    let Some(user_num) = tx.user_num(user).await? else {
        return Err(DomainError::UserNotFound.into());
    };
    let mut events = 0;
    for num in tx.standings_of(user_num.0).await? {
        let Some(community) = tx.lock_community(&CommunityKey::Num(num)).await? else {
            continue;
        };
        let standing = tx.standing(CommunityNum(num), user_num).await?;
        let successor = if needs_successor(&community.state, standing) {
            tx.successor(num, user_num.0).await?
        } else {
            None
        };
        let decisions =
            decide_account_departure(&community.state, user, standing, successor, relinquish)?;
        let mut current = community;
        for decision in decisions {
            let after = Standings {
                actor: (actor.user, Standing::None),
                subject: (user, standing),
            };
            let people = [(user, user_num)];
            let outcome = write_flow::apply(tx, current, actor, &people, &decision, after).await?;
            current = outcome.community;
            events += 1;
        }
    }
    tx.delete_account(user_num.0, actor_num.0).await?;
    Ok(events)
}
