//! Feature `rooms` on either backend: deleting an account in one
//! transaction (each standing ended by the engine's `deletion` rules, one
//! event per change, the last owner refused unless ownership is
//! relinquished, nothing written on a refusal), and the two offset-paged
//! reads Rocket.Chat's lists use (`rooms`, `users_page`).

use roster_engine::{Actor, Command, DomainError, JoinPolicy, Role, Standing, Visibility};
use roster_store::{CommunityKey, RoomQuery, UserKey};

use crate::env::*;

fn as_admin(admin: &roster_store::User) -> Actor {
    Actor {
        user: admin.id,
        admin: true,
    }
}

pub fn deleting_an_account_ends_every_standing_in_one_transaction(env: Env) {
    let root = env.admin("root");
    let ann = env.user("ann");
    let bob = env.user("bob");
    let shared = env.community(&ann, "shared", JoinPolicy::Open);
    let alone = env.community(&ann, "alone", JoinPolicy::Open);
    let other = env.community(&bob, "other", JoinPolicy::Request);
    env.changed(&bob, shared, Command::Join);
    env.changed(&ann, other, Command::Join); // a pending request
    let before = env.events();

    // Not an admin, or oneself: refused.
    let refused = env.store.delete_user(act(&bob), ann.id, true);
    assert_eq!(domain(refused), DomainError::NotPermitted);
    let refused = env.store.delete_user(as_admin(&root), root.id, true);
    assert_eq!(domain(refused), DomainError::NotPermitted);
    // The last owner of "shared" without consent: nothing written at all.
    let refused = env.store.delete_user(as_admin(&root), ann.id, false);
    assert_eq!(domain(refused), DomainError::LastOwner);
    assert_eq!(env.events(), before);
    assert_eq!(env.standing(shared, &ann), Standing::Member(Role::Owner));
    env.assert_invariants();

    let written = env
        .store
        .delete_user(as_admin(&root), ann.id, true)
        .expect("deleted");
    // shared: transfer + removal; alone: deleted; other: request ended;
    // the site community: removal.
    assert_eq!(written, 5);
    assert_eq!(env.events(), before + 5);
    assert_eq!(env.standing(shared, &bob), Standing::Member(Role::Owner));
    let key = CommunityKey::Id(alone);
    assert!(env.store.community(&key, None).unwrap().is_none());
    let (shared_now, _) = env
        .store
        .community(&CommunityKey::Id(shared), None)
        .unwrap()
        .expect("shared");
    assert_eq!(shared_now.creator.username, "bob");
    assert_eq!(env.counters_of(other).pending, 0);
    assert!(env.store.find_user(&UserKey::Id(ann.id)).unwrap().is_none());
    assert_eq!(
        env.scalar("SELECT count(*) FROM tokens WHERE user_num NOT IN (SELECT num FROM users)"),
        0
    );
    env.assert_invariants();
    let gone = env.store.delete_user(as_admin(&root), ann.id, true);
    assert_eq!(domain(gone), DomainError::UserNotFound);
}

pub fn rooms_page_by_visibility_and_membership(env: Env) {
    let _root = env.admin("root"); // founds the site community: never a room
    let ann = env.user("ann");
    let bob = env.user("bob");
    let one = env.community(&ann, "one", JoinPolicy::Open);
    env.community(&ann, "two", JoinPolicy::Open);
    env.community(&ann, "three", JoinPolicy::Open);
    let mut private = new_community("hidden", JoinPolicy::Invite);
    private.settings.visibility = Visibility::Private;
    env.store.create_community(act(&ann), private).unwrap();
    env.changed(&bob, one, Command::Join);

    let query = |member, offset, limit| RoomQuery {
        visibility: Visibility::Public,
        member,
        offset,
        limit,
    };
    let page = env.store.rooms(&query(None, 0, 2)).unwrap();
    let names: Vec<&str> = page
        .items
        .iter()
        .map(|(c, _)| c.state.settings.name.as_str())
        .collect();
    assert_eq!(names, ["one", "two"]);
    assert_eq!(page.total, 3);
    let page = env.store.rooms(&query(None, 2, 2)).unwrap();
    assert_eq!(page.items.len(), 1);
    let page = env.store.rooms(&query(Some(bob.id), 0, 10)).unwrap();
    assert_eq!((page.items.len(), page.total), (1, 1));
    assert_eq!(page.items[0].1, Standing::Member(Role::Member));
    let mut private_query = query(Some(ann.id), 0, 10);
    private_query.visibility = Visibility::Private;
    let page = env.store.rooms(&private_query).unwrap();
    assert_eq!(page.items[0].0.state.settings.name, "hidden");
    assert_eq!(page.total, 1);

    let users = env.store.users_page(1, 1).unwrap();
    assert_eq!(users.total, 3);
    assert_eq!(users.items[0].username, "ann");
}
