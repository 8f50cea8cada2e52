//! One test per row of the transition table in `roster_engine::decide`'s
//! module documentation (and of DESIGN.md's rules table), plus the small
//! pure helpers around it: `can_view`, `Counters::apply`, the string forms
//! of the enums, and the user-field validators.

mod support;

use roster_engine::decide::{MAX_DESCRIPTION, MAX_NAME};
use roster_engine::users::{validate_email, validate_password, validate_username};
use roster_engine::{
    can_manage, can_view, decide_create, Actor, Change, Command, ContributionMode, Counters,
    Decision, DomainError, Effect, EventKind, JoinPolicy, NewCommunity, Role, Settings,
    SettingsPatch, Standing, Transition, Visibility,
};
use support::*;

const POLICIES: [JoinPolicy; 3] = [JoinPolicy::Open, JoinPolicy::Request, JoinPolicy::Invite];

fn set_role(role: Role, expect: Option<Role>) -> Command {
    Command::SetRole {
        subject: SUBJECT,
        role,
        expect,
    }
}

fn ban(reason: Option<&str>) -> Command {
    Command::Ban {
        subject: SUBJECT,
        reason: reason.map(str::to_owned),
    }
}

fn rename(name: &str) -> Command {
    Command::Update(SettingsPatch {
        name: Some(name.to_owned()),
        ..SettingsPatch::default()
    })
}

// ---------------------------------------------------------------------------
// Archived communities
// ---------------------------------------------------------------------------

#[test]
fn join_on_archived_community_is_refused() {
    for policy in POLICIES {
        let community = community().policy(policy).archived().build();
        for standing in [Standing::None, Standing::Invited, Standing::Banned] {
            let result = scene(community.clone()).me(standing).decide(&Command::Join);
            assert_refused(result, DomainError::Archived);
        }
    }
}

#[test]
fn leave_by_member_on_archived_community_is_refused() {
    let community = community().archived().build();
    for standing in [
        MEMBER,
        MANAGER,
        OWNER,
        Standing::Requested,
        Standing::Invited,
    ] {
        let result = scene(community.clone())
            .me(standing)
            .decide(&Command::Leave);
        assert_refused(result, DomainError::Archived);
    }
}

#[test]
fn leave_by_non_member_on_archived_community_is_not_member() {
    let community = community().archived().build();
    for standing in [Standing::None, Standing::Banned] {
        let result = scene(community.clone())
            .me(standing)
            .decide(&Command::Leave);
        assert_refused(result, DomainError::NotMember);
    }
}

#[test]
fn invite_on_archived_community_is_refused() {
    let result = scene(community().archived().build())
        .actor(OWNER)
        .decide(&Command::Invite { subject: SUBJECT });
    assert_refused(result, DomainError::Archived);
}

#[test]
fn every_write_but_unarchive_on_archived_community_is_refused() {
    let archived = community().archived().build();
    for command in every_command(SUBJECT) {
        if command == Command::Unarchive {
            continue;
        }
        let by_owner = scene(archived.clone())
            .actor(OWNER)
            .subject(MEMBER)
            .decide(&command);
        assert_eq!(
            by_owner,
            Err(DomainError::Archived),
            "owner: {}",
            command.name()
        );
        if command == Command::Leave {
            continue; // an admin with no standing leaving is NotMember, tested above
        }
        let by_admin = scene(archived.clone())
            .admin()
            .subject(MEMBER)
            .decide(&command);
        assert_eq!(
            by_admin,
            Err(DomainError::Archived),
            "admin: {}",
            command.name()
        );
    }
}

#[test]
fn remove_self_on_archived_community_is_decided_as_leave() {
    let archived = community().archived().build();
    let me = Command::Remove { subject: ACTOR };
    assert_refused(
        scene(archived.clone()).me(MANAGER).decide(&me),
        DomainError::Archived,
    );
    assert_refused(
        scene(archived).me(Standing::None).decide(&me),
        DomainError::NotMember,
    );
}

#[test]
fn unarchive_by_owner_or_admin_unarchives() {
    let archived = community().archived().build();
    for scene in [
        scene(archived.clone()).actor(OWNER),
        scene(archived).admin(),
    ] {
        assert_community_change(
            scene.decide(&Command::Unarchive),
            EventKind::Unarchived,
            Change::Archived(false),
        );
    }
}

#[test]
fn unarchive_of_live_community_is_unchanged() {
    assert_unchanged(
        scene(community().build())
            .actor(OWNER)
            .decide(&Command::Unarchive),
    );
}

#[test]
fn unarchive_below_owner_is_refused() {
    for standing in [MANAGER, MEMBER, Standing::None] {
        let result = scene(community().archived().build())
            .actor(standing)
            .decide(&Command::Unarchive);
        assert_refused(result, DomainError::NotPermitted);
    }
}

// ---------------------------------------------------------------------------
// Join
// ---------------------------------------------------------------------------

#[test]
fn join_by_none_in_open_community_joins() {
    let result = scene(community().policy(JoinPolicy::Open).build())
        .me(Standing::None)
        .decide(&Command::Join);
    assert_moves(result, EventKind::Joined, ACTOR, Standing::None, MEMBER);
}

#[test]
fn join_by_none_in_request_community_requests() {
    let result = scene(community().policy(JoinPolicy::Request).build())
        .me(Standing::None)
        .decide(&Command::Join);
    assert_moves(
        result,
        EventKind::Requested,
        ACTOR,
        Standing::None,
        Standing::Requested,
    );
}

#[test]
fn join_by_none_in_invite_only_community_requires_invitation() {
    let result = scene(community().policy(JoinPolicy::Invite).build())
        .me(Standing::None)
        .decide(&Command::Join);
    assert_refused(result, DomainError::InvitationRequired);
}

#[test]
fn join_by_invited_accepts_invitation() {
    for policy in POLICIES {
        let result = scene(community().policy(policy).build())
            .me(Standing::Invited)
            .decide(&Command::Join);
        assert_moves(
            result,
            EventKind::InvitationAccepted,
            ACTOR,
            Standing::Invited,
            MEMBER,
        );
    }
}

#[test]
fn join_by_requested_is_unchanged() {
    for policy in POLICIES {
        let result = scene(community().policy(policy).build())
            .me(Standing::Requested)
            .decide(&Command::Join);
        assert_unchanged(result);
    }
}

#[test]
fn join_by_member_is_unchanged() {
    for policy in POLICIES {
        for standing in [MEMBER, MANAGER, OWNER] {
            let result = scene(community().policy(policy).build())
                .me(standing)
                .decide(&Command::Join);
            assert_unchanged(result);
        }
    }
}

#[test]
fn join_by_banned_is_refused() {
    for policy in POLICIES {
        let result = scene(community().policy(policy).build())
            .me(Standing::Banned)
            .decide(&Command::Join);
        assert_refused(result, DomainError::Banned);
    }
}

// ---------------------------------------------------------------------------
// Leave
// ---------------------------------------------------------------------------

#[test]
fn leave_by_member_who_is_not_the_last_owner_leaves() {
    for standing in [MEMBER, MANAGER] {
        // Even in a community with a single owner.
        let result = scene(community().owners(1).build())
            .me(standing)
            .decide(&Command::Leave);
        assert_moves(result, EventKind::Left, ACTOR, standing, Standing::None);
    }
}

#[test]
fn leave_by_one_of_two_owners_leaves() {
    let result = scene(community().owners(2).build())
        .me(OWNER)
        .decide(&Command::Leave);
    assert_moves(result, EventKind::Left, ACTOR, OWNER, Standing::None);
}

#[test]
fn leave_by_last_owner_is_refused() {
    let result = scene(community().owners(1).build())
        .me(OWNER)
        .decide(&Command::Leave);
    assert_refused(result, DomainError::LastOwner);
}

#[test]
fn leave_by_last_owner_with_admin_token_is_refused() {
    let result = scene(community().owners(1).build())
        .me(OWNER)
        .admin()
        .decide(&Command::Leave);
    assert_refused(result, DomainError::LastOwner);
}

#[test]
fn leave_by_requester_withdraws_request() {
    let result = scene(community().policy(JoinPolicy::Request).build())
        .me(Standing::Requested)
        .decide(&Command::Leave);
    assert_moves(
        result,
        EventKind::RequestWithdrawn,
        ACTOR,
        Standing::Requested,
        Standing::None,
    );
}

#[test]
fn leave_by_invited_declines_invitation() {
    let result = scene(community().policy(JoinPolicy::Invite).build())
        .me(Standing::Invited)
        .decide(&Command::Leave);
    assert_moves(
        result,
        EventKind::InvitationDeclined,
        ACTOR,
        Standing::Invited,
        Standing::None,
    );
}

#[test]
fn leave_by_non_member_is_not_member() {
    let result = scene(community().build())
        .me(Standing::None)
        .decide(&Command::Leave);
    assert_refused(result, DomainError::NotMember);
}

#[test]
fn leave_by_banned_is_not_member() {
    let result = scene(community().build())
        .me(Standing::Banned)
        .decide(&Command::Leave);
    assert_refused(result, DomainError::NotMember);
}

// ---------------------------------------------------------------------------
// Invite, revoke, add
// ---------------------------------------------------------------------------

#[test]
fn invite_of_none_by_manager_invites() {
    for actor in [MANAGER, OWNER] {
        let result = scene(community().build())
            .actor(actor)
            .subject(Standing::None)
            .decide(&Command::Invite { subject: SUBJECT });
        assert_moves(
            result,
            EventKind::Invited,
            SUBJECT,
            Standing::None,
            Standing::Invited,
        );
    }
}

#[test]
fn invite_of_none_by_admin_without_membership_invites() {
    let result = scene(community().build())
        .admin()
        .subject(Standing::None)
        .decide(&Command::Invite { subject: SUBJECT });
    assert_moves(
        result,
        EventKind::Invited,
        SUBJECT,
        Standing::None,
        Standing::Invited,
    );
}

#[test]
fn invite_of_requester_approves() {
    let result = scene(community().policy(JoinPolicy::Request).build())
        .actor(MANAGER)
        .subject(Standing::Requested)
        .decide(&Command::Invite { subject: SUBJECT });
    assert_moves(
        result,
        EventKind::Approved,
        SUBJECT,
        Standing::Requested,
        MEMBER,
    );
}

#[test]
fn invite_of_invited_or_member_is_unchanged() {
    for subject in [Standing::Invited, MEMBER, MANAGER, OWNER] {
        let result = scene(community().build())
            .actor(MANAGER)
            .subject(subject)
            .decide(&Command::Invite { subject: SUBJECT });
        assert_unchanged(result);
    }
}

#[test]
fn invite_of_banned_is_refused() {
    let result = scene(community().build())
        .actor(OWNER)
        .subject(Standing::Banned)
        .decide(&Command::Invite { subject: SUBJECT });
    assert_refused(result, DomainError::SubjectBanned);
}

#[test]
fn invite_by_member_is_refused() {
    for actor in [
        MEMBER,
        Standing::None,
        Standing::Invited,
        Standing::Requested,
        Standing::Banned,
    ] {
        let result = scene(community().build())
            .actor(actor)
            .subject(Standing::None)
            .decide(&Command::Invite { subject: SUBJECT });
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
fn revoke_invitation_of_invited_revokes() {
    let result = scene(community().build())
        .actor(MANAGER)
        .subject(Standing::Invited)
        .decide(&Command::RevokeInvitation { subject: SUBJECT });
    assert_moves(
        result,
        EventKind::InvitationRevoked,
        SUBJECT,
        Standing::Invited,
        Standing::None,
    );
}

#[test]
fn revoke_invitation_of_anything_else_is_unchanged() {
    for subject in [
        Standing::None,
        Standing::Requested,
        MEMBER,
        MANAGER,
        OWNER,
        Standing::Banned,
    ] {
        let result = scene(community().build())
            .actor(OWNER)
            .subject(subject)
            .decide(&Command::RevokeInvitation { subject: SUBJECT });
        assert_unchanged(result);
    }
}

#[test]
fn revoke_invitation_by_member_is_refused() {
    let result = scene(community().build())
        .actor(MEMBER)
        .subject(Standing::Invited)
        .decide(&Command::RevokeInvitation { subject: SUBJECT });
    assert_refused(result, DomainError::NotPermitted);
}

#[test]
fn add_of_none_invited_or_requested_makes_member() {
    for subject in [Standing::None, Standing::Invited, Standing::Requested] {
        let result = scene(community().policy(JoinPolicy::Invite).build())
            .actor(MANAGER)
            .subject(subject)
            .decide(&Command::Add { subject: SUBJECT });
        assert_moves(result, EventKind::Added, SUBJECT, subject, MEMBER);
    }
}

#[test]
fn add_of_member_is_unchanged() {
    for subject in [MEMBER, MANAGER, OWNER] {
        let result = scene(community().build())
            .actor(OWNER)
            .subject(subject)
            .decide(&Command::Add { subject: SUBJECT });
        assert_unchanged(result);
    }
}

#[test]
fn add_of_banned_is_refused() {
    let result = scene(community().build())
        .actor(OWNER)
        .subject(Standing::Banned)
        .decide(&Command::Add { subject: SUBJECT });
    assert_refused(result, DomainError::SubjectBanned);
}

#[test]
fn add_by_member_is_refused() {
    let result = scene(community().build())
        .actor(MEMBER)
        .subject(Standing::None)
        .decide(&Command::Add { subject: SUBJECT });
    assert_refused(result, DomainError::NotPermitted);
}

// ---------------------------------------------------------------------------
// Approve, reject
// ---------------------------------------------------------------------------

#[test]
fn approve_of_requester_makes_member() {
    for scene in [
        scene(community().policy(JoinPolicy::Request).build()).actor(MANAGER),
        scene(community().policy(JoinPolicy::Request).build()).admin(),
    ] {
        let result = scene
            .subject(Standing::Requested)
            .decide(&Command::Approve { subject: SUBJECT });
        assert_moves(
            result,
            EventKind::Approved,
            SUBJECT,
            Standing::Requested,
            MEMBER,
        );
    }
}

#[test]
fn reject_of_requester_makes_none() {
    let result = scene(community().policy(JoinPolicy::Request).build())
        .actor(MANAGER)
        .subject(Standing::Requested)
        .decide(&Command::Reject { subject: SUBJECT });
    assert_moves(
        result,
        EventKind::Rejected,
        SUBJECT,
        Standing::Requested,
        Standing::None,
    );
}

#[test]
fn approve_or_reject_without_request_is_no_request() {
    for subject in [
        Standing::None,
        Standing::Invited,
        MEMBER,
        MANAGER,
        OWNER,
        Standing::Banned,
    ] {
        for command in [
            Command::Approve { subject: SUBJECT },
            Command::Reject { subject: SUBJECT },
        ] {
            let result = scene(community().build())
                .actor(OWNER)
                .subject(subject)
                .decide(&command);
            assert_eq!(result, Err(DomainError::NoRequest), "{subject} {command:?}");
        }
    }
}

#[test]
fn approve_or_reject_by_member_is_refused() {
    for command in [
        Command::Approve { subject: SUBJECT },
        Command::Reject { subject: SUBJECT },
    ] {
        let result = scene(community().build())
            .actor(MEMBER)
            .subject(Standing::Requested)
            .decide(&command);
        assert_refused(result, DomainError::NotPermitted);
    }
}

// ---------------------------------------------------------------------------
// Remove
// ---------------------------------------------------------------------------

#[test]
fn remove_of_requester_rejects() {
    let result = scene(community().build())
        .actor(MANAGER)
        .subject(Standing::Requested)
        .decide(&Command::Remove { subject: SUBJECT });
    assert_moves(
        result,
        EventKind::Rejected,
        SUBJECT,
        Standing::Requested,
        Standing::None,
    );
}

#[test]
fn remove_of_invited_revokes_invitation() {
    let result = scene(community().build())
        .actor(MANAGER)
        .subject(Standing::Invited)
        .decide(&Command::Remove { subject: SUBJECT });
    assert_moves(
        result,
        EventKind::InvitationRevoked,
        SUBJECT,
        Standing::Invited,
        Standing::None,
    );
}

#[test]
fn remove_of_none_or_banned_is_subject_not_member() {
    for subject in [Standing::None, Standing::Banned] {
        let result = scene(community().build())
            .actor(OWNER)
            .subject(subject)
            .decide(&Command::Remove { subject: SUBJECT });
        assert_refused(result, DomainError::SubjectNotMember);
    }
}

#[test]
fn remove_of_last_owner_is_refused_even_for_admin() {
    let result = scene(community().owners(1).build())
        .admin()
        .subject(OWNER)
        .decide(&Command::Remove { subject: SUBJECT });
    assert_refused(result, DomainError::LastOwner);
}

#[test]
fn remove_of_member_below_actor_rank_removes() {
    for (actor, subject) in [(MANAGER, MEMBER), (OWNER, MEMBER), (OWNER, MANAGER)] {
        let result = scene(community().build())
            .actor(actor)
            .subject(subject)
            .decide(&Command::Remove { subject: SUBJECT });
        assert_moves(result, EventKind::Removed, SUBJECT, subject, Standing::None);
    }
}

#[test]
fn manager_cannot_remove_manager_or_owner() {
    for subject in [MANAGER, OWNER] {
        let result = scene(community().owners(2).build())
            .actor(MANAGER)
            .subject(subject)
            .decide(&Command::Remove { subject: SUBJECT });
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
fn owner_cannot_remove_another_owner() {
    let result = scene(community().owners(2).build())
        .actor(OWNER)
        .subject(OWNER)
        .decide(&Command::Remove { subject: SUBJECT });
    assert_refused(result, DomainError::NotPermitted);
}

#[test]
fn admin_can_remove_owner_who_is_not_the_last() {
    let result = scene(community().owners(2).build())
        .admin()
        .subject(OWNER)
        .decide(&Command::Remove { subject: SUBJECT });
    assert_moves(result, EventKind::Removed, SUBJECT, OWNER, Standing::None);
}

#[test]
fn member_cannot_remove() {
    for subject in [MEMBER, Standing::Requested, Standing::Invited] {
        let result = scene(community().build())
            .actor(MEMBER)
            .subject(subject)
            .decide(&Command::Remove { subject: SUBJECT });
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
fn remove_of_self_is_decided_as_leave() {
    let me = Command::Remove { subject: ACTOR };
    assert_moves(
        scene(community().build()).me(MEMBER).decide(&me),
        EventKind::Left,
        ACTOR,
        MEMBER,
        Standing::None,
    );
    assert_moves(
        scene(community().build())
            .me(Standing::Requested)
            .decide(&me),
        EventKind::RequestWithdrawn,
        ACTOR,
        Standing::Requested,
        Standing::None,
    );
    assert_refused(
        scene(community().owners(1).build()).me(OWNER).decide(&me),
        DomainError::LastOwner,
    );
    assert_refused(
        scene(community().build()).me(Standing::None).decide(&me),
        DomainError::NotMember,
    );
}

// ---------------------------------------------------------------------------
// Set role
// ---------------------------------------------------------------------------

#[test]
fn owner_can_set_any_role() {
    for (from, to) in [
        (Role::Member, Role::Manager),
        (Role::Member, Role::Owner),
        (Role::Manager, Role::Member),
        (Role::Manager, Role::Owner),
        (Role::Owner, Role::Manager),
        (Role::Owner, Role::Member),
    ] {
        let result = scene(community().owners(2).build())
            .actor(OWNER)
            .subject(Standing::Member(from))
            .decide(&set_role(to, None));
        assert_moves(
            result,
            EventKind::RoleChanged,
            SUBJECT,
            Standing::Member(from),
            Standing::Member(to),
        );
    }
}

#[test]
fn admin_can_set_any_role() {
    for (from, to) in [
        (Role::Member, Role::Owner),
        (Role::Manager, Role::Member),
        (Role::Owner, Role::Member),
    ] {
        let result = scene(community().owners(2).build())
            .admin()
            .subject(Standing::Member(from))
            .decide(&set_role(to, None));
        assert_moves(
            result,
            EventKind::RoleChanged,
            SUBJECT,
            Standing::Member(from),
            Standing::Member(to),
        );
    }
}

#[test]
fn manager_can_promote_member_to_manager() {
    let result = scene(community().build())
        .actor(MANAGER)
        .subject(MEMBER)
        .decide(&set_role(Role::Manager, None));
    assert_moves(result, EventKind::RoleChanged, SUBJECT, MEMBER, MANAGER);
}

#[test]
fn manager_cannot_demote_manager() {
    let result = scene(community().build())
        .actor(MANAGER)
        .subject(MANAGER)
        .decide(&set_role(Role::Member, None));
    assert_refused(result, DomainError::NotPermitted);
}

#[test]
fn manager_cannot_promote_to_owner() {
    for subject in [MEMBER, MANAGER] {
        let result = scene(community().build())
            .actor(MANAGER)
            .subject(subject)
            .decide(&set_role(Role::Owner, None));
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
fn manager_cannot_demote_owner() {
    for role in [Role::Manager, Role::Member] {
        let result = scene(community().owners(2).build())
            .actor(MANAGER)
            .subject(OWNER)
            .decide(&set_role(role, None));
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
fn member_cannot_set_role() {
    let result = scene(community().build())
        .actor(MEMBER)
        .subject(MEMBER)
        .decide(&set_role(Role::Manager, None));
    assert_refused(result, DomainError::NotPermitted);
}

#[test]
fn last_owner_cannot_be_demoted() {
    for scene in [
        scene(community().owners(1).build()).admin().subject(OWNER),
        // The last owner demoting themselves.
        scene(community().owners(1).build()).me(OWNER),
    ] {
        for role in [Role::Manager, Role::Member] {
            let subject = if scene.actor.admin { SUBJECT } else { ACTOR };
            let result = scene.decide(&Command::SetRole {
                subject,
                role,
                expect: None,
            });
            assert_refused(result, DomainError::LastOwner);
        }
    }
}

#[test]
fn set_role_with_mismatched_expect_is_role_mismatch() {
    let result = scene(community().build())
        .actor(OWNER)
        .subject(MANAGER)
        .decide(&set_role(Role::Member, Some(Role::Owner)));
    assert_refused(
        result,
        DomainError::RoleMismatch {
            actual: Role::Manager,
        },
    );
}

#[test]
fn set_role_with_matching_expect_changes() {
    let result = scene(community().owners(2).build())
        .actor(OWNER)
        .subject(OWNER)
        .decide(&set_role(Role::Manager, Some(Role::Owner)));
    assert_moves(result, EventKind::RoleChanged, SUBJECT, OWNER, MANAGER);
}

#[test]
fn set_role_to_same_role_is_unchanged() {
    for role in [Role::Member, Role::Manager, Role::Owner] {
        let result = scene(community().owners(1).build())
            .actor(OWNER)
            .subject(Standing::Member(role))
            .decide(&set_role(role, None));
        assert_unchanged(result);
    }
}

#[test]
fn set_role_of_non_member_is_subject_not_member() {
    for subject in [
        Standing::None,
        Standing::Invited,
        Standing::Requested,
        Standing::Banned,
    ] {
        let result = scene(community().build())
            .actor(OWNER)
            .subject(subject)
            .decide(&set_role(Role::Manager, None));
        assert_refused(result, DomainError::SubjectNotMember);
    }
}

// ---------------------------------------------------------------------------
// Transfer ownership
// ---------------------------------------------------------------------------

#[test]
fn transfer_by_owner_makes_subject_owner_and_actor_manager_in_one_decision() {
    for subject in [MEMBER, MANAGER] {
        let result = scene(community().owners(1).build())
            .actor(OWNER)
            .subject(subject)
            .decide(&Command::TransferOwnership { subject: SUBJECT });
        assert_eq!(
            result,
            Ok(Effect::Changed(Decision {
                kind: EventKind::OwnershipTransferred,
                subject: Some(SUBJECT),
                reason: None,
                changes: vec![
                    Change::Standing(Transition {
                        user: SUBJECT,
                        from: subject,
                        to: OWNER,
                    }),
                    Change::Standing(Transition {
                        user: ACTOR,
                        from: OWNER,
                        to: MANAGER,
                    }),
                ],
            }))
        );
    }
}

#[test]
fn transfer_by_owner_to_another_owner_only_demotes_actor() {
    let result = scene(community().owners(2).build())
        .actor(OWNER)
        .subject(OWNER)
        .decide(&Command::TransferOwnership { subject: SUBJECT });
    assert_eq!(
        result,
        Ok(Effect::Changed(Decision {
            kind: EventKind::OwnershipTransferred,
            subject: Some(SUBJECT),
            reason: None,
            changes: vec![Change::Standing(Transition {
                user: ACTOR,
                from: OWNER,
                to: MANAGER,
            })],
        }))
    );
}

#[test]
fn transfer_by_non_owner_is_refused() {
    for actor in [MANAGER, MEMBER, Standing::None] {
        let result = scene(community().build())
            .actor(actor)
            .subject(MEMBER)
            .decide(&Command::TransferOwnership { subject: SUBJECT });
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
fn transfer_by_admin_non_owner_makes_subject_owner_only() {
    for actor in [Standing::None, MANAGER] {
        let result = scene(community().owners(1).build())
            .admin()
            .actor(actor)
            .subject(MEMBER)
            .decide(&Command::TransferOwnership { subject: SUBJECT });
        assert_moves(
            result,
            EventKind::OwnershipTransferred,
            SUBJECT,
            MEMBER,
            OWNER,
        );
    }
}

#[test]
fn transfer_by_admin_to_existing_owner_is_unchanged() {
    let result = scene(community().build())
        .admin()
        .subject(OWNER)
        .decide(&Command::TransferOwnership { subject: SUBJECT });
    assert_unchanged(result);
}

#[test]
fn transfer_to_non_member_is_subject_not_member() {
    for subject in [
        Standing::None,
        Standing::Invited,
        Standing::Requested,
        Standing::Banned,
    ] {
        let result = scene(community().owners(1).build())
            .actor(OWNER)
            .subject(subject)
            .decide(&Command::TransferOwnership { subject: SUBJECT });
        assert_refused(result, DomainError::SubjectNotMember);
    }
}

#[test]
fn transfer_to_self_is_unchanged() {
    let result = scene(community().owners(1).build())
        .me(OWNER)
        .decide(&Command::TransferOwnership { subject: ACTOR });
    assert_unchanged(result);
}

// ---------------------------------------------------------------------------
// Ban, unban
// ---------------------------------------------------------------------------

#[test]
fn ban_ends_membership_request_and_invitation() {
    for subject in [
        Standing::None,
        Standing::Invited,
        Standing::Requested,
        MEMBER,
    ] {
        let result = scene(community().build())
            .actor(MANAGER)
            .subject(subject)
            .decide(&ban(None));
        assert_moves(
            result,
            EventKind::Banned,
            SUBJECT,
            subject,
            Standing::Banned,
        );
    }
}

#[test]
fn ban_keeps_its_reason() {
    let result = scene(community().build())
        .actor(OWNER)
        .subject(MANAGER)
        .decide(&ban(Some("spam\nagain")));
    let mut expected = moved(EventKind::Banned, SUBJECT, MANAGER, Standing::Banned);
    expected.reason = Some("spam\nagain".to_owned());
    assert_eq!(result, Ok(Effect::Changed(expected)));
}

#[test]
fn ban_with_invalid_reason_is_refused() {
    for reason in ["bad\u{0}reason".to_owned(), "x".repeat(MAX_DESCRIPTION + 1)] {
        let result = scene(community().build())
            .actor(OWNER)
            .subject(MEMBER)
            .decide(&ban(Some(&reason)));
        assert!(
            matches!(
                result,
                Err(DomainError::Invalid {
                    field: "reason",
                    ..
                })
            ),
            "{result:?}"
        );
    }
}

#[test]
fn ban_of_last_owner_is_refused() {
    let result = scene(community().owners(1).build())
        .admin()
        .subject(OWNER)
        .decide(&ban(None));
    assert_refused(result, DomainError::LastOwner);
}

#[test]
fn admin_can_ban_owner_who_is_not_the_last() {
    let result = scene(community().owners(2).build())
        .admin()
        .subject(OWNER)
        .decide(&ban(None));
    assert_moves(result, EventKind::Banned, SUBJECT, OWNER, Standing::Banned);
}

#[test]
fn ban_of_equal_or_higher_rank_is_refused() {
    for (actor, subject) in [(MANAGER, MANAGER), (MANAGER, OWNER), (OWNER, OWNER)] {
        let result = scene(community().owners(2).build())
            .actor(actor)
            .subject(subject)
            .decide(&ban(None));
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
fn ban_of_self_is_refused() {
    for scene in [
        scene(community().build()).me(OWNER),
        scene(community().build()).me(MANAGER).admin(),
    ] {
        let result = scene.decide(&Command::Ban {
            subject: ACTOR,
            reason: None,
        });
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
fn ban_of_banned_is_unchanged() {
    let result = scene(community().build())
        .actor(OWNER)
        .subject(Standing::Banned)
        .decide(&ban(None));
    assert_unchanged(result);
}

#[test]
fn ban_by_member_is_refused() {
    let result = scene(community().build())
        .actor(MEMBER)
        .subject(Standing::None)
        .decide(&ban(None));
    assert_refused(result, DomainError::NotPermitted);
}

#[test]
fn unban_of_banned_makes_none() {
    let result = scene(community().build())
        .actor(MANAGER)
        .subject(Standing::Banned)
        .decide(&Command::Unban { subject: SUBJECT });
    assert_moves(
        result,
        EventKind::Unbanned,
        SUBJECT,
        Standing::Banned,
        Standing::None,
    );
}

#[test]
fn unban_of_anyone_else_is_unchanged() {
    for subject in [
        Standing::None,
        Standing::Invited,
        Standing::Requested,
        MEMBER,
        OWNER,
    ] {
        let result = scene(community().build())
            .actor(MANAGER)
            .subject(subject)
            .decide(&Command::Unban { subject: SUBJECT });
        assert_unchanged(result);
    }
}

#[test]
fn unban_by_member_is_refused() {
    let result = scene(community().build())
        .actor(MEMBER)
        .subject(Standing::Banned)
        .decide(&Command::Unban { subject: SUBJECT });
    assert_refused(result, DomainError::NotPermitted);
}

// ---------------------------------------------------------------------------
// Update settings
// ---------------------------------------------------------------------------

#[test]
fn update_by_manager_changes_only_patched_settings() {
    let before = community().build();
    let patch = SettingsPatch {
        name: Some("Rustaceans".to_owned()),
        join_policy: Some(JoinPolicy::Request),
        contribution_mode: Some(ContributionMode::Managers),
        ..SettingsPatch::default()
    };
    let result = scene(before.clone())
        .actor(MANAGER)
        .decide(&Command::Update(patch));
    let expected = Settings {
        name: "Rustaceans".to_owned(),
        join_policy: JoinPolicy::Request,
        contribution_mode: ContributionMode::Managers,
        ..before.settings
    };
    assert_community_change(result, EventKind::Updated, Change::Settings(expected));
}

#[test]
fn update_with_no_difference_is_unchanged() {
    let current = community().build();
    let same = SettingsPatch {
        name: Some(current.settings.name.clone()),
        description: Some(current.settings.description.clone()),
        visibility: Some(current.settings.visibility),
        join_policy: Some(current.settings.join_policy),
        contribution_mode: Some(current.settings.contribution_mode),
    };
    for patch in [SettingsPatch::default(), same] {
        let result = scene(current.clone())
            .actor(OWNER)
            .decide(&Command::Update(patch));
        assert_unchanged(result);
    }
}

#[test]
fn update_with_bad_name_is_invalid() {
    let too_long = "n".repeat(MAX_NAME + 1);
    for name in [
        "",
        "   ",
        " Leading",
        "Trailing ",
        "\tTabbed",
        &too_long,
        "a\u{7}b",
        "two\nlines",
    ] {
        let result = scene(community().build())
            .actor(OWNER)
            .decide(&rename(name));
        assert!(
            matches!(result, Err(DomainError::Invalid { field: "name", .. })),
            "{name:?}: {result:?}"
        );
    }
}

#[test]
fn update_with_longest_name_is_accepted() {
    let longest = "é".repeat(MAX_NAME); // counted in characters, not bytes
    let result = scene(community().build())
        .actor(OWNER)
        .decide(&rename(&longest));
    let Ok(Effect::Changed(decision)) = result else {
        panic!("{result:?}");
    };
    assert_eq!(decision.kind, EventKind::Updated);
    assert!(
        matches!(&decision.changes[..], [Change::Settings(s)] if s.name == longest),
        "{decision:?}"
    );
}

#[test]
fn update_with_bad_description_is_invalid() {
    for description in ["nul\u{0}".to_owned(), "d".repeat(MAX_DESCRIPTION + 1)] {
        let patch = SettingsPatch {
            description: Some(description),
            ..SettingsPatch::default()
        };
        let result = scene(community().build())
            .actor(OWNER)
            .decide(&Command::Update(patch));
        assert!(
            matches!(
                result,
                Err(DomainError::Invalid {
                    field: "description",
                    ..
                })
            ),
            "{result:?}"
        );
    }
}

#[test]
fn update_with_multiline_description_is_accepted() {
    let patch = SettingsPatch {
        description: Some("line one\r\n\tline two".to_owned()),
        ..SettingsPatch::default()
    };
    let result = scene(community().build())
        .actor(MANAGER)
        .decide(&Command::Update(patch));
    assert!(matches!(result, Ok(Effect::Changed(_))), "{result:?}");
}

#[test]
fn update_by_member_is_refused() {
    for actor in [MEMBER, Standing::None] {
        let result = scene(community().build())
            .actor(actor)
            .decide(&rename("Other"));
        assert_refused(result, DomainError::NotPermitted);
    }
}

// ---------------------------------------------------------------------------
// Archive, delete, create
// ---------------------------------------------------------------------------

#[test]
fn archive_by_owner_or_admin_archives() {
    for scene in [
        scene(community().build()).actor(OWNER),
        scene(community().build()).admin(),
    ] {
        assert_community_change(
            scene.decide(&Command::Archive),
            EventKind::Archived,
            Change::Archived(true),
        );
    }
}

#[test]
fn delete_by_owner_or_admin_deletes() {
    for scene in [
        scene(community().build()).actor(OWNER),
        scene(community().build()).admin(),
    ] {
        assert_community_change(
            scene.decide(&Command::Delete),
            EventKind::Deleted,
            Change::Delete,
        );
    }
}

#[test]
fn archive_or_delete_below_owner_is_refused() {
    for actor in [MANAGER, MEMBER, Standing::None] {
        for command in [Command::Archive, Command::Delete] {
            let result = scene(community().build()).actor(actor).decide(&command);
            assert_refused(result, DomainError::NotPermitted);
        }
    }
}

#[test]
fn site_community_cannot_be_archived_or_deleted() {
    for scene in [
        scene(community().site().build()).actor(OWNER),
        scene(community().site().build()).admin(),
    ] {
        for command in [Command::Archive, Command::Delete] {
            assert_refused(scene.decide(&command), DomainError::NotPermitted);
        }
    }
}

#[test]
fn create_makes_the_actor_owner() {
    let actor = Actor {
        user: ACTOR,
        admin: false,
    };
    let new = NewCommunity {
        settings: settings(JoinPolicy::Request),
        site: false,
        members: Vec::new(),
    };
    assert_eq!(
        decide_create(actor, &new),
        Ok(moved(EventKind::Created, ACTOR, Standing::None, OWNER))
    );
}

#[test]
fn create_with_members_adds_each_once_in_the_same_event() {
    let actor = Actor {
        user: ACTOR,
        admin: false,
    };
    let new = NewCommunity {
        settings: settings(JoinPolicy::Invite),
        site: false,
        members: vec![SUBJECT, ACTOR, SUBJECT],
    };
    let decision = decide_create(actor, &new).unwrap();
    assert_eq!(decision.kind, EventKind::Created);
    assert_eq!(
        decision.changes,
        vec![
            Change::Standing(Transition {
                user: ACTOR,
                from: Standing::None,
                to: OWNER
            }),
            Change::Standing(Transition {
                user: SUBJECT,
                from: Standing::None,
                to: MEMBER
            }),
        ]
    );
}

#[test]
fn create_with_invalid_settings_is_refused() {
    let actor = Actor {
        user: ACTOR,
        admin: true,
    };
    let mut new = NewCommunity {
        settings: settings(JoinPolicy::Open),
        site: true,
        members: Vec::new(),
    };
    new.settings.name = " padded".to_owned();
    assert!(matches!(
        decide_create(actor, &new),
        Err(DomainError::Invalid { field: "name", .. })
    ));
}

// ---------------------------------------------------------------------------
// can_view
// ---------------------------------------------------------------------------

#[test]
fn public_community_is_visible_to_everyone() {
    let public = community().build();
    for standing in [Standing::None, Standing::Banned, Standing::Invited, MEMBER] {
        assert!(can_view(&public, false, standing), "{standing}");
    }
}

#[test]
fn private_community_is_visible_to_people_with_a_standing() {
    let private = community().private().build();
    for standing in [
        Standing::Invited,
        Standing::Requested,
        MEMBER,
        MANAGER,
        OWNER,
    ] {
        assert!(can_view(&private, false, standing), "{standing}");
    }
    for standing in [Standing::None, Standing::Banned] {
        assert!(!can_view(&private, false, standing), "{standing}");
    }
}

#[test]
fn private_community_taking_requests_is_visible_to_strangers_so_they_can_ask() {
    let private = community().private().policy(JoinPolicy::Request).build();
    for standing in [Standing::None, Standing::Banned] {
        assert!(can_view(&private, false, standing), "{standing}");
    }
    let secret = community().private().policy(JoinPolicy::Invite).build();
    assert!(!can_view(&secret, false, Standing::None));
}

#[test]
fn private_community_is_visible_to_admins() {
    let private = community().private().build();
    for standing in [Standing::None, Standing::Banned] {
        assert!(can_view(&private, true, standing), "{standing}");
    }
}

// ---------------------------------------------------------------------------
// Rank below manager
// ---------------------------------------------------------------------------

#[test]
fn below_manager_every_management_command_is_refused() {
    // Each command paired with a subject standing for which a manager's
    // command would have been accepted.
    let commands = [
        (Command::Invite { subject: SUBJECT }, Standing::None),
        (
            Command::RevokeInvitation { subject: SUBJECT },
            Standing::Invited,
        ),
        (Command::Add { subject: SUBJECT }, Standing::None),
        (Command::Approve { subject: SUBJECT }, Standing::Requested),
        (Command::Reject { subject: SUBJECT }, Standing::Requested),
        (Command::Remove { subject: SUBJECT }, MEMBER),
        (set_role(Role::Manager, None), MEMBER),
        (ban(None), Standing::None),
        (Command::Unban { subject: SUBJECT }, Standing::Banned),
        (rename("Other"), Standing::None),
    ];
    for (command, subject) in commands {
        let by_manager = scene(community().build())
            .actor(MANAGER)
            .subject(subject)
            .decide(&command);
        assert!(matches!(by_manager, Ok(Effect::Changed(_))), "{command:?}");
        for actor in [
            MEMBER,
            Standing::None,
            Standing::Invited,
            Standing::Requested,
            Standing::Banned,
        ] {
            let result = scene(community().build())
                .actor(actor)
                .subject(subject)
                .decide(&command);
            assert_eq!(
                result,
                Err(DomainError::NotPermitted),
                "{actor}: {command:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Counters
// ---------------------------------------------------------------------------

fn counters(members: i64, owners: i64, pending: i64, invited: i64) -> Counters {
    Counters {
        members,
        owners,
        pending,
        invited,
    }
}

#[test]
fn counters_apply_moves_one_person() {
    let start = counters(10, 2, 3, 4);
    for (from, to, expected) in [
        (Standing::None, MEMBER, counters(11, 2, 3, 4)),
        (Standing::None, OWNER, counters(11, 3, 3, 4)),
        (Standing::None, Standing::Requested, counters(10, 2, 4, 4)),
        (Standing::None, Standing::Invited, counters(10, 2, 3, 5)),
        (Standing::None, Standing::Banned, counters(10, 2, 3, 4)),
        (Standing::Requested, MEMBER, counters(11, 2, 2, 4)),
        (Standing::Invited, MEMBER, counters(11, 2, 3, 3)),
        (Standing::Invited, Standing::None, counters(10, 2, 3, 3)),
        (OWNER, MANAGER, counters(10, 1, 3, 4)),
        (MANAGER, OWNER, counters(10, 3, 3, 4)),
        (MEMBER, MANAGER, counters(10, 2, 3, 4)),
        (OWNER, Standing::None, counters(9, 1, 3, 4)),
        (MEMBER, Standing::Banned, counters(9, 2, 3, 4)),
        (Standing::Requested, Standing::Banned, counters(10, 2, 2, 4)),
        (Standing::Banned, Standing::None, counters(10, 2, 3, 4)),
        (Standing::None, Standing::None, counters(10, 2, 3, 4)),
    ] {
        let mut c = start;
        c.apply(from, to);
        assert_eq!(c, expected, "{from} -> {to}");
    }
}

#[test]
fn counters_apply_there_and_back_is_identity() {
    let all = [
        Standing::None,
        Standing::Invited,
        Standing::Requested,
        MEMBER,
        MANAGER,
        OWNER,
        Standing::Banned,
    ];
    for from in all {
        for to in all {
            let mut c = counters(5, 1, 2, 3);
            c.apply(from, to);
            c.apply(to, from);
            assert_eq!(c, counters(5, 1, 2, 3), "{from} <-> {to}");
        }
    }
}

// ---------------------------------------------------------------------------
// String forms
// ---------------------------------------------------------------------------

#[test]
fn standing_strings_round_trip() {
    let expected = [
        (Standing::None, "none"),
        (Standing::Invited, "invited"),
        (Standing::Requested, "requested"),
        (MEMBER, "member"),
        (MANAGER, "manager"),
        (OWNER, "owner"),
        (Standing::Banned, "banned"),
    ];
    for (standing, text) in expected {
        assert_eq!(standing.as_str(), text);
        assert_eq!(standing.to_string(), text);
        assert_eq!(text.parse::<Standing>(), Ok(standing));
    }
    for standing in Standing::STORED {
        assert_ne!(standing, Standing::None);
        assert_eq!(standing.as_str().parse::<Standing>(), Ok(standing));
    }
    let err = "Owner".parse::<Standing>().unwrap_err();
    assert_eq!((err.what, err.value.as_str()), ("standing", "Owner"));
}

#[test]
fn role_strings_round_trip() {
    assert_eq!(Role::ALL, &[Role::Member, Role::Manager, Role::Owner]);
    for (role, text) in [
        (Role::Member, "member"),
        (Role::Manager, "manager"),
        (Role::Owner, "owner"),
    ] {
        assert_eq!(role.as_str(), text);
        assert_eq!(text.parse::<Role>(), Ok(role));
        assert_eq!(Standing::Member(role).role(), Some(role));
    }
    assert!(Role::Member < Role::Manager && Role::Manager < Role::Owner);
    assert_eq!("admin".parse::<Role>().unwrap_err().what, "role");
}

#[test]
fn event_kind_strings_round_trip() {
    assert_eq!(EventKind::ALL.len(), 21);
    let mut seen = std::collections::HashSet::new();
    for &kind in EventKind::ALL {
        assert!(seen.insert(kind.as_str()), "duplicate {kind}");
        assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
        assert_eq!(kind.to_string(), kind.as_str());
    }
    assert_eq!(EventKind::RequestWithdrawn.as_str(), "request_withdrawn");
    assert_eq!(
        EventKind::OwnershipTransferred.as_str(),
        "ownership_transferred"
    );
    let err = "Joined".parse::<EventKind>().unwrap_err();
    assert_eq!((err.what, err.value.as_str()), ("event kind", "Joined"));
}

#[test]
fn setting_enum_strings_round_trip() {
    for &v in Visibility::ALL {
        assert_eq!(v.as_str().parse::<Visibility>(), Ok(v));
    }
    for &p in JoinPolicy::ALL {
        assert_eq!(p.as_str().parse::<JoinPolicy>(), Ok(p));
    }
    for &m in ContributionMode::ALL {
        assert_eq!(m.as_str().parse::<ContributionMode>(), Ok(m));
    }
    assert_eq!(
        JoinPolicy::ALL
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>(),
        ["open", "request", "invite"]
    );
    assert!("secret".parse::<JoinPolicy>().is_err());
}

// ---------------------------------------------------------------------------
// User fields
// ---------------------------------------------------------------------------

#[test]
fn validate_username_accepts_and_refuses() {
    for ok in ["a", "alice", "Bob.Smith_2-x", &"u".repeat(64)] {
        assert_eq!(validate_username(ok), Ok(()), "{ok:?}");
    }
    for bad in ["", "a b", "émile", "a@b", "semi;colon", &"u".repeat(65)] {
        assert!(
            matches!(
                validate_username(bad),
                Err(DomainError::Invalid {
                    field: "username",
                    ..
                })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn validate_password_accepts_and_refuses() {
    for ok in ["12345678", "éééééééé", &"p".repeat(1024)] {
        assert_eq!(validate_password(ok), Ok(()), "{ok:?}");
    }
    for bad in ["", "1234567", &"p".repeat(1025)] {
        assert!(
            matches!(
                validate_password(bad),
                Err(DomainError::Invalid {
                    field: "password",
                    ..
                })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn validate_email_accepts_and_refuses() {
    for ok in ["a@b", "alice@example.org", "first.last+tag@sub.example.com"] {
        assert_eq!(validate_email(ok), Ok(()), "{ok:?}");
    }
    let too_long = format!("{}@example.org", "a".repeat(250));
    for bad in [
        "",
        "alice",
        "@example.org",
        "alice@",
        "al ice@example.org",
        "alice@example.org\n",
        &too_long,
    ] {
        assert!(
            matches!(
                validate_email(bad),
                Err(DomainError::Invalid { field: "email", .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn only_managers_owners_and_admins_manage() {
    assert!(can_manage(false, MANAGER));
    assert!(can_manage(false, OWNER));
    assert!(can_manage(true, Standing::None));
    for standing in [
        Standing::None,
        Standing::Invited,
        Standing::Requested,
        MEMBER,
        Standing::Banned,
    ] {
        assert!(!can_manage(false, standing), "{standing}");
    }
}
