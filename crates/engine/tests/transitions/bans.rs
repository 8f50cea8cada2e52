//! Ban and unban.

use super::*;

#[test]
pub(crate) fn ban_ends_membership_request_and_invitation() {
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
pub(crate) fn ban_keeps_its_reason() {
    let result = scene(community().build())
        .actor(OWNER)
        .subject(MANAGER)
        .decide(&ban(Some("spam\nagain")));
    let mut expected = moved(EventKind::Banned, SUBJECT, MANAGER, Standing::Banned);
    expected.reason = Some("spam\nagain".to_owned());
    assert_eq!(result, Ok(Effect::Changed(expected)));
}

#[test]
pub(crate) fn ban_with_invalid_reason_is_refused() {
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
pub(crate) fn ban_of_last_owner_is_refused() {
    let result = scene(community().owners(1).build())
        .admin()
        .subject(OWNER)
        .decide(&ban(None));
    assert_refused(result, DomainError::LastOwner);
}

#[test]
pub(crate) fn admin_can_ban_owner_who_is_not_the_last() {
    let result = scene(community().owners(2).build())
        .admin()
        .subject(OWNER)
        .decide(&ban(None));
    assert_moves(result, EventKind::Banned, SUBJECT, OWNER, Standing::Banned);
}

#[test]
pub(crate) fn ban_of_equal_or_higher_rank_is_refused() {
    for (actor, subject) in [(MANAGER, MANAGER), (MANAGER, OWNER), (OWNER, OWNER)] {
        let result = scene(community().owners(2).build())
            .actor(actor)
            .subject(subject)
            .decide(&ban(None));
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
pub(crate) fn ban_of_self_is_refused() {
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
pub(crate) fn ban_of_banned_is_unchanged() {
    let result = scene(community().build())
        .actor(OWNER)
        .subject(Standing::Banned)
        .decide(&ban(None));
    assert_unchanged(result);
}

#[test]
pub(crate) fn ban_by_member_is_refused() {
    let result = scene(community().build())
        .actor(MEMBER)
        .subject(Standing::None)
        .decide(&ban(None));
    assert_refused(result, DomainError::NotPermitted);
}

#[test]
pub(crate) fn unban_of_banned_makes_none() {
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
pub(crate) fn unban_of_anyone_else_is_unchanged() {
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
pub(crate) fn unban_by_member_is_refused() {
    let result = scene(community().build())
        .actor(MEMBER)
        .subject(Standing::Banned)
        .decide(&Command::Unban { subject: SUBJECT });
    assert_refused(result, DomainError::NotPermitted);
}

/// Rank first (issue 12): a manager or member banning the sole owner is
/// not told that the owner is the last one.
#[test]
pub(crate) fn ban_of_last_owner_by_lower_rank_is_not_permitted() {
    for actor in [MANAGER, MEMBER] {
        let result = scene(community().owners(1).build())
            .actor(actor)
            .subject(OWNER)
            .decide(&ban(None));
        assert_refused(result, DomainError::NotPermitted);
    }
}
