//! Archived communities: every command but unarchive is refused (rows
//! "any command but unarchive on an archived community").

use super::*;

#[test]
pub(crate) fn join_on_archived_community_is_refused() {
    for policy in POLICIES {
        let community = community().policy(policy).archived().build();
        for standing in [Standing::None, Standing::Invited, Standing::Banned] {
            let result = scene(community.clone()).me(standing).decide(&Command::Join);
            assert_refused(result, DomainError::Archived);
        }
    }
}

#[test]
pub(crate) fn leave_by_member_on_archived_community_is_refused() {
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
pub(crate) fn leave_by_non_member_on_archived_community_is_not_member() {
    let community = community().archived().build();
    for standing in [Standing::None, Standing::Banned] {
        let result = scene(community.clone())
            .me(standing)
            .decide(&Command::Leave);
        assert_refused(result, DomainError::NotMember);
    }
}

#[test]
pub(crate) fn invite_on_archived_community_is_refused() {
    let result = scene(community().archived().build())
        .actor(OWNER)
        .decide(&Command::Invite { subject: SUBJECT });
    assert_refused(result, DomainError::Archived);
}

#[test]
pub(crate) fn every_write_but_unarchive_on_archived_community_is_refused() {
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
pub(crate) fn remove_self_on_archived_community_is_decided_as_leave() {
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
pub(crate) fn unarchive_by_owner_or_admin_unarchives() {
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
pub(crate) fn unarchive_of_live_community_is_unchanged() {
    assert_unchanged(
        scene(community().build())
            .actor(OWNER)
            .decide(&Command::Unarchive),
    );
}

#[test]
pub(crate) fn unarchive_below_owner_is_refused() {
    for standing in [MANAGER, MEMBER, Standing::None] {
        let result = scene(community().archived().build())
            .actor(standing)
            .decide(&Command::Unarchive);
        assert_refused(result, DomainError::NotPermitted);
    }
}
