//! Every console POST needs its session's CSRF token and must not come
//! from another origin; a refused form writes nothing.

use crate::common::console::Console;
use crate::common::TestServer;
use roster_engine::{JoinPolicy, Visibility};

#[tokio::test]
async fn forms_without_the_token_or_from_another_origin_are_refused() {
    let server = TestServer::start().await;
    let alice = server.user("alice").await;
    server.user("bob").await;
    let bakers = server
        .community(&alice, "Bakers", Visibility::Public, JoinPolicy::Open)
        .await;
    let mut bob = Console::signed_in(&server, "bob").await;
    let path = format!("/console/communities/{}/join", bakers.id());
    let token = bob.csrf.clone().expect("a token on the page");
    let own = bob.base.clone();
    let events = server.event_count().await;

    let page = bob.post_raw(&path, &[], &[("origin", own.as_str())]).await;
    assert_eq!(page.status, 403, "no token");
    let page = bob
        .post_raw(&path, &[("csrf", "guessed")], &[("origin", own.as_str())])
        .await;
    assert_eq!(page.status, 403, "a wrong token");
    let page = bob
        .post_raw(
            &path,
            &[("csrf", token.as_str())],
            &[("origin", "http://evil.example")],
        )
        .await;
    assert_eq!(page.status, 403, "another origin, even with the token");
    assert!(page.body.contains("sent from another site"));
    let page = bob
        .post_raw(
            &path,
            &[("csrf", token.as_str())],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(page.status, 403, "a browser's cross-site mark");
    assert_eq!(server.event_count().await, events, "nothing was written");
    assert_eq!(
        server
            .standing(&bakers, &server_user(&server, "bob").await)
            .await,
        roster_engine::Standing::None
    );

    let page = bob
        .post_raw(
            &path,
            &[("csrf", token.as_str())],
            &[("origin", own.as_str())],
        )
        .await;
    assert_eq!(page.status, 303, "the real form works: {}", page.body);
    assert_eq!(server.event_count().await, events + 1);
}

#[tokio::test]
async fn a_form_that_is_not_a_form_is_a_4xx() {
    let server = TestServer::start().await;
    server.user("bob").await;
    let bob = Console::signed_in(&server, "bob").await;
    let client = reqwest::Client::new();
    let cookie: Vec<String> = bob
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let response = client
        .post(format!("{}/console/communities", bob.base))
        .header("cookie", cookie.join("; "))
        .header("content-type", "application/json")
        .body("{\"name\": \"x\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 415);
}

async fn server_user(server: &TestServer, name: &str) -> roster_store::User {
    let key = roster_store::UserKey::Username(name.to_owned());
    server
        .state
        .run(move |store| store.find_user(&key))
        .await
        .unwrap()
        .unwrap()
}
