//! The console's pages read what the APIs read and show the engine's
//! refusals in plain words: the last owner's leave, the member search by
//! username prefix, the timeline newest first.

use crate::common::console::Console;
use crate::common::TestServer;
use roster_engine::{Command, JoinPolicy, Visibility};

#[tokio::test]
async fn the_last_owner_is_told_in_plain_words_and_nothing_changes() {
    let server = TestServer::start().await;
    let alice = server.user("alice").await;
    let bakers = server
        .community(&alice, "Bakers", Visibility::Public, JoinPolicy::Request)
        .await;
    let mut console = Console::signed_in(&server, "alice").await;
    let events = server.event_count().await;
    let page = console
        .post(&format!("/console/communities/{}/leave", bakers.id()), &[])
        .await;
    assert_eq!(page.status, 409);
    assert!(page.body.contains(
        "You are the last owner of Bakers. Make someone else an owner, or transfer \
         ownership, before you leave."
    ));
    assert_eq!(server.event_count().await, events);
}

#[tokio::test]
async fn requests_are_approved_and_members_found_by_prefix() {
    let server = TestServer::start().await;
    let alice = server.user("alice").await;
    let bakers = server
        .community(&alice, "Bakers", Visibility::Public, JoinPolicy::Request)
        .await;
    for name in ["bob", "bobby", "carol"] {
        let user = server.user(name).await;
        server.exec(&user, &bakers, Command::Join).await;
    }
    let bob = Console::signed_in(&server, "bob").await;
    drop(bob);
    let mut console = Console::signed_in(&server, "alice").await;
    let base = format!("/console/communities/{}", bakers.id());
    let page = console.get(&base).await;
    assert!(page.body.contains("Pending requests"));
    for name in ["bob", "bobby", "carol"] {
        let user = crate::common::console::user_id(&server, name).await;
        let page = console
            .post(&format!("{base}/approve"), &[("user", user.as_str())])
            .await;
        assert_eq!(page.status, 303, "approve {name}: {}", page.body);
    }
    let page = console.get(&format!("{base}?q=BOB")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<td>bob</td>"));
    assert!(page.body.contains("<td>bobby</td>"));
    assert!(
        !page.body.contains("<td>carol</td>"),
        "carol does not start with bob"
    );
    assert!(!page.body.contains("<td>alice</td>"));
    let page = console.get(&format!("{base}/timeline")).await;
    assert_eq!(page.status, 200);
    let newest = page
        .body
        .find("alice approved the request of carol")
        .expect("newest");
    let oldest = page
        .body
        .find("alice created the community")
        .expect("oldest");
    assert!(newest < oldest, "newest first");
    assert!(page.body.contains("<svg"), "the chart is drawn");
    assert!(page.body.contains("4 joins, 0 leaves"));
}
