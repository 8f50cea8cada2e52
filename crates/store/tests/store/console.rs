//! The web console's store reads and sessions (issue 17), on both
//! backends: the member search by username prefix pages by cursor and
//! follows membership changes (the triggers of migration 0005); sessions
//! end when signed out; the timeline reads newest first and the chart's
//! days are counted.

use chrono::{Duration, Utc};
use roster_engine::{Command, EventKind, JoinPolicy, Role, Standing};
use roster_store::{MemberSearch, NewConsoleSession};

use crate::env::*;

fn search(
    env: &Env,
    community: roster_engine::CommunityId,
    prefix: &str,
    after: Option<String>,
) -> (Vec<String>, Option<String>) {
    let page = env
        .store
        .search_members(
            community,
            &MemberSearch {
                prefix: prefix.to_owned(),
                standings: Vec::new(),
                after,
                limit: 2,
            },
        )
        .expect("search");
    (
        page.items
            .iter()
            .map(|row| row.user.username.clone())
            .collect(),
        page.next,
    )
}

pub fn member_search_pages_by_username_prefix(env: Env) {
    let owner = env.user("Zed");
    let community = env.community(&owner, "Bakers", JoinPolicy::Open);
    for name in ["bob", "Bobby", "bobcat", "carol", "bo"] {
        let user = env.user(name);
        env.changed(&user, community, Command::Join);
    }
    let (first, next) = search(&env, community, "BOB", None);
    assert_eq!(first, ["bob", "Bobby"], "case-insensitive, by username");
    let (second, end) = search(&env, community, "bob", next);
    assert_eq!(second, ["bobcat"]);
    assert_eq!(end, None);
    let (all, _) = search(&env, community, "", None);
    assert_eq!(all, ["bo", "bob"]);
    let (none, _) = search(&env, community, "x\0", None);
    assert!(none.is_empty(), "hostile text finds nothing");

    // Leaving, a ban and a role change are followed.
    let bobcat = env
        .store
        .find_user(&roster_store::UserKey::Username("bobcat".into()))
        .unwrap()
        .unwrap();
    env.changed(&bobcat, community, Command::Leave);
    let bob = env
        .store
        .find_user(&roster_store::UserKey::Username("bob".into()))
        .unwrap()
        .unwrap();
    env.changed(
        &owner,
        community,
        Command::Ban {
            subject: bob.id,
            reason: None,
        },
    );
    let (left, _) = search(&env, community, "bob", None);
    assert_eq!(
        left,
        ["Bobby"],
        "neither the leaver nor the banned member is listed"
    );
    let banned = env
        .store
        .search_members(
            community,
            &MemberSearch {
                prefix: "bob".into(),
                standings: vec![Standing::Banned],
                after: None,
                limit: 10,
            },
        )
        .unwrap();
    assert_eq!(banned.items.len(), 1);
    env.changed(&bobcat, community, Command::Join);
    let bobby = env
        .store
        .find_user(&roster_store::UserKey::Username("Bobby".into()))
        .unwrap()
        .unwrap();
    env.changed(
        &owner,
        community,
        Command::SetRole {
            subject: bobby.id,
            role: Role::Manager,
            expect: None,
        },
    );
    let (back, _) = search(&env, community, "bob", None);
    assert_eq!(back, ["Bobby", "bobcat"]);
    assert_eq!(
        env.scalar("SELECT count(*) FROM membership_names"),
        env.scalar("SELECT count(*) FROM memberships"),
        "one name row per membership row"
    );
    env.assert_invariants();
}

pub fn sessions_end_when_signed_out(env: Env) {
    let ann = env.user("ann");
    let hash = [7u8; 32];
    env.store
        .create_console_session(NewConsoleSession {
            user: ann.id,
            hash,
            csrf: "token".into(),
            expires_at: Utc::now() + Duration::hours(1),
        })
        .expect("create");
    let (session, user) = env.store.console_session(&hash).unwrap().expect("found");
    assert_eq!(user.id, ann.id);
    assert_eq!(session.csrf, "token");
    assert!(session.is_live(Utc::now()));
    assert!(
        !session.is_live(Utc::now() + Duration::hours(2)),
        "it expires"
    );
    assert!(env.store.end_console_session(&hash).unwrap());
    assert!(!env.store.end_console_session(&hash).unwrap(), "ended once");
    let (session, _) = env.store.console_session(&hash).unwrap().expect("kept");
    assert!(!session.is_live(Utc::now()));
    assert!(env.store.console_session(&[8u8; 32]).unwrap().is_none());
}

pub fn the_timeline_reads_newest_first_and_counts_days(env: Env) {
    let owner = env.user("owner");
    let community = env.community(&owner, "Bakers", JoinPolicy::Open);
    let ann = env.user("ann");
    env.changed(&ann, community, Command::Join);
    env.changed(&ann, community, Command::Leave);
    let events = env.store.recent_events(community, None, 2).unwrap();
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Left, EventKind::Joined]);
    let older = env
        .store
        .recent_events(community, Some(events[1].seq), 10)
        .unwrap();
    assert_eq!(older.len(), 1);
    assert_eq!(older[0].kind, EventKind::Created);
    let counts = env
        .store
        .daily_counts(community, Utc::now() - Duration::days(1))
        .unwrap();
    let count = |kind| {
        counts
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.count)
            .sum::<u64>()
    };
    assert_eq!((count(EventKind::Joined), count(EventKind::Left)), (1, 1));
    let all = env.store.list_communities(None, 10).unwrap();
    assert!(all.items.iter().any(|c| c.id() == community));
}
