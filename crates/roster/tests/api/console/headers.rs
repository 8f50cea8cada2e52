//! Every console response carries the security headers, pages and
//! refusals alike.

use crate::common::console::{Console, Page};
use crate::common::TestServer;
use roster_engine::{JoinPolicy, Visibility};

fn assert_secure(page: &Page, what: &str) {
    let csp = page.header("content-security-policy");
    assert!(csp.contains("default-src 'none'"), "{what}: CSP {csp:?}");
    assert!(
        csp.contains("frame-ancestors 'none'"),
        "{what}: CSP {csp:?}"
    );
    assert!(!csp.contains("unsafe-inline"), "{what}: CSP {csp:?}");
    assert!(
        !csp.contains("script-src"),
        "{what}: no script allowed at all"
    );
    assert_eq!(page.header("x-frame-options"), "DENY", "{what}");
    assert_eq!(page.header("referrer-policy"), "same-origin", "{what}");
    assert_eq!(page.header("x-content-type-options"), "nosniff", "{what}");
    assert!(
        !page.body.contains("<script"),
        "{what}: no script in the page"
    );
}

#[tokio::test]
async fn every_console_response_has_the_security_headers() {
    let server = TestServer::start().await;
    let alice = server.user("alice").await;
    let bakers = server
        .community(&alice, "Bakers", Visibility::Public, JoinPolicy::Request)
        .await;
    let mut stranger = Console::new(&server);
    let page = stranger.get("/console/sign-in").await;
    assert_eq!(page.status, 200);
    assert_secure(&page, "sign-in page");
    let page = stranger.get("/console/communities").await;
    assert_eq!(page.status, 303, "a stranger is sent to sign in");
    assert_eq!(page.header("location"), "/console/sign-in");
    assert_secure(&page, "redirect");
    let page = stranger.get("/console/assets/console.css").await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").starts_with("text/css"));
    assert_secure(&page, "stylesheet");

    let mut console = Console::signed_in(&server, "alice").await;
    let id = bakers.id();
    for path in [
        "/console/communities".to_owned(),
        format!("/console/communities/{id}"),
        format!("/console/communities/{id}/timeline"),
        "/console/no-such-page".to_owned(),
        "/console/admin".to_owned(),
    ] {
        let page = console.get(&path).await;
        assert_secure(&page, &path);
        assert_eq!(page.header("cache-control"), "no-store", "{path}");
    }
    let page = console
        .post(&format!("/console/communities/{id}/leave"), &[])
        .await;
    assert_eq!(page.status, 409, "the last owner's leave is refused");
    assert_secure(&page, "a refusal");
}
