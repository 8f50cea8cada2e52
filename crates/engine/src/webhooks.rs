//! Who may follow changes through a webhook (issue 16): the rule, once, so
//! that the native API, the CLI and the deliverer (which checks it again
//! before each batch, in case the creator lost their rank) agree.

use crate::model::{Role, Standing};
use crate::DomainError;

/// May someone subscribe to a community's events (`Some(standing)`: their
/// standing in it), or to every community's (`None`)? Admins may do
/// either; a community's owners may subscribe to that community; nobody
/// else may.
pub fn may_subscribe(admin: bool, community: Option<Standing>) -> Result<(), DomainError> {
    match (admin, community) {
        (true, _) => Ok(()),
        (false, Some(Standing::Member(Role::Owner))) => Ok(()),
        (false, _) => Err(DomainError::NotPermitted),
    }
}

/// May someone see, change or delete a subscription? Admins may touch any;
/// others only the ones they created (the operator's, created by the CLI,
/// have no creator).
pub fn may_manage_webhook(
    admin: bool,
    caller: crate::UserId,
    creator: Option<crate::UserId>,
) -> Result<(), DomainError> {
    if admin || creator == Some(caller) {
        Ok(())
    } else {
        Err(DomainError::NotPermitted)
    }
}

/// Whose subscriptions a caller's list shows: every one for an admin
/// (`None`), otherwise only the ones the caller created.
pub fn webhooks_listed_for(admin: bool, caller: crate::UserId) -> Option<crate::UserId> {
    if admin {
        None
    } else {
        Some(caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;

    #[test]
    fn admins_may_follow_anything_owners_their_own_community() {
        assert!(may_subscribe(true, None).is_ok());
        assert!(may_subscribe(true, Some(Standing::None)).is_ok());
        assert!(may_subscribe(false, Some(Standing::Member(Role::Owner))).is_ok());
        for standing in [
            Standing::Member(Role::Manager),
            Standing::Member(Role::Member),
            Standing::Invited,
            Standing::Banned,
            Standing::None,
        ] {
            assert_eq!(
                may_subscribe(false, Some(standing)),
                Err(DomainError::NotPermitted)
            );
        }
        assert_eq!(may_subscribe(false, None), Err(DomainError::NotPermitted));
    }

    #[test]
    fn only_admins_and_creators_manage_a_subscription() {
        let (a, b) = (UserId(uuid::Uuid::new_v4()), UserId(uuid::Uuid::new_v4()));
        assert!(may_manage_webhook(false, a, Some(a)).is_ok());
        assert!(may_manage_webhook(true, a, Some(b)).is_ok());
        assert!(may_manage_webhook(true, a, None).is_ok());
        assert!(may_manage_webhook(false, a, Some(b)).is_err());
        assert!(may_manage_webhook(false, a, None).is_err());
    }
}
