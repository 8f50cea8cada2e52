//! Self-service: join by policy and standing, and leave in every standing.

use super::*;

#[test]
pub(crate) fn join_by_none_in_open_community_joins() {
    let result = scene(community().policy(JoinPolicy::Open).build())
        .me(Standing::None)
        .decide(&Command::Join);
    assert_moves(result, EventKind::Joined, ACTOR, Standing::None, MEMBER);
}

#[test]
pub(crate) fn join_by_none_in_request_community_requests() {
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
pub(crate) fn join_by_none_in_invite_only_community_requires_invitation() {
    let result = scene(community().policy(JoinPolicy::Invite).build())
        .me(Standing::None)
        .decide(&Command::Join);
    assert_refused(result, DomainError::InvitationRequired);
}

#[test]
pub(crate) fn join_by_invited_accepts_invitation() {
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
pub(crate) fn join_by_requested_is_unchanged() {
    for policy in POLICIES {
        let result = scene(community().policy(policy).build())
            .me(Standing::Requested)
            .decide(&Command::Join);
        assert_unchanged(result);
    }
}

#[test]
pub(crate) fn join_by_member_is_unchanged() {
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
pub(crate) fn join_by_banned_is_refused() {
    for policy in POLICIES {
        let result = scene(community().policy(policy).build())
            .me(Standing::Banned)
            .decide(&Command::Join);
        assert_refused(result, DomainError::Banned);
    }
}

#[test]
pub(crate) fn leave_by_member_who_is_not_the_last_owner_leaves() {
    for standing in [MEMBER, MANAGER] {
        // Even in a community with a single owner.
        let result = scene(community().owners(1).build())
            .me(standing)
            .decide(&Command::Leave);
        assert_moves(result, EventKind::Left, ACTOR, standing, Standing::None);
    }
}

#[test]
pub(crate) fn leave_by_one_of_two_owners_leaves() {
    let result = scene(community().owners(2).build())
        .me(OWNER)
        .decide(&Command::Leave);
    assert_moves(result, EventKind::Left, ACTOR, OWNER, Standing::None);
}

#[test]
pub(crate) fn leave_by_last_owner_is_refused() {
    let result = scene(community().owners(1).build())
        .me(OWNER)
        .decide(&Command::Leave);
    assert_refused(result, DomainError::LastOwner);
}

#[test]
pub(crate) fn leave_by_last_owner_with_admin_token_is_refused() {
    let result = scene(community().owners(1).build())
        .me(OWNER)
        .admin()
        .decide(&Command::Leave);
    assert_refused(result, DomainError::LastOwner);
}

#[test]
pub(crate) fn leave_by_requester_withdraws_request() {
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
pub(crate) fn leave_by_invited_declines_invitation() {
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
pub(crate) fn leave_by_non_member_is_not_member() {
    let result = scene(community().build())
        .me(Standing::None)
        .decide(&Command::Leave);
    assert_refused(result, DomainError::NotMember);
}

#[test]
pub(crate) fn leave_by_banned_is_not_member() {
    let result = scene(community().build())
        .me(Standing::Banned)
        .decide(&Command::Leave);
    assert_refused(result, DomainError::NotMember);
}
