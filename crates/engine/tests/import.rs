//! The import planner's rules (issue 15): every invalid-record class the
//! engine decides, idempotence against what exists, implied rows.

use roster_engine::import::{
    plan, CommunityRecord, Existing, ExistingCommunity, MembershipRecord, Password, Record, Ref,
    Reject, UserRecord,
};
use roster_engine::{
    CommunityId, ContributionMode, DomainError, JoinPolicy, Role, Settings, Standing, UserId,
    Visibility,
};

fn user(name: &str) -> Record {
    Record::User(UserRecord {
        username: name.into(),
        ..UserRecord::default()
    })
}

fn community(name: &str, owner: Option<&str>) -> Record {
    Record::Community(CommunityRecord {
        id: None,
        settings: Settings {
            name: name.into(),
            description: String::new(),
            visibility: Visibility::Public,
            join_policy: JoinPolicy::Open,
            contribution_mode: ContributionMode::Anyone,
        },
        owner: owner.map(|o| Ref::Name(o.into())),
        site: false,
        archived: false,
    })
}

fn membership(community: &str, user: &str, standing: &str) -> Record {
    Record::Membership(MembershipRecord {
        community: Ref::Name(community.into()),
        user: Ref::Name(user.into()),
        standing: standing.into(),
        since: None,
    })
}

fn numbered(records: Vec<Record>) -> Vec<(usize, Record)> {
    records
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i + 1, r))
        .collect()
}

#[test]
fn a_valid_file_plans_every_row_with_counters_once() {
    let out = plan(
        numbered(vec![
            user("ann"),
            user("bob"),
            user("cy"),
            community("club", Some("ann")),
            membership("club", "bob", "manager"),
            membership("club", "cy", "requested"),
            membership("club", "ann", "owner"),
        ]),
        &Existing::default(),
    );
    assert!(out.rejects.is_empty(), "{:?}", out.rejects);
    assert_eq!(out.users.len(), 3);
    assert_eq!(out.communities.len(), 1);
    let counters = out.communities[0].counters();
    assert_eq!(
        (counters.members, counters.owners, counters.pending),
        (2, 1, 1)
    );
    assert_eq!(out.memberships(), 3);
    assert_eq!(
        out.unchanged, 1,
        "the owner's own record is already implied"
    );
}

#[test]
fn every_invalid_record_class_is_rejected_with_its_line() {
    let out = plan(
        numbered(vec![
            user("ann"),                             // 1
            user("ANN"),                             // 2 duplicate (case-insensitive)
            user("bad name"),                        // 3 invalid username
            community("club", Some("ann")),          // 4
            community("lonely", None),               // 5 no owner
            community("ghost-owned", Some("ghost")), // 6 unknown owner
            membership("club", "ghost", "member"),   // 7 unknown user
            membership("nowhere", "ann", "member"),  // 8 unknown community
            membership("club", "ann", "emperor"),    // 9 bad standing
            membership("club", "ann", "none"),       // 10 bad standing too
            membership("club", "ann", "member"),     // 11 would demote the only owner
            user("bob"),                             // 12
            membership("club", "bob", "member"),     // 13
            membership("club", "bob", "banned"),     // 14 duplicate key
            membership("lonely", "bob", "member"),   // 15 its community was rejected
        ]),
        &Existing::default(),
    );
    let lines: Vec<usize> = out.rejects.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [2, 3, 5, 6, 7, 8, 9, 10, 11, 14, 15]);
    let reason = |line: usize| {
        out.rejects
            .iter()
            .find(|(l, _)| *l == line)
            .unwrap()
            .1
            .clone()
    };
    assert!(matches!(reason(2), Reject::Duplicate(_)));
    assert!(matches!(
        reason(3),
        Reject::Rule(DomainError::Invalid {
            field: "username",
            ..
        })
    ));
    assert_eq!(reason(5), Reject::OwnerMissing);
    assert!(matches!(reason(6), Reject::UnknownUser(_)));
    assert!(matches!(reason(7), Reject::UnknownUser(_)));
    assert!(matches!(reason(8), Reject::UnknownCommunity(_)));
    assert!(matches!(reason(9), Reject::BadStanding(_)));
    assert!(matches!(reason(10), Reject::BadStanding(_)));
    assert!(matches!(reason(11), Reject::OwnerDemoted(_)));
    assert!(matches!(reason(14), Reject::Duplicate(_)));
    assert!(matches!(reason(15), Reject::DependsOnRejected(_)));
    let club = &out.communities[0];
    assert_eq!(club.counters().owners, 1, "ann stays the owner");
}

#[test]
fn the_creator_may_step_down_when_the_file_names_another_owner() {
    let out = plan(
        numbered(vec![
            user("ann"),
            user("bob"),
            community("club", Some("ann")),
            membership("club", "ann", "manager"),
            membership("club", "bob", "owner"),
        ]),
        &Existing::default(),
    );
    assert!(out.rejects.is_empty(), "{:?}", out.rejects);
    let counters = out.communities[0].counters();
    assert_eq!((counters.members, counters.owners), (2, 1));
}

#[test]
fn what_exists_is_unchanged_and_a_different_standing_is_refused() {
    let ann = UserId::random();
    let bob = UserId::random();
    let club = CommunityId::random();
    let mut existing = Existing::default();
    for (id, name) in [(ann, "ann"), (bob, "bob")] {
        existing.usernames.insert(name.into(), id);
        existing.user_ids.insert(id, name.into());
    }
    existing.communities.push(ExistingCommunity {
        id: club,
        name: "club".into(),
        archived: false,
    });
    existing
        .memberships
        .insert((club, ann), Standing::Member(Role::Owner));
    existing
        .memberships
        .insert((club, bob), Standing::Member(Role::Member));
    let out = plan(
        numbered(vec![
            user("ann"),
            community("club", Some("ann")),
            membership("club", "ann", "owner"),
            membership("club", "bob", "member"),
            membership("club", "bob", "banned"),
        ]),
        &existing,
    );
    assert_eq!(out.unchanged, 4);
    assert_eq!(out.rejects.len(), 1, "{:?}", out.rejects);
    assert!(matches!(out.rejects[0].1, Reject::Duplicate(_)));
    assert!(
        out.users.is_empty() && out.communities.is_empty(),
        "nothing to write"
    );

    let out = plan(
        numbered(vec![membership("club", "bob", "banned")]),
        &existing,
    );
    assert!(matches!(out.rejects[0].1, Reject::StandingConflict { .. }));
}

#[test]
fn new_accounts_join_an_existing_site_community() {
    let site = CommunityId::random();
    let existing = Existing {
        communities: vec![ExistingCommunity {
            id: site,
            name: "Site members".into(),
            archived: false,
        }],
        site: Some(site),
        ..Existing::default()
    };
    let out = plan(
        numbered(vec![
            user("ann"),
            membership("Site members", "ann", "member"),
        ]),
        &existing,
    );
    assert!(out.rejects.is_empty(), "{:?}", out.rejects);
    assert_eq!(out.communities.len(), 1);
    assert_eq!(out.communities[0].id, site);
    assert_eq!(
        out.communities[0].members.len(),
        1,
        "one row: implied and named"
    );
    assert_eq!(out.unchanged, 1);
}

#[test]
fn archived_communities_and_bad_passwords_are_refused() {
    let club = CommunityId::random();
    let ann = UserId::random();
    let mut existing = Existing::default();
    existing.usernames.insert("ann".into(), ann);
    existing.user_ids.insert(ann, "ann".into());
    existing.communities.push(ExistingCommunity {
        id: club,
        name: "old".into(),
        archived: true,
    });
    let short = Record::User(UserRecord {
        username: "cy".into(),
        password: Some(Password::Clear("short".into())),
        ..UserRecord::default()
    });
    let not_argon = Record::User(UserRecord {
        username: "dee".into(),
        password: Some(Password::Hash("md5:abc".into())),
        ..UserRecord::default()
    });
    let out = plan(
        numbered(vec![membership("old", "ann", "member"), short, not_argon]),
        &existing,
    );
    assert_eq!(out.rejects.len(), 3);
    assert_eq!(out.rejects[0].1, Reject::Archived);
    assert!(matches!(
        out.rejects[1].1,
        Reject::Rule(DomainError::Invalid {
            field: "password",
            ..
        })
    ));
    assert!(matches!(
        out.rejects[2].1,
        Reject::Rule(DomainError::Invalid {
            field: "password_hash",
            ..
        })
    ));
}
