//! The permission policy on either backend (issue 14): stored, changed by
//! admins only with one `policy_changed` event on the site community,
//! applied by the next command, kept across reopening, and followed by
//! another node (or process) within `POLICY_REFRESH`.

use roster_engine::{Action, Command, DomainError, EventKind, JoinPolicy, Level, Policy};
use roster_store::{CommunityKey, EventQuery, POLICY_REFRESH};

use crate::env::*;

/// An admin's elevated actor (`act` is never elevated).
fn elevated(user: &roster_store::User) -> roster_engine::Actor {
    roster_engine::Actor {
        user: user.id,
        admin: true,
    }
}

pub fn the_policy_is_stored_and_each_change_is_one_event(env: Env) {
    let root = env.admin("root");
    let owner = env.user("owner");
    let ann = env.user("ann");
    let bob = env.user("bob");
    assert_eq!(env.store.policy().unwrap().policy, Policy::default());
    let club = env.community(&owner, "Club", JoinPolicy::Open);
    env.changed(&ann, club, Command::Join);
    let invite = Command::Invite { subject: bob.id };
    env.refused(&ann, club, invite.clone(), DomainError::NotPermitted);

    // Only admins change it; nothing is written by a refusal.
    let before = env.events();
    let change = [(Action::Invite, Level::Member)];
    assert_eq!(
        domain(env.store.set_policy(act(&owner), &change)),
        DomainError::NotPermitted
    );
    let bad = [(Action::RemoveAnywhere, Level::Member)];
    assert!(matches!(
        domain(env.store.set_policy(elevated(&root), &bad)),
        DomainError::Invalid { .. }
    ));
    assert_eq!(env.events(), before);
    assert_eq!(env.scalar("SELECT count(*) FROM policy"), 0);

    let update = env.store.set_policy(elevated(&root), &change).unwrap();
    assert_eq!(update.policy.level(Action::Invite), Level::Member);
    let event = update.event.expect("one event");
    let site = env.store.site_community().unwrap().unwrap();
    assert_eq!(
        (event.kind, event.community, event.actor, event.subject),
        (EventKind::PolicyChanged, site.id(), root.id, None)
    );
    assert_eq!(event.reason.as_deref(), Some("invite: manager -> member"));
    assert_eq!(env.events(), before + 1);
    let feed = env
        .store
        .events(&EventQuery {
            community: Some(site.id()),
            after: event.seq - 1,
            limit: 10,
        })
        .unwrap();
    assert_eq!(feed.len(), 1);
    assert_eq!(feed[0].kind, EventKind::PolicyChanged);

    // The same change again changes nothing and writes nothing.
    let again = env.store.set_policy(elevated(&root), &change).unwrap();
    assert!(again.event.is_none());
    assert_eq!(env.events(), before + 1);

    // The next command decides under it.
    env.changed(&ann, club, invite);

    // Setting a level back to its default is the default again.
    let env = env.reopen();
    let stored = env.store.policy().unwrap();
    assert_eq!(stored.policy.level(Action::Invite), Level::Member);
    assert_eq!(stored.updated_at.get(&Action::Invite), Some(&event.at));
    assert_eq!(stored.updated_at.len(), 1, "only what was set has a time");
    env.store
        .set_policy(elevated(&root), &[(Action::Invite, Level::Manager)])
        .unwrap();
    assert_eq!(env.store.policy().unwrap().policy, Policy::default());
    assert_eq!(
        env.scalar("SELECT count(*) FROM policy"),
        1,
        "its row stays, with the time it was set back"
    );
}

pub fn the_invariants_hold_under_any_policy(env: Env) {
    let root = env.admin("root");
    let owner = env.user("owner");
    let club = env.community(&owner, "Club", JoinPolicy::Open);
    let loose: Vec<_> = Action::ALL
        .iter()
        .map(|&a| {
            let level = if a.accepts(Level::Member) {
                Level::Member
            } else {
                Level::Admin
            };
            (a, level)
        })
        .collect();
    env.store.set_policy(elevated(&root), &loose).unwrap();
    let ann = env.user("ann");
    env.changed(&ann, club, Command::Join);
    env.refused(&owner, club, Command::Leave, DomainError::LastOwner);
    env.refused(
        &ann,
        club,
        Command::SetRole {
            subject: owner.id,
            role: roster_engine::Role::Member,
            expect: None,
        },
        DomainError::LastOwner,
    );
    let by_admin = env.store.execute(
        elevated(&root),
        &CommunityKey::Id(club),
        Command::Remove { subject: owner.id },
    );
    assert_eq!(domain(by_admin), DomainError::LastOwner);
    env.assert_invariants();
}

/// Another store on the same data (a second node, or `roster policy set`
/// in another process) decides under a change within `POLICY_REFRESH`.
pub fn another_node_follows_a_change_within_the_refresh_bound(env: Env) {
    let root = env.admin("root");
    let owner = env.user("owner");
    let club = env.community(&owner, "Club", JoinPolicy::Open);
    let node = env.open_again().expect("a second node");
    let delete = || node.execute(act(&owner), &CommunityKey::Id(club), Command::Delete);
    // The second node reads (and caches) the default policy: a refusal
    // under the new one must come from its refresh, not a first read.
    env.store
        .set_policy(elevated(&root), &[(Action::Archive, Level::Admin)])
        .unwrap();
    let _ = node.execute(act(&owner), &CommunityKey::Id(club), Command::Join);
    env.store
        .set_policy(elevated(&root), &[(Action::Delete, Level::Admin)])
        .unwrap();
    std::thread::sleep(POLICY_REFRESH + std::time::Duration::from_millis(200));
    assert_eq!(domain(delete()), DomainError::NotPermitted);
    assert!(env
        .store
        .community(&CommunityKey::Id(club), None)
        .unwrap()
        .is_some());
}
