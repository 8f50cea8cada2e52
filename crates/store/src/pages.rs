//! The backend-neutral half of the paged reads (a community's people, a
//! user's communities): which stored standings a filter names, when the
//! community's counters already hold a total, and how a fetched page (one
//! row more than asked) becomes a [`Page`]. Both backends page the same
//! way, so the rules are written once; the SQL stays in each backend's
//! `reads.rs`.

use roster_engine::{Counters, Role, Standing};

use crate::Page;

/// Clamp a caller's page size to 1..=1000, as both backends' `LIMIT`.
pub(crate) fn clamp_limit(limit: u32) -> i64 {
    i64::from(limit.clamp(1, 1000))
}

/// The standings an empty filter means: members of any role.
const MEMBER_ROLES: [Standing; 3] = [
    Standing::Member(Role::Owner),
    Standing::Member(Role::Manager),
    Standing::Member(Role::Member),
];

/// The stored standings a filter names, in a fixed order, without
/// duplicates; an empty filter means members of any role.
pub(crate) fn filter(standings: &[Standing]) -> Vec<Standing> {
    if standings.is_empty() {
        return MEMBER_ROLES.to_vec();
    }
    Standing::STORED
        .into_iter()
        .filter(|s| standings.contains(s))
        .collect()
}

/// The total a filter has without counting rows, when counters hold it.
pub(crate) fn counted(standings: &[Standing], counters: &Counters) -> Option<u64> {
    let total = match standings {
        s if s == MEMBER_ROLES => counters.members,
        [Standing::Member(Role::Owner)] => counters.owners,
        [Standing::Invited] => counters.invited,
        [Standing::Requested] => counters.pending,
        _ => return None,
    };
    Some(u64::try_from(total).unwrap_or(0))
}

/// A page from rows fetched with one more than `limit`: the extra row, if
/// any, is dropped and says that another page follows, after `key` of the
/// last kept one.
pub(crate) fn finish<T>(
    mut items: Vec<T>,
    limit: i64,
    total: u64,
    key: impl Fn(&T) -> i64,
) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(key)
    } else {
        None
    };
    Page { items, next, total }
}

pub(crate) fn empty_page<T>() -> Page<T> {
    Page {
        items: Vec::new(),
        next: None,
        total: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::clamp_limit;

    #[test]
    fn limits_are_clamped() {
        assert_eq!(clamp_limit(0), 1);
        assert_eq!(clamp_limit(50), 50);
        assert_eq!(clamp_limit(u32::MAX), 1000);
    }
}
