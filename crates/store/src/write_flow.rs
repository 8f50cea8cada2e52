//! The heart of every write, once for both backends: resolve the
//! community, load the small projection the engine reads (the community row
//! with its counters, the actor's and the subject's membership rows), let
//! [`roster_engine::decide_in_sight`] rule (a community out of the caller's
//! sight is refused there, under the lock), then walk the decision's
//! changes (each membership row re-checked just before it moves, the counters followed
//! through with [`Counters::apply`](roster_engine::Counters::apply), the
//! site-membership user stamp, settings, archiving, deletion), write the
//! community row and exactly one event, and assemble the [`Outcome`].
//!
//! Roster's invariants (counters that match the rows, one event per
//! accepted change, nothing written on a refusal) live in this flow, so it
//! must not be written twice: the backends would drift. Each backend
//! implements [`CommandTx`] on its write transaction with its SQL, and
//! keeps what is truly its own: how the community is locked (SQLite's
//! `BEGIN IMMEDIATE` writer; PostgreSQL's `FOR UPDATE`, retries on
//! serialization failure or deadlock, and the advisory locks that guard
//! the site community and keep the event feed in commit order).
//!
//! The flow is `async` (issue 13): PostgreSQL's hot path awaits each
//! statement on its async driver, so the primitives are futures. SQLite's
//! writer thread drives the same flow with a trivial `block_on`: its
//! futures are ready when first polled, so nothing ever parks. Generic, no `dyn`: each
//! backend gets its own monomorphized flow.

use chrono::{DateTime, Utc};
use roster_engine::{
    decide_create_under, decide_in_sight_under, decide_site_join, Actor, Change, Command, Context,
    Decision, DomainError, Effect, NewCommunity, Policy, Sight, Standing, Transition, UserId,
};

use crate::nums::{CommunityNum, UserNum};
use crate::{
    Community, CommunityKey, EventRecord, Outcome, Refusal, Ruling, User, ROOM_USERNAMES_LIMIT,
};

/// The SQL primitives a command needs, on one backend's write transaction.
/// Every method runs inside the transaction the caller commits or rolls
/// back; none decides anything.
pub(crate) trait CommandTx {
    /// The backend's failure; a refusal by the rules is one of them.
    type Error: From<DomainError>;

    /// The current time as the backend stores it (whole milliseconds).
    fn now(&self) -> DateTime<Utc>;
    /// A broken invariant (a backend error, never a refusal).
    fn broken(message: String) -> Self::Error;

    /// A community by any of its keys, locked against every other writer
    /// of it until the transaction ends.
    async fn lock_community(
        &mut self,
        key: &CommunityKey,
    ) -> Result<Option<Community>, Self::Error>;
    /// A user's number, if the user exists.
    async fn user_num(&mut self, user: UserId) -> Result<Option<UserNum>, Self::Error>;
    /// The standing of a user in a community, both by number.
    async fn standing(
        &mut self,
        community: CommunityNum,
        user: UserNum,
    ) -> Result<Standing, Self::Error>;
    /// Does another community (not `except`) have this name?
    async fn name_taken(
        &mut self,
        name: &str,
        except: Option<CommunityNum>,
    ) -> Result<bool, Self::Error>;
    /// Does the site community exist? Asked only while creating one.
    async fn site_exists(&mut self) -> Result<bool, Self::Error>;
    /// Insert a new community row with zero counters, and return it locked.
    async fn insert_community(
        &mut self,
        creator: UserNum,
        new: &NewCommunity,
    ) -> Result<Community, Self::Error>;
    /// Write one membership row at `to` (delete it for `None`); `since` is
    /// kept when only the role of a member changes.
    async fn write_standing(
        &mut self,
        community: CommunityNum,
        user: UserNum,
        to: Standing,
        now: DateTime<Utc>,
    ) -> Result<(), Self::Error>;
    /// Stamp a user's `updated_at`.
    async fn touch_user(&mut self, user: UserNum, now: DateTime<Utc>) -> Result<(), Self::Error>;
    /// Write the community row: settings, archived flag, counters, `updated_at`.
    async fn update_community(&mut self, community: &Community) -> Result<(), Self::Error>;
    /// Delete a community (its membership rows go with it).
    async fn delete_community(&mut self, community: CommunityNum) -> Result<(), Self::Error>;
    /// The usernames of the community's members (of any role), in the
    /// members page's order (by user number), at most `limit` of them.
    async fn member_usernames(
        &mut self,
        community: CommunityNum,
        limit: i64,
    ) -> Result<Vec<String>, Self::Error>;
    /// Append the event, as the transaction's last write; its `seq` is
    /// ignored and the one the backend assigned is returned. On PostgreSQL
    /// that is a placeholder (the negated internal id): the public `seq` is
    /// given after commit (`postgres/feed.rs`) and put in the outcome then.
    async fn insert_event(&mut self, event: &EventRecord) -> Result<i64, Self::Error>;
}

/// Run one command on one community, addressed through `sight`. A refusal
/// decided before anything is written (no such community or actor, out of
/// sight, or refused by the engine) is a [`Ruling::Refused`] carrying the
/// standing it was decided on; the transaction has written nothing then.
pub(crate) async fn execute<T: CommandTx>(
    tx: &mut T,
    policy: &Policy,
    sight: Sight,
    actor: Actor,
    key: &CommunityKey,
    command: &Command,
) -> Result<Ruling, T::Error> {
    let mut ruling = rule(tx, policy, sight, actor, key, command).await?;
    if let Ruling::Accepted(outcome) = &mut ruling {
        let small = outcome.community.state.counters.members <= ROOM_USERNAMES_LIMIT;
        if answers_with_usernames(sight, command) && small {
            let num = CommunityNum(outcome.community.num);
            outcome.usernames = Some(tx.member_usernames(num, ROOM_USERNAMES_LIMIT).await?);
        }
    }
    Ok(ruling)
}

/// Does the command's reply list the room's usernames? Rocket.Chat's
/// leave does (`groups.leave`, `channels.leave`), and only its routes
/// address a community through a room sight; reading them here keeps
/// the reply to the command's own transaction, with no second read.
fn answers_with_usernames(sight: Sight, command: &Command) -> bool {
    matches!(sight, Sight::Group | Sight::Channel) && matches!(command, Command::Leave)
}

/// [`execute`] before the reply's extras: the ruling alone.
async fn rule<T: CommandTx>(
    tx: &mut T,
    policy: &Policy,
    sight: Sight,
    actor: Actor,
    key: &CommunityKey,
    command: &Command,
) -> Result<Ruling, T::Error> {
    let Some(community) = tx.lock_community(key).await? else {
        return Ok(refused(
            DomainError::CommunityNotFound,
            None,
            Standing::None,
        ));
    };
    let Some(actor_num) = tx.user_num(actor.user).await? else {
        return Ok(refused(DomainError::UserNotFound, None, Standing::None));
    };
    let community_num = CommunityNum(community.num);
    let actor_standing = tx.standing(community_num, actor_num).await?;
    let mut people = vec![(actor.user, actor_num)];
    let subject_standing = match command.subject() {
        Some(subject) if subject != actor.user => match tx.user_num(subject).await? {
            Some(subject_num) => {
                people.push((subject, subject_num));
                tx.standing(community_num, subject_num).await?
            }
            // An unknown subject of a community the actor may not see is
            // still the community's secret.
            None if !in_sight(sight, &community, actor, actor_standing) => {
                return Ok(refused(
                    DomainError::CommunityNotFound,
                    None,
                    Standing::None,
                ));
            }
            None => {
                return Ok(refused(
                    DomainError::UserNotFound,
                    Some(community),
                    actor_standing,
                ))
            }
        },
        // Self-service commands (and commands naming the actor) are about the actor.
        _ => actor_standing,
    };
    let context = Context {
        community: &community.state,
        actor,
        actor_standing,
        subject_standing,
    };
    let decision = match decide_in_sight_under(policy, sight, &context, command) {
        Err(DomainError::CommunityNotFound) => {
            // Out of sight: nothing about the community is told.
            return Ok(refused(
                DomainError::CommunityNotFound,
                None,
                Standing::None,
            ));
        }
        Err(error) => return Ok(refused(error, Some(community), actor_standing)),
        Ok(Effect::Unchanged) => {
            return Ok(Ruling::Accepted(Outcome {
                community,
                actor_standing,
                subject_standing,
                event: None,
                usernames: None,
            }))
        }
        Ok(Effect::Changed(decision)) => decision,
    };
    let subject = command.subject().unwrap_or(actor.user);
    let after = Standings {
        actor: (actor.user, actor_standing),
        subject: (subject, subject_standing),
    };
    apply(tx, community, actor, &people, &decision, after)
        .await
        .map(Ruling::Accepted)
}

fn in_sight(sight: Sight, community: &Community, actor: Actor, standing: Standing) -> bool {
    roster_engine::in_sight(sight, &community.state, actor.admin, standing)
}

fn refused(error: DomainError, community: Option<Community>, actor_standing: Standing) -> Ruling {
    Ruling::Refused(Refusal {
        error,
        community,
        actor_standing,
    })
}

/// Create a community owned by the actor.
pub(crate) async fn create<T: CommandTx>(
    tx: &mut T,
    policy: &Policy,
    actor: Actor,
    new: &NewCommunity,
) -> Result<Outcome, T::Error> {
    let decision = decide_create_under(policy, actor, new)?;
    let Some(actor_num) = tx.user_num(actor.user).await? else {
        return Err(DomainError::UserNotFound.into());
    };
    if tx.name_taken(&new.settings.name, None).await? {
        return Err(DomainError::NameTaken.into());
    }
    if new.site && tx.site_exists().await? {
        return Err(DomainError::Invalid {
            field: "site",
            reason: "a site community exists",
        }
        .into());
    }
    let community = tx.insert_community(actor_num, new).await?;
    apply_for_newcomer(tx, community, actor, actor_num, &decision).await
}

/// A user created once the site community exists joins it, as
/// [`decide_site_join`] rules.
pub(crate) async fn join_site<T: CommandTx>(
    tx: &mut T,
    site: CommunityNum,
    user: &User,
) -> Result<(), T::Error> {
    let Some(community) = tx.lock_community(&CommunityKey::Num(site.0)).await? else {
        return Err(DomainError::CommunityNotFound.into());
    };
    let actor = Actor {
        user: user.id,
        admin: false,
    };
    let decision = decide_site_join(user.id);
    apply_for_newcomer(tx, community, actor, UserNum(user.num), &decision)
        .await
        .map(drop)
}

/// The actor and subject's standings, followed through the changes.
pub(crate) struct Standings {
    pub(crate) actor: (UserId, Standing),
    pub(crate) subject: (UserId, Standing),
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

/// Apply a decision about the actor alone, who has no standing in the
/// community yet (its creator, or a new site member).
async fn apply_for_newcomer<T: CommandTx>(
    tx: &mut T,
    community: Community,
    actor: Actor,
    actor_num: UserNum,
    decision: &Decision,
) -> Result<Outcome, T::Error> {
    let after = Standings {
        actor: (actor.user, Standing::None),
        subject: (actor.user, Standing::None),
    };
    let people = [(actor.user, actor_num)];
    apply(tx, community, actor, &people, decision, after).await
}

/// Apply an accepted decision: membership rows, counters, settings, the
/// archived flag or the deletion, `updated_at`, and one event (last). The
/// outcome's community is the one after the change (as it was, for a
/// delete).
pub(crate) async fn apply<T: CommandTx>(
    tx: &mut T,
    before: Community,
    actor: Actor,
    people: &[(UserId, UserNum)],
    decision: &Decision,
    mut after: Standings,
) -> Result<Outcome, T::Error> {
    let now = tx.now();
    let mut community = before.clone();
    let mut deleted = false;
    for change in &decision.changes {
        match change {
            Change::Standing(transition) => {
                let user_num = match people.iter().find(|(id, _)| *id == transition.user) {
                    Some(&(_, num)) => num,
                    None => match tx.user_num(transition.user).await? {
                        Some(num) => num,
                        None => return Err(DomainError::UserNotFound.into()),
                    },
                };
                move_standing(tx, CommunityNum(community.num), user_num, transition, now).await?;
                if community.state.site {
                    // Site membership is the member's privacy status (Wix's
                    // `privacyStatus`): a change of it is a change of the user.
                    tx.touch_user(user_num, now).await?;
                }
                community
                    .state
                    .counters
                    .apply(transition.from, transition.to);
                after.record(transition);
            }
            Change::Settings(settings) => {
                if tx
                    .name_taken(&settings.name, Some(CommunityNum(community.num)))
                    .await?
                {
                    return Err(DomainError::NameTaken.into());
                }
                community.state.settings = settings.clone();
            }
            Change::Archived(archived) => community.state.archived = *archived,
            Change::Delete => {
                tx.delete_community(CommunityNum(community.num)).await?;
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
        tx.update_community(&community).await?;
    }
    let mut event = EventRecord {
        seq: 0,
        at: now,
        community: community.id(),
        actor: actor.user,
        subject: decision.subject,
        kind: decision.kind,
        reason: decision.reason.clone(),
    };
    event.seq = tx.insert_event(&event).await?;
    Ok(Outcome {
        community,
        actor_standing: after.actor.1,
        subject_standing: after.subject.1,
        event: Some(event),
        usernames: None,
    })
}

/// Move one person from `transition.from` to `transition.to`, after
/// checking the row still says `from`.
async fn move_standing<T: CommandTx>(
    tx: &mut T,
    community: CommunityNum,
    user: UserNum,
    transition: &Transition,
    now: DateTime<Utc>,
) -> Result<(), T::Error> {
    // The engine decided on the row read in this same transaction, under the
    // community lock; if it differs now, applying the move would make the
    // counters lie.
    let current = tx.standing(community, user).await?;
    if current != transition.from {
        return Err(T::broken(format!(
            "membership changed under the transaction: expected {}, found {current}",
            transition.from
        )));
    }
    tx.write_standing(community, user, transition.to, now).await
}
