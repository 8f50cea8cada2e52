//! The transition table as data: one entry per row of the table in
//! `crates/engine/src/decide.rs`'s module documentation, with the cases that
//! check it. The documentation is read here (`include_str!`) and compared
//! cell for cell, so a row added, changed or dropped on either side fails
//! `every_documented_row_has_exactly_one_entry` or
//! `every_entry_is_a_documented_row`; the cases themselves are the
//! `#[test]` functions of the sibling modules.

use super::{archived, bans, invite_add, join_leave, remove, roles, settings};

/// One documented row and the cases that check it.
pub struct Row {
    pub standing: &'static str,
    pub command: &'static str,
    pub result: &'static str,
    pub cases: &'static [fn()],
}

/// The rows, in the documentation's order.
pub const ROWS: &[Row] = &[
    Row {
        standing: "any",
        command: "any command but unarchive on an archived community",
        result: "`Archived` (leave by a non-member: `NotMember` first)",
        cases: &[
            archived::join_on_archived_community_is_refused,
            archived::leave_by_member_on_archived_community_is_refused,
            archived::leave_by_non_member_on_archived_community_is_not_member,
            archived::invite_on_archived_community_is_refused,
            archived::every_write_but_unarchive_on_archived_community_is_refused,
            archived::remove_self_on_archived_community_is_decided_as_leave,
        ],
    },
    Row {
        standing: "none",
        command: "join (self), policy open",
        result: "member (`joined`)",
        cases: &[join_leave::join_by_none_in_open_community_joins],
    },
    Row {
        standing: "none",
        command: "join (self), policy request",
        result: "requested (`requested`)",
        cases: &[join_leave::join_by_none_in_request_community_requests],
    },
    Row {
        standing: "none",
        command: "join (self), policy invite",
        result: "`InvitationRequired`",
        cases: &[join_leave::join_by_none_in_invite_only_community_requires_invitation],
    },
    Row {
        standing: "invited",
        command: "join (self)",
        result: "member (`invitation_accepted`)",
        cases: &[join_leave::join_by_invited_accepts_invitation],
    },
    Row {
        standing: "requested / member",
        command: "join (self)",
        result: "unchanged",
        cases: &[
            join_leave::join_by_requested_is_unchanged,
            join_leave::join_by_member_is_unchanged,
        ],
    },
    Row {
        standing: "banned",
        command: "join (self)",
        result: "`Banned`",
        cases: &[join_leave::join_by_banned_is_refused],
    },
    Row {
        standing: "member, not the last owner",
        command: "leave (self)",
        result: "none (`left`)",
        cases: &[
            join_leave::leave_by_member_who_is_not_the_last_owner_leaves,
            join_leave::leave_by_one_of_two_owners_leaves,
        ],
    },
    Row {
        standing: "member, the last owner",
        command: "leave (self)",
        result: "`LastOwner`",
        cases: &[
            join_leave::leave_by_last_owner_is_refused,
            join_leave::leave_by_last_owner_with_admin_token_is_refused,
        ],
    },
    Row {
        standing: "requested",
        command: "leave (self)",
        result: "none (`request_withdrawn`)",
        cases: &[join_leave::leave_by_requester_withdraws_request],
    },
    Row {
        standing: "invited",
        command: "leave (self)",
        result: "none (`invitation_declined`)",
        cases: &[join_leave::leave_by_invited_declines_invitation],
    },
    Row {
        standing: "none / banned",
        command: "leave (self)",
        result: "`NotMember`",
        cases: &[
            join_leave::leave_by_non_member_is_not_member,
            join_leave::leave_by_banned_is_not_member,
        ],
    },
    Row {
        standing: "none",
        command: "invite (manager+)",
        result: "invited (`invited`)",
        cases: &[
            invite_add::invite_of_none_by_manager_invites,
            invite_add::invite_of_none_by_admin_without_membership_invites,
        ],
    },
    Row {
        standing: "requested",
        command: "invite (manager+)",
        result: "member (`approved`)",
        cases: &[invite_add::invite_of_requester_approves],
    },
    Row {
        standing: "invited / member",
        command: "invite (manager+)",
        result: "unchanged",
        cases: &[invite_add::invite_of_invited_or_member_is_unchanged],
    },
    Row {
        standing: "banned",
        command: "invite / add (manager+)",
        result: "`SubjectBanned`",
        cases: &[
            invite_add::invite_of_banned_is_refused,
            invite_add::add_of_banned_is_refused,
        ],
    },
    Row {
        standing: "invited",
        command: "revoke invitation (manager+)",
        result: "none (`invitation_revoked`); anything else unchanged",
        cases: &[
            invite_add::revoke_invitation_of_invited_revokes,
            invite_add::revoke_invitation_of_anything_else_is_unchanged,
        ],
    },
    Row {
        standing: "none / invited / requested",
        command: "add (manager+)",
        result: "member (`added`)",
        cases: &[invite_add::add_of_none_invited_or_requested_makes_member],
    },
    Row {
        standing: "member",
        command: "add (manager+)",
        result: "unchanged",
        cases: &[invite_add::add_of_member_is_unchanged],
    },
    Row {
        standing: "requested",
        command: "approve (manager+)",
        result: "member (`approved`)",
        cases: &[invite_add::approve_of_requester_makes_member],
    },
    Row {
        standing: "requested",
        command: "reject (manager+)",
        result: "none (`rejected`)",
        cases: &[invite_add::reject_of_requester_makes_none],
    },
    Row {
        standing: "not requested",
        command: "approve / reject",
        result: "`NoRequest`",
        cases: &[invite_add::approve_or_reject_without_request_is_no_request],
    },
    Row {
        standing: "requested",
        command: "remove (manager+)",
        result: "none (`rejected`)",
        cases: &[remove::remove_of_requester_rejects],
    },
    Row {
        standing: "invited",
        command: "remove (manager+)",
        result: "none (`invitation_revoked`)",
        cases: &[remove::remove_of_invited_revokes_invitation],
    },
    Row {
        standing: "none / banned",
        command: "remove (manager+)",
        result: "`SubjectNotMember`",
        cases: &[remove::remove_of_none_or_banned_is_subject_not_member],
    },
    Row {
        standing: "member of equal or higher rank (the last owner too)",
        command: "remove / ban (anyone but admin)",
        result: "`NotPermitted`",
        cases: &[
            remove::manager_cannot_remove_manager_or_owner,
            remove::owner_cannot_remove_another_owner,
            remove::remove_of_last_owner_by_lower_rank_is_not_permitted,
            bans::ban_of_equal_or_higher_rank_is_refused,
            bans::ban_of_self_is_refused,
            bans::ban_of_last_owner_by_lower_rank_is_not_permitted,
        ],
    },
    Row {
        standing: "the last owner",
        command: "remove / ban (admin)",
        result: "`LastOwner`",
        cases: &[
            remove::remove_of_last_owner_is_refused_even_for_admin,
            bans::ban_of_last_owner_is_refused,
        ],
    },
    Row {
        standing: "member below the actor's rank",
        command: "remove (manager+)",
        result: "none (`removed`)",
        cases: &[
            remove::remove_of_member_below_actor_rank_removes,
            remove::admin_can_remove_owner_who_is_not_the_last,
        ],
    },
    Row {
        standing: "the actor",
        command: "remove (self)",
        result: "decided as leave",
        cases: &[remove::remove_of_self_is_decided_as_leave],
    },
    Row {
        standing: "member",
        command: "set role (owner or admin: any role)",
        result: "new role (`role_changed`)",
        cases: &[roles::owner_can_set_any_role, roles::admin_can_set_any_role],
    },
    Row {
        standing: "member",
        command: "set role (manager: member → manager only)",
        result: "new role (`role_changed`)",
        cases: &[
            roles::manager_can_promote_member_to_manager,
            roles::manager_cannot_demote_manager,
            roles::manager_cannot_promote_to_owner,
            roles::manager_cannot_demote_owner,
        ],
    },
    Row {
        standing: "member, the last owner",
        command: "set role below owner (owner or admin)",
        result: "`LastOwner`",
        cases: &[roles::last_owner_cannot_be_demoted],
    },
    Row {
        standing: "member, the last owner",
        command: "set role (manager)",
        result: "`NotPermitted`",
        cases: &[roles::manager_demoting_the_last_owner_is_not_permitted],
    },
    Row {
        standing: "member, role ≠ `expect`",
        command: "set role with `expect`",
        result: "`RoleMismatch`",
        cases: &[
            roles::set_role_with_mismatched_expect_is_role_mismatch,
            roles::set_role_with_matching_expect_changes,
        ],
    },
    Row {
        standing: "member, role = new role",
        command: "set role",
        result: "unchanged",
        cases: &[roles::set_role_to_same_role_is_unchanged],
    },
    Row {
        standing: "not a member",
        command: "set role / transfer",
        result: "`SubjectNotMember`",
        cases: &[
            roles::set_role_of_non_member_is_subject_not_member,
            roles::transfer_to_non_member_is_subject_not_member,
        ],
    },
    Row {
        standing: "member",
        command: "transfer ownership (an owner)",
        result: "subject owner, actor manager (`ownership_transferred`)",
        cases: &[
            roles::transfer_by_owner_makes_subject_owner_and_actor_manager_in_one_decision,
            roles::transfer_by_owner_to_another_owner_only_demotes_actor,
            roles::transfer_by_non_owner_is_refused,
            roles::transfer_to_self_is_unchanged,
        ],
    },
    Row {
        standing: "member",
        command: "transfer ownership (admin, not an owner)",
        result: "subject owner (`ownership_transferred`)",
        cases: &[
            roles::transfer_by_admin_non_owner_makes_subject_owner_only,
            roles::transfer_by_admin_to_existing_owner_is_unchanged,
        ],
    },
    Row {
        standing: "any but banned",
        command: "ban (manager+ over a lower rank)",
        result: "banned (`banned`)",
        cases: &[
            bans::ban_ends_membership_request_and_invitation,
            bans::ban_keeps_its_reason,
            bans::ban_with_invalid_reason_is_refused,
            bans::admin_can_ban_owner_who_is_not_the_last,
        ],
    },
    Row {
        standing: "banned",
        command: "ban",
        result: "unchanged",
        cases: &[bans::ban_of_banned_is_unchanged],
    },
    Row {
        standing: "banned",
        command: "unban (manager+)",
        result: "none (`unbanned`); anything else unchanged",
        cases: &[
            bans::unban_of_banned_makes_none,
            bans::unban_of_anyone_else_is_unchanged,
        ],
    },
    Row {
        standing: "—",
        command: "update settings (manager+)",
        result: "`updated`, or unchanged when nothing differs",
        cases: &[
            settings::update_by_manager_changes_only_patched_settings,
            settings::update_with_no_difference_is_unchanged,
            settings::update_with_bad_name_is_invalid,
            settings::update_with_longest_name_is_accepted,
            settings::update_with_bad_description_is_invalid,
            settings::update_with_multiline_description_is_accepted,
        ],
    },
    Row {
        standing: "—",
        command: "archive / unarchive / delete (owner or admin)",
        result: "`archived` / `unarchived` / `deleted`",
        cases: &[
            settings::archive_by_owner_or_admin_archives,
            settings::delete_by_owner_or_admin_deletes,
            archived::unarchive_by_owner_or_admin_unarchives,
            archived::unarchive_of_live_community_is_unchanged,
            archived::unarchive_below_owner_is_refused,
            settings::archive_or_delete_below_owner_is_refused,
        ],
    },
    Row {
        standing: "—",
        command: "archive / delete the site community",
        result: "`NotPermitted`",
        cases: &[settings::site_community_cannot_be_archived_or_deleted],
    },
    Row {
        standing: "anyone below manager",
        command: "invite, add, approve, reject, remove, set role, ban, unban, update",
        result: "`NotPermitted`",
        cases: &[
            settings::below_manager_every_management_command_is_refused,
            invite_add::invite_by_member_is_refused,
            invite_add::revoke_invitation_by_member_is_refused,
            invite_add::add_by_member_is_refused,
            invite_add::approve_or_reject_by_member_is_refused,
            remove::member_cannot_remove,
            roles::member_cannot_set_role,
            bans::ban_by_member_is_refused,
            bans::unban_by_member_is_refused,
            settings::update_by_member_is_refused,
        ],
    },
];

/// The documented rows as (standing, command, result) cells: every
/// `//! | … | … | … |` line of decide.rs but the header and the rule.
fn documented_rows() -> Vec<(String, String, String)> {
    include_str!("../../src/decide.rs")
        .lines()
        .filter_map(|line| line.strip_prefix("//! |"))
        .filter_map(|row| {
            let cells: Vec<&str> = row
                .trim_end()
                .trim_end_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            match cells[..] {
                ["subject's standing", ..] | ["---", ..] => None,
                [standing, command, result] => {
                    Some((standing.to_owned(), command.to_owned(), result.to_owned()))
                }
                _ => panic!(
                    "a table row of decide.rs has {} cells, not 3: |{row}",
                    cells.len()
                ),
            }
        })
        .collect()
}

fn cells(row: &Row) -> (String, String, String) {
    (
        row.standing.to_owned(),
        row.command.to_owned(),
        row.result.to_owned(),
    )
}

#[test]
fn every_documented_row_has_exactly_one_entry() {
    let documented = documented_rows();
    assert!(
        documented.len() >= 40,
        "the table was not found: {documented:?}"
    );
    for row in &documented {
        let entries = ROWS.iter().filter(|entry| cells(entry) == *row).count();
        assert_eq!(
            entries, 1,
            "documented row {row:?} has {entries} entries in ROWS"
        );
    }
}

#[test]
fn every_entry_is_a_documented_row_in_the_same_order() {
    let documented = documented_rows();
    let entries: Vec<_> = ROWS.iter().map(cells).collect();
    assert_eq!(entries, documented);
}

#[test]
fn every_entry_has_cases_and_they_pass() {
    for row in ROWS {
        assert!(!row.cases.is_empty(), "no case for {:?}", cells(row));
        for case in row.cases {
            case();
        }
    }
}
