//! The permission policy (issue 14): a changed level takes effect on the
//! commands it governs, and the invariants hold whatever it says. The
//! defaults are the transition table's (`tests/transitions/`).

mod support;

use roster_engine::{
    decide_create_under, decide_under, Action, Actor, Command, DomainError, Effect, EventKind,
    JoinPolicy, Level, NewCommunity, Policy, Role, Standing,
};
use support::*;

fn with(action: Action, level: Level) -> Policy {
    let mut policy = Policy::default();
    policy.set(action, level).expect("accepted level");
    policy
}

fn under(policy: &Policy, scene: &Scene, command: &Command) -> Result<Effect, DomainError> {
    decide_under(policy, &scene.context(), command)
}

fn kind(result: Result<Effect, DomainError>) -> EventKind {
    match result {
        Ok(Effect::Changed(decision)) => decision.kind,
        other => panic!("expected a change, got {other:?}"),
    }
}

const INVITE: Command = Command::Invite { subject: SUBJECT };
const REMOVE: Command = Command::Remove { subject: SUBJECT };

#[test]
fn invite_at_member_lets_members_invite() {
    let scene = scene(community().build()).actor(MEMBER);
    assert_eq!(scene.decide(&INVITE), Err(DomainError::NotPermitted));
    let policy = with(Action::Invite, Level::Member);
    assert_eq!(kind(under(&policy, &scene, &INVITE)), EventKind::Invited);
}

#[test]
fn invite_at_owner_refuses_managers() {
    let scene = scene(community().build()).actor(MANAGER);
    assert_eq!(kind(scene.decide(&INVITE)), EventKind::Invited);
    let policy = with(Action::Invite, Level::Owner);
    assert_eq!(
        under(&policy, &scene, &INVITE),
        Err(DomainError::NotPermitted)
    );
}

#[test]
fn remove_anywhere_nobody_stops_an_outside_admin_but_not_a_member_admin() {
    let policy = with(Action::RemoveAnywhere, Level::Nobody);
    let outside = scene(community().build()).admin().subject(MEMBER);
    assert_eq!(kind(outside.decide(&REMOVE)), EventKind::Removed);
    assert_eq!(
        under(&policy, &outside, &REMOVE),
        Err(DomainError::NotPermitted)
    );
    let inside = scene(community().build())
        .admin()
        .actor(MEMBER)
        .subject(MEMBER);
    assert_eq!(kind(under(&policy, &inside, &REMOVE)), EventKind::Removed);
}

#[test]
fn remove_at_member_still_needs_a_higher_rank() {
    let policy = with(Action::Remove, Level::Member);
    let scene = scene(community().build()).actor(MEMBER).subject(MEMBER);
    assert_eq!(
        under(&policy, &scene, &REMOVE),
        Err(DomainError::NotPermitted)
    );
    let requester = scene.subject(Standing::Requested);
    assert_eq!(
        kind(under(&policy, &requester, &REMOVE)),
        EventKind::Rejected
    );
}

#[test]
fn set_manager_at_owner_refuses_managers_promoting() {
    let promote = Command::SetRole {
        subject: SUBJECT,
        role: Role::Manager,
        expect: None,
    };
    let scene = scene(community().build()).actor(MANAGER).subject(MEMBER);
    assert_eq!(kind(scene.decide(&promote)), EventKind::RoleChanged);
    let policy = with(Action::SetManager, Level::Owner);
    assert_eq!(
        under(&policy, &scene, &promote),
        Err(DomainError::NotPermitted)
    );
}

#[test]
fn set_owner_at_manager_lets_managers_promote_owners_but_never_demote_the_last() {
    let policy = with(Action::SetOwner, Level::Manager);
    let promote = Command::SetRole {
        subject: SUBJECT,
        role: Role::Owner,
        expect: None,
    };
    let manager = scene(community().build()).actor(MANAGER).subject(MEMBER);
    assert_eq!(manager.decide(&promote), Err(DomainError::NotPermitted));
    assert_eq!(
        kind(under(&policy, &manager, &promote)),
        EventKind::RoleChanged
    );
    let demote = Command::SetRole {
        subject: SUBJECT,
        role: Role::Member,
        expect: None,
    };
    let last_owner = scene(community().owners(1).build())
        .actor(MANAGER)
        .subject(OWNER);
    assert_eq!(
        under(&policy, &last_owner, &demote),
        Err(DomainError::LastOwner)
    );
}

#[test]
fn leave_at_nobody_keeps_members_but_lets_requests_be_withdrawn() {
    let policy = with(Action::Leave, Level::Nobody);
    let member = scene(community().build()).me(MEMBER);
    assert_eq!(kind(member.decide(&Command::Leave)), EventKind::Left);
    assert_eq!(
        under(&policy, &member, &Command::Leave),
        Err(DomainError::NotPermitted)
    );
    let requester = scene(community().policy(JoinPolicy::Request).build()).me(Standing::Requested);
    assert_eq!(
        kind(under(&policy, &requester, &Command::Leave)),
        EventKind::RequestWithdrawn
    );
}

#[test]
fn the_last_owner_is_protected_under_the_loosest_policy() {
    let mut loose = Policy::default();
    for &action in Action::ALL {
        let level = if action.accepts(Level::Member) {
            Level::Member
        } else {
            Level::Admin
        };
        loose.set(action, level).unwrap();
    }
    let owner = scene(community().owners(1).build()).me(OWNER);
    assert_eq!(
        under(&loose, &owner, &Command::Leave),
        Err(DomainError::LastOwner)
    );
    let by_admin = scene(community().owners(1).build()).admin().subject(OWNER);
    assert_eq!(
        under(&loose, &by_admin, &REMOVE),
        Err(DomainError::LastOwner)
    );
    let ban = Command::Ban {
        subject: SUBJECT,
        reason: None,
    };
    assert_eq!(under(&loose, &by_admin, &ban), Err(DomainError::LastOwner));
}

#[test]
fn delete_at_admin_refuses_owners_and_the_site_stays_undeletable() {
    let policy = with(Action::Delete, Level::Admin);
    let owner = scene(community().build()).actor(OWNER);
    assert_eq!(kind(owner.decide(&Command::Delete)), EventKind::Deleted);
    assert_eq!(
        under(&policy, &owner, &Command::Delete),
        Err(DomainError::NotPermitted)
    );
    let admin = scene(community().build()).admin();
    assert_eq!(
        kind(under(&policy, &admin, &Command::Delete)),
        EventKind::Deleted
    );
    let site = scene(community().site().build()).admin();
    let anyone = with(Action::Delete, Level::Member);
    assert_eq!(
        under(&anyone, &site, &Command::Delete),
        Err(DomainError::NotPermitted)
    );
}

#[test]
fn archive_and_unarchive_are_governed_apart() {
    let policy = with(Action::Unarchive, Level::Admin);
    let owner = scene(community().archived().build()).actor(OWNER);
    assert_eq!(
        under(&policy, &owner, &Command::Unarchive),
        Err(DomainError::NotPermitted)
    );
    let open = scene(community().build()).actor(OWNER);
    assert_eq!(
        kind(under(&policy, &open, &Command::Archive)),
        EventKind::Archived
    );
}

#[test]
fn create_at_admin_refuses_plain_users() {
    let policy = with(Action::Create, Level::Admin);
    let new = NewCommunity {
        settings: settings(JoinPolicy::Open),
        site: false,
        members: Vec::new(),
    };
    let plain = Actor {
        user: ACTOR,
        admin: false,
    };
    assert!(decide_create_under(&Policy::default(), plain, &new).is_ok());
    assert_eq!(
        decide_create_under(&policy, plain, &new),
        Err(DomainError::NotPermitted)
    );
    let admin = Actor {
        user: ACTOR,
        admin: true,
    };
    assert!(decide_create_under(&policy, admin, &new).is_ok());
}

#[test]
fn ban_at_nobody_refuses_admins_too() {
    let policy = with(Action::Ban, Level::Nobody);
    let admin = scene(community().build()).admin().subject(MEMBER);
    let ban = Command::Ban {
        subject: SUBJECT,
        reason: None,
    };
    assert_eq!(under(&policy, &admin, &ban), Err(DomainError::NotPermitted));
    let banned = scene(community().build()).admin().subject(Standing::Banned);
    assert_eq!(
        under(&policy, &banned, &Command::Unban { subject: SUBJECT }),
        Err(DomainError::NotPermitted)
    );
}
