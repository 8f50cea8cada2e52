//! Deleting an account (`roster_engine::deletion`): who may, and what it
//! does to each community the account has a standing in, as Rocket.Chat's
//! `deleteUser` does (refuse the last owner unless ownership is
//! relinquished; then hand it on, or delete a room left empty).

mod support;

use roster_engine::deletion::{decide_account_departure, may_delete_account, ACCOUNT_DELETED};
use roster_engine::{Actor, Change, DomainError, EventKind, Role, Standing, Transition};
use support::*;

#[test]
fn only_an_admin_deletes_and_never_their_own_account() {
    let admin = Actor {
        user: ACTOR,
        admin: true,
    };
    assert_eq!(may_delete_account(admin, SUBJECT), Ok(()));
    assert_eq!(
        may_delete_account(admin, ACTOR),
        Err(DomainError::NotPermitted)
    );
    let plain = Actor {
        user: ACTOR,
        admin: false,
    };
    assert_eq!(
        may_delete_account(plain, SUBJECT),
        Err(DomainError::NotPermitted)
    );
}

#[test]
fn every_standing_but_the_last_owner_simply_ends() {
    let c = community().build();
    for standing in [
        OWNER,
        MANAGER,
        MEMBER,
        Standing::Invited,
        Standing::Requested,
        Standing::Banned,
    ] {
        let decisions = decide_account_departure(&c, SUBJECT, standing, None, false).unwrap();
        assert_eq!(decisions.len(), 1, "{standing:?}");
        assert_eq!(decisions[0].kind, EventKind::Removed);
        assert_eq!(decisions[0].reason.as_deref(), Some(ACCOUNT_DELETED));
        assert_eq!(
            decisions[0].changes,
            vec![Change::Standing(Transition {
                user: SUBJECT,
                from: standing,
                to: Standing::None,
            })]
        );
    }
    assert!(
        decide_account_departure(&c, SUBJECT, Standing::None, None, false)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn the_last_owner_is_refused_unless_ownership_is_relinquished() {
    let c = community().owners(1).build();
    let next = Some((user(9), MEMBER));
    assert_eq!(
        decide_account_departure(&c, SUBJECT, OWNER, next, false),
        Err(DomainError::LastOwner)
    );
    let decisions = decide_account_departure(&c, SUBJECT, OWNER, next, true).unwrap();
    let kinds: Vec<EventKind> = decisions.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, [EventKind::OwnershipTransferred, EventKind::Removed]);
    assert_eq!(
        decisions[0].changes,
        vec![Change::Standing(Transition {
            user: user(9),
            from: MEMBER,
            to: Standing::Member(Role::Owner),
        })]
    );
}

#[test]
fn a_room_left_empty_is_deleted_but_the_site_community_stays() {
    let alone = community().owners(1).build();
    let decisions = decide_account_departure(&alone, SUBJECT, OWNER, None, true).unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].kind, EventKind::Deleted);
    assert_eq!(decisions[0].changes, vec![Change::Delete]);
    let site = community().site().owners(1).build();
    let decisions = decide_account_departure(&site, SUBJECT, OWNER, None, true).unwrap();
    assert_eq!(decisions[0].kind, EventKind::Removed);
}
