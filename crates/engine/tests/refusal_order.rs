//! The refusal order of issue 12: rank is decided before the last-owner
//! rule, so that someone who may not touch the sole owner is told
//! `NotPermitted`, not `LastOwner` (which would tell them the owner is the
//! only one); and only admin users may hold the admin scope.

mod support;

use roster_engine::users::may_hold_scope;
use roster_engine::{Command, DomainError, Role, Standing};
use support::*;

fn ban(reason: Option<&str>) -> Command {
    Command::Ban {
        subject: SUBJECT,
        reason: reason.map(str::to_owned),
    }
}

#[test]
fn remove_of_last_owner_by_lower_rank_is_not_permitted_not_last_owner() {
    for actor in [MANAGER, MEMBER, Standing::None] {
        let result = scene(community().owners(1).build())
            .actor(actor)
            .subject(OWNER)
            .decide(&Command::Remove { subject: SUBJECT });
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
fn ban_of_last_owner_by_lower_rank_is_not_permitted_not_last_owner() {
    for actor in [MANAGER, MEMBER] {
        let result = scene(community().owners(1).build())
            .actor(actor)
            .subject(OWNER)
            .decide(&ban(None));
        assert_refused(result, DomainError::NotPermitted);
    }
}

#[test]
fn manager_demoting_the_last_owner_is_not_permitted_not_last_owner() {
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

#[test]
fn only_admin_users_may_hold_the_admin_scope() {
    assert_eq!(may_hold_scope(true, true), Ok(()));
    assert_eq!(may_hold_scope(true, false), Ok(()));
    assert_eq!(may_hold_scope(false, false), Ok(()));
    assert_eq!(may_hold_scope(false, true), Err(DomainError::NotPermitted));
}
