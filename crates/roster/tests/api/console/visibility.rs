//! The console shows communities as the APIs do: another user's private
//! invite-only community is 404 by URL, for its page, its timeline and
//! its forms, and becomes reachable once one has a standing in it.

use crate::common::console::Console;
use crate::common::TestServer;
use roster_engine::{Command, JoinPolicy, Visibility};

#[tokio::test]
async fn a_private_community_is_not_reachable_by_guessing_its_url() {
    let server = TestServer::start().await;
    let alice = server.user("alice").await;
    let bob = server.user("bob").await;
    let secret = server
        .community(&alice, "Secret", Visibility::Private, JoinPolicy::Invite)
        .await;
    let mut console = Console::signed_in(&server, "bob").await;
    let id = secret.id();
    for path in [
        format!("/console/communities/{id}"),
        format!("/console/communities/{id}/timeline"),
    ] {
        let page = console.get(&path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(!page.body.contains("Secret"), "{path} tells nothing");
    }
    let events = server.event_count().await;
    let page = console
        .post(&format!("/console/communities/{id}/join"), &[])
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(server.event_count().await, events);
    let page = console.get("/console/communities/not-an-id").await;
    assert_eq!(page.status, 404);

    server
        .exec(&alice, &secret, Command::Invite { subject: bob.id })
        .await;
    let page = console.get(&format!("/console/communities/{id}")).await;
    assert_eq!(page.status, 200, "an invitee sees it");
    assert!(page.body.contains("Secret"));
    assert!(page.body.contains(">Join</button>"));
    let page = console
        .get(&format!("/console/communities/{id}/timeline"))
        .await;
    assert_eq!(page.status, 403, "the timeline is for managers");
}

#[tokio::test]
async fn the_admin_page_is_for_admins_only() {
    let server = TestServer::start().await;
    server.admin("root").await;
    server.user("bob").await;
    let mut bob = Console::signed_in(&server, "bob").await;
    assert_eq!(bob.get("/console/admin").await.status, 404);
    let page = bob
        .post(
            "/console/admin/users",
            &[("username", "eve"), ("password", "a long password")],
        )
        .await;
    assert_eq!(page.status, 404);

    let mut root = Console::signed_in(&server, "root").await;
    let page = root.get("/console/admin").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(">bob</td>"), "every user is listed");
    let page = root
        .post(
            "/console/admin/users",
            &[
                ("username", "carol"),
                ("password", "a long password for carol"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Created the user carol."));
    let page = root
        .post(
            "/console/admin/tokens",
            &[("username", "carol"), ("label", "ci"), ("read", "on")],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("shown only this once"));
    let token = page
        .body
        .split("<code>")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .expect("the token")
        .to_owned();
    let me = reqwest::Client::new()
        .get(server.url("/v1/users/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.status().as_u16(),
        200,
        "the token works on the native API"
    );
    let page = root.get("/console/admin").await;
    assert!(!page.body.contains(&token), "and is never shown again");
}
