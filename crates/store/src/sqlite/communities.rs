//! The write side of communities on SQLite: the SQL primitives of
//! [`crate::write_flow`], which holds the flow of creating a community and of
//! running a command on one. Each runs inside the writer's `BEGIN
//! IMMEDIATE` transaction (see `mod.rs`), which is the community lock: the
//! engine decides on rows no other writer can change until the commit. A
//! refusal returns before anything is written, and the caller rolls back.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use roster_engine::{Actor, Command, CommunityId, NewCommunity, Policy, Sight, Standing, UserId};

use super::reads::load_community;
use super::rows::{self, fmt_ts};
use crate::nums::{CommunityNum, UserNum};
use crate::policy::PolicyCache;
use crate::write_flow::{self, CommandTx};
use crate::{Community, CommunityKey, Error, EventRecord, Outcome, Result, Ruling, User};

/// [`execute`] under the cached policy, logged when the backend fails it.
pub(super) fn execute_logged(
    conn: &Connection,
    cache: &PolicyCache,
    sight: Sight,
    actor: Actor,
    community: &CommunityKey,
    command: &Command,
) -> Result<Ruling> {
    let policy = cache.get(|| super::policy::load(conn))?;
    let result = execute(conn, &policy, sight, actor, community, command);
    if let Err(Error::Backend(error)) = &result {
        tracing::error!(command = command.name(), %error, "sqlite: command failed");
    }
    result
}

/// Run one command on one community.
pub(super) fn execute(
    tx: &Connection,
    policy: &Policy,
    sight: Sight,
    actor: Actor,
    key: &CommunityKey,
    command: &Command,
) -> Result<Ruling> {
    ready(write_flow::execute(
        &mut Writer(tx),
        policy,
        sight,
        actor,
        key,
        command,
    ))
}

/// Create a community owned by the actor.
pub(super) fn create(
    tx: &Connection,
    policy: &Policy,
    actor: Actor,
    new: &NewCommunity,
) -> Result<Outcome> {
    ready(write_flow::create(&mut Writer(tx), policy, actor, new))
}

/// The site community's number, once it exists.
pub(super) fn site_num(conn: &Connection) -> Result<Option<i64>> {
    Ok(rows::query_row(
        conn,
        "SELECT num FROM communities WHERE site = 1",
        [],
        |row| row.get(0),
    )
    .optional()?)
}

/// The first admin founds the site community (with its `created` event).
pub(super) fn create_site(tx: &Connection, owner: &User) -> Result<()> {
    // Another community may already hold the usual name: take the first free
    // variant rather than refuse to create the admin.
    let mut n = 1;
    let mut name = roster_engine::site::site_name(n);
    while name_taken(tx, &name, None)? {
        n += 1;
        name = roster_engine::site::site_name(n);
    }
    let actor = Actor {
        user: owner.id,
        admin: true,
    };
    // Founding the site is not governed by the policy's `create`.
    let policy = Policy::default();
    create(tx, &policy, actor, &roster_engine::site::new_site(name)).map(drop)
}

/// A user created once the site community exists joins it.
pub(super) fn join_site(tx: &Connection, site: i64, user: &User) -> Result<()> {
    ready(write_flow::join_site(
        &mut Writer(tx),
        CommunityNum(site),
        user,
    ))
}

/// Drive the write flow on the writer's thread. Its [`CommandTx`] futures
/// are synchronous SQLite calls, ready when first polled: nothing pends,
/// so this never parks the writer.
pub(super) fn ready<T>(flow: impl std::future::Future<Output = T>) -> T {
    pollster::block_on(flow)
}

/// A room's members' usernames, in the members page's order (user number).
const USERNAMES: &str = "SELECT u.username FROM memberships m JOIN users u ON u.num = m.user_num
     WHERE m.community_num = ?1 AND m.standing IN ('owner', 'manager', 'member')
     ORDER BY m.user_num LIMIT ?2";

/// The writer's transaction, as [`crate::write_flow`] drives it.
pub(super) struct Writer<'c>(pub(super) &'c Connection);

impl CommandTx for Writer<'_> {
    type Error = Error;

    fn now(&self) -> DateTime<Utc> {
        rows::now()
    }

    fn broken(message: String) -> Error {
        Error::Backend(message)
    }

    /// `BEGIN IMMEDIATE` already holds the database's write lock.
    async fn lock_community(&mut self, key: &CommunityKey) -> Result<Option<Community>> {
        load_community(self.0, key)
    }

    async fn user_num(&mut self, user: UserId) -> Result<Option<UserNum>> {
        Ok(rows::user_num(self.0, user)?.map(UserNum))
    }

    async fn standing(&mut self, community: CommunityNum, user: UserNum) -> Result<Standing> {
        rows::standing_by_num(self.0, community.0, user.0)
    }

    async fn name_taken(&mut self, name: &str, except: Option<CommunityNum>) -> Result<bool> {
        let except = except.map(|num| num.0);
        name_taken(self.0, name, except)
    }

    async fn site_exists(&mut self) -> Result<bool> {
        Ok(site_num(self.0)?.is_some())
    }

    async fn insert_community(
        &mut self,
        creator: UserNum,
        new: &NewCommunity,
    ) -> Result<Community> {
        let creator = creator.0;
        insert(self.0, creator, new)
    }

    async fn write_standing(
        &mut self,
        community: CommunityNum,
        user: UserNum,
        to: Standing,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (community, user) = (community.0, user.0);
        if to == Standing::None {
            rows::exec(
                self.0,
                "DELETE FROM memberships WHERE community_num = ?1 AND user_num = ?2",
                [community, user],
            )?;
        } else {
            rows::exec(
                self.0,
                "INSERT INTO memberships (community_num, user_num, standing, since)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (community_num, user_num) DO UPDATE SET
                     standing = excluded.standing,
                     since = CASE
                         WHEN memberships.standing IN ('owner', 'manager', 'member')
                          AND excluded.standing IN ('owner', 'manager', 'member')
                         THEN memberships.since
                         ELSE excluded.since
                     END",
                params![community, user, to.as_str(), fmt_ts(now)],
            )?;
        }
        Ok(())
    }

    async fn touch_user(&mut self, user: UserNum, now: DateTime<Utc>) -> Result<()> {
        let user = user.0;
        rows::exec(
            self.0,
            "UPDATE users SET updated_at = ?2 WHERE num = ?1",
            params![user, fmt_ts(now)],
        )?;
        Ok(())
    }

    async fn update_community(&mut self, community: &Community) -> Result<()> {
        let state = &community.state;
        let counters = &state.counters;
        rows::exec(
            self.0,
            "UPDATE communities
             SET name = ?2, description = ?3, visibility = ?4, join_policy = ?5,
                 contribution_mode = ?6, archived = ?7, members = ?8, owners = ?9,
                 pending = ?10, invited = ?11, updated_at = ?12
             WHERE num = ?1",
            params![
                community.num,
                state.settings.name,
                state.settings.description,
                state.settings.visibility.as_str(),
                state.settings.join_policy.as_str(),
                state.settings.contribution_mode.as_str(),
                state.archived,
                counters.members,
                counters.owners,
                counters.pending,
                counters.invited,
                fmt_ts(community.updated_at),
            ],
        )?;
        Ok(())
    }

    async fn delete_community(&mut self, community: CommunityNum) -> Result<()> {
        let community = community.0;
        rows::exec(
            self.0,
            "DELETE FROM communities WHERE num = ?1",
            [community],
        )?;
        Ok(())
    }

    async fn member_usernames(
        &mut self,
        community: CommunityNum,
        limit: i64,
    ) -> Result<Vec<String>> {
        let mut stmt = self.0.prepare_cached(USERNAMES)?;
        let names = stmt.query_map([community.0, limit], |row| row.get(0))?;
        Ok(names.collect::<rusqlite::Result<Vec<String>>>()?)
    }

    async fn insert_event(&mut self, event: &EventRecord) -> Result<i64> {
        rows::exec(
            self.0,
            "INSERT INTO events (at, community_id, actor_id, subject_id, kind, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                fmt_ts(event.at),
                event.community.0.to_string(),
                event.actor.0.to_string(),
                event.subject.map(|s| s.0.to_string()),
                event.kind.as_str(),
                event.reason,
            ],
        )?;
        Ok(self.0.last_insert_rowid())
    }
}

/// Insert a new community row with zero counters (the caller applies the
/// creation decision, which makes the creator its owner).
fn insert(tx: &Connection, creator: i64, new: &NewCommunity) -> Result<Community> {
    let now = fmt_ts(rows::now());
    let settings = &new.settings;
    rows::exec(
        tx,
        "INSERT INTO communities (id, name, description, visibility, join_policy,
                                  contribution_mode, archived, site, creator_num,
                                  created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9, ?9)",
        params![
            CommunityId::random().0.to_string(),
            settings.name,
            settings.description,
            settings.visibility.as_str(),
            settings.join_policy.as_str(),
            settings.contribution_mode.as_str(),
            new.site,
            creator,
            now,
        ],
    )?;
    match load_community(tx, &CommunityKey::Num(tx.last_insert_rowid()))? {
        Some(community) => Ok(community),
        None => Err(Error::Backend("the new community vanished".into())),
    }
}

/// Does another community (not `except`) have this name?
fn name_taken(conn: &Connection, name: &str, except: Option<i64>) -> Result<bool> {
    Ok(rows::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM communities WHERE name = ?1 AND num IS NOT ?2)",
        params![name, except],
        |row| row.get(0),
    )?)
}
