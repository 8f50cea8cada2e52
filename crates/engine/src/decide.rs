//! The decision function: `(community, actor, subject, command) -> Effect`.
//!
//! Ranks: a person with no membership has rank 0, then member < manager <
//! owner, and an elevated (`admin`) actor outranks every role. "Manager+"
//! means a rank of manager or more. Refusals change nothing. Rank is decided
//! before the last-owner rule: an actor who may not touch the subject at all
//! gets `NotPermitted`, never `LastOwner` (which would tell them the subject
//! is the only owner).
//!
//! | subject's standing | command (by whom) | result |
//! |---|---|---|
//! | any | any command but unarchive on an archived community | `Archived` (leave by a non-member: `NotMember` first) |
//! | none | join (self), policy open | member (`joined`) |
//! | none | join (self), policy request | requested (`requested`) |
//! | none | join (self), policy invite | `InvitationRequired` |
//! | invited | join (self) | member (`invitation_accepted`) |
//! | requested / member | join (self) | unchanged |
//! | banned | join (self) | `Banned` |
//! | member, not the last owner | leave (self) | none (`left`) |
//! | member, the last owner | leave (self) | `LastOwner` |
//! | requested | leave (self) | none (`request_withdrawn`) |
//! | invited | leave (self) | none (`invitation_declined`) |
//! | none / banned | leave (self) | `NotMember` |
//! | none | invite (manager+) | invited (`invited`) |
//! | requested | invite (manager+) | member (`approved`) |
//! | invited / member | invite (manager+) | unchanged |
//! | banned | invite / add (manager+) | `SubjectBanned` |
//! | invited | revoke invitation (manager+) | none (`invitation_revoked`); anything else unchanged |
//! | none / invited / requested | add (manager+) | member (`added`) |
//! | member | add (manager+) | unchanged |
//! | requested | approve (manager+) | member (`approved`) |
//! | requested | reject (manager+) | none (`rejected`) |
//! | not requested | approve / reject | `NoRequest` |
//! | requested | remove (manager+) | none (`rejected`) |
//! | invited | remove (manager+) | none (`invitation_revoked`) |
//! | none / banned | remove (manager+) | `SubjectNotMember` |
//! | member of equal or higher rank (the last owner too) | remove / ban (anyone but admin) | `NotPermitted` |
//! | the last owner | remove / ban (admin) | `LastOwner` |
//! | member below the actor's rank | remove (manager+) | none (`removed`) |
//! | the actor | remove (self) | decided as leave |
//! | member | set role (owner or admin: any role) | new role (`role_changed`) |
//! | member | set role (manager: member → manager only) | new role (`role_changed`) |
//! | member, the last owner | set role below owner (owner or admin) | `LastOwner` |
//! | member, the last owner | set role (manager) | `NotPermitted` |
//! | member, role ≠ `expect` | set role with `expect` | `RoleMismatch` |
//! | member, role = new role | set role | unchanged |
//! | not a member | set role / transfer | `SubjectNotMember` |
//! | member | transfer ownership (an owner) | subject owner, actor manager (`ownership_transferred`) |
//! | member | transfer ownership (admin, not an owner) | subject owner (`ownership_transferred`) |
//! | any but banned | ban (manager+ over a lower rank) | banned (`banned`) |
//! | banned | ban | unchanged |
//! | banned | unban (manager+) | none (`unbanned`); anything else unchanged |
//! | — | update settings (manager+) | `updated`, or unchanged when nothing differs |
//! | — | archive / unarchive / delete (owner or admin) | `archived` / `unarchived` / `deleted` |
//! | — | archive / delete the site community | `NotPermitted` |
//! | anyone below manager | invite, add, approve, reject, remove, set role, ban, unban, update | `NotPermitted` |

use crate::command::{Command, NewCommunity, SettingsPatch};
use crate::error::DomainError;
use crate::event::{Change, Decision, Effect, EventKind, Transition};
use crate::ids::UserId;
use crate::model::{Actor, CommunityState, JoinPolicy, Role, Settings, Standing};

use crate::community_text::validate_text;
pub use crate::community_text::{validate_settings, MAX_DESCRIPTION, MAX_NAME};
use crate::guards::{
    refuse_last_owner, refuse_on_site, require, require_here_or_anywhere, require_manager,
    require_outranks,
};
use crate::policy::{Action, Policy, Rank};

/// The projection a decision reads: the community, the actor and the
/// subject's standing (for self-service commands, the subject is the actor).
#[derive(Clone, Debug)]
pub struct Context<'a> {
    pub community: &'a CommunityState,
    pub actor: Actor,
    pub actor_standing: Standing,
    pub subject_standing: Standing,
}

/// Most people a community may start with beside its owner.
pub const MAX_INITIAL_MEMBERS: usize = 1000;

/// Decide a community creation: validates the settings; the actor becomes
/// owner and each of `new.members` (duplicates and the actor aside) a member,
/// all in one `created` event.
pub fn decide_create(actor: Actor, new: &NewCommunity) -> Result<Decision, DomainError> {
    decide_create_under(&Policy::default(), actor, new)
}

/// [`decide_create`] under `policy`: its `create` level decides who may
/// (an admin's rank is admin, anyone else's member). The site community's
/// founding is not governed: it follows the first account.
pub fn decide_create_under(
    policy: &Policy,
    actor: Actor,
    new: &NewCommunity,
) -> Result<Decision, DomainError> {
    let rank = if actor.admin {
        Rank::Admin
    } else {
        Rank::Member
    };
    if !new.site && !policy.allows(Action::Create, rank) {
        return Err(DomainError::NotPermitted);
    }
    validate_settings(&new.settings)?;
    if new.members.len() > MAX_INITIAL_MEMBERS {
        return Err(DomainError::Invalid {
            field: "members",
            reason: "at most 1000 initial members",
        });
    }
    let mut changes = vec![Change::Standing(Transition {
        user: actor.user,
        from: Standing::None,
        to: Standing::Member(Role::Owner),
    })];
    let mut seen = std::collections::BTreeSet::from([actor.user]);
    for &user in &new.members {
        if seen.insert(user) {
            changes.push(Change::Standing(Transition {
                user,
                from: Standing::None,
                to: Standing::Member(Role::Member),
            }));
        }
    }
    Ok(Decision {
        kind: EventKind::Created,
        subject: Some(actor.user),
        reason: None,
        changes,
    })
}

/// Decide one command under the default policy. See the module
/// documentation for the table.
pub fn decide(ctx: &Context<'_>, command: &Command) -> Result<Effect, DomainError> {
    decide_under(&Policy::default(), ctx, command)
}

/// Decide one command under `policy` (see [`crate::policy`]): the policy
/// says which ranks may try each command; the table's other rules, the
/// last-owner rule first, hold whatever it says.
pub fn decide_under(
    p: &Policy,
    ctx: &Context<'_>,
    command: &Command,
) -> Result<Effect, DomainError> {
    if let Some(subject) = command.subject() {
        if subject == ctx.actor.user && matches!(command, Command::Remove { .. }) {
            return decide_under(p, ctx, &Command::Leave);
        }
    }
    match command {
        Command::Join => join(ctx),
        Command::Leave => leave(p, ctx),
        Command::Unarchive => {
            require(p, ctx, Action::Unarchive)?;
            if !ctx.community.archived {
                return Ok(Effect::Unchanged);
            }
            Ok(community_change(
                EventKind::Unarchived,
                Change::Archived(false),
            ))
        }
        _ if ctx.community.archived => Err(DomainError::Archived),
        Command::Archive => {
            require(p, ctx, Action::Archive)?;
            refuse_on_site(ctx)?;
            Ok(community_change(
                EventKind::Archived,
                Change::Archived(true),
            ))
        }
        Command::Delete => {
            require(p, ctx, Action::Delete)?;
            refuse_on_site(ctx)?;
            Ok(community_change(EventKind::Deleted, Change::Delete))
        }
        Command::Update(patch) => update(ctx, patch),
        Command::Invite { subject } => invite(p, ctx, *subject),
        Command::RevokeInvitation { subject } => {
            require_invite(p, ctx)?;
            match ctx.subject_standing {
                Standing::Invited => Ok(move_subject(
                    ctx,
                    *subject,
                    EventKind::InvitationRevoked,
                    Standing::None,
                )),
                _ => Ok(Effect::Unchanged),
            }
        }
        Command::Add { subject } => {
            require_invite(p, ctx)?;
            match ctx.subject_standing {
                Standing::None | Standing::Invited | Standing::Requested => Ok(move_subject(
                    ctx,
                    *subject,
                    EventKind::Added,
                    Standing::Member(Role::Member),
                )),
                Standing::Member(_) => Ok(Effect::Unchanged),
                Standing::Banned => Err(DomainError::SubjectBanned),
            }
        }
        Command::Approve { subject } => {
            require_invite(p, ctx)?;
            if ctx.subject_standing != Standing::Requested {
                return Err(DomainError::NoRequest);
            }
            Ok(move_subject(
                ctx,
                *subject,
                EventKind::Approved,
                Standing::Member(Role::Member),
            ))
        }
        Command::Reject { subject } => {
            require_invite(p, ctx)?;
            if ctx.subject_standing != Standing::Requested {
                return Err(DomainError::NoRequest);
            }
            Ok(move_subject(
                ctx,
                *subject,
                EventKind::Rejected,
                Standing::None,
            ))
        }
        Command::Remove { subject } => remove(p, ctx, *subject),
        Command::SetRole {
            subject,
            role,
            expect,
        } => set_role(p, ctx, *subject, *role, *expect),
        Command::TransferOwnership { subject } => transfer(p, ctx, *subject),
        Command::Ban { subject, reason } => ban(p, ctx, *subject, reason.clone()),
        Command::Unban { subject } => {
            require(p, ctx, Action::Ban)?;
            if ctx.subject_standing != Standing::Banned {
                return Ok(Effect::Unchanged);
            }
            Ok(move_subject(
                ctx,
                *subject,
                EventKind::Unbanned,
                Standing::None,
            ))
        }
    }
}

fn join(ctx: &Context<'_>) -> Result<Effect, DomainError> {
    if ctx.community.archived {
        return Err(DomainError::Archived);
    }
    let (kind, to) = match ctx.actor_standing {
        Standing::Banned => return Err(DomainError::Banned),
        Standing::Member(_) | Standing::Requested => return Ok(Effect::Unchanged),
        Standing::Invited => (
            EventKind::InvitationAccepted,
            Standing::Member(Role::Member),
        ),
        Standing::None => match ctx.community.settings.join_policy {
            JoinPolicy::Open => (EventKind::Joined, Standing::Member(Role::Member)),
            JoinPolicy::Request => (EventKind::Requested, Standing::Requested),
            JoinPolicy::Invite => return Err(DomainError::InvitationRequired),
        },
    };
    Ok(move_subject(ctx, ctx.actor.user, kind, to))
}

/// Inviting, adding and answering requests: `invite`, or `invite_anywhere`
/// for an admin from outside.
fn require_invite(p: &Policy, ctx: &Context<'_>) -> Result<(), DomainError> {
    require_here_or_anywhere(p, ctx, Action::Invite, Action::InviteAnywhere)
}

fn leave(p: &Policy, ctx: &Context<'_>) -> Result<Effect, DomainError> {
    let kind = match ctx.actor_standing {
        Standing::None | Standing::Banned => return Err(DomainError::NotMember),
        _ if ctx.community.archived => return Err(DomainError::Archived),
        Standing::Requested => EventKind::RequestWithdrawn,
        Standing::Invited => EventKind::InvitationDeclined,
        Standing::Member(role) => {
            require(p, ctx, Action::Leave)?;
            refuse_last_owner(ctx, role)?;
            EventKind::Left
        }
    };
    Ok(move_subject(ctx, ctx.actor.user, kind, Standing::None))
}

fn invite(p: &Policy, ctx: &Context<'_>, subject: UserId) -> Result<Effect, DomainError> {
    require_invite(p, ctx)?;
    match ctx.subject_standing {
        Standing::None => Ok(move_subject(
            ctx,
            subject,
            EventKind::Invited,
            Standing::Invited,
        )),
        Standing::Requested => Ok(move_subject(
            ctx,
            subject,
            EventKind::Approved,
            Standing::Member(Role::Member),
        )),
        Standing::Invited | Standing::Member(_) => Ok(Effect::Unchanged),
        Standing::Banned => Err(DomainError::SubjectBanned),
    }
}

fn remove(p: &Policy, ctx: &Context<'_>, subject: UserId) -> Result<Effect, DomainError> {
    require_here_or_anywhere(p, ctx, Action::Remove, Action::RemoveAnywhere)?;
    match ctx.subject_standing {
        Standing::None | Standing::Banned => Err(DomainError::SubjectNotMember),
        Standing::Requested => Ok(move_subject(
            ctx,
            subject,
            EventKind::Rejected,
            Standing::None,
        )),
        Standing::Invited => Ok(move_subject(
            ctx,
            subject,
            EventKind::InvitationRevoked,
            Standing::None,
        )),
        Standing::Member(role) => {
            // Rank first: someone who may not remove this member at all must
            // not learn that they are the last owner.
            require_outranks(ctx, role)?;
            refuse_last_owner(ctx, role)?;
            Ok(move_subject(
                ctx,
                subject,
                EventKind::Removed,
                Standing::None,
            ))
        }
    }
}

fn set_role(
    p: &Policy,
    ctx: &Context<'_>,
    subject: UserId,
    role: Role,
    expect: Option<Role>,
) -> Result<Effect, DomainError> {
    let rank = Rank::of(ctx.actor.admin, ctx.actor_standing);
    if !p.allows(Action::SetManager, rank) && !p.allows(Action::SetOwner, rank) {
        return Err(DomainError::NotPermitted);
    }
    let Standing::Member(current) = ctx.subject_standing else {
        return Err(DomainError::SubjectNotMember);
    };
    if let Some(expected) = expect {
        if expected != current {
            return Err(DomainError::RoleMismatch { actual: current });
        }
    }
    if current == role {
        return Ok(Effect::Unchanged);
    }
    let permitted = if current == Role::Owner || role == Role::Owner {
        p.allows(Action::SetOwner, rank)
    } else {
        // Member <-> manager; demoting a manager needs a rank above manager.
        p.allows(Action::SetManager, rank) && (current == Role::Member || rank > Rank::Manager)
    };
    if !permitted {
        return Err(DomainError::NotPermitted);
    }
    refuse_last_owner(ctx, current)?;
    Ok(move_subject(
        ctx,
        subject,
        EventKind::RoleChanged,
        Standing::Member(role),
    ))
}

fn transfer(p: &Policy, ctx: &Context<'_>, subject: UserId) -> Result<Effect, DomainError> {
    let actor_is_owner = ctx.actor_standing == Standing::Member(Role::Owner);
    if (!actor_is_owner && !ctx.actor.admin) || require(p, ctx, Action::SetOwner).is_err() {
        return Err(DomainError::NotPermitted);
    }
    let Standing::Member(current) = ctx.subject_standing else {
        return Err(DomainError::SubjectNotMember);
    };
    if subject == ctx.actor.user {
        return Ok(Effect::Unchanged);
    }
    let mut changes = Vec::with_capacity(2);
    if current != Role::Owner {
        changes.push(Change::Standing(Transition {
            user: subject,
            from: ctx.subject_standing,
            to: Standing::Member(Role::Owner),
        }));
    }
    if actor_is_owner {
        changes.push(Change::Standing(Transition {
            user: ctx.actor.user,
            from: ctx.actor_standing,
            to: Standing::Member(Role::Manager),
        }));
    }
    if changes.is_empty() {
        return Ok(Effect::Unchanged);
    }
    Ok(Effect::Changed(Decision {
        kind: EventKind::OwnershipTransferred,
        subject: Some(subject),
        reason: None,
        changes,
    }))
}

fn ban(
    p: &Policy,
    ctx: &Context<'_>,
    subject: UserId,
    reason: Option<String>,
) -> Result<Effect, DomainError> {
    require(p, ctx, Action::Ban)?;
    if subject == ctx.actor.user {
        return Err(DomainError::NotPermitted);
    }
    if let Some(reason) = &reason {
        validate_text("reason", reason, MAX_DESCRIPTION, true)?;
    }
    match ctx.subject_standing {
        Standing::Banned => return Ok(Effect::Unchanged),
        Standing::Member(role) => {
            require_outranks(ctx, role)?;
            refuse_last_owner(ctx, role)?;
        }
        Standing::None | Standing::Invited | Standing::Requested => {}
    }
    let Effect::Changed(mut decision) =
        move_subject(ctx, subject, EventKind::Banned, Standing::Banned)
    else {
        unreachable!("move_subject always changes");
    };
    decision.reason = reason;
    Ok(Effect::Changed(decision))
}

fn update(ctx: &Context<'_>, patch: &SettingsPatch) -> Result<Effect, DomainError> {
    require_manager(ctx)?;
    let current = &ctx.community.settings;
    let next = Settings {
        name: patch.name.clone().unwrap_or_else(|| current.name.clone()),
        description: patch
            .description
            .clone()
            .unwrap_or_else(|| current.description.clone()),
        visibility: patch.visibility.unwrap_or(current.visibility),
        join_policy: patch.join_policy.unwrap_or(current.join_policy),
        contribution_mode: patch.contribution_mode.unwrap_or(current.contribution_mode),
    };
    validate_settings(&next)?;
    if &next == current {
        return Ok(Effect::Unchanged);
    }
    Ok(community_change(EventKind::Updated, Change::Settings(next)))
}

/// An accepted change of the subject's (or, for self-service, the actor's) standing.
fn move_subject(ctx: &Context<'_>, user: UserId, kind: EventKind, to: Standing) -> Effect {
    let from = if user == ctx.actor.user {
        ctx.actor_standing
    } else {
        ctx.subject_standing
    };
    Effect::Changed(Decision {
        kind,
        subject: Some(user),
        reason: None,
        changes: vec![Change::Standing(Transition { user, from, to })],
    })
}

fn community_change(kind: EventKind, change: Change) -> Effect {
    Effect::Changed(Decision {
        kind,
        subject: None,
        reason: None,
        changes: vec![change],
    })
}
