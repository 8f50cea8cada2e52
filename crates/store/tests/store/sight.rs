//! Commands addressed through a sight, on either backend: a community out
//! of the actor's sight is refused as not found inside the command's
//! transaction, writing nothing, and every refusal carries the standing it
//! was decided on (so that no dialect reads again to answer).

use roster_engine::{Command, DomainError, JoinPolicy, Role, Sight, Standing, Visibility};
use roster_store::{CommunityKey, Refusal, Ruling, User};

use crate::env::*;

fn rule(env: &Env, sight: Sight, actor: &User, key: CommunityKey, command: Command) -> Ruling {
    env.store
        .execute_in_sight(sight, act(actor), &key, command)
        .expect("no backend failure")
}

fn refusal(ruling: Ruling) -> Refusal {
    match ruling {
        Ruling::Refused(refusal) => refusal,
        Ruling::Accepted(outcome) => panic!("expected a refusal, got {outcome:?}"),
    }
}

/// A private, invite-only community ("secret") owned by `owner`.
fn secret(env: &Env, owner: &User) -> CommunityKey {
    let mut new = new_community("Secret", JoinPolicy::Invite);
    new.settings.visibility = Visibility::Private;
    let outcome = env.store.create_community(act(owner), new).unwrap();
    CommunityKey::Id(outcome.community.id())
}

pub fn a_secret_community_is_not_found_through_a_viewer_sight(env: Env) {
    let owner = env.user("olga");
    let stranger = env.user("sam");
    let key = secret(&env, &owner);
    let before = env.events();
    for sight in [Sight::Viewable, Sight::Group, Sight::Course] {
        for command in [Command::Leave, Command::Join] {
            let refused = refusal(rule(&env, sight, &stranger, key.clone(), command));
            assert_eq!(refused.error, DomainError::CommunityNotFound, "{sight:?}");
            assert!(refused.community.is_none(), "nothing told about it");
            assert_eq!(refused.actor_standing, Standing::None);
        }
    }
    // An unknown subject of a community out of sight is still not found.
    let unknown = roster_engine::UserId::random();
    let refused = refusal(rule(
        &env,
        Sight::Viewable,
        &stranger,
        key.clone(),
        Command::Remove { subject: unknown },
    ));
    assert_eq!(refused.error, DomainError::CommunityNotFound);
    assert_eq!(env.events(), before, "no event for a refusal");
    env.assert_invariants();
    // Through `Any` the rules alone decide.
    let refused = refusal(rule(&env, Sight::Any, &stranger, key, Command::Join));
    assert_eq!(refused.error, DomainError::InvitationRequired);
}

pub fn a_refusal_carries_the_standing_it_was_decided_on(env: Env) {
    let owner = env.user("olga");
    let banned = env.user("bob");
    let id = env.community(&owner, "Open club", JoinPolicy::Open);
    env.changed(
        &owner,
        id,
        Command::Ban {
            subject: banned.id,
            reason: None,
        },
    );
    let leave_as = |user: &User| {
        let key = CommunityKey::Id(id);
        refusal(rule(&env, Sight::Viewable, user, key, Command::Leave))
    };
    let refused = leave_as(&banned);
    assert_eq!(refused.error, DomainError::NotMember);
    assert_eq!(refused.actor_standing, Standing::Banned);
    assert_eq!(refused.community.map(|c| c.id()), Some(id));
    let refused = leave_as(&owner);
    assert_eq!(refused.error, DomainError::LastOwner);
    assert_eq!(refused.actor_standing, Standing::Member(Role::Owner));
    env.assert_invariants();
}

pub fn an_accepted_command_in_sight_is_one_event(env: Env) {
    let owner = env.user("olga");
    let member = env.user("max");
    let id = env.community(&owner, "Open club", JoinPolicy::Open);
    env.changed(&member, id, Command::Join);
    let before = env.events();
    match rule(
        &env,
        Sight::Channel,
        &member,
        CommunityKey::Id(id),
        Command::Leave,
    ) {
        Ruling::Accepted(outcome) => {
            assert_eq!(outcome.actor_standing, Standing::None);
            assert!(outcome.changed());
        }
        Ruling::Refused(refusal) => panic!("refused: {refusal:?}"),
    }
    assert_eq!(env.events(), before + 1);
    env.assert_invariants();
}

pub fn a_leave_through_a_room_sight_reads_the_usernames_in_its_transaction(env: Env) {
    let owner = env.user("olga");
    let ann = env.user("ann");
    let bob = env.user("bob");
    let key = secret(&env, &owner);
    for user in [&ann, &bob] {
        let add = Command::Add { subject: user.id };
        assert!(matches!(
            rule(&env, Sight::Any, &owner, key.clone(), add),
            Ruling::Accepted(_)
        ));
    }
    let Ruling::Accepted(left) = rule(&env, Sight::Group, &ann, key.clone(), Command::Leave) else {
        panic!("ann may leave");
    };
    let usernames = left.usernames.expect("a small room's usernames");
    assert_eq!(usernames, ["olga", "bob"], "those left, by user number");
    // Another sight, or another command, does not ask for them.
    let Ruling::Accepted(left) = rule(&env, Sight::Viewable, &bob, key.clone(), Command::Leave)
    else {
        panic!("bob may leave");
    };
    assert_eq!(left.usernames, None);
    let Ruling::Accepted(archived) = rule(&env, Sight::Group, &owner, key, Command::Archive) else {
        panic!("the owner may archive");
    };
    assert_eq!(archived.usernames, None);
}
