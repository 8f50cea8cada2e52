//! The write side of communities: creating one, and running a command on
//! one. Each runs inside the writer's `BEGIN IMMEDIATE` transaction (see
//! `mod.rs`), which is the community lock: load the small projection the
//! engine reads (the community row with its counters, the actor's and the
//! subject's membership rows, by primary key), let [`roster_engine::decide`]
//! rule, then write the membership rows, the counters and exactly one event.
//! A refusal returns before anything is written, and the caller rolls back.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use roster_engine::{
    decide, decide_create, Actor, Change, Command, CommunityId, Context, ContributionMode,
    Decision, DomainError, Effect, EventKind, JoinPolicy, NewCommunity, Role, Settings, Standing,
    Transition, UserId, Visibility,
};

use super::reads::load_community;
use super::refuse;
use super::rows::{self, fmt_ts};
use crate::{Community, CommunityKey, Error, EventRecord, Outcome, Result, User};

/// The site community's name when the first admin founds it.
const SITE_NAME: &str = "Site members";

/// Run one command on one community.
pub(super) fn execute(
    tx: &Transaction<'_>,
    actor: Actor,
    key: &CommunityKey,
    command: &Command,
) -> Result<Outcome> {
    let Some(community) = load_community(tx, key)? else {
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
pub(super) fn create(tx: &Transaction<'_>, actor: Actor, new: &NewCommunity) -> Result<Outcome> {
    let decision = decide_create(actor, new)?;
    let Some(actor_num) = rows::user_num(tx, actor.user)? else {
        return refuse(DomainError::UserNotFound);
    };
    if name_taken(tx, &new.settings.name, None)? {
        return refuse(DomainError::NameTaken);
    }
    if new.site && site_num(tx)?.is_some() {
        return refuse(DomainError::Invalid {
            field: "site",
            reason: "a site community exists",
        });
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
pub(super) fn site_num(conn: &Connection) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT num FROM communities WHERE site = 1", [], |row| {
            row.get(0)
        })
        .optional()?)
}

/// The first admin founds the site community (with its `created` event).
pub(super) fn create_site(tx: &Transaction<'_>, owner: &User) -> Result<()> {
    // Another community may already hold the usual name: take the first free
    // variant rather than refuse to create the admin.
    let mut name = SITE_NAME.to_owned();
    let mut n = 2;
    while name_taken(tx, &name, None)? {
        name = format!("{SITE_NAME} ({n})");
        n += 1;
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
    let actor = Actor {
        user: owner.id,
        admin: true,
    };
    create(tx, actor, &new).map(drop)
}

/// A user created once the site community exists joins it (`joined`, by
/// the user), whatever its join policy: every account is a site member.
pub(super) fn join_site(tx: &Transaction<'_>, site: i64, user: &User) -> Result<()> {
    let Some(community) = load_community(tx, &CommunityKey::Num(site))? else {
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
/// archived flag or the deletion, `updated_at`, and one event. Returns the
/// community after the change (as it was, for a delete) and the event.
fn apply(
    tx: &Transaction<'_>,
    before: Community,
    actor: Actor,
    people: &[(UserId, i64)],
    decision: &Decision,
    after: &mut Standings,
) -> Result<(Community, EventRecord)> {
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
                move_standing(tx, community.num, user_num, transition, &now)?;
                if community.state.site {
                    // Site membership is the member's privacy status (Wix's
                    // `privacyStatus`): a change of it is a change of the user.
                    tx.execute(
                        "UPDATE users SET updated_at = ?2 WHERE num = ?1",
                        params![user_num, fmt_ts(now)],
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
                tx.execute("DELETE FROM communities WHERE num = ?1", [community.num])?;
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
                fmt_ts(now),
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
    tx: &Transaction<'_>,
    community: i64,
    user: i64,
    transition: &Transition,
    now: &chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    // The engine decided on the row read in this same transaction; if it
    // differs now, applying the move would make the counters lie.
    let current = rows::standing_by_num(tx, community, user)?;
    if current != transition.from {
        return Err(Error::Backend(format!(
            "membership changed under the transaction: expected {}, found {current}",
            transition.from
        )));
    }
    if transition.to == Standing::None {
        tx.execute(
            "DELETE FROM memberships WHERE community_num = ?1 AND user_num = ?2",
            [community, user],
        )?;
    } else {
        tx.execute(
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
            params![community, user, transition.to.as_str(), fmt_ts(*now)],
        )?;
    }
    Ok(())
}

fn insert_event(
    tx: &Transaction<'_>,
    community: CommunityId,
    actor: UserId,
    decision: &Decision,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<EventRecord> {
    tx.execute(
        "INSERT INTO events (at, community_id, actor_id, subject_id, kind, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            fmt_ts(at),
            community.0.to_string(),
            actor.0.to_string(),
            decision.subject.map(|s| s.0.to_string()),
            decision.kind.as_str(),
            decision.reason,
        ],
    )?;
    Ok(EventRecord {
        seq: tx.last_insert_rowid(),
        at,
        community,
        actor,
        subject: decision.subject,
        kind: decision.kind,
        reason: decision.reason.clone(),
    })
}

/// Insert a new community row with zero counters (the caller applies the
/// creation decision, which makes the creator its owner).
fn insert(tx: &Transaction<'_>, creator: i64, new: &NewCommunity) -> Result<Community> {
    let now = fmt_ts(rows::now());
    let settings = &new.settings;
    tx.execute(
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
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM communities WHERE name = ?1 AND num IS NOT ?2)",
        params![name, except],
        |row| row.get(0),
    )?)
}
