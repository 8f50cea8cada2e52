//! Set role and transfer ownership.

use super::*;

#[test]
pub(crate) fn owner_can_set_any_role() {
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
pub(crate) fn admin_can_set_any_role() {
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
pub(crate) fn manager_can_promote_member_to_manager() {
    let result = scene(community().build())
        .actor(MANAGER)
        .subject(MEMBER)
        .decide(&set_role(Role::Manager, None));
    assert_moves(result, EventKind::RoleChanged, SUBJECT, MEMBER, MANAGER);
}

#[test]
pub(crate) fn manager_cannot_demote_manager() {
    let result = scene(community().build())
        .actor(MANAGER)
        .subject(MANAGER)
        .decide(&set_role(Role::Member, None));
    assert_refused(result, DomainError::NotPermitted);
}

#[test]
pub(crate) fn manager_cannot_promote_to_owner() {
    for subject in [MEMBER, MANAGER] {
        let result = scene(community().build())
            .actor(MANAGER)
            .subject(subject)
            .decide(&set_role(Role::Owner, None));
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
pub(crate) fn manager_cannot_demote_owner() {
    for role in [Role::Manager, Role::Member] {
        let result = scene(community().owners(2).build())
            .actor(MANAGER)
            .subject(OWNER)
            .decide(&set_role(role, None));
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
pub(crate) fn member_cannot_set_role() {
    let result = scene(community().build())
        .actor(MEMBER)
        .subject(MEMBER)
        .decide(&set_role(Role::Manager, None));
    assert_refused(result, DomainError::NotPermitted);
}

#[test]
pub(crate) fn last_owner_cannot_be_demoted() {
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
pub(crate) fn set_role_with_mismatched_expect_is_role_mismatch() {
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
pub(crate) fn set_role_with_matching_expect_changes() {
    let result = scene(community().owners(2).build())
        .actor(OWNER)
        .subject(OWNER)
        .decide(&set_role(Role::Manager, Some(Role::Owner)));
    assert_moves(result, EventKind::RoleChanged, SUBJECT, OWNER, MANAGER);
}

#[test]
pub(crate) fn set_role_to_same_role_is_unchanged() {
    for role in [Role::Member, Role::Manager, Role::Owner] {
        let result = scene(community().owners(1).build())
            .actor(OWNER)
            .subject(Standing::Member(role))
            .decide(&set_role(role, None));
        assert_unchanged(result);
    }
}

#[test]
pub(crate) fn set_role_of_non_member_is_subject_not_member() {
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

#[test]
pub(crate) fn transfer_by_owner_makes_subject_owner_and_actor_manager_in_one_decision() {
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
pub(crate) fn transfer_by_owner_to_another_owner_only_demotes_actor() {
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
pub(crate) fn transfer_by_non_owner_is_refused() {
    for actor in [MANAGER, MEMBER, Standing::None] {
        let result = scene(community().build())
            .actor(actor)
            .subject(MEMBER)
            .decide(&Command::TransferOwnership { subject: SUBJECT });
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
pub(crate) fn transfer_by_admin_non_owner_makes_subject_owner_only() {
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
pub(crate) fn transfer_by_admin_to_existing_owner_is_unchanged() {
    let result = scene(community().build())
        .admin()
        .subject(OWNER)
        .decide(&Command::TransferOwnership { subject: SUBJECT });
    assert_unchanged(result);
}

#[test]
pub(crate) fn transfer_to_non_member_is_subject_not_member() {
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
pub(crate) fn transfer_to_self_is_unchanged() {
    let result = scene(community().owners(1).build())
        .me(OWNER)
        .decide(&Command::TransferOwnership { subject: ACTOR });
    assert_unchanged(result);
}

/// Rank first (issue 12): a manager demoting the sole owner is refused as
/// not permitted, not told the owner is the last one.
#[test]
pub(crate) fn manager_demoting_the_last_owner_is_not_permitted() {
    for role in [Role::Manager, Role::Member] {
        let result = scene(community().owners(1).build())
            .actor(MANAGER)
            .subject(OWNER)
            .decide(&Command::SetRole {
                subject: SUBJECT,
                role,
                expect: None,
            });
        assert_refused(result, DomainError::NotPermitted);
    }
}
