//! The site community from the first start (issue 14): whoever is created
//! first founds and owns it, users created before any admin are members,
//! an admin created later governs it, and the Wix dialect works on such a
//! Roster.

use crate::common::wix::*;
use crate::common::TestServer;
use roster_engine::{Role, Standing};

#[tokio::test]
async fn wix_works_on_a_roster_whose_users_predate_any_admin() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let site = s
        .state
        .run(|st| st.site_community())
        .await
        .expect("read")
        .expect("the site exists from the first account on");
    assert_eq!(site.creator.id, ann.id);
    assert_eq!(s.standing(&site, &ann).await, Standing::Member(Role::Owner));
    assert_eq!(
        s.standing(&site, &bob).await,
        Standing::Member(Role::Member)
    );

    let token = s.token(&bob).await;
    let (status, body) = s.wix(&token).my_member().await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s.wix(&token).members("").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["members"].as_array().map(Vec::len), Some(2));
    let (status, body) = s.wix(&token).leave().await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s.wix(&token).join().await;
    assert_eq!(status, 200, "{body}");

    // The owner is the last owner: it cannot leave, whatever came first.
    let owner_token = s.token(&ann).await;
    let (status, _) = s.wix(&owner_token).leave().await;
    assert!(status >= 400, "the last owner may not leave");
    assert_eq!(s.standing(&site, &ann).await, Standing::Member(Role::Owner));

    // An admin created later is a member and governs it with its rank:
    // acting for bob, it takes him out of the site.
    let root = s.admin("root").await;
    assert_eq!(
        s.standing(&site, &root).await,
        Standing::Member(Role::Member)
    );
    let admin = s.token_with(&root, "admin").await;
    let bob_id = bob.id.to_string();
    let (status, body) = call(&s, "POST", &leave(), Some(&admin), Some(&bob_id)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.standing(&site, &bob).await, Standing::None);
}
