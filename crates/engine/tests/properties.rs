//! Property tests: random command sequences against a model of one
//! community (a `BTreeMap<UserId, Standing>` plus its `CommunityState`),
//! checking the engine's invariants after every step.

mod support;

use proptest::prelude::*;
use roster_engine::decide::validate_settings;
use roster_engine::{
    decide, decide_create, decide_under, Action, Actor, Change, Command, CommunityId,
    CommunityState, Context, Counters, Decision, DomainError, Effect, EventKind, JoinPolicy, Level,
    NewCommunity, Policy, Role, Settings, SettingsPatch, Standing, Transition, UserId, Visibility,
};
use std::collections::{BTreeMap, BTreeSet};
use support::{settings, user};

/// People in the model: user `i` has id `user(i + 1)`; user 0 creates the community.
const USERS: usize = 6;

fn person(index: usize) -> UserId {
    user(index as u128 + 1)
}

// ---------------------------------------------------------------------------
// Generated input
// ---------------------------------------------------------------------------

/// A command with its subject given as an index into the people.
#[derive(Clone, Debug)]
enum Op {
    Join,
    Leave,
    Invite(usize),
    Revoke(usize),
    Add(usize),
    Approve(usize),
    Reject(usize),
    Remove(usize),
    SetRole(usize, Role, Option<Role>),
    Transfer(usize),
    Ban(usize, u8),
    Unban(usize),
    Update(Option<u8>, Option<JoinPolicy>, Option<Visibility>),
    Archive,
    Unarchive,
    Delete,
}

#[derive(Clone, Debug)]
struct Step {
    actor: usize,
    admin: bool,
    op: Op,
}

const NAMES: [&str; 5] = ["Rust Club", "Rustaceans", "", " padded", "bell\u{7}"];
const REASONS: [Option<&str>; 3] = [None, Some("spam"), Some("nul\u{0}")];

/// Roles, biased towards owner so that communities with several owners
/// (where owners may leave, be demoted, removed or banned) are common.
fn role() -> impl Strategy<Value = Role> {
    prop_oneof![2 => Just(Role::Owner), 1 => Just(Role::Manager), 1 => Just(Role::Member)]
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0..USERS;
    prop_oneof![
        24 => Just(Op::Join),
        12 => Just(Op::Leave),
        15 => who.clone().prop_map(Op::Invite),
        6 => who.clone().prop_map(Op::Revoke),
        9 => who.clone().prop_map(Op::Add),
        9 => who.clone().prop_map(Op::Approve),
        6 => who.clone().prop_map(Op::Reject),
        12 => who.clone().prop_map(Op::Remove),
        24 => (who.clone(), role(), prop::option::of(role()))
            .prop_map(|(s, r, e)| Op::SetRole(s, r, e)),
        9 => who.clone().prop_map(Op::Transfer),
        9 => (who.clone(), 0..REASONS.len() as u8).prop_map(|(s, r)| Op::Ban(s, r)),
        6 => who.prop_map(Op::Unban),
        6 => (
            prop::option::of(0..NAMES.len() as u8),
            prop::option::of(prop::sample::select(JoinPolicy::ALL)),
            prop::option::of(prop::sample::select(Visibility::ALL)),
        )
            .prop_map(|(n, p, v)| Op::Update(n, p, v)),
        2 => Just(Op::Archive),
        6 => Just(Op::Unarchive),
        1 => Just(Op::Delete),
    ]
}

/// The actor: often person 0 (the creator, owner until they transfer),
/// otherwise anyone; sometimes with an elevated (`admin`) token.
fn step() -> impl Strategy<Value = Step> {
    let actor = prop_oneof![1 => Just(0), 2 => 0..USERS];
    (actor, prop::bool::weighted(0.2), op()).prop_map(|(actor, admin, op)| Step {
        actor,
        admin,
        op,
    })
}

fn command(op: &Op) -> Command {
    match *op {
        Op::Join => Command::Join,
        Op::Leave => Command::Leave,
        Op::Invite(s) => Command::Invite { subject: person(s) },
        Op::Revoke(s) => Command::RevokeInvitation { subject: person(s) },
        Op::Add(s) => Command::Add { subject: person(s) },
        Op::Approve(s) => Command::Approve { subject: person(s) },
        Op::Reject(s) => Command::Reject { subject: person(s) },
        Op::Remove(s) => Command::Remove { subject: person(s) },
        Op::SetRole(s, role, expect) => Command::SetRole {
            subject: person(s),
            role,
            expect,
        },
        Op::Transfer(s) => Command::TransferOwnership { subject: person(s) },
        Op::Ban(s, r) => Command::Ban {
            subject: person(s),
            reason: REASONS[r as usize].map(str::to_owned),
        },
        Op::Unban(s) => Command::Unban { subject: person(s) },
        Op::Update(name, policy, visibility) => Command::Update(SettingsPatch {
            name: name.map(|n| NAMES[n as usize].to_owned()),
            description: None,
            visibility,
            join_policy: policy,
            contribution_mode: None,
        }),
        Op::Archive => Command::Archive,
        Op::Unarchive => Command::Unarchive,
        Op::Delete => Command::Delete,
    }
}

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
struct Model {
    /// Everyone with a standing other than `None`.
    standings: BTreeMap<UserId, Standing>,
    state: CommunityState,
    deleted: bool,
}

impl Model {
    /// A community created by person 0 through `decide_create`.
    fn create(policy: JoinPolicy, site: bool) -> Result<Model, TestCaseError> {
        let creator = person(0);
        let new = NewCommunity {
            settings: settings(policy),
            site,
            members: Vec::new(),
        };
        let decision = decide_create(
            Actor {
                user: creator,
                admin: false,
            },
            &new,
        )
        .map_err(|e| TestCaseError::fail(format!("create refused: {e}")))?;
        prop_assert_eq!(decision.kind, EventKind::Created);
        let mut model = Model {
            standings: BTreeMap::new(),
            state: CommunityState {
                id: CommunityId(uuid::Uuid::from_u128(7)),
                settings: new.settings,
                archived: false,
                site,
                creator,
                counters: Counters::default(),
            },
            deleted: false,
        };
        model.apply(&decision)?;
        prop_assert_eq!(model.standing(creator), Standing::Member(Role::Owner));
        model.check_invariants()?;
        Ok(model)
    }

    fn standing(&self, user: UserId) -> Standing {
        self.standings.get(&user).copied().unwrap_or_default()
    }

    /// The counters recomputed from the standings.
    fn recount(&self) -> Counters {
        let mut counters = Counters::default();
        for standing in self.standings.values() {
            match standing {
                Standing::Member(role) => {
                    counters.members += 1;
                    if *role == Role::Owner {
                        counters.owners += 1;
                    }
                }
                Standing::Requested => counters.pending += 1,
                Standing::Invited => counters.invited += 1,
                Standing::None | Standing::Banned => {}
            }
        }
        counters
    }

    /// Applies an accepted decision, checking it against the model first.
    fn apply(&mut self, decision: &Decision) -> Result<(), TestCaseError> {
        prop_assert!(!decision.changes.is_empty(), "empty decision {decision:?}");
        let mut touched = BTreeSet::new();
        for change in &decision.changes {
            match change {
                Change::Standing(Transition { user, from, to }) => {
                    prop_assert!(touched.insert(*user), "two transitions for {user}");
                    prop_assert_eq!(*from, self.standing(*user), "stale from in {:?}", decision);
                    prop_assert_ne!(from, to, "transition X -> X in {:?}", decision);
                    prop_assert!(
                        kind_allows(decision.kind, *from, *to),
                        "{} does not allow {} -> {}",
                        decision.kind,
                        from,
                        to
                    );
                }
                Change::Settings(next) => {
                    prop_assert_eq!(decision.kind, EventKind::Updated);
                    prop_assert_ne!(next, &self.state.settings);
                    prop_assert_eq!(validate_settings(next), Ok(()));
                }
                Change::Archived(archived) => {
                    let kind = if *archived {
                        EventKind::Archived
                    } else {
                        EventKind::Unarchived
                    };
                    prop_assert_eq!(decision.kind, kind);
                    prop_assert_ne!(*archived, self.state.archived);
                }
                Change::Delete => prop_assert_eq!(decision.kind, EventKind::Deleted),
            }
        }
        for change in &decision.changes {
            match change {
                Change::Standing(Transition { user, from, to }) => {
                    if *to == Standing::None {
                        self.standings.remove(user);
                    } else {
                        self.standings.insert(*user, *to);
                    }
                    self.state.counters.apply(*from, *to);
                }
                Change::Settings(next) => self.state.settings = next.clone(),
                Change::Archived(archived) => self.state.archived = *archived,
                Change::Delete => {
                    self.deleted = true;
                    self.standings.clear();
                    self.state.counters = Counters::default();
                }
            }
        }
        Ok(())
    }

    fn check_invariants(&self) -> Result<(), TestCaseError> {
        let recount = self.recount();
        prop_assert_eq!(self.state.counters, recount, "counters differ from rows");
        if recount.members > 0 {
            prop_assert!(
                recount.owners > 0,
                "members but no owner: {:?}",
                self.standings
            );
        }
        prop_assert!(!self.standings.values().any(|s| *s == Standing::None));
        Ok(())
    }
}

/// The standing transitions each event kind may describe.
fn kind_allows(kind: EventKind, from: Standing, to: Standing) -> bool {
    use Standing::{Banned, Invited, Member, None, Requested};
    match kind {
        EventKind::Created => from == None && to == Member(Role::Owner),
        EventKind::Joined => from == None && to == Member(Role::Member),
        EventKind::Requested => from == None && to == Requested,
        EventKind::RequestWithdrawn | EventKind::Rejected => from == Requested && to == None,
        EventKind::Left | EventKind::Removed => from.is_member() && to == None,
        EventKind::Invited => from == None && to == Invited,
        EventKind::InvitationAccepted => from == Invited && to == Member(Role::Member),
        EventKind::InvitationDeclined | EventKind::InvitationRevoked => {
            from == Invited && to == None
        }
        EventKind::Added => {
            matches!(from, None | Invited | Requested) && to == Member(Role::Member)
        }
        EventKind::Approved => from == Requested && to == Member(Role::Member),
        EventKind::RoleChanged => from.is_member() && to.is_member(),
        EventKind::OwnershipTransferred => {
            (from.is_member() && to == Member(Role::Owner))
                || (from == Member(Role::Owner) && to == Member(Role::Manager))
        }
        EventKind::Banned => from != Banned && to == Banned,
        EventKind::Unbanned => from == Banned && to == None,
        EventKind::Updated
        | EventKind::Archived
        | EventKind::Unarchived
        | EventKind::Deleted
        | EventKind::PolicyChanged => false,
        // Only `roster import` writes it, never a command.
        EventKind::Imported => false,
    }
}

/// The settings `patch` would produce.
fn patched(current: &Settings, patch: &SettingsPatch) -> Settings {
    Settings {
        name: patch.name.clone().unwrap_or_else(|| current.name.clone()),
        description: patch
            .description
            .clone()
            .unwrap_or_else(|| current.description.clone()),
        visibility: patch.visibility.unwrap_or(current.visibility),
        join_policy: patch.join_policy.unwrap_or(current.join_policy),
        contribution_mode: patch.contribution_mode.unwrap_or(current.contribution_mode),
    }
}

/// `Unchanged` must mean the command's outcome already holds.
fn check_unchanged(ctx: &Context<'_>, command: &Command) -> Result<(), TestCaseError> {
    let subject = ctx.subject_standing;
    let holds = match command {
        Command::Join => matches!(
            ctx.actor_standing,
            Standing::Requested | Standing::Member(_)
        ),
        Command::Invite { .. } => matches!(subject, Standing::Invited | Standing::Member(_)),
        Command::RevokeInvitation { .. } => subject != Standing::Invited,
        Command::Add { .. } => subject.is_member(),
        Command::SetRole { role, .. } => subject == Standing::Member(*role),
        Command::TransferOwnership { subject: who } => {
            *who == ctx.actor.user
                || (subject == Standing::Member(Role::Owner)
                    && ctx.actor_standing != Standing::Member(Role::Owner))
        }
        Command::Ban { .. } => subject == Standing::Banned,
        Command::Unban { .. } => subject != Standing::Banned,
        Command::Update(patch) => patched(&ctx.community.settings, patch) == ctx.community.settings,
        Command::Unarchive => !ctx.community.archived,
        Command::Leave
        | Command::Approve { .. }
        | Command::Reject { .. }
        | Command::Remove { .. }
        | Command::Archive
        | Command::Delete => false,
    };
    prop_assert!(holds, "Unchanged for {:?} with {:?}", command, ctx);
    Ok(())
}

/// A refusal must be explained by the state it was decided on.
fn check_refusal(
    ctx: &Context<'_>,
    command: &Command,
    error: &DomainError,
) -> Result<(), TestCaseError> {
    let actor = ctx.actor_standing;
    let subject = ctx.subject_standing;
    let owner = Standing::Member(Role::Owner);
    let explained = match error {
        DomainError::Archived => ctx.community.archived,
        DomainError::LastOwner => {
            ctx.community.counters.owners <= 1 && (actor == owner || subject == owner)
        }
        DomainError::NotMember => matches!(actor, Standing::None | Standing::Banned),
        DomainError::Banned => actor == Standing::Banned,
        DomainError::SubjectBanned => subject == Standing::Banned,
        DomainError::NoRequest => subject != Standing::Requested,
        DomainError::InvitationRequired => {
            actor == Standing::None && ctx.community.settings.join_policy == JoinPolicy::Invite
        }
        DomainError::SubjectNotMember => !subject.is_member(),
        DomainError::RoleMismatch { actual } => match command {
            Command::SetRole { expect, .. } => {
                subject == Standing::Member(*actual) && *expect != Some(*actual)
            }
            _ => false,
        },
        DomainError::Invalid { .. } => matches!(command, Command::Update(_) | Command::Ban { .. }),
        // Rank refusals: an admin is only refused banning themselves or
        // archiving / deleting the site community.
        DomainError::NotPermitted => {
            !ctx.actor.admin
                || matches!(command, Command::Ban { subject: s, .. } if *s == ctx.actor.user)
                || (ctx.community.site && matches!(command, Command::Archive | Command::Delete))
        }
        _ => false,
    };
    prop_assert!(explained, "{:?} for {:?} with {:?}", error, command, ctx);
    Ok(())
}

/// The actor's rank: 0 without a membership, 1 member, 2 manager, 3 owner, 4 admin.
fn rank(actor: Actor, standing: Standing) -> u8 {
    match (actor.admin, standing) {
        (true, _) => 4,
        (false, Standing::Member(Role::Owner)) => 3,
        (false, Standing::Member(Role::Manager)) => 2,
        (false, Standing::Member(Role::Member)) => 1,
        (false, _) => 0,
    }
}

/// An accepted decision must be one the actor's rank allows.
fn check_permitted(
    ctx: &Context<'_>,
    command: &Command,
    decision: &Decision,
) -> Result<(), TestCaseError> {
    let actor = rank(ctx.actor, ctx.actor_standing);
    let subject = rank(
        Actor {
            admin: false,
            ..ctx.actor
        },
        ctx.subject_standing,
    );
    let on_someone_else = command.subject().is_some_and(|s| s != ctx.actor.user);
    let permitted = match decision.kind {
        // Self-service: anyone may act on their own standing.
        EventKind::Joined
        | EventKind::Requested
        | EventKind::RequestWithdrawn
        | EventKind::Left
        | EventKind::InvitationAccepted
        | EventKind::InvitationDeclined => !on_someone_else,
        EventKind::Removed | EventKind::Banned => actor >= 2 && actor > subject,
        EventKind::RoleChanged => match command {
            Command::SetRole { role, .. } => {
                actor >= 3 || (actor == 2 && subject == 1 && *role == Role::Manager)
            }
            _ => false,
        },
        EventKind::Invited
        | EventKind::InvitationRevoked
        | EventKind::Added
        | EventKind::Approved
        | EventKind::Rejected
        | EventKind::Unbanned
        | EventKind::Updated => actor >= 2,
        EventKind::OwnershipTransferred
        | EventKind::Archived
        | EventKind::Unarchived
        | EventKind::Deleted => actor >= 3,
        EventKind::Created | EventKind::PolicyChanged | EventKind::Imported => false,
    };
    prop_assert!(
        permitted,
        "{:?} accepted for {:?} with {:?}",
        decision,
        command,
        ctx
    );
    Ok(())
}

/// Whatever the policy, removing or banning someone else needs a rank
/// above theirs.
fn check_outranks(ctx: &Context<'_>, decision: &Decision) -> Result<(), TestCaseError> {
    if matches!(decision.kind, EventKind::Removed | EventKind::Banned)
        && decision.subject != Some(ctx.actor.user)
    {
        let subject = rank(
            Actor {
                admin: false,
                ..ctx.actor
            },
            ctx.subject_standing,
        );
        prop_assert!(
            rank(ctx.actor, ctx.actor_standing) > subject,
            "{:?} without outranking, {:?}",
            decision,
            ctx
        );
    }
    Ok(())
}

/// Any policy the engine accepts: a random level for each action, the
/// ones an action refuses skipped.
fn any_policy() -> impl Strategy<Value = Policy> {
    prop::collection::vec(prop::sample::select(Level::ALL), Action::ALL.len()).prop_map(|levels| {
        let mut policy = Policy::default();
        for (&action, level) in Action::ALL.iter().zip(levels) {
            let _ = policy.set(action, level);
        }
        policy
    })
}

/// A community created with `policy` (the site's when `site`), then the
/// steps in turn until one deletes it; the model as they left it.
fn run_all(
    policy: JoinPolicy,
    site: bool,
    steps: &[Step],
    configured: Option<&Policy>,
) -> Result<Model, TestCaseError> {
    let mut model = Model::create(policy, site)?;
    for step in steps {
        if model.deleted {
            break;
        }
        run_under(&mut model, step, configured)?;
    }
    Ok(model)
}

/// Runs one step against the model and checks every invariant afterwards;
/// under a configured policy (issue 14) when `policy` is given:
/// the rank checks are the policy's, and everything else must hold as
/// under the defaults (the invariants, the rank needed over a subject).
fn run_under(model: &mut Model, step: &Step, policy: Option<&Policy>) -> Result<(), TestCaseError> {
    let command = command(&step.op);
    let actor = Actor {
        user: person(step.actor),
        admin: step.admin,
    };
    let actor_standing = model.standing(actor.user);
    let subject_standing = command
        .subject()
        .map_or(actor_standing, |s| model.standing(s));
    let before = model.clone();
    let ctx = Context {
        community: &before.state,
        actor,
        actor_standing,
        subject_standing,
    };
    let decide_once = || match policy {
        Some(policy) => decide_under(policy, &ctx, &command),
        None => decide(&ctx, &command),
    };
    let result = decide_once();
    prop_assert_eq!(&decide_once(), &result, "decide is not deterministic");
    match &result {
        // Any policy may refuse any rank: only other refusals need a reason.
        Err(DomainError::NotPermitted) if policy.is_some() => {}
        Err(error) => check_refusal(&ctx, &command, error)?,
        Ok(Effect::Unchanged) => check_unchanged(&ctx, &command)?,
        Ok(Effect::Changed(decision)) => {
            match policy {
                None => check_permitted(&ctx, &command, decision)?,
                Some(_) => check_outranks(&ctx, decision)?,
            }
            model.apply(decision)?;
        }
    }
    if !matches!(result, Ok(Effect::Changed(_))) {
        prop_assert_eq!(
            &*model,
            &before,
            "refused or unchanged command changed the model"
        );
    }
    model.check_invariants()
}

/// Join then leave by someone with no standing; returns the counters after.
fn join_and_leave(state: &CommunityState, fresh: UserId) -> Result<Counters, TestCaseError> {
    let actor = Actor {
        user: fresh,
        admin: false,
    };
    let mut state = state.clone();
    let ctx = Context {
        community: &state,
        actor,
        actor_standing: Standing::None,
        subject_standing: Standing::None,
    };
    let joined = decide(&ctx, &Command::Join);
    let (kind, standing) = match state.settings.join_policy {
        JoinPolicy::Open => (EventKind::Joined, Standing::Member(Role::Member)),
        JoinPolicy::Request => (EventKind::Requested, Standing::Requested),
        JoinPolicy::Invite => {
            prop_assert_eq!(joined, Err(DomainError::InvitationRequired));
            return Ok(state.counters);
        }
    };
    prop_assert_eq!(
        joined,
        Ok(Effect::Changed(support::moved(
            kind,
            fresh,
            Standing::None,
            standing
        )))
    );
    state.counters.apply(Standing::None, standing);
    let ctx = Context {
        community: &state,
        actor,
        actor_standing: standing,
        subject_standing: standing,
    };
    let leave_kind = if standing.is_member() {
        EventKind::Left
    } else {
        EventKind::RequestWithdrawn
    };
    prop_assert_eq!(
        decide(&ctx, &Command::Leave),
        Ok(Effect::Changed(support::moved(
            leave_kind,
            fresh,
            standing,
            Standing::None
        )))
    );
    state.counters.apply(standing, Standing::None);
    Ok(state.counters)
}

fn counters() -> impl Strategy<Value = Counters> {
    (1i64..100_000)
        .prop_flat_map(|members| (Just(members), 1..=members, 0i64..1000, 0i64..1000))
        .prop_map(|(members, owners, pending, invited)| Counters {
            members,
            owners,
            pending,
            invited,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_sequences_keep_every_invariant(
        policy in prop::sample::select(JoinPolicy::ALL),
        site in prop::bool::weighted(0.2),
        steps in prop::collection::vec(step(), 0..=200),
    ) {
        let model = run_all(policy, site, &steps, None)?;
        // Whatever happened, someone new joining an open community and
        // leaving again leaves the counters as they were.
        if !model.deleted && !model.state.archived {
            let mut open = model.state.clone();
            open.settings.join_policy = JoinPolicy::Open;
            prop_assert_eq!(join_and_leave(&open, user(1000))?, model.state.counters);
        }
    }

    #[test]
    fn no_policy_breaks_an_invariant(
        configured in any_policy(),
        policy in prop::sample::select(JoinPolicy::ALL),
        site in prop::bool::weighted(0.2),
        steps in prop::collection::vec(step(), 0..=200),
    ) {
        run_all(policy, site, &steps, Some(&configured))?;
    }

    #[test]
    fn join_then_leave_by_fresh_user_restores_counters(
        counters in counters(),
        policy in prop::sample::select(JoinPolicy::ALL),
        visibility in prop::sample::select(Visibility::ALL),
    ) {
        let mut state = support::community().policy(policy).build();
        state.settings.visibility = visibility;
        state.counters = counters;
        prop_assert_eq!(join_and_leave(&state, user(1000))?, counters);
    }
}
