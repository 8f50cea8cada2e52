//! Small builders shared by the engine's integration tests: deterministic
//! ids, a community builder, a `Scene` (community + actor + standings) that
//! builds the `Context` and calls `decide`, and exact-result assertions.

// Each test crate (`transitions`, `properties`) uses a different subset.
#![allow(dead_code)]

use roster_engine::{
    decide, Actor, Change, Command, CommunityId, CommunityState, Context, ContributionMode,
    Counters, Decision, DomainError, Effect, EventKind, JoinPolicy, Role, Settings, SettingsPatch,
    Standing, Transition, UserId, Visibility,
};
use uuid::Uuid;

/// The person issuing the command in a `Scene`.
pub const ACTOR: UserId = UserId(Uuid::from_u128(1));
/// The person a command is about, when it is not the actor.
pub const SUBJECT: UserId = UserId(Uuid::from_u128(2));
/// The community's creator (neither actor nor subject unless a test says so).
pub const CREATOR: UserId = UserId(Uuid::from_u128(3));

pub const OWNER: Standing = Standing::Member(Role::Owner);
pub const MANAGER: Standing = Standing::Member(Role::Manager);
pub const MEMBER: Standing = Standing::Member(Role::Member);

/// A deterministic user id.
pub fn user(n: u128) -> UserId {
    UserId(Uuid::from_u128(n))
}

/// Valid settings with the given join policy.
pub fn settings(policy: JoinPolicy) -> Settings {
    Settings {
        name: "Rust Club".to_owned(),
        description: "We talk about Rust.\nEvery week.".to_owned(),
        visibility: Visibility::Public,
        join_policy: policy,
        contribution_mode: ContributionMode::Anyone,
    }
}

/// Builds a `CommunityState`. Defaults: open, public, not archived, not the
/// site community, two owners among four members (so that "last owner" is
/// never hit unless a test asks for `.owners(1)`).
pub struct CommunityBuilder(CommunityState);

pub fn community() -> CommunityBuilder {
    CommunityBuilder(CommunityState {
        id: CommunityId(Uuid::from_u128(100)),
        settings: settings(JoinPolicy::Open),
        archived: false,
        site: false,
        creator: CREATOR,
        counters: Counters {
            members: 4,
            owners: 2,
            pending: 1,
            invited: 1,
        },
    })
}

impl CommunityBuilder {
    pub fn policy(mut self, policy: JoinPolicy) -> Self {
        self.0.settings.join_policy = policy;
        self
    }
    pub fn private(mut self) -> Self {
        self.0.settings.visibility = Visibility::Private;
        self
    }
    pub fn archived(mut self) -> Self {
        self.0.archived = true;
        self
    }
    pub fn site(mut self) -> Self {
        self.0.site = true;
        self
    }
    /// Sets the owner count (and raises the member count to hold them).
    pub fn owners(mut self, owners: i64) -> Self {
        self.0.counters.owners = owners;
        self.0.counters.members = self.0.counters.members.max(owners);
        self
    }
    pub fn build(self) -> CommunityState {
        self.0
    }
}

/// One decision's inputs: the community, who acts (with what standing),
/// and the standing of the subject.
#[derive(Clone, Debug)]
pub struct Scene {
    pub community: CommunityState,
    pub actor: Actor,
    pub actor_standing: Standing,
    pub subject_standing: Standing,
}

/// A scene in `community` where `ACTOR` (not elevated) has no standing and
/// neither has `SUBJECT`.
pub fn scene(community: CommunityState) -> Scene {
    Scene {
        community,
        actor: Actor {
            user: ACTOR,
            admin: false,
        },
        actor_standing: Standing::None,
        subject_standing: Standing::None,
    }
}

impl Scene {
    /// The actor's standing.
    pub fn actor(mut self, standing: Standing) -> Self {
        self.actor_standing = standing;
        self
    }
    /// For self-service commands (join, leave): the actor is the subject.
    pub fn me(mut self, standing: Standing) -> Self {
        self.actor_standing = standing;
        self.subject_standing = standing;
        self
    }
    /// The actor's token is elevated (`admin`).
    pub fn admin(mut self) -> Self {
        self.actor.admin = true;
        self
    }
    /// The subject's standing.
    pub fn subject(mut self, standing: Standing) -> Self {
        self.subject_standing = standing;
        self
    }
    pub fn context(&self) -> Context<'_> {
        Context {
            community: &self.community,
            actor: self.actor,
            actor_standing: self.actor_standing,
            subject_standing: self.subject_standing,
        }
    }
    pub fn decide(&self, command: &Command) -> Result<Effect, DomainError> {
        decide(&self.context(), command)
    }
}

/// The one-transition decision a standing change must produce.
pub fn moved(kind: EventKind, user: UserId, from: Standing, to: Standing) -> Decision {
    Decision {
        kind,
        subject: Some(user),
        reason: None,
        changes: vec![Change::Standing(Transition { user, from, to })],
    }
}

/// Asserts `result` is exactly one event `kind` moving `user` from `from` to `to`.
#[track_caller]
pub fn assert_moves(
    result: Result<Effect, DomainError>,
    kind: EventKind,
    user: UserId,
    from: Standing,
    to: Standing,
) {
    assert_eq!(
        result,
        Ok(Effect::Changed(moved(kind, user, from, to))),
        "expected {kind}: {from} -> {to}"
    );
}

/// Asserts `result` is exactly one community-level change with event `kind`.
#[track_caller]
pub fn assert_community_change(
    result: Result<Effect, DomainError>,
    kind: EventKind,
    change: Change,
) {
    assert_eq!(
        result,
        Ok(Effect::Changed(Decision {
            kind,
            subject: None,
            reason: None,
            changes: vec![change],
        }))
    );
}

#[track_caller]
pub fn assert_unchanged(result: Result<Effect, DomainError>) {
    assert_eq!(result, Ok(Effect::Unchanged));
}

#[track_caller]
pub fn assert_refused(result: Result<Effect, DomainError>, error: DomainError) {
    assert_eq!(result, Err(error));
}

/// Every command, each aimed at `subject` where it takes one.
pub fn every_command(subject: UserId) -> Vec<Command> {
    vec![
        Command::Join,
        Command::Leave,
        Command::Invite { subject },
        Command::RevokeInvitation { subject },
        Command::Add { subject },
        Command::Approve { subject },
        Command::Reject { subject },
        Command::Remove { subject },
        Command::SetRole {
            subject,
            role: Role::Manager,
            expect: None,
        },
        Command::TransferOwnership { subject },
        Command::Ban {
            subject,
            reason: None,
        },
        Command::Unban { subject },
        Command::Update(SettingsPatch {
            name: Some("Renamed".to_owned()),
            ..SettingsPatch::default()
        }),
        Command::Archive,
        Command::Unarchive,
        Command::Delete,
    ]
}
