//! Invite, revoke invitation, add, approve and reject by managers.

use super::*;

#[test]
pub(crate) fn invite_of_none_by_manager_invites() {
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
pub(crate) fn invite_of_none_by_admin_without_membership_invites() {
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
pub(crate) fn invite_of_requester_approves() {
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
pub(crate) fn invite_of_invited_or_member_is_unchanged() {
    for subject in [Standing::Invited, MEMBER, MANAGER, OWNER] {
        let result = scene(community().build())
            .actor(MANAGER)
            .subject(subject)
            .decide(&Command::Invite { subject: SUBJECT });
        assert_unchanged(result);
    }
}

#[test]
pub(crate) fn invite_of_banned_is_refused() {
    let result = scene(community().build())
        .actor(OWNER)
        .subject(Standing::Banned)
        .decide(&Command::Invite { subject: SUBJECT });
    assert_refused(result, DomainError::SubjectBanned);
}

#[test]
pub(crate) fn invite_by_member_is_refused() {
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
pub(crate) fn revoke_invitation_of_invited_revokes() {
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
pub(crate) fn revoke_invitation_of_anything_else_is_unchanged() {
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
pub(crate) fn revoke_invitation_by_member_is_refused() {
    let result = scene(community().build())
        .actor(MEMBER)
        .subject(Standing::Invited)
        .decide(&Command::RevokeInvitation { subject: SUBJECT });
    assert_refused(result, DomainError::NotPermitted);
}

#[test]
pub(crate) fn add_of_none_invited_or_requested_makes_member() {
    for subject in [Standing::None, Standing::Invited, Standing::Requested] {
        let result = scene(community().policy(JoinPolicy::Invite).build())
            .actor(MANAGER)
            .subject(subject)
            .decide(&Command::Add { subject: SUBJECT });
        assert_moves(result, EventKind::Added, SUBJECT, subject, MEMBER);
    }
}

#[test]
pub(crate) fn add_of_member_is_unchanged() {
    for subject in [MEMBER, MANAGER, OWNER] {
        let result = scene(community().build())
            .actor(OWNER)
            .subject(subject)
            .decide(&Command::Add { subject: SUBJECT });
        assert_unchanged(result);
    }
}

#[test]
pub(crate) fn add_of_banned_is_refused() {
    let result = scene(community().build())
        .actor(OWNER)
        .subject(Standing::Banned)
        .decide(&Command::Add { subject: SUBJECT });
    assert_refused(result, DomainError::SubjectBanned);
}

#[test]
pub(crate) fn add_by_member_is_refused() {
    let result = scene(community().build())
        .actor(MEMBER)
        .subject(Standing::None)
        .decide(&Command::Add { subject: SUBJECT });
    assert_refused(result, DomainError::NotPermitted);
}

#[test]
pub(crate) fn approve_of_requester_makes_member() {
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
pub(crate) fn reject_of_requester_makes_none() {
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
pub(crate) fn approve_or_reject_without_request_is_no_request() {
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
pub(crate) fn approve_or_reject_by_member_is_refused() {
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
