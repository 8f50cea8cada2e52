//! The pure helpers around the table (no row of their own): community
//! creation, `can_view`, `can_manage`, `Counters::apply`, the string forms of
//! the enums, and the user-field validators.

use super::*;

#[test]
fn create_makes_the_actor_owner() {
    let actor = Actor {
        user: ACTOR,
        admin: false,
    };
    let new = NewCommunity {
        settings: settings(JoinPolicy::Request),
        site: false,
        members: Vec::new(),
    };
    assert_eq!(
        decide_create(actor, &new),
        Ok(moved(EventKind::Created, ACTOR, Standing::None, OWNER))
    );
}

#[test]
fn create_with_members_adds_each_once_in_the_same_event() {
    let actor = Actor {
        user: ACTOR,
        admin: false,
    };
    let new = NewCommunity {
        settings: settings(JoinPolicy::Invite),
        site: false,
        members: vec![SUBJECT, ACTOR, SUBJECT],
    };
    let decision = decide_create(actor, &new).unwrap();
    assert_eq!(decision.kind, EventKind::Created);
    assert_eq!(
        decision.changes,
        vec![
            Change::Standing(Transition {
                user: ACTOR,
                from: Standing::None,
                to: OWNER
            }),
            Change::Standing(Transition {
                user: SUBJECT,
                from: Standing::None,
                to: MEMBER
            }),
        ]
    );
}

#[test]
fn create_with_invalid_settings_is_refused() {
    let actor = Actor {
        user: ACTOR,
        admin: true,
    };
    let mut new = NewCommunity {
        settings: settings(JoinPolicy::Open),
        site: true,
        members: Vec::new(),
    };
    new.settings.name = " padded".to_owned();
    assert!(matches!(
        decide_create(actor, &new),
        Err(DomainError::Invalid { field: "name", .. })
    ));
}

#[test]
fn public_community_is_visible_to_everyone() {
    let public = community().build();
    for standing in [Standing::None, Standing::Banned, Standing::Invited, MEMBER] {
        assert!(can_view(&public, false, standing), "{standing}");
    }
}

#[test]
fn private_community_is_visible_to_people_with_a_standing() {
    let private = community().private().build();
    for standing in [
        Standing::Invited,
        Standing::Requested,
        MEMBER,
        MANAGER,
        OWNER,
    ] {
        assert!(can_view(&private, false, standing), "{standing}");
    }
    for standing in [Standing::None, Standing::Banned] {
        assert!(!can_view(&private, false, standing), "{standing}");
    }
}

#[test]
fn private_community_taking_requests_is_visible_to_strangers_so_they_can_ask() {
    let private = community().private().policy(JoinPolicy::Request).build();
    for standing in [Standing::None, Standing::Banned] {
        assert!(can_view(&private, false, standing), "{standing}");
    }
    let secret = community().private().policy(JoinPolicy::Invite).build();
    assert!(!can_view(&secret, false, Standing::None));
}

#[test]
fn private_community_is_visible_to_admins() {
    let private = community().private().build();
    for standing in [Standing::None, Standing::Banned] {
        assert!(can_view(&private, true, standing), "{standing}");
    }
}

fn counters(members: i64, owners: i64, pending: i64, invited: i64) -> Counters {
    Counters {
        members,
        owners,
        pending,
        invited,
    }
}

#[test]
fn counters_apply_moves_one_person() {
    let start = counters(10, 2, 3, 4);
    for (from, to, expected) in [
        (Standing::None, MEMBER, counters(11, 2, 3, 4)),
        (Standing::None, OWNER, counters(11, 3, 3, 4)),
        (Standing::None, Standing::Requested, counters(10, 2, 4, 4)),
        (Standing::None, Standing::Invited, counters(10, 2, 3, 5)),
        (Standing::None, Standing::Banned, counters(10, 2, 3, 4)),
        (Standing::Requested, MEMBER, counters(11, 2, 2, 4)),
        (Standing::Invited, MEMBER, counters(11, 2, 3, 3)),
        (Standing::Invited, Standing::None, counters(10, 2, 3, 3)),
        (OWNER, MANAGER, counters(10, 1, 3, 4)),
        (MANAGER, OWNER, counters(10, 3, 3, 4)),
        (MEMBER, MANAGER, counters(10, 2, 3, 4)),
        (OWNER, Standing::None, counters(9, 1, 3, 4)),
        (MEMBER, Standing::Banned, counters(9, 2, 3, 4)),
        (Standing::Requested, Standing::Banned, counters(10, 2, 2, 4)),
        (Standing::Banned, Standing::None, counters(10, 2, 3, 4)),
        (Standing::None, Standing::None, counters(10, 2, 3, 4)),
    ] {
        let mut c = start;
        c.apply(from, to);
        assert_eq!(c, expected, "{from} -> {to}");
    }
}

#[test]
fn counters_apply_there_and_back_is_identity() {
    let all = [
        Standing::None,
        Standing::Invited,
        Standing::Requested,
        MEMBER,
        MANAGER,
        OWNER,
        Standing::Banned,
    ];
    for from in all {
        for to in all {
            let mut c = counters(5, 1, 2, 3);
            c.apply(from, to);
            c.apply(to, from);
            assert_eq!(c, counters(5, 1, 2, 3), "{from} <-> {to}");
        }
    }
}

#[test]
fn standing_strings_round_trip() {
    let expected = [
        (Standing::None, "none"),
        (Standing::Invited, "invited"),
        (Standing::Requested, "requested"),
        (MEMBER, "member"),
        (MANAGER, "manager"),
        (OWNER, "owner"),
        (Standing::Banned, "banned"),
    ];
    for (standing, text) in expected {
        assert_eq!(standing.as_str(), text);
        assert_eq!(standing.to_string(), text);
        assert_eq!(text.parse::<Standing>(), Ok(standing));
    }
    for standing in Standing::STORED {
        assert_ne!(standing, Standing::None);
        assert_eq!(standing.as_str().parse::<Standing>(), Ok(standing));
    }
    let err = "Owner".parse::<Standing>().unwrap_err();
    assert_eq!((err.what, err.value.as_str()), ("standing", "Owner"));
}

#[test]
fn role_strings_round_trip() {
    assert_eq!(Role::ALL, &[Role::Member, Role::Manager, Role::Owner]);
    for (role, text) in [
        (Role::Member, "member"),
        (Role::Manager, "manager"),
        (Role::Owner, "owner"),
    ] {
        assert_eq!(role.as_str(), text);
        assert_eq!(text.parse::<Role>(), Ok(role));
        assert_eq!(Standing::Member(role).role(), Some(role));
    }
    assert!(Role::Member < Role::Manager && Role::Manager < Role::Owner);
    assert_eq!("admin".parse::<Role>().unwrap_err().what, "role");
}

#[test]
fn event_kind_strings_round_trip() {
    assert_eq!(EventKind::ALL.len(), 23); // 21 + policy_changed (issue 14) + imported (issue 15)
    let mut seen = std::collections::HashSet::new();
    for &kind in EventKind::ALL {
        assert!(seen.insert(kind.as_str()), "duplicate {kind}");
        assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
        assert_eq!(kind.to_string(), kind.as_str());
    }
    assert_eq!(EventKind::RequestWithdrawn.as_str(), "request_withdrawn");
    assert_eq!(
        EventKind::OwnershipTransferred.as_str(),
        "ownership_transferred"
    );
    let err = "Joined".parse::<EventKind>().unwrap_err();
    assert_eq!((err.what, err.value.as_str()), ("event kind", "Joined"));
}

#[test]
fn setting_enum_strings_round_trip() {
    for &v in Visibility::ALL {
        assert_eq!(v.as_str().parse::<Visibility>(), Ok(v));
    }
    for &p in JoinPolicy::ALL {
        assert_eq!(p.as_str().parse::<JoinPolicy>(), Ok(p));
    }
    for &m in ContributionMode::ALL {
        assert_eq!(m.as_str().parse::<ContributionMode>(), Ok(m));
    }
    assert_eq!(
        JoinPolicy::ALL
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>(),
        ["open", "request", "invite"]
    );
    assert!("secret".parse::<JoinPolicy>().is_err());
}

#[test]
fn validate_username_accepts_and_refuses() {
    for ok in ["a", "alice", "Bob.Smith_2-x", &"u".repeat(64)] {
        assert_eq!(validate_username(ok), Ok(()), "{ok:?}");
    }
    for bad in ["", "a b", "émile", "a@b", "semi;colon", &"u".repeat(65)] {
        assert!(
            matches!(
                validate_username(bad),
                Err(DomainError::Invalid {
                    field: "username",
                    ..
                })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn validate_password_accepts_and_refuses() {
    for ok in ["12345678", "éééééééé", &"p".repeat(1024)] {
        assert_eq!(validate_password(ok), Ok(()), "{ok:?}");
    }
    for bad in ["", "1234567", &"p".repeat(1025)] {
        assert!(
            matches!(
                validate_password(bad),
                Err(DomainError::Invalid {
                    field: "password",
                    ..
                })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn validate_email_accepts_and_refuses() {
    for ok in ["a@b", "alice@example.org", "first.last+tag@sub.example.com"] {
        assert_eq!(validate_email(ok), Ok(()), "{ok:?}");
    }
    let too_long = format!("{}@example.org", "a".repeat(250));
    for bad in [
        "",
        "alice",
        "@example.org",
        "alice@",
        "al ice@example.org",
        "alice@example.org\n",
        &too_long,
    ] {
        assert!(
            matches!(
                validate_email(bad),
                Err(DomainError::Invalid { field: "email", .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn only_managers_owners_and_admins_manage() {
    assert!(can_manage(false, MANAGER));
    assert!(can_manage(false, OWNER));
    assert!(can_manage(true, Standing::None));
    for standing in [
        Standing::None,
        Standing::Invited,
        Standing::Requested,
        MEMBER,
        Standing::Banned,
    ] {
        assert!(!can_manage(false, standing), "{standing}");
    }
}
