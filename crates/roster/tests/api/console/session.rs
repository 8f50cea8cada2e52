//! Signing in and out: the cookie's flags, wrong passwords, and a session
//! that signing out ends on the server.

use crate::common::console::Console;
use crate::common::TestServer;

#[tokio::test]
async fn the_session_cookie_is_http_only_strict_and_scoped_to_the_console() {
    let server = TestServer::start().await;
    server.user("alice").await;
    let mut console = Console::new(&server);
    let page = console.sign_in("alice", crate::common::PASSWORD).await;
    assert_eq!(page.status, 303);
    let cookie = page.set_cookie("roster_console").expect("a session cookie");
    assert!(cookie.contains("; HttpOnly"), "{cookie}");
    assert!(cookie.contains("; SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("; Path=/console"), "{cookie}");
    assert!(cookie.contains("; Max-Age="), "sessions expire: {cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP: no Secure flag ({cookie})"
    );
    let page = console.get("/console/communities").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Signed in as alice"));
}

#[tokio::test]
async fn a_wrong_password_is_refused_without_a_session() {
    let server = TestServer::start().await;
    server.user("alice").await;
    let mut console = Console::new(&server);
    let page = console.sign_in("alice", "not the password at all").await;
    assert_eq!(page.status, 401);
    assert!(page.body.contains("The username or the password is wrong"));
    assert!(page.set_cookie("roster_console").is_none());
    let page = console.sign_in("nobody", "not the password at all").await;
    assert_eq!(page.status, 401, "an unknown user reads the same");
    let page = console.get("/console/communities").await;
    assert_eq!(page.status, 303);
}

#[tokio::test]
async fn a_sign_in_form_without_its_token_is_refused() {
    let server = TestServer::start().await;
    server.user("alice").await;
    let mut console = Console::new(&server);
    let page = console
        .post_raw(
            "/console/sign-in",
            &[("username", "alice"), ("password", crate::common::PASSWORD)],
            &[],
        )
        .await;
    assert_eq!(page.status, 403);
    assert!(page.set_cookie("roster_console").is_none());
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let server = TestServer::start().await;
    let alice = server.user("alice").await;
    let bakers = server
        .community(
            &alice,
            "Bakers",
            roster_engine::Visibility::Public,
            roster_engine::JoinPolicy::Open,
        )
        .await;
    server.user("bob").await;
    let mut bob = Console::signed_in(&server, "bob").await;
    let page = bob
        .get(&format!("/console/communities/{}", bakers.id()))
        .await;
    assert_eq!(page.status, 200);
    let kept = bob.cookies.clone();
    let page = bob.post("/console/sign-out", &[]).await;
    assert_eq!(page.status, 303);
    assert_eq!(page.header("location"), "/console/sign-in");
    let cleared = page
        .set_cookie("roster_console")
        .expect("the cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    // A copy of the old cookie acts for no one.
    bob.cookies = kept;
    let events = server.event_count().await;
    let page = bob
        .post(&format!("/console/communities/{}/join", bakers.id()), &[])
        .await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("Your session has ended"));
    assert_eq!(server.event_count().await, events, "nothing was written");
    let page = bob.get("/console/communities").await;
    assert_eq!(page.status, 303, "pages send the old cookie to sign in");
}
