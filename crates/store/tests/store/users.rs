//! Users and tokens on either backend: uniqueness (case-insensitive), the
//! site community the first admin founds, look-ups by every key, profile
//! patches, logins, listing, and the token round trip.

use chrono::{Duration, Utc};
use roster_engine::{DomainError, EventKind, JoinPolicy, Role, Standing, UserId, Visibility};
use roster_store::{EventQuery, NewToken, Scopes, User, UserKey, UserPatch};

use crate::env::*;

pub fn users_are_unique_and_the_first_account_founds_the_site_community(env: Env) {
    // Issue 14: the site community exists from the first account on,
    // whoever it is; that account owns it, admins come later as members.
    assert!(env.store.site_community().unwrap().is_none());
    assert_eq!(env.events(), 0, "no account, no site, no event");
    let early = env.user("early");
    let site = env.store.site_community().unwrap().expect("site community");
    assert!(site.state.site);
    assert_eq!(site.state.settings.name, "Site members");
    assert_eq!(site.state.settings.join_policy, JoinPolicy::Open);
    assert_eq!(site.state.settings.visibility, Visibility::Public);
    assert_eq!(site.state.settings.description, "");
    assert_eq!(site.creator.id, early.id);
    assert_eq!(site.creator.username, "early");
    assert_eq!(
        (site.state.counters.members, site.state.counters.owners),
        (1, 1)
    );
    assert_eq!(
        env.standing(site.id(), &early),
        Standing::Member(Role::Owner),
        "the first account owns the site"
    );

    let admin = env.admin("alice");
    assert_eq!(
        env.standing(site.id(), &admin),
        Standing::Member(Role::Member)
    );
    let carol = env.user("carol");
    let second_admin = env.admin("dave");
    assert_eq!(
        env.standing(site.id(), &carol),
        Standing::Member(Role::Member)
    );
    assert_eq!(
        env.standing(site.id(), &second_admin),
        Standing::Member(Role::Member)
    );
    let site = env.store.site_community().unwrap().unwrap();
    assert_eq!(
        (site.state.counters.members, site.state.counters.owners),
        (4, 1)
    );
    env.assert_invariants();

    let events = env
        .store
        .events(&EventQuery {
            community: Some(site.id()),
            after: 0,
            limit: 100,
        })
        .unwrap();
    let kinds: Vec<_> = events
        .iter()
        .map(|e| (e.kind, e.actor, e.subject))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (EventKind::Created, early.id, Some(early.id)),
            (EventKind::Joined, admin.id, Some(admin.id)),
            (EventKind::Joined, carol.id, Some(carol.id)),
            (EventKind::Joined, second_admin.id, Some(second_admin.id)),
        ]
    );

    // Usernames and emails are unique, case-insensitively; nothing is written.
    let before = env.events();
    let users_before = env.scalar("SELECT count(*) FROM users");
    assert_eq!(
        domain(env.store.create_user(new_user("alice", false))),
        DomainError::UsernameTaken
    );
    assert_eq!(
        domain(env.store.create_user(new_user("ALICE", false))),
        DomainError::UsernameTaken
    );
    let mut clash = new_user("zed", false);
    clash.email = Some("Carol@Example.org".into());
    assert_eq!(
        domain(env.store.create_user(clash)),
        DomainError::EmailTaken
    );
    assert_eq!(env.events(), before);
    assert_eq!(env.scalar("SELECT count(*) FROM users"), users_before);

    // Users without an email do not clash with each other.
    for name in ["noemail1", "noemail2"] {
        let mut user = new_user(name, false);
        user.email = None;
        assert_eq!(env.store.create_user(user).unwrap().email, None);
    }
}

/// Since the first account founds the site (issue 14), its name is taken
/// before anyone can create a community: a later one asking for it is
/// refused, and the site keeps it.
pub fn the_site_community_holds_its_name(env: Env) {
    let early = env.user("early");
    let refused = env
        .store
        .create_community(act(&early), new_community("Site members", JoinPolicy::Open));
    assert_eq!(domain(refused), DomainError::NameTaken);
    env.admin("root");
    let site = env.store.site_community().unwrap().unwrap();
    assert_eq!(site.state.settings.name, "Site members");
    assert_eq!(site.creator.id, early.id);
}

pub fn find_update_login_and_list_users(env: Env) {
    let bob = env.user("bob");
    let eve = env.user("eve");
    for key in [
        UserKey::Id(bob.id),
        UserKey::Num(bob.num),
        UserKey::Username("bob".into()),
        UserKey::Username("BOB".into()),
        UserKey::Email("bob@example.org".into()),
        UserKey::Email("Bob@Example.ORG".into()),
    ] {
        let found = env
            .store
            .find_user(&key)
            .unwrap()
            .unwrap_or_else(|| panic!("{key:?}"));
        assert_eq!(found.id, bob.id);
        assert_eq!(found.num, bob.num);
        assert_eq!(found.profile.nickname, "bob nick");
        assert_eq!(
            found.created_at, bob.created_at,
            "timestamps round-trip exactly"
        );
    }
    assert!(env
        .store
        .find_user(&UserKey::Id(UserId::random()))
        .unwrap()
        .is_none());
    assert!(env.store.find_user(&UserKey::Num(-1)).unwrap().is_none());
    assert!(env
        .store
        .find_user(&UserKey::Username("' OR 1=1 --".into()))
        .unwrap()
        .is_none());

    // Mark bob's email verified behind the store's back, to see a change reset it.
    let verified = env.exec(&format!(
        "UPDATE users SET email_verified = TRUE WHERE num = {}",
        bob.num
    ));
    assert_eq!(verified, 1);
    let patch = UserPatch {
        nickname: Some("Bobby".into()),
        last_name: Some("Builder".into()),
        ..UserPatch::default()
    };
    let updated = env.store.update_user(bob.id, &patch).unwrap();
    assert_eq!(updated.profile.nickname, "Bobby");
    assert_eq!(updated.profile.last_name, "Builder");
    assert_eq!(updated.email.as_deref(), Some("bob@example.org"));
    assert!(updated.email_verified, "unchanged email stays verified");
    assert!(updated.updated_at >= bob.updated_at);
    assert_eq!(updated.password_hash, bob.password_hash);

    let moved = env
        .store
        .update_user(
            bob.id,
            &UserPatch {
                email: Some("robert@example.org".into()),
                ..UserPatch::default()
            },
        )
        .unwrap();
    assert_eq!(moved.email.as_deref(), Some("robert@example.org"));
    assert!(!moved.email_verified, "a new address starts unverified");
    assert_eq!(
        moved.profile.nickname, "Bobby",
        "a patch keeps the other fields"
    );

    let clash = UserPatch {
        email: Some("EVE@example.org".into()),
        ..UserPatch::default()
    };
    assert_eq!(
        domain(env.store.update_user(bob.id, &clash)),
        DomainError::EmailTaken
    );
    let own = UserPatch {
        email: Some("eve@example.org".into()),
        ..UserPatch::default()
    };
    assert_eq!(
        env.store
            .update_user(eve.id, &own)
            .unwrap()
            .email
            .as_deref(),
        Some("eve@example.org")
    );
    assert_eq!(
        domain(env.store.update_user(UserId::random(), &patch)),
        DomainError::UserNotFound
    );

    assert!(bob.last_login_at.is_none());
    env.store.record_login(bob.id).unwrap();
    let after = env.store.find_user(&UserKey::Id(bob.id)).unwrap().unwrap();
    let login = after.last_login_at.expect("login recorded");
    assert!((Utc::now() - login).num_seconds().abs() < 60);
    assert_eq!(
        domain(env.store.record_login(UserId::random())),
        DomainError::UserNotFound
    );

    let more: Vec<User> = (0..5).map(|i| env.user(&format!("u{i}"))).collect();
    let all = env.store.list_users(None, 100).unwrap();
    assert_eq!(all.len(), 7);
    let nums: Vec<i64> = all.iter().map(|u| u.num).collect();
    assert!(nums.windows(2).all(|w| w[0] < w[1]), "creation order");
    let page = env.store.list_users(Some(eve.num), 2).unwrap();
    assert_eq!(
        page.iter().map(|u| u.id).collect::<Vec<_>>(),
        vec![more[0].id, more[1].id]
    );
    assert_eq!(
        env.store.list_users(None, 0).unwrap().len(),
        1,
        "limit clamps to 1"
    );
    assert!(env.store.list_users(Some(i64::MAX), 10).unwrap().is_empty());
}

// --- tokens ------------------------------------------------------------------

pub fn tokens_round_trip(env: Env) {
    let bob = env.user("bob");
    let eve = env.user("eve");
    let expires = Utc::now() + Duration::days(30);
    let first = env
        .store
        .create_token(NewToken {
            user: bob.id,
            hash: [1; 32],
            scopes: Scopes {
                read: true,
                write: false,
                admin: false,
            },
            label: "cli".into(),
            expires_at: Some(expires),
        })
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let second = env
        .store
        .create_token(NewToken {
            user: bob.id,
            hash: [2; 32],
            scopes: Scopes {
                read: true,
                write: true,
                admin: true,
            },
            label: "ci".into(),
            expires_at: None,
        })
        .unwrap();
    assert_ne!(first.id, second.id);
    assert_eq!(
        first.expires_at.unwrap().timestamp_millis(),
        expires.timestamp_millis()
    );

    let (found, user) = env.store.find_token(&[1; 32]).unwrap().expect("token");
    assert_eq!(found.id, first.id);
    assert_eq!(found.user, bob.id);
    assert_eq!(
        found.scopes,
        Scopes {
            read: true,
            write: false,
            admin: false
        }
    );
    assert_eq!(found.label, "cli");
    assert_eq!(found.expires_at, first.expires_at);
    assert_eq!(found.created_at, first.created_at);
    assert_eq!(user.id, bob.id);
    assert!(env.store.find_token(&[9; 32]).unwrap().is_none());
    let (admin_token, _) = env.store.find_token(&[2; 32]).unwrap().unwrap();
    assert_eq!(
        admin_token.scopes,
        Scopes {
            read: true,
            write: true,
            admin: true
        }
    );

    let listed: Vec<_> = env
        .store
        .list_tokens(bob.id)
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(listed, vec![second.id, first.id], "newest first");
    assert!(env.store.list_tokens(eve.id).unwrap().is_empty());

    assert!(
        !env.store.revoke_token(eve.id, first.id).unwrap(),
        "not hers"
    );
    assert!(
        !env.store
            .revoke_token(bob.id, uuid::Uuid::new_v4())
            .unwrap(),
        "unknown"
    );
    assert!(env.store.revoke_token(bob.id, first.id).unwrap());
    assert!(
        !env.store.revoke_token(bob.id, first.id).unwrap(),
        "already revoked"
    );
    let (revoked, _) = env.store.find_token(&[1; 32]).unwrap().unwrap();
    assert!(
        revoked.revoked_at.is_some(),
        "found whatever its revocation"
    );
    let (live, _) = env.store.find_token(&[2; 32]).unwrap().unwrap();
    assert!(live.revoked_at.is_none());

    let orphan = NewToken {
        user: UserId::random(),
        hash: [3; 32],
        scopes: Scopes::default(),
        label: String::new(),
        expires_at: None,
    };
    assert_eq!(
        domain(env.store.create_token(orphan)),
        DomainError::UserNotFound
    );
}

pub fn find_users_answers_each_key_in_order(env: Env) {
    let bob = env.user("bob");
    let eve = env.user("eve");
    let keys = [
        UserKey::Username("BOB".into()),
        UserKey::Id(UserId::random()),
        UserKey::Id(eve.id),
        UserKey::Email("bob@example.org".into()),
    ];
    let found: Vec<Option<UserId>> = env
        .store
        .find_users(&keys)
        .unwrap()
        .into_iter()
        .map(|user| user.map(|u| u.id))
        .collect();
    assert_eq!(found, [Some(bob.id), None, Some(eve.id), Some(bob.id)]);
    assert!(env.store.find_users(&[]).unwrap().is_empty());
}
