//! Removal by rank, of requesters and invitees, of the last owner, and of
//! oneself (decided as leave).

use super::*;

#[test]
pub(crate) fn remove_of_requester_rejects() {
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
pub(crate) fn remove_of_invited_revokes_invitation() {
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
pub(crate) fn remove_of_none_or_banned_is_subject_not_member() {
    for subject in [Standing::None, Standing::Banned] {
        let result = scene(community().build())
            .actor(OWNER)
            .subject(subject)
            .decide(&Command::Remove { subject: SUBJECT });
        assert_refused(result, DomainError::SubjectNotMember);
    }
}

#[test]
pub(crate) fn remove_of_last_owner_is_refused_even_for_admin() {
    let result = scene(community().owners(1).build())
        .admin()
        .subject(OWNER)
        .decide(&Command::Remove { subject: SUBJECT });
    assert_refused(result, DomainError::LastOwner);
}

#[test]
pub(crate) fn remove_of_member_below_actor_rank_removes() {
    for (actor, subject) in [(MANAGER, MEMBER), (OWNER, MEMBER), (OWNER, MANAGER)] {
        let result = scene(community().build())
            .actor(actor)
            .subject(subject)
            .decide(&Command::Remove { subject: SUBJECT });
        assert_moves(result, EventKind::Removed, SUBJECT, subject, Standing::None);
    }
}

#[test]
pub(crate) fn manager_cannot_remove_manager_or_owner() {
    for subject in [MANAGER, OWNER] {
        let result = scene(community().owners(2).build())
            .actor(MANAGER)
            .subject(subject)
            .decide(&Command::Remove { subject: SUBJECT });
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
pub(crate) fn owner_cannot_remove_another_owner() {
    let result = scene(community().owners(2).build())
        .actor(OWNER)
        .subject(OWNER)
        .decide(&Command::Remove { subject: SUBJECT });
    assert_refused(result, DomainError::NotPermitted);
}

#[test]
pub(crate) fn admin_can_remove_owner_who_is_not_the_last() {
    let result = scene(community().owners(2).build())
        .admin()
        .subject(OWNER)
        .decide(&Command::Remove { subject: SUBJECT });
    assert_moves(result, EventKind::Removed, SUBJECT, OWNER, Standing::None);
}

#[test]
pub(crate) fn member_cannot_remove() {
    for subject in [MEMBER, Standing::Requested, Standing::Invited] {
        let result = scene(community().build())
            .actor(MEMBER)
            .subject(subject)
            .decide(&Command::Remove { subject: SUBJECT });
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
pub(crate) fn remove_of_self_is_decided_as_leave() {
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

/// Rank first (issue 12): someone below the sole owner is not told that
/// the owner is the last one.
#[test]
pub(crate) fn remove_of_last_owner_by_lower_rank_is_not_permitted() {
    for actor in [MANAGER, MEMBER, Standing::None] {
        let result = scene(community().owners(1).build())
            .actor(actor)
            .subject(OWNER)
            .decide(&Command::Remove { subject: SUBJECT });
        assert_refused(result, DomainError::NotPermitted);
    }
}
