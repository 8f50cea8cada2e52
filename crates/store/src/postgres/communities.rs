//! The write side of communities: creating one, and running a command on
//! one, for several `roster` nodes sharing one database.
//!
//! Each runs in one READ COMMITTED transaction (see `mod.rs`) whose first
//! statement locks the community row (`SELECT … FOR UPDATE`). Every writer
//! of a community's membership rows and counters takes that lock first, so
//! once it is held, every later statement of the transaction (each with a
//! fresh snapshot under READ COMMITTED) reads the current rows: the engine
//! decides on the truth, whichever node served the request. Then, as in the
//! SQLite backend: load the actor's and the subject's membership rows by
//! primary key, let [`roster_engine::decide`] rule, write the rows (each
//! re-checked just before it moves), the counters and exactly one event. A
//! refusal returns before anything is written, and the caller rolls back.
//!
//! Races that no row lock covers (two nodes creating the same community
//! name, or the single site community) are settled by unique indexes, whose
//! violations become the same refusals SQLite gives (see `errors.rs`), and
//! by the transaction-level advisory lock [`SITE_LOCK`].

use chrono::{DateTime, Utc};
use postgres::types::ToSql;
use postgres::Transaction;

use roster_engine::{
    decide, decide_create, Actor, Change, Command, CommunityId, Context, ContributionMode,
    Decision, DomainError, Effect, EventKind, JoinPolicy, NewCommunity, Role, Settings, Standing,
    Transition, UserId, Visibility,
};

use super::errors::{refuse, Fault, Res};
use super::rows::{self, COMMUNITY_COLUMNS, COMMUNITY_FROM};
use crate::{Community, CommunityKey, EventRecord, Outcome, User};

/// The site community's name when the first admin founds it.
const SITE_NAME: &str = "Site members";

/// Advisory lock (transaction-level) held while deciding whether the site
/// community exists and creating it, so that two nodes creating the first
/// admin (or a user beside it) agree on one site community and on who is
/// in it. Only taken while no site community exists, so it costs nothing
/// once the server is set up.
pub(super) const SITE_LOCK: i64 = 0x726f_7374_6572_0002; // "roster" 2

/// Advisory lock (transaction-level) taken just before an event is
/// appended and held until commit. See [`insert_event`].
const EVENT_LOCK: i64 = 0x726f_7374_6572_0003; // "roster" 3

/// Run one command on one community.
pub(super) fn execute(
    tx: &mut Transaction<'_>,
    actor: Actor,
    key: &CommunityKey,
    command: &Command,
) -> Res<Outcome> {
    let Some(community) = lock_community(tx, key)? else {
        return refuse(DomainError::CommunityNotFound);
    };
    let Some(actor_num) = rows::user_num(tx, actor.user)? else {
        return refuse(DomainError::UserNotFound);
    };
    let actor_standing = rows::standing_by_num(tx, community.num, actor_num)?;
    let mut people = vec![(actor.user, actor_num)];
    let subject_standing = match command.subject() {
        Some(subject) if subject != actor.user => {
            let Some(subject_num) = rows::user_num(tx, subject)? else {
                return refuse(DomainError::UserNotFound);
            };
            people.push((subject, subject_num));
            rows::standing_by_num(tx, community.num, subject_num)?
        }
        // Self-service commands (and commands naming the actor) are about the actor.
        _ => actor_standing,
    };
    let context = Context {
        community: &community.state,
        actor,
        actor_standing,
        subject_standing,
    };
    let decision = match decide(&context, command)? {
        Effect::Unchanged => {
            return Ok(Outcome {
                community,
                actor_standing,
                subject_standing,
                event: None,
            })
        }
        Effect::Changed(decision) => decision,
    };
    let subject = command.subject().unwrap_or(actor.user);
    let mut after = Standings {
        actor: (actor.user, actor_standing),
        subject: (subject, subject_standing),
    };
    let (community, event) = apply(tx, community, actor, &people, &decision, &mut after)?;
    Ok(Outcome {
        community,
        actor_standing: after.actor.1,
        subject_standing: after.subject.1,
        event: Some(event),
    })
}

/// Create a community owned by the actor.
pub(super) fn create(tx: &mut Transaction<'_>, actor: Actor, new: &NewCommunity) -> Res<Outcome> {
    let decision = decide_create(actor, new)?;
    let Some(actor_num) = rows::user_num(tx, actor.user)? else {
        return refuse(DomainError::UserNotFound);
    };
    // A name created by another node after this check is caught by the
    // unique index at the INSERT (NameTaken as well).
    if name_taken(tx, &new.settings.name, None)? {
        return refuse(DomainError::NameTaken);
    }
    if new.site {
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SITE_LOCK])?;
        if site_num(tx)?.is_some() {
            return refuse(DomainError::Invalid {
                field: "site",
                reason: "a site community exists",
            });
        }
    }
    let community = insert(tx, actor_num, new)?;
    let mut after = Standings {
        actor: (actor.user, Standing::None),
        subject: (actor.user, Standing::None),
    };
    let (community, event) = apply(
        tx,
        community,
        actor,
        &[(actor.user, actor_num)],
        &decision,
        &mut after,
    )?;
    Ok(Outcome {
        community,
        actor_standing: after.actor.1,
        subject_standing: after.subject.1,
        event: Some(event),
    })
}

/// The site community's number, once it exists.
pub(super) fn site_num(tx: &mut Transaction<'_>) -> Res<Option<i64>> {
    let row = tx.query_opt("SELECT num FROM communities WHERE site", &[])?;
    Ok(match row {
        Some(row) => Some(row.try_get(0)?),
        None => None,
    })
}

/// The first admin founds the site community (with its `created` event).
/// The caller holds [`SITE_LOCK`].
pub(super) fn create_site(tx: &mut Transaction<'_>, owner: &User) -> Res<()> {
    let actor = Actor {
        user: owner.id,
        admin: true,
    };
    // Another community may already hold the usual name: take the first free
    // variant rather than refuse to create the admin. A name another node
    // takes between the check and the INSERT is skipped the same way: the
    // attempt runs in a savepoint, rolled back on that violation alone.
    for n in 1..=1000 {
        let name = match n {
            1 => SITE_NAME.to_owned(),
            n => format!("{SITE_NAME} ({n})"),
        };
        if name_taken(tx, &name, None)? {
            continue;
        }
        let new = NewCommunity {
            settings: Settings {
                name,
                description: String::new(),
                visibility: Visibility::Public,
                join_policy: JoinPolicy::Open,
                contribution_mode: ContributionMode::Anyone,
            },
            site: true,
            members: Vec::new(),
        };
        let mut attempt = tx.savepoint("site_name")?;
        match create(&mut attempt, actor, &new) {
            Ok(_) => {
                attempt.commit()?;
                return Ok(());
            }
            Err(fault) if fault.violates("communities_name_key") => attempt.rollback()?,
            Err(fault) => return Err(fault),
        }
    }
    Err(Fault::Other("no free name for the site community".into()))
}

/// A user created once the site community exists joins it (`joined`, by
/// the user), whatever its join policy: every account is a site member.
pub(super) fn join_site(tx: &mut Transaction<'_>, site: i64, user: &User) -> Res<()> {
    let Some(community) = lock_community(tx, &CommunityKey::Num(site))? else {
        return refuse(DomainError::CommunityNotFound);
    };
    let decision = Decision {
        kind: EventKind::Joined,
        subject: Some(user.id),
        reason: None,
        changes: vec![Change::Standing(Transition {
            user: user.id,
            from: Standing::None,
            to: Standing::Member(Role::Member),
        })],
    };
    let actor = Actor {
        user: user.id,
        admin: false,
    };
    let mut after = Standings {
        actor: (user.id, Standing::None),
        subject: (user.id, Standing::None),
    };
    apply(
        tx,
        community,
        actor,
        &[(user.id, user.num)],
        &decision,
        &mut after,
    )
    .map(drop)
}

/// A community by any of its keys, its row locked until the transaction
/// ends (`FOR UPDATE OF c`: the creator's user row is only read). A
/// transaction waiting here re-reads the row once the holder commits: a
/// renamed or deleted community is then not found by its old key.
fn lock_community(tx: &mut Transaction<'_>, key: &CommunityKey) -> Res<Option<Community>> {
    if let CommunityKey::Name(name) = key {
        if !rows::storable(name) {
            return Ok(None);
        }
    }
    let (column, value): (&str, Box<dyn ToSql + Sync>) = match key {
        CommunityKey::Id(id) => ("id", Box::new(id.0)),
        CommunityKey::Num(num) => ("num", Box::new(*num)),
        CommunityKey::Name(name) => ("name", Box::new(name.clone())),
    };
    let sql = format!(
        "SELECT {COMMUNITY_COLUMNS} FROM {COMMUNITY_FROM} WHERE c.{column} = $1 FOR UPDATE OF c"
    );
    match tx.query_opt(&sql, &[&*value])? {
        Some(row) => rows::community(&row, 0).map(Some),
        None => Ok(None),
    }
}

/// The actor's and the subject's standings, followed through the changes.
struct Standings {
    actor: (UserId, Standing),
    subject: (UserId, Standing),
}

impl Standings {
    fn record(&mut self, transition: &Transition) {
        for (user, standing) in [&mut self.actor, &mut self.subject] {
            if *user == transition.user {
                *standing = transition.to;
            }
        }
    }
}

/// Apply an accepted decision: membership rows, counters, settings, the
/// archived flag or the deletion, `updated_at`, and one event (last, see
/// [`insert_event`]). Returns the community after the change (as it was,
/// for a delete) and the event.
fn apply(
    tx: &mut Transaction<'_>,
    before: Community,
    actor: Actor,
    people: &[(UserId, i64)],
    decision: &Decision,
    after: &mut Standings,
) -> Res<(Community, EventRecord)> {
    let now = rows::now();
    let mut community = before.clone();
    let mut deleted = false;
    for change in &decision.changes {
        match change {
            Change::Standing(transition) => {
                let user_num = match people.iter().find(|(id, _)| *id == transition.user) {
                    Some(&(_, num)) => num,
                    None => match rows::user_num(tx, transition.user)? {
                        Some(num) => num,
                        None => return refuse(DomainError::UserNotFound),
                    },
                };
                move_standing(tx, community.num, user_num, transition, now)?;
                if community.state.site {
                    // Site membership is the member's privacy status (Wix's
                    // `privacyStatus`): a change of it is a change of the user.
                    tx.execute(
                        "UPDATE users SET updated_at = $2 WHERE num = $1",
                        &[&user_num, &now],
                    )?;
                }
                community
                    .state
                    .counters
                    .apply(transition.from, transition.to);
                after.record(transition);
            }
            Change::Settings(settings) => {
                if name_taken(tx, &settings.name, Some(community.num))? {
                    return refuse(DomainError::NameTaken);
                }
                community.state.settings = settings.clone();
            }
            Change::Archived(archived) => community.state.archived = *archived,
            Change::Delete => {
                tx.execute("DELETE FROM communities WHERE num = $1", &[&community.num])?;
                deleted = true;
            }
        }
    }
    if deleted {
        // Nobody has a standing in a community that no longer exists.
        after.actor.1 = Standing::None;
        after.subject.1 = Standing::None;
        community = before;
    } else {
        community.updated_at = now;
        let state = &community.state;
        let counters = &state.counters;
        tx.execute(
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
                &now,
            ],
        )?;
    }
    let event = insert_event(tx, community.id(), actor.user, decision, now)?;
    Ok((community, event))
}

/// Write one person's move from `transition.from` to `transition.to`:
/// delete the row for `None`, otherwise upsert it. `since` is kept when
/// only the role of a member changes.
fn move_standing(
    tx: &mut Transaction<'_>,
    community: i64,
    user: i64,
    transition: &Transition,
    now: DateTime<Utc>,
) -> Res<()> {
    // The engine decided on the row read in this same transaction, under the
    // community lock; if it differs now, applying the move would make the
    // counters lie.
    let current = rows::standing_by_num(tx, community, user)?;
    if current != transition.from {
        return Err(Fault::Other(format!(
            "membership changed under the transaction: expected {}, found {current}",
            transition.from
        )));
    }
    if transition.to == Standing::None {
        tx.execute(
            "DELETE FROM memberships WHERE community_num = $1 AND user_num = $2",
            &[&community, &user],
        )?;
    } else {
        tx.execute(
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
            &[&community, &user, &transition.to.as_str(), &now],
        )?;
    }
    Ok(())
}

/// Append the decision's event, as the transaction's last write.
///
/// Followers page the feed with `after=<seq>`, so an event must never
/// become visible after one with a higher seq: a follower that has read
/// seq 11 would never go back for seq 10. In PostgreSQL, seq order is NOT
/// commit order when writers run concurrently: `nextval` hands out numbers
/// when rows are inserted, and transactions commit in whatever order they
/// finish (node A takes 10, node B takes 11, B commits first; a follower
/// reading then sees 11 and skips 10 for ever).
///
/// So the sequence is drawn under the transaction-level advisory lock
/// [`EVENT_LOCK`], which PostgreSQL releases only after the commit is
/// visible: whoever draws the next number waits until the previous drawer
/// has committed (or rolled back, leaving a harmless gap). Events therefore
/// become visible in seq order, across every node.
///
/// The cost: the tail of every write transaction, from this insert to the
/// commit's WAL flush, runs one at a time across the whole database, so
/// the cluster's write throughput is bounded by roughly one commit flush
/// per accepted change, whatever the number of nodes. Everything before it
/// (locking the community, deciding, writing rows) still runs in parallel
/// across communities, and refusals and unchanged commands never take the
/// lock. The lock is taken last so that it is never held while waiting for
/// a row lock (no deadlock with the community locks).
fn insert_event(
    tx: &mut Transaction<'_>,
    community: CommunityId,
    actor: UserId,
    decision: &Decision,
    at: DateTime<Utc>,
) -> Res<EventRecord> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&EVENT_LOCK])?;
    let subject = decision.subject.map(|s| s.0);
    let row = tx.query_one(
        "INSERT INTO events (at, community_id, actor_id, subject_id, kind, reason)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING seq",
        &[
            &at,
            &community.0,
            &actor.0,
            &subject,
            &decision.kind.as_str(),
            &decision.reason,
        ],
    )?;
    Ok(EventRecord {
        seq: row.try_get(0)?,
        at,
        community,
        actor,
        subject: decision.subject,
        kind: decision.kind,
        reason: decision.reason.clone(),
    })
}

/// Insert a new community row with zero counters (the caller applies the
/// creation decision, which makes the creator its owner). The row is this
/// transaction's own until it commits: no lock to take.
fn insert(tx: &mut Transaction<'_>, creator: i64, new: &NewCommunity) -> Res<Community> {
    let now = rows::now();
    let settings = &new.settings;
    let row = tx.query_one(
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
    )?;
    let num: i64 = row.try_get(0)?;
    match lock_community(tx, &CommunityKey::Num(num))? {
        Some(community) => Ok(community),
        None => Err(Fault::Other("the new community vanished".into())),
    }
}

/// Does another community (not `except`) have this name?
fn name_taken(tx: &mut Transaction<'_>, name: &str, except: Option<i64>) -> Res<bool> {
    let row = tx.query_one(
        "SELECT EXISTS (SELECT 1 FROM communities WHERE name = $1 AND num IS DISTINCT FROM $2)",
        &[&name, &except],
    )?;
    Ok(row.try_get(0)?)
}
