//! Data versions of a page of people (issue 11, the page cache): a page
//! asked for again at the version it was read at is `Unchanged` while the
//! database is, and read again after any commit, whoever made it (this
//! store's writer, a write to another table, another connection). The
//! checks of who may see the page are made either way. PostgreSQL hands out
//! no versions: its pages are always read.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use roster_engine::{Command, DomainError, JoinPolicy, Sight, Visibility};
use roster_store::{
    CommunityKey, DataVersion, Error, MemberRow, Page, Paging, Revalidated, Store, User, UserPatch,
};

use crate::env::*;

fn since(
    store: &dyn Store,
    viewer: &User,
    key: &CommunityKey,
    known: Option<DataVersion>,
) -> Result<Revalidated<Page<MemberRow>>, Error> {
    let query = member_query(vec![], Paging::After(None), 50);
    // Versions are handed out to the handlers' inline reads.
    roster_store::sqlite::inline(|| {
        store.members_in_sight_since(Sight::Viewable, key, act(viewer), &query, known)
    })
}

/// Read until the read has a version (a connection's first read after a
/// change has none), and that version.
fn versioned(
    store: &dyn Store,
    viewer: &User,
    key: &CommunityKey,
) -> (Page<MemberRow>, DataVersion) {
    for _ in 0..3 {
        match since(store, viewer, key, None).expect("a page") {
            Revalidated::Read(page, Some(version)) => return (page, version),
            Revalidated::Read(_, None) => continue,
            Revalidated::Unchanged => panic!("unchanged without a known version"),
        }
    }
    panic!("no version after three reads of an unchanged database")
}

fn names(page: &Page<MemberRow>) -> Vec<String> {
    page.items
        .iter()
        .map(|row| format!("{}:{}", row.user.username, row.user.profile.nickname))
        .collect()
}

/// Asked again at `known`: read again, showing `expected`.
fn read_again(env: &Env, viewer: &User, key: &CommunityKey, known: DataVersion, expected: &[&str]) {
    match since(env.store.as_ref(), viewer, key, Some(known)).expect("a page") {
        Revalidated::Read(page, _) => assert_eq!(names(&page), expected),
        Revalidated::Unchanged => panic!("unchanged after a commit; expected {expected:?}"),
    }
}

pub fn a_page_is_unchanged_only_while_nothing_is_committed(env: Env) {
    let owner = env.user("olga");
    let ann = env.user("ann");
    let key = CommunityKey::Id(env.community(&owner, "Quiet", JoinPolicy::Open));
    env.changed(&ann, community_id(&key), Command::Join);
    let store = env.store.as_ref();

    if let Backend::Postgres { .. } = env.backend {
        for known in [None, Some(DataVersion(0)), Some(DataVersion(1))] {
            match since(store, &ann, &key, known).unwrap() {
                Revalidated::Read(page, None) => {
                    assert_eq!(names(&page), ["olga:olga nick", "ann:ann nick"])
                }
                other => panic!("PostgreSQL has no versions, got {other:?}"),
            }
        }
        return;
    }

    let (page, version) = versioned(store, &ann, &key);
    assert_eq!(names(&page), ["olga:olga nick", "ann:ann nick"]);
    for _ in 0..3 {
        assert!(matches!(
            since(store, &ann, &key, Some(version)),
            Ok(Revalidated::Unchanged)
        ));
    }

    // A command on the community, through this store's writer.
    let bob = env.user("bob");
    env.changed(&bob, community_id(&key), Command::Join);
    read_again(
        &env,
        &ann,
        &key,
        version,
        &["olga:olga nick", "ann:ann nick", "bob:bob nick"],
    );
    let (_, after_join) = versioned(store, &ann, &key);
    assert!(after_join > version, "versions only grow");

    // A change to another table only: a member's profile.
    let patch = UserPatch {
        nickname: Some("Annie".into()),
        ..UserPatch::default()
    };
    store.update_user(ann.id, &patch).unwrap();
    read_again(
        &env,
        &ann,
        &key,
        after_join,
        &["olga:olga nick", "ann:Annie", "bob:bob nick"],
    );
    let (_, after_patch) = versioned(store, &ann, &key);

    // A commit by another connection (what a `roster` command run beside
    // the server makes), not through this store at all.
    assert_eq!(
        env.exec("UPDATE users SET nickname = 'Bobby' WHERE username = 'bob'"),
        1
    );
    read_again(
        &env,
        &ann,
        &key,
        after_patch,
        &["olga:olga nick", "ann:Annie", "bob:Bobby"],
    );
    let (_, after_raw) = versioned(store, &ann, &key);
    assert!(matches!(
        since(store, &ann, &key, Some(after_raw)),
        Ok(Revalidated::Unchanged)
    ));
}

pub fn who_may_see_the_page_is_checked_at_a_current_version_too(env: Env) {
    let owner = env.user("olga");
    let stranger = env.user("sam");
    let mut new = new_community("Secret", JoinPolicy::Invite);
    new.settings.visibility = Visibility::Private;
    let outcome = env.store.create_community(act(&owner), new).unwrap();
    let key = CommunityKey::Id(outcome.community.id());
    let store = env.store.as_ref();
    // The owner's page and its version; nothing is committed after it, so
    // the stranger asks at a current version.
    let version = match &env.backend {
        Backend::Sqlite { .. } => versioned(store, &owner, &key).1,
        Backend::Postgres { .. } => DataVersion(0),
    };
    if let Backend::Sqlite { .. } = env.backend {
        assert!(matches!(
            since(store, &owner, &key, Some(version)),
            Ok(Revalidated::Unchanged)
        ));
    }
    assert_eq!(
        domain(since(store, &stranger, &key, Some(version))),
        DomainError::CommunityNotFound
    );
}

/// Concurrent readers holding pages revalidate them while one writer adds
/// members: no page answered (kept or read) may miss a join acknowledged
/// before the request was made.
pub fn a_kept_page_never_hides_an_acknowledged_write(env: Env) {
    let owner = env.user("olga");
    let key = CommunityKey::Id(env.community(&owner, "Busy", JoinPolicy::Open));
    let joiners: Vec<User> = (0..60).map(|i| env.user(&format!("j{i:02}"))).collect();
    let acknowledged = Arc::new(AtomicU64::new(0));
    let unchanged = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            let (store, owner, key, acknowledged, unchanged) =
                (&env.store, &owner, &key, &acknowledged, &unchanged);
            scope.spawn(move || {
                let mut kept: Option<(DataVersion, u64)> = None;
                loop {
                    let before = acknowledged.load(Ordering::SeqCst);
                    let total = match since(store.as_ref(), owner, key, kept.map(|k| k.0)).unwrap()
                    {
                        Revalidated::Unchanged => {
                            unchanged.fetch_add(1, Ordering::Relaxed);
                            kept.expect("unchanged only against a kept page").1
                        }
                        Revalidated::Read(page, version) => {
                            kept = version.map(|version| (version, page.total));
                            page.total
                        }
                    };
                    // The owner is a member too: more than the joins.
                    assert!(total > before, "a page of {total} after {before} joins");
                    if before == 60 {
                        break;
                    }
                }
            });
        }
        for joiner in &joiners {
            env.store
                .execute(act(joiner), &key, Command::Join)
                .expect("join");
            acknowledged.fetch_add(1, Ordering::SeqCst);
        }
    });
    if let Backend::Sqlite { .. } = env.backend {
        assert!(
            unchanged.load(Ordering::Relaxed) > 0,
            "no page was ever kept"
        );
    }
    env.assert_invariants();
}

fn community_id(key: &CommunityKey) -> roster_engine::CommunityId {
    match key {
        CommunityKey::Id(id) => *id,
        other => panic!("not an id: {other:?}"),
    }
}
