//! Reads on either backend: member pages (keyset and offset) with their
//! filters and totals, a user's communities, the event feed, data kept
//! across reopening, and hostile input.

use roster_engine::{
    Command, CommunityId, DomainError, EventKind, JoinPolicy, Role, SettingsPatch, Standing, UserId,
};
use roster_store::{
    CommunityKey, EventQuery, MembershipQuery, NewToken, Paging, Scopes, User, UserKey,
};

use crate::env::*;

pub fn members_paging_filters_and_totals(env: Env) {
    let owner = env.user("olga");
    let c = env.community(&owner, "Big", JoinPolicy::Open);
    let people: Vec<User> = (0..25).map(|i| env.user(&format!("p{i:02}"))).collect();
    for person in &people {
        env.changed(person, c, Command::Join);
    }
    let patch = SettingsPatch {
        join_policy: Some(JoinPolicy::Request),
        ..SettingsPatch::default()
    };
    env.changed(&owner, c, Command::Update(patch));
    let askers: Vec<User> = (0..3).map(|i| env.user(&format!("ask{i}"))).collect();
    for asker in &askers {
        env.changed(asker, c, Command::Join);
    }
    env.changed(
        &owner,
        c,
        Command::Ban {
            subject: people[3].id,
            reason: None,
        },
    );
    env.changed(
        &owner,
        c,
        Command::SetRole {
            subject: people[0].id,
            role: Role::Manager,
            expect: None,
        },
    );

    let expected: Vec<i64> = env.ints(&format!(
        "SELECT m.user_num FROM memberships m JOIN communities c ON c.num = m.community_num
         WHERE c.id = '{c}' AND m.standing IN ('owner','manager','member') ORDER BY m.user_num"
    ));
    assert_eq!(expected.len(), 25, "owner + 25 people - 1 banned");

    // Keyset pages of 10: 10, 10, 5, each `next` the last row's number.
    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = env
            .store
            .members(c, &member_query(vec![], Paging::After(cursor), 10))
            .unwrap();
        assert_eq!(page.total, 25);
        pages += 1;
        assert!(
            page.items
                .iter()
                .all(|row| row.user.password_hash.is_empty()),
            "a page of people carries no password hash"
        );
        seen.extend(page.items.iter().map(|row| row.user.num));
        match page.next {
            Some(next) => {
                assert_eq!(Some(next), page.items.last().map(|r| r.user.num));
                cursor = Some(next);
            }
            None => break,
        }
        assert!(pages < 10, "paging must end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected);

    // Offset pages.
    let page = env
        .store
        .members(c, &member_query(vec![], Paging::Offset(10), 10))
        .unwrap();
    let nums: Vec<i64> = page.items.iter().map(|r| r.user.num).collect();
    assert_eq!(nums, expected[10..20]);
    assert_eq!(page.next, Some(expected[19]));
    let page = env
        .store
        .members(c, &member_query(vec![], Paging::Offset(20), 10))
        .unwrap();
    assert_eq!(page.items.len(), 5);
    assert_eq!(page.next, None);
    let page = env
        .store
        .members(c, &member_query(vec![], Paging::Offset(u64::MAX), 10))
        .unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.total, 25);

    // Rows carry the user, the standing and `since`.
    let first = env
        .store
        .members(c, &member_query(vec![], Paging::After(None), 2))
        .unwrap();
    assert_eq!(first.items[0].user.id, owner.id);
    assert_eq!(first.items[0].standing, Standing::Member(Role::Owner));
    assert_eq!(first.items[1].user.id, people[0].id);
    assert_eq!(first.items[1].standing, Standing::Member(Role::Manager));
    assert!(first.items[1].since >= first.items[0].since);

    // Filters: from counters, or counted.
    let requested = env
        .store
        .members(
            c,
            &member_query(vec![Standing::Requested], Paging::After(None), 100),
        )
        .unwrap();
    assert_eq!(requested.total, 3);
    assert_eq!(
        requested
            .items
            .iter()
            .map(|r| r.user.id)
            .collect::<Vec<_>>(),
        askers.iter().map(|u| u.id).collect::<Vec<_>>()
    );
    let banned = env
        .store
        .members(
            c,
            &member_query(vec![Standing::Banned], Paging::After(None), 100),
        )
        .unwrap();
    assert_eq!(banned.total, 1);
    assert_eq!(banned.items[0].user.id, people[3].id);
    let mixed = vec![Standing::Banned, Standing::Requested, Standing::Banned];
    let mixed = env
        .store
        .members(c, &member_query(mixed, Paging::After(None), 2))
        .unwrap();
    assert_eq!(mixed.total, 4);
    assert_eq!(mixed.items.len(), 2);
    assert!(mixed.next.is_some());
    let managers = env
        .store
        .members(
            c,
            &member_query(
                vec![Standing::Member(Role::Manager)],
                Paging::After(None),
                10,
            ),
        )
        .unwrap();
    assert_eq!((managers.total, managers.items.len()), (1, 1));
    let owners = env
        .store
        .members(
            c,
            &member_query(vec![Standing::Member(Role::Owner)], Paging::After(None), 10),
        )
        .unwrap();
    assert_eq!(owners.total, 1);
    let explicit_members = vec![
        Standing::Member(Role::Member),
        Standing::Member(Role::Owner),
        Standing::Member(Role::Manager),
    ];
    let explicit = env
        .store
        .members(
            c,
            &member_query(explicit_members, Paging::After(None), 1000),
        )
        .unwrap();
    assert_eq!(explicit.total, 25);
    assert_eq!(explicit.items.len(), 25);

    // Limits clamp to 1..=1000.
    let one = env
        .store
        .members(c, &member_query(vec![], Paging::After(None), 0))
        .unwrap();
    assert_eq!(one.items.len(), 1);
    assert_eq!(one.next, Some(expected[0]));
    let all = env
        .store
        .members(c, &member_query(vec![], Paging::After(None), u32::MAX))
        .unwrap();
    assert_eq!(all.items.len(), 25);
    assert_eq!(all.next, None);
    let end = env
        .store
        .members(c, &member_query(vec![], Paging::After(Some(i64::MAX)), 10))
        .unwrap();
    assert!(end.items.is_empty() && end.next.is_none());

    let missing = env.store.members(
        CommunityId::random(),
        &member_query(vec![], Paging::After(None), 10),
    );
    assert_eq!(domain(missing), DomainError::CommunityNotFound);
}

pub fn communities_of_a_user(env: Env) {
    let admin = env.admin("root");
    let owner = env.user("olga");
    let user = env.user("uma");
    let communities: Vec<CommunityId> = (0..4)
        .map(|i| env.community(&owner, &format!("c{i}"), JoinPolicy::Open))
        .collect();
    for &c in &communities[..3] {
        env.changed(&user, c, Command::Join);
    }
    env.changed(&admin, communities[3], Command::Join);
    env.changed(&owner, communities[3], Command::Invite { subject: user.id });

    let query = |include_site: bool, paging: Paging, limit: u32, standings: Vec<Standing>| {
        MembershipQuery {
            standings,
            include_site,
            paging,
            limit,
        }
    };
    let with_site = env
        .store
        .communities_of(user.id, &query(true, Paging::After(None), 100, vec![]))
        .unwrap();
    assert_eq!(with_site.total, 4);
    assert!(
        with_site.items[0].0.state.site,
        "the site community was joined first"
    );
    let without = env
        .store
        .communities_of(user.id, &query(false, Paging::After(None), 100, vec![]))
        .unwrap();
    assert_eq!(without.total, 3);
    assert_eq!(
        without
            .items
            .iter()
            .map(|(c, _)| c.id())
            .collect::<Vec<_>>(),
        communities[..3]
    );
    assert!(without
        .items
        .iter()
        .all(|(_, s)| *s == Standing::Member(Role::Member)));

    let page1 = env
        .store
        .communities_of(user.id, &query(false, Paging::After(None), 2, vec![]))
        .unwrap();
    assert_eq!(page1.items.len(), 2);
    assert_eq!(page1.next, Some(page1.items[1].0.num));
    let page2 = env
        .store
        .communities_of(user.id, &query(false, Paging::After(page1.next), 2, vec![]))
        .unwrap();
    assert_eq!(page2.items.len(), 1);
    assert_eq!(page2.items[0].0.id(), communities[2]);
    assert_eq!(page2.next, None);
    let offset = env
        .store
        .communities_of(user.id, &query(false, Paging::Offset(1), 1, vec![]))
        .unwrap();
    assert_eq!(offset.items[0].0.id(), communities[1]);
    assert_eq!(offset.total, 3);

    let invited = env
        .store
        .communities_of(
            user.id,
            &query(false, Paging::After(None), 10, vec![Standing::Invited]),
        )
        .unwrap();
    assert_eq!(invited.total, 1);
    assert_eq!(invited.items[0].0.id(), communities[3]);
    assert_eq!(invited.items[0].1, Standing::Invited);

    let owned = env
        .store
        .communities_of(
            owner.id,
            &query(
                true,
                Paging::After(None),
                10,
                vec![Standing::Member(Role::Owner)],
            ),
        )
        .unwrap();
    assert_eq!(owned.total, 4);
    let missing = env.store.communities_of(
        UserId::random(),
        &query(true, Paging::After(None), 10, vec![]),
    );
    assert_eq!(domain(missing), DomainError::UserNotFound);
}

pub fn the_event_feed_pages_oldest_first(env: Env) {
    let owner = env.user("olga");
    let a = env.community(&owner, "A", JoinPolicy::Open);
    let b = env.community(&owner, "B", JoinPolicy::Open);
    let people: Vec<User> = (0..5).map(|i| env.user(&format!("p{i}"))).collect();
    for person in &people {
        env.changed(person, a, Command::Join);
        env.changed(person, b, Command::Join);
    }
    let all = env
        .store
        .events(&EventQuery {
            community: None,
            after: 0,
            limit: 1000,
        })
        .unwrap();
    // 12, and the site community's (issue 14): olga founds it, five join.
    assert_eq!(all.len(), 12 + 6);
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
    let after = env
        .store
        .events(&EventQuery {
            community: None,
            after: all[4].seq,
            limit: 3,
        })
        .unwrap();
    assert_eq!(
        after.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![all[5].seq, all[6].seq, all[7].seq]
    );
    let only_b = env
        .store
        .events(&EventQuery {
            community: Some(b),
            after: 0,
            limit: 1000,
        })
        .unwrap();
    assert_eq!(only_b.len(), 6);
    assert!(only_b.iter().all(|e| e.community == b));
    assert_eq!(only_b[1].subject, Some(people[0].id));
    assert_eq!(only_b[1].kind, EventKind::Joined);
    let tail = env
        .store
        .events(&EventQuery {
            community: Some(b),
            after: only_b[4].seq,
            limit: 1000,
        })
        .unwrap();
    assert_eq!(tail.len(), 1);
    assert_eq!(
        env.store
            .events(&EventQuery {
                community: None,
                after: i64::MIN,
                limit: 0
            })
            .unwrap()
            .len(),
        1
    );
    assert!(env
        .store
        .events(&EventQuery {
            community: None,
            after: i64::MAX,
            limit: 10
        })
        .unwrap()
        .is_empty());
    let round_trip = env
        .store
        .events(&EventQuery {
            community: Some(a),
            after: 0,
            limit: 1,
        })
        .unwrap();
    assert_eq!(round_trip[0].kind, EventKind::Created);
    assert_eq!(round_trip[0].actor, owner.id);
}

pub fn data_survives_reopening(env: Env) {
    let admin = env.admin("root");
    let bob = env.user("bob");
    let c = env.community(&admin, "Durable", JoinPolicy::Open);
    env.changed(&bob, c, Command::Join);
    env.store
        .create_token(NewToken {
            user: bob.id,
            hash: [7; 32],
            scopes: Scopes {
                read: true,
                write: true,
                admin: false,
            },
            label: "kept".into(),
            expires_at: None,
        })
        .unwrap();
    let events = env.events();
    let env = env.reopen();
    let store = &env.store;
    let found = store
        .find_user(&UserKey::Username("bob".into()))
        .unwrap()
        .unwrap();
    assert_eq!(found.id, bob.id);
    assert_eq!(found.created_at, bob.created_at);
    let (community, standing) = store
        .community(&CommunityKey::Name("Durable".into()), Some(bob.id))
        .unwrap()
        .unwrap();
    assert_eq!(community.id(), c);
    assert_eq!(standing, Standing::Member(Role::Member));
    assert_eq!(community.state.counters.members, 2);
    assert!(store.site_community().unwrap().is_some());
    let (token, user) = store.find_token(&[7; 32]).unwrap().unwrap();
    assert_eq!((token.label.as_str(), user.id), ("kept", bob.id));
    let feed = store
        .events(&EventQuery {
            community: None,
            after: 0,
            limit: 1000,
        })
        .unwrap();
    assert_eq!(feed.len() as i64, events);
    // Writes continue where they stopped.
    let out = store
        .execute(act(&bob), &CommunityKey::Id(c), Command::Leave)
        .unwrap();
    assert!(out.event.unwrap().seq > feed.last().unwrap().seq);
    env.assert_invariants();
}

pub fn hostile_input_is_refused_not_panicked_on(env: Env) {
    let owner = env.user("olga");
    let nasty = "Robert'); DROP TABLE users; --\u{0}\u{202e}";
    assert!(env
        .store
        .find_user(&UserKey::Username(nasty.into()))
        .unwrap()
        .is_none());
    assert!(env
        .store
        .find_user(&UserKey::Email(nasty.into()))
        .unwrap()
        .is_none());
    assert!(env
        .store
        .community(&CommunityKey::Name(nasty.into()), Some(owner.id))
        .unwrap()
        .is_none());
    assert!(env
        .store
        .community(&CommunityKey::Num(i64::MIN), None)
        .unwrap()
        .is_none());
    let long = "x".repeat(1 << 20);
    assert!(env
        .store
        .community(&CommunityKey::Name(long.clone()), None)
        .unwrap()
        .is_none());
    assert!(matches!(
        domain(
            env.store
                .create_community(act(&owner), new_community(&long, JoinPolicy::Open))
        ),
        DomainError::Invalid { field: "name", .. }
    ));
    // Quotes and unicode are data, stored as given.
    let odd = "O'Brien \"quoted\" ünïcødé";
    let c = env.community(&owner, odd, JoinPolicy::Open);
    let (found, _) = env
        .store
        .community(&CommunityKey::Name(odd.into()), None)
        .unwrap()
        .unwrap();
    assert_eq!(found.id(), c);
    assert_eq!(env.scalar("SELECT count(*) FROM users"), 1);
    let ban = Command::Ban {
        subject: owner.id,
        reason: Some("\u{0}".into()),
    };
    env.refused(&owner, c, ban, DomainError::NotPermitted);
}
