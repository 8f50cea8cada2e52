//! `/v1/communities/{id}/requests`: join requests to private communities,
//! approved or rejected by managers.

use super::*;

/// Ann's private "Hidden", which takes join requests, and Cleo.
struct Hidden {
    w: World,
    c: Community,
    cleo: User,
    cleo_token: String,
}

async fn hidden() -> Hidden {
    let w = world().await;
    let c =
        w.s.community(&w.ann, "Hidden", Visibility::Private, JoinPolicy::Request)
            .await;
    let cleo = w.s.user("cleo").await;
    let cleo_token = w.s.token(&cleo).await;
    Hidden {
        w,
        c,
        cleo,
        cleo_token,
    }
}

impl Hidden {
    /// Bob and then Cleo ask to join, as set-up.
    async fn both_request(&self) {
        self.w.s.exec(&self.w.bob, &self.c, Command::Join).await;
        self.w.s.exec(&self.cleo, &self.c, Command::Join).await;
    }
}

#[tokio::test]
async fn a_stranger_finds_a_private_community_that_takes_requests() {
    let Hidden { w, c, .. } = hidden().await;

    let found = ok(w.s.native(&w.bob_token).community(&c).await, 200);

    assert_eq!(found["standing"], "none");
}

#[tokio::test]
async fn a_join_request_is_pending_and_its_requester_sees_the_community_only() {
    let Hidden { w, c, .. } = hidden().await;
    let bob = w.s.native(&w.bob_token);

    let requested = ok(bob.join(&c).await, 200);

    assert_eq!(requested["standing"], "requested");
    assert_eq!(requested["community"]["pending_count"], 1);
    let seen = ok(bob.community(&c).await, 200);
    assert_eq!(seen["standing"], "requested");
    problem(bob.get(&cpath(&c, "/requests")).await, 403, "not_permitted");
}

#[tokio::test]
async fn managers_list_the_requests_in_order() {
    let h = hidden().await;
    h.both_request().await;

    let list = ok(
        h.w.s
            .native(&h.w.ann_token)
            .get(&cpath(&h.c, "/requests"))
            .await,
        200,
    );

    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bob", "cleo"]);
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["standing"] == "requested"));
}

#[tokio::test]
async fn only_managers_approve() {
    let h = hidden().await;
    h.both_request().await;

    let reply = h.w.s.native(&h.w.bob_token).approve(&h.c, &h.cleo).await;

    problem(reply, 403, "not_permitted");
}

#[tokio::test]
async fn an_approved_request_makes_a_member() {
    let h = hidden().await;
    h.both_request().await;

    let approved = ok(
        h.w.s.native(&h.w.ann_token).approve(&h.c, &h.w.bob).await,
        200,
    );

    assert_eq!(approved["standing"], "member");
    assert_eq!(approved["user_id"], h.w.bob.id.to_string());
    assert_eq!(
        h.w.s.standing(&h.c, &h.w.bob).await,
        Standing::Member(Role::Member)
    );
}

#[tokio::test]
async fn a_rejected_request_is_gone_and_cannot_be_approved() {
    let h = hidden().await;
    h.w.s.exec(&h.cleo, &h.c, Command::Join).await;
    let ann = h.w.s.native(&h.w.ann_token);

    let rejected = ok(ann.reject(&h.c, &h.cleo).await, 200);

    assert_eq!(rejected["standing"], "none");
    assert_eq!(rejected["community"]["pending_count"], 0);
    problem(ann.approve(&h.c, &h.cleo).await, 409, "no_request");
    let path = cpath(&h.c, &format!("/requests/{}/approve", uuid::Uuid::new_v4()));
    problem(ann.post(&path, json!({})).await, 404, "user_not_found");
}

#[tokio::test]
async fn leaving_withdraws_a_request() {
    let h = hidden().await;
    let cleo = h.w.s.native(&h.cleo_token);
    ok(cleo.join(&h.c).await, 200);

    let withdrawn = ok(cleo.leave(&h.c).await, 200);

    assert_eq!(withdrawn["standing"], "none");
    assert_eq!(withdrawn["changed"], true);
}
