//! Communities on either backend: creation, every membership round trip
//! with counters and events checked after each step, an admin acting
//! without a membership, settings, archiving and deletion.

use roster_engine::{
    Actor, Command, CommunityId, DomainError, EventKind, JoinPolicy, NewCommunity, Role,
    SettingsPatch, Standing, UserId,
};
use roster_store::{CommunityKey, EventQuery, User};

use crate::env::*;

pub fn creating_communities(env: Env) {
    let admin = env.admin("root");
    let owner = env.user("olga");
    let outcome = env
        .store
        .create_community(act(&owner), new_community("Rustaceans", JoinPolicy::Open))
        .unwrap();
    let community = &outcome.community;
    assert_eq!(community.state.settings.name, "Rustaceans");
    assert_eq!(community.creator.id, owner.id);
    assert_eq!(community.state.creator, owner.id);
    assert_eq!(
        (
            community.state.counters.members,
            community.state.counters.owners
        ),
        (1, 1)
    );
    assert_eq!(outcome.actor_standing, Standing::Member(Role::Owner));
    assert_eq!(outcome.subject_standing, Standing::Member(Role::Owner));
    let event = outcome.event.as_ref().unwrap();
    assert_eq!(
        (event.kind, event.actor, event.subject),
        (EventKind::Created, owner.id, Some(owner.id))
    );
    assert_eq!(
        env.standing(community.id(), &owner),
        Standing::Member(Role::Owner)
    );
    env.assert_invariants();

    // Every key finds it; the viewer's standing comes along.
    for key in [
        CommunityKey::Id(community.id()),
        CommunityKey::Num(community.num),
        CommunityKey::Name("Rustaceans".into()),
    ] {
        let (found, standing) = env.store.community(&key, Some(owner.id)).unwrap().unwrap();
        assert_eq!(found.id(), community.id());
        assert_eq!(found.creator.username, "olga");
        assert_eq!(standing, Standing::Member(Role::Owner));
    }
    let (_, none) = env
        .store
        .community(&CommunityKey::Num(community.num), None)
        .unwrap()
        .unwrap();
    assert_eq!(none, Standing::None);
    let (_, stranger) = env
        .store
        .community(&CommunityKey::Num(community.num), Some(UserId::random()))
        .unwrap()
        .unwrap();
    assert_eq!(stranger, Standing::None);
    assert!(env
        .store
        .community(&CommunityKey::Name("rustaceans ".into()), None)
        .unwrap()
        .is_none());

    let before = env.events();
    let communities = env.scalar("SELECT count(*) FROM communities");
    let taken = env
        .store
        .create_community(act(&admin), new_community("Rustaceans", JoinPolicy::Open));
    assert_eq!(domain(taken), DomainError::NameTaken);
    let site = NewCommunity {
        settings: settings("Another site", JoinPolicy::Open),
        site: true,
        members: Vec::new(),
    };
    assert_eq!(
        domain(env.store.create_community(act(&admin), site)),
        DomainError::Invalid {
            field: "site",
            reason: "a site community exists"
        }
    );
    let ghost = Actor {
        user: UserId::random(),
        admin: false,
    };
    assert_eq!(
        domain(
            env.store
                .create_community(ghost, new_community("Ghosts", JoinPolicy::Open))
        ),
        DomainError::UserNotFound
    );
    assert!(matches!(
        domain(
            env.store
                .create_community(act(&owner), new_community(" padded", JoinPolicy::Open))
        ),
        DomainError::Invalid { field: "name", .. }
    ));
    assert_eq!(env.events(), before, "refusals write no event");
    assert_eq!(env.scalar("SELECT count(*) FROM communities"), communities);
    // root and olga in the site community, olga in Rustaceans.
    assert_eq!(env.scalar("SELECT count(*) FROM memberships"), 3);
}

// --- membership round trips --------------------------------------------------

pub fn membership_round_trips_keep_counters_and_events_exact(env: Env) {
    let owner = env.user("olga");
    let (u1, u2, u3, u4) = (
        env.user("u1"),
        env.user("u2"),
        env.user("u3"),
        env.user("u4"),
    );
    let c = env.community(&owner, "Rust", JoinPolicy::Request);

    // Request, repeat, approve.
    let out = env.changed(&u1, c, Command::Join);
    assert_eq!(out.event.as_ref().unwrap().kind, EventKind::Requested);
    assert_eq!(out.actor_standing, Standing::Requested);
    assert_eq!(out.subject_standing, Standing::Requested);
    assert_eq!(out.community.state.counters.pending, 1);
    env.unchanged(&u1, c, Command::Join);
    env.refused(
        &u1,
        c,
        Command::Approve { subject: u1.id },
        DomainError::NotPermitted,
    );
    let out = env.changed(&owner, c, Command::Approve { subject: u1.id });
    assert_eq!(out.event.as_ref().unwrap().kind, EventKind::Approved);
    assert_eq!(out.event.as_ref().unwrap().subject, Some(u1.id));
    assert_eq!(out.actor_standing, Standing::Member(Role::Owner));
    assert_eq!(out.subject_standing, Standing::Member(Role::Member));
    assert_eq!(out.community.state.counters.members, 2);
    assert_eq!(out.community.state.counters.pending, 0);
    env.unchanged(&u1, c, Command::Join);

    // Request, reject; reject again is refused.
    env.changed(&u2, c, Command::Join);
    let out = env.changed(&owner, c, Command::Reject { subject: u2.id });
    assert_eq!(out.event.as_ref().unwrap().kind, EventKind::Rejected);
    assert_eq!(out.subject_standing, Standing::None);
    env.refused(
        &owner,
        c,
        Command::Reject { subject: u2.id },
        DomainError::NoRequest,
    );

    // Invite, accept by joining; inviting a member changes nothing.
    let out = env.changed(&owner, c, Command::Invite { subject: u3.id });
    assert_eq!(out.community.state.counters.invited, 1);
    assert_eq!(env.standing(c, &u3), Standing::Invited);
    let out = env.changed(&u3, c, Command::Join);
    assert_eq!(
        out.event.as_ref().unwrap().kind,
        EventKind::InvitationAccepted
    );
    assert_eq!(out.community.state.counters.invited, 0);
    env.unchanged(&owner, c, Command::Invite { subject: u3.id });

    // Invite then decline by leaving.
    env.changed(&owner, c, Command::Invite { subject: u4.id });
    let out = env.changed(&u4, c, Command::Leave);
    assert_eq!(
        out.event.as_ref().unwrap().kind,
        EventKind::InvitationDeclined
    );

    // A role change keeps `since`.
    let since = |user: &User| -> Vec<String> {
        env.texts(&format!(
            "SELECT CAST(since AS TEXT) FROM memberships WHERE user_num = {}",
            user.num
        ))
    };
    let joined = since(&u3);
    std::thread::sleep(std::time::Duration::from_millis(5));
    let out = env.changed(
        &owner,
        c,
        Command::SetRole {
            subject: u3.id,
            role: Role::Manager,
            expect: None,
        },
    );
    assert_eq!(out.subject_standing, Standing::Member(Role::Manager));
    assert_eq!(since(&u3), joined);
    env.unchanged(
        &owner,
        c,
        Command::SetRole {
            subject: u3.id,
            role: Role::Manager,
            expect: None,
        },
    );
    env.refused(
        &owner,
        c,
        Command::SetRole {
            subject: u3.id,
            role: Role::Member,
            expect: Some(Role::Owner),
        },
        DomainError::RoleMismatch {
            actual: Role::Manager,
        },
    );

    // The last owner can neither leave nor be removed (by someone below
    // them: refused for rank, before the last-owner rule); members leave.
    env.refused(&owner, c, Command::Leave, DomainError::LastOwner);
    env.refused(
        &u3,
        c,
        Command::Remove { subject: owner.id },
        DomainError::NotPermitted,
    );
    let out = env.changed(&u1, c, Command::Leave);
    assert_eq!(out.event.as_ref().unwrap().kind, EventKind::Left);
    assert_eq!(out.actor_standing, Standing::None);
    env.refused(&u1, c, Command::Leave, DomainError::NotMember);

    // Ban ends a request; the banned cannot join; unban.
    env.changed(&u2, c, Command::Join);
    let reason = Some("spam".to_owned());
    let out = env.changed(
        &u3,
        c,
        Command::Ban {
            subject: u2.id,
            reason: reason.clone(),
        },
    );
    let event = out.event.as_ref().unwrap();
    assert_eq!(
        (event.kind, event.reason.clone()),
        (EventKind::Banned, reason)
    );
    assert_eq!(out.community.state.counters.pending, 0);
    env.unchanged(
        &owner,
        c,
        Command::Ban {
            subject: u2.id,
            reason: None,
        },
    );
    env.refused(&u2, c, Command::Join, DomainError::Banned);
    env.refused(
        &owner,
        c,
        Command::Invite { subject: u2.id },
        DomainError::SubjectBanned,
    );
    let out = env.changed(&owner, c, Command::Unban { subject: u2.id });
    assert_eq!(out.subject_standing, Standing::None);
    env.unchanged(&owner, c, Command::Unban { subject: u2.id });

    // Add directly, remove by rank.
    env.changed(&owner, c, Command::Add { subject: u4.id });
    let out = env.changed(&u3, c, Command::Remove { subject: u4.id });
    assert_eq!(out.event.as_ref().unwrap().kind, EventKind::Removed);
    env.refused(
        &u3,
        c,
        Command::Remove { subject: u4.id },
        DomainError::SubjectNotMember,
    );

    // Transfer: subject owner, actor manager, in one event; then the old owner may leave.
    let owners_before = out.community.state.counters.owners;
    let out = env.changed(&owner, c, Command::TransferOwnership { subject: u3.id });
    assert_eq!(
        out.event.as_ref().unwrap().kind,
        EventKind::OwnershipTransferred
    );
    assert_eq!(out.actor_standing, Standing::Member(Role::Manager));
    assert_eq!(out.subject_standing, Standing::Member(Role::Owner));
    assert_eq!(out.community.state.counters.owners, owners_before);
    assert_eq!(env.standing(c, &owner), Standing::Member(Role::Manager));
    assert_eq!(env.standing(c, &u3), Standing::Member(Role::Owner));
    env.changed(&owner, c, Command::Leave);
    env.refused(&u3, c, Command::Leave, DomainError::LastOwner);

    // Unknown ids change nothing.
    env.refused(
        &u3,
        c,
        Command::Invite {
            subject: UserId::random(),
        },
        DomainError::UserNotFound,
    );
    let ghost = Actor {
        user: UserId::random(),
        admin: false,
    };
    let result = env
        .store
        .execute(ghost, &CommunityKey::Id(c), Command::Join);
    assert_eq!(domain(result), DomainError::UserNotFound);
    let result = env.store.execute(
        act(&u1),
        &CommunityKey::Id(CommunityId::random()),
        Command::Join,
    );
    assert_eq!(domain(result), DomainError::CommunityNotFound);
    let result = env
        .store
        .execute(act(&u1), &CommunityKey::Name("nope".into()), Command::Join);
    assert_eq!(domain(result), DomainError::CommunityNotFound);

    // One event per accepted change, in order, with the subjects named.
    let feed = env
        .store
        .events(&EventQuery {
            community: Some(c),
            after: 0,
            limit: 1000,
        })
        .unwrap();
    let kinds: Vec<EventKind> = feed.iter().map(|e| e.kind).collect();
    use EventKind::*;
    assert_eq!(
        kinds,
        vec![
            Created,
            Requested,
            Approved,
            Requested,
            Rejected,
            Invited,
            InvitationAccepted,
            Invited,
            InvitationDeclined,
            RoleChanged,
            Left,
            Requested,
            Banned,
            Unbanned,
            Added,
            Removed,
            OwnershipTransferred,
            Left,
        ]
    );
    assert!(feed.windows(2).all(|w| w[0].seq < w[1].seq));
    let final_counters = env.counters_of(c);
    assert_eq!((final_counters.members, final_counters.owners), (1, 1));
}

pub fn an_admin_acts_without_a_membership(env: Env) {
    let admin = env.admin("root");
    let owner = env.user("olga");
    let member = env.user("mia");
    let c = env.community(&owner, "Guarded", JoinPolicy::Invite);
    env.refused(&member, c, Command::Join, DomainError::InvitationRequired);
    let elevated = Actor {
        user: admin.id,
        admin: true,
    };
    let out = env
        .store
        .execute(
            elevated,
            &CommunityKey::Id(c),
            Command::Add { subject: member.id },
        )
        .unwrap();
    assert_eq!(out.actor_standing, Standing::None);
    assert_eq!(out.subject_standing, Standing::Member(Role::Member));
    let out = env
        .store
        .execute(
            elevated,
            &CommunityKey::Id(c),
            Command::TransferOwnership { subject: member.id },
        )
        .unwrap();
    assert_eq!(
        out.community.state.counters.owners, 2,
        "admin transfer adds an owner"
    );
    env.assert_invariants();
}

pub fn settings_archive_and_delete(env: Env) {
    let owner = env.user("olga");
    let other = env.user("otto");
    let mia = env.user("mia");
    let c = env.community(&owner, "Books", JoinPolicy::Open);
    env.community(&other, "Films", JoinPolicy::Open);
    env.changed(&mia, c, Command::Join);

    let rename = |name: &str| {
        Command::Update(SettingsPatch {
            name: Some(name.into()),
            ..SettingsPatch::default()
        })
    };
    env.refused(&owner, c, rename("Films"), DomainError::NameTaken);
    env.refused(&mia, c, rename("Novels"), DomainError::NotPermitted);
    env.unchanged(&owner, c, rename("Books"));
    let created = env
        .store
        .community(&CommunityKey::Id(c), None)
        .unwrap()
        .unwrap()
        .0;
    std::thread::sleep(std::time::Duration::from_millis(5));
    let out = env.changed(&owner, c, rename("Novels"));
    assert_eq!(out.event.as_ref().unwrap().kind, EventKind::Updated);
    assert_eq!(out.community.state.settings.name, "Novels");
    assert!(
        out.community.updated_at > created.updated_at,
        "updated_at bumped"
    );
    assert_eq!(out.community.created_at, created.created_at);
    let (found, _) = env
        .store
        .community(&CommunityKey::Name("Novels".into()), None)
        .unwrap()
        .unwrap();
    assert_eq!(found.id(), c);
    assert_eq!(found.updated_at, out.community.updated_at);
    assert!(env
        .store
        .community(&CommunityKey::Name("Books".into()), None)
        .unwrap()
        .is_none());

    let out = env.changed(&owner, c, Command::Archive);
    assert!(out.community.state.archived);
    env.refused(&mia, c, Command::Leave, DomainError::Archived);
    env.refused(&owner, c, rename("Tomes"), DomainError::Archived);
    env.changed(&owner, c, Command::Unarchive);
    env.unchanged(&owner, c, Command::Unarchive);

    env.refused(&mia, c, Command::Delete, DomainError::NotPermitted);
    let out = env.changed(&owner, c, Command::Delete);
    assert_eq!(out.event.as_ref().unwrap().kind, EventKind::Deleted);
    assert_eq!(
        out.community.state.counters.members, 2,
        "the community as it was"
    );
    assert_eq!(out.community.state.settings.name, "Novels");
    assert!(env
        .store
        .community(&CommunityKey::Id(c), None)
        .unwrap()
        .is_none());
    assert_eq!(env.standing(c, &mia), Standing::None);
    assert_eq!(
        env.scalar("SELECT count(*) FROM memberships m JOIN users u ON u.num = m.user_num WHERE u.username = 'mia' AND m.community_num IN (SELECT num FROM communities WHERE NOT site)"),
        0,
        "memberships cascade with their community"
    );
    let feed = env
        .store
        .events(&EventQuery {
            community: Some(c),
            after: 0,
            limit: 100,
        })
        .unwrap();
    assert_eq!(
        feed.last().map(|e| e.kind),
        Some(EventKind::Deleted),
        "history outlives the community"
    );
    let missing = env
        .store
        .execute(act(&owner), &CommunityKey::Id(c), Command::Join);
    assert_eq!(domain(missing), DomainError::CommunityNotFound);

    // The site community cannot be archived or deleted.
    let admin = env.admin("root");
    let site = env.store.site_community().unwrap().unwrap().id();
    env.refused(&admin, site, Command::Delete, DomainError::NotPermitted);
    env.refused(&admin, site, Command::Archive, DomainError::NotPermitted);
}
