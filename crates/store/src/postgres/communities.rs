//! The write side of communities: creating one, and running a command on
//! one, for several `roster` nodes sharing one database.
//!
//! Each runs in one READ COMMITTED transaction (see `mod.rs`) whose first
//! statement locks the community row (`SELECT … FOR UPDATE`). Every writer
//! of a community's membership rows and counters takes that lock first, so
//! once it is held, every later statement of the transaction (each with a
//! fresh snapshot under READ COMMITTED) reads the current rows: the engine
//! decides on the truth, whichever node served the request. The flow that
//! follows (load the membership rows, decide, write the rows, each
//! re-checked just before it moves, the counters and exactly one event) is
//! [`crate::write_flow`]'s, shared with SQLite; this file holds its SQL
//! primitives. A refusal returns before anything is written, and the caller
//! rolls back.
//!
//! Races that no row lock covers (two nodes creating the same community
//! name, or the single site community) are settled by unique indexes, whose
//! violations become the same refusals SQLite gives (see `errors.rs`), and
//! by the transaction-level advisory lock [`SITE_LOCK`]. The event is
//! inserted unnumbered and numbered after commit (see `feed.rs`).

use chrono::{DateTime, Utc};
use roster_engine::{Actor, Command, CommunityId, NewCommunity, Policy, Sight, Standing, UserId};

use super::errors::{Fault, Res};
use super::rows::{self, COMMUNITY_COLUMNS, COMMUNITY_FROM};
use super::sql::Sql;
use crate::nums::{CommunityNum, UserNum};
use crate::write_flow::{self, CommandTx};
use crate::{Community, CommunityKey, EventRecord, Outcome, Ruling, User};

/// Advisory lock (transaction-level) held while deciding whether the site
/// community exists and creating it, so that two nodes creating the first
/// admin (or a user beside it) agree on one site community and on who is
/// in it. Only taken while no site community exists, so it costs nothing
/// once the server is set up.
pub(super) const SITE_LOCK: i64 = 0x726f_7374_6572_0002; // "roster" 2

/// Run one command on one community (the async driver's hot path).
pub(super) async fn execute(
    tx: &mut impl Sql,
    policy: &Policy,
    sight: Sight,
    actor: Actor,
    key: &CommunityKey,
    command: &Command,
) -> Res<Ruling> {
    write_flow::execute(tx, policy, sight, actor, key, command).await
}

/// Create a community owned by the actor.
pub(super) async fn create(
    tx: &mut impl Sql,
    policy: &Policy,
    actor: Actor,
    new: &NewCommunity,
) -> Res<Outcome> {
    write_flow::create(tx, policy, actor, new).await
}

/// The site community's number, once it exists.
pub(super) async fn site_num(tx: &mut impl Sql) -> Res<Option<i64>> {
    let row = tx
        .query_opt("SELECT num FROM communities WHERE site", &[])
        .await?;
    Ok(match row {
        Some(row) => Some(row.try_get(0)?),
        None => None,
    })
}

/// The first admin founds the site community (with its `created` event).
/// The caller holds [`SITE_LOCK`].
pub(super) async fn create_site(tx: &mut impl Sql, owner: &User) -> Res<()> {
    let actor = Actor {
        user: owner.id,
        admin: true,
    };
    // Another community may already hold the usual name: take the first free
    // variant rather than refuse to create the admin. A name another node
    // takes between the check and the INSERT is skipped the same way: the
    // attempt runs in a savepoint, rolled back on that violation alone.
    for n in 1..=1000 {
        let name = roster_engine::site::site_name(n);
        if name_taken(tx, &name, None).await? {
            continue;
        }
        tx.batch("SAVEPOINT site_name").await?;
        // Founding the site is not governed by the policy's `create`.
        let new = roster_engine::site::new_site(name);
        match create(tx, &Policy::default(), actor, &new).await {
            Ok(_) => return tx.batch("RELEASE SAVEPOINT site_name").await,
            Err(fault) if fault.violates("communities_name_key") => {
                tx.batch("ROLLBACK TO SAVEPOINT site_name").await?;
            }
            Err(fault) => return Err(fault),
        }
    }
    Err(Fault::Other("no free name for the site community".into()))
}

/// A user created once the site community exists joins it.
pub(super) async fn join_site(tx: &mut impl Sql, site: i64, user: &User) -> Res<()> {
    write_flow::join_site(tx, CommunityNum(site), user).await
}

/// A community by any of its keys, its row locked until the transaction
/// ends (`FOR UPDATE OF c`: the creator's user row is only read). A
/// transaction waiting here re-reads the row once the holder commits: a
/// renamed or deleted community is then not found by its old key.
async fn lock_community(tx: &mut impl Sql, key: &CommunityKey) -> Res<Option<Community>> {
    let Some((column, value)) = rows::key_column(key) else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT {COMMUNITY_COLUMNS} FROM {COMMUNITY_FROM} WHERE c.{column} = $1 FOR UPDATE OF c"
    );
    match tx.query_opt(&sql, &[&*value]).await? {
        Some(row) => rows::community(&row, 0).map(Some),
        None => Ok(None),
    }
}

/// Every driver's transaction (see `sql.rs`).
impl<S: Sql> CommandTx for S {
    type Error = Fault;

    fn now(&self) -> DateTime<Utc> {
        rows::now()
    }

    fn broken(message: String) -> Fault {
        Fault::Other(message)
    }

    async fn lock_community(&mut self, key: &CommunityKey) -> Res<Option<Community>> {
        lock_community(self, key).await
    }

    async fn user_num(&mut self, user: UserId) -> Res<Option<UserNum>> {
        Ok(rows::user_num(self, user).await?.map(UserNum))
    }

    async fn standing(&mut self, community: CommunityNum, user: UserNum) -> Res<Standing> {
        rows::standing_by_num(self, community.0, user.0).await
    }

    /// A name created by another node after this check is caught by the
    /// unique index at the INSERT or UPDATE (NameTaken as well).
    async fn name_taken(&mut self, name: &str, except: Option<CommunityNum>) -> Res<bool> {
        let except = except.map(|num| num.0);
        name_taken(self, name, except).await
    }

    /// Takes [`SITE_LOCK`] first, held until the transaction ends.
    async fn site_exists(&mut self) -> Res<bool> {
        self.execute("SELECT pg_advisory_xact_lock($1)", &[&SITE_LOCK])
            .await?;
        Ok(site_num(self).await?.is_some())
    }

    async fn insert_community(&mut self, creator: UserNum, new: &NewCommunity) -> Res<Community> {
        let creator = creator.0;
        insert(self, creator, new).await
    }

    async fn write_standing(
        &mut self,
        community: CommunityNum,
        user: UserNum,
        to: Standing,
        now: DateTime<Utc>,
    ) -> Res<()> {
        let (community, user) = (community.0, user.0);
        if to == Standing::None {
            self.execute(
                "DELETE FROM memberships WHERE community_num = $1 AND user_num = $2",
                &[&community, &user],
            )
            .await?;
        } else {
            self.execute(
                "INSERT INTO memberships (community_num, user_num, standing, since)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (community_num, user_num) DO UPDATE SET
                     standing = excluded.standing,
                     since = CASE
                         WHEN memberships.standing IN ('owner', 'manager', 'member')
                          AND excluded.standing IN ('owner', 'manager', 'member')
                         THEN memberships.since
                         ELSE excluded.since
                     END",
                &[&community, &user, &to.as_str(), &now],
            )
            .await?;
        }
        Ok(())
    }

    async fn touch_user(&mut self, user: UserNum, now: DateTime<Utc>) -> Res<()> {
        let user = user.0;
        self.execute(
            "UPDATE users SET updated_at = $2 WHERE num = $1",
            &[&user, &now],
        )
        .await?;
        Ok(())
    }

    async fn update_community(&mut self, community: &Community) -> Res<()> {
        let state = &community.state;
        let counters = &state.counters;
        self.execute(
            "UPDATE communities
             SET name = $2, description = $3, visibility = $4, join_policy = $5,
                 contribution_mode = $6, archived = $7, members = $8, owners = $9,
                 pending = $10, invited = $11, updated_at = $12
             WHERE num = $1",
            &[
                &community.num,
                &state.settings.name,
                &state.settings.description,
                &state.settings.visibility.as_str(),
                &state.settings.join_policy.as_str(),
                &state.settings.contribution_mode.as_str(),
                &state.archived,
                &counters.members,
                &counters.owners,
                &counters.pending,
                &counters.invited,
                &community.updated_at,
            ],
        )
        .await?;
        Ok(())
    }

    async fn delete_community(&mut self, community: CommunityNum) -> Res<()> {
        let community = community.0;
        self.execute("DELETE FROM communities WHERE num = $1", &[&community])
            .await?;
        Ok(())
    }

    async fn member_usernames(&mut self, community: CommunityNum, limit: i64) -> Res<Vec<String>> {
        let sql = "SELECT u.username FROM memberships m JOIN users u ON u.num = m.user_num
                   WHERE m.community_num = $1 AND m.standing IN ('owner', 'manager', 'member')
                   ORDER BY m.user_num LIMIT $2";
        let rows = self.query(sql, &[&community.0, &limit]).await?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    /// Appended unnumbered: it is numbered after commit, in commit order
    /// (see `feed.rs`). Returns the placeholder `-id`.
    async fn insert_event(&mut self, event: &EventRecord) -> Res<i64> {
        super::feed::insert(self, event).await
    }
}

/// Insert a new community row with zero counters (the caller applies the
/// creation decision, which makes the creator its owner). The row is this
/// transaction's own until it commits: no lock to take.
async fn insert(tx: &mut impl Sql, creator: i64, new: &NewCommunity) -> Res<Community> {
    let now = rows::now();
    let settings = &new.settings;
    let row = tx
        .query_one(
            "INSERT INTO communities (id, name, description, visibility, join_policy,
                                  contribution_mode, archived, site, creator_num,
                                  created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, false, $7, $8, $9, $9)
         RETURNING num",
            &[
                &CommunityId::random().0,
                &settings.name,
                &settings.description,
                &settings.visibility.as_str(),
                &settings.join_policy.as_str(),
                &settings.contribution_mode.as_str(),
                &new.site,
                &creator,
                &now,
            ],
        )
        .await?;
    let num: i64 = row.try_get(0)?;
    match lock_community(tx, &CommunityKey::Num(num)).await? {
        Some(community) => Ok(community),
        None => Err(Fault::Other("the new community vanished".into())),
    }
}

/// Does another community (not `except`) have this name?
async fn name_taken(tx: &mut impl Sql, name: &str, except: Option<i64>) -> Res<bool> {
    let row = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM communities WHERE name = $1 AND num IS DISTINCT FROM $2)",
            &[&name, &except],
        )
        .await?;
    Ok(row.try_get(0)?)
}
