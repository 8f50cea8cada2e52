//! Community-wide commands: update settings, archive, delete, and the rank
//! below manager refused for every management command.

use super::*;

#[test]
pub(crate) fn update_by_manager_changes_only_patched_settings() {
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
pub(crate) fn update_with_no_difference_is_unchanged() {
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
pub(crate) fn update_with_bad_name_is_invalid() {
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
pub(crate) fn update_with_longest_name_is_accepted() {
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
pub(crate) fn update_with_bad_description_is_invalid() {
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
pub(crate) fn update_with_multiline_description_is_accepted() {
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
pub(crate) fn update_by_member_is_refused() {
    for actor in [MEMBER, Standing::None] {
        let result = scene(community().build())
            .actor(actor)
            .decide(&rename("Other"));
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
pub(crate) fn archive_by_owner_or_admin_archives() {
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
pub(crate) fn delete_by_owner_or_admin_deletes() {
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
pub(crate) fn archive_or_delete_below_owner_is_refused() {
    for actor in [MANAGER, MEMBER, Standing::None] {
        for command in [Command::Archive, Command::Delete] {
            let result = scene(community().build()).actor(actor).decide(&command);
            assert_refused(result, DomainError::NotPermitted);
        }
    }
}

#[test]
pub(crate) fn site_community_cannot_be_archived_or_deleted() {
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
pub(crate) fn below_manager_every_management_command_is_refused() {
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
