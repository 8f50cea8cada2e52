//! Only admin users may hold the admin scope (issue 12). The refusal order
//! of rank before the last-owner rule is in the transitions table
//! (`tests/transitions/`), row for row with `decide.rs`.

use roster_engine::users::may_hold_scope;
use roster_engine::DomainError;

#[test]
fn only_admin_users_may_hold_the_admin_scope() {
    assert_eq!(may_hold_scope(true, true), Ok(()));
    assert_eq!(may_hold_scope(true, false), Ok(()));
    assert_eq!(may_hold_scope(false, false), Ok(()));
    assert_eq!(may_hold_scope(false, true), Err(DomainError::NotPermitted));
}
