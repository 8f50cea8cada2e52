//! Joining by privacy, invitations, join requests and roles.

use super::*;

#[tokio::test]
async fn join_follows_privacy() {
    let s = TestServer::start().await;
    let owner = s.user("owner").await;
    let owner_token = s.token(&owner).await;
    let ann = s.user("ann").await;
    let token = s.token(&ann).await;
    let open = s
        .community(&owner, "Open", Visibility::Public, JoinPolicy::Open)
        .await;
    let private = s
        .community(&owner, "Closed", Visibility::Public, JoinPolicy::Request)
        .await;
    let invite_only = s
        .community(&owner, "Listed", Visibility::Public, JoinPolicy::Invite)
        .await;

    let (code, body) = s.course(&token).join(&open).await;
    assert_eq!(
        (code, body["join_status"].clone(), body["privacy"].clone()),
        (200, json!("joined"), json!("open"))
    );
    assert_eq!(body["member_count"], 2);
    assert_eq!(
        s.standing(&open, &ann).await,
        Standing::Member(Role::Member)
    );
    // Joining again changes nothing.
    let events = s.event_count().await;
    let (code, body) = s.course(&token).join(&open).await;
    assert_eq!((code, body["join_status"].clone()), (200, json!("joined")));
    assert_eq!(s.event_count().await, events);

    let (code, body) = s.course(&token).join(&private).await;
    assert_eq!(
        (code, body["join_status"].clone(), body["privacy"].clone()),
        (200, json!("requested"), json!("private"))
    );
    assert_eq!(s.standing(&private, &ann).await, Standing::Requested);
    // A manager's invitation approves the request.
    let users = json!({"users": [ann.num]});
    let (code, body) = call(
        &s,
        "POST",
        &path(&private, "invite/"),
        &owner_token,
        Some(users),
    )
    .await;
    assert_eq!((code, body), (204, Value::Null));
    assert_eq!(
        s.standing(&private, &ann).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(
        s.course(&token).status(&private).await,
        (200, json!({"status": "joined"}))
    );

    // A visible invitation-only course refuses a join without invitation.
    let events = s.event_count().await;
    let (code, body) = s.course(&token).join(&invite_only).await;
    let message = "This course can only be joined by invitation.";
    assert_eq!((code, body), (403, error("permission_denied", message)));
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn secret_course_is_joined_by_accepting_an_invitation() {
    let t = setup(Visibility::Private, JoinPolicy::Invite).await;
    let ann = t.s.user("ann").await;
    let token = t.s.token(&ann).await;
    // Uninvited, she cannot see it, and joining it is refused with 403.
    let (code, body) = t.s.course(&token).course(&t.course).await;
    assert_eq!((code, body), (404, not_found()));
    let events = t.s.event_count().await;
    let (code, body) = t.s.course(&token).join(&t.course).await;
    assert_eq!(
        (code, body),
        (
            403,
            json!({"errors": [{
                "code": "permission_denied",
                "message": "This course can only be joined by invitation."
            }]})
        )
    );
    assert_eq!(t.s.event_count().await, events);
    assert_eq!(t.s.standing(&t.course, &ann).await, Standing::None);
    let users = json!({"users": [ann.num]});
    let (code, _) = call(
        &t.s,
        "POST",
        &path(&t.course, "invite/"),
        &t.owner_token,
        Some(users),
    )
    .await;
    assert_eq!(code, 204);
    let (code, body) = t.s.course(&token).course(&t.course).await;
    assert_eq!(
        (code, body["join_status"].clone(), body["privacy"].clone()),
        (200, json!("invited"), json!("secret"))
    );
    let (code, body) = t.s.course(&token).join(&t.course).await;
    assert_eq!((code, body["join_status"].clone()), (200, json!("joined")));
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Member)
    );
}

/// A course taking requests, Ivy (no standing) and Ann (a plain member).
struct InviteCase {
    t: Setup,
    ivy: User,
    ann_token: String,
}

async fn invite_case() -> InviteCase {
    let t = setup(Visibility::Public, JoinPolicy::Request).await;
    let ivy = t.s.user("ivy").await;
    let (_, ann_token) = member(&t, "ann").await;
    InviteCase { t, ivy, ann_token }
}

impl InviteCase {
    /// `{"users": [ivy]}`.
    fn ivy_list(&self) -> Value {
        json!({"users": [self.ivy.num]})
    }

    /// `method /api/v2/course/{id}/invite/` by `token`.
    async fn invite_route(&self, method: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        call(
            &self.t.s,
            method,
            &path(&self.t.course, "invite/"),
            token,
            body,
        )
        .await
    }

    /// The owner invites Ivy, as set-up.
    async fn ivy_invited(&self) {
        let owner = &self.t.owner_token;
        assert_eq!(
            self.invite_route("POST", owner, Some(self.ivy_list()))
                .await
                .0,
            204
        );
    }
}

#[tokio::test]
async fn only_managers_invite() {
    let c = invite_case().await;

    let (by_member, _) = c
        .invite_route("POST", &c.ann_token, Some(c.ivy_list()))
        .await;
    let (by_owner, _) = c
        .invite_route("POST", &c.t.owner_token, Some(c.ivy_list()))
        .await;

    assert_eq!(by_member, 403);
    assert_eq!(by_owner, 204);
}

#[tokio::test]
async fn managers_list_invitations_and_members_may_not() {
    let c = invite_case().await;
    c.ivy_invited().await;

    let by_owner = c.invite_route("GET", &c.t.owner_token, None).await;
    let by_member = c.invite_route("GET", &c.ann_token, None).await;

    let ivy_json = json!({"id": c.ivy.num, "username": "ivy", "real_name": "", "avatar": ""});
    assert_eq!(
        by_owner,
        (
            200,
            json!({"count": 1, "next": null, "previous": null, "results": [ivy_json]})
        )
    );
    assert_eq!(by_member, (403, error("permission_denied", NO_PERMISSION)));
}

#[tokio::test]
async fn only_managers_revoke_an_invitation() {
    let c = invite_case().await;
    c.ivy_invited().await;

    let (by_member, _) = c
        .invite_route("DELETE", &c.ann_token, Some(c.ivy_list()))
        .await;
    assert_eq!(by_member, 403);
    assert_eq!(c.t.s.standing(&c.t.course, &c.ivy).await, Standing::Invited);
    let by_owner = c
        .invite_route("DELETE", &c.t.owner_token, Some(c.ivy_list()))
        .await;

    assert_eq!(by_owner, (204, Value::Null));
    assert_eq!(c.t.s.standing(&c.t.course, &c.ivy).await, Standing::None);
    let (code, body) = c.invite_route("GET", &c.t.owner_token, None).await;
    assert_eq!((code, body["count"].clone()), (200, json!(0)));
}

#[tokio::test]
async fn request_join_lists_requesters_for_managers_only() {
    let t = setup(Visibility::Public, JoinPolicy::Request).await;
    let rae = t.s.user("rae").await;
    t.s.exec(&rae, &t.course, Command::Join).await;
    let (_, mia_token) = manager(&t, "mia").await;
    let (_, ann_token) = member(&t, "ann").await;
    let rae_json = json!({"id": rae.num, "username": "rae", "real_name": "", "avatar": ""});
    for token in [&t.owner_token, &mia_token] {
        let (code, body) = call(&t.s, "GET", &path(&t.course, "request_join/"), token, None).await;
        assert_eq!(
            (code, body),
            (
                200,
                json!({"count": 1, "next": null, "previous": null, "results": [rae_json.clone()]})
            )
        );
    }
    let (code, body) = call(
        &t.s,
        "GET",
        &path(&t.course, "request_join/"),
        &ann_token,
        None,
    )
    .await;
    assert_eq!(
        (code, body),
        (403, error("permission_denied", NO_PERMISSION))
    );
}

#[tokio::test]
async fn role_sets_managers_members_and_removes_in_one_call() {
    let t = open().await;
    let (ann, _) = member(&t, "ann").await;
    let (bob, _) = member(&t, "bob").await;
    let dee = t.s.user("dee").await;

    let body = json!({"managers": [ann.num], "joined": [dee.num], "unjoined": [bob.num]});
    let reply = t.s.course(&t.owner_token).set_roles(&t.course, body).await;

    assert_eq!(reply, (204, Value::Null));
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Manager)
    );
    assert_eq!(
        t.s.standing(&t.course, &dee).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(t.s.standing(&t.course, &bob).await, Standing::None);
}

#[tokio::test]
async fn role_turns_a_manager_back_into_a_member() {
    let t = open().await;
    let (ann, _) = manager(&t, "ann").await;

    let body = json!({"joined": [ann.num]});
    let (code, _) = t.s.course(&t.owner_token).set_roles(&t.course, body).await;

    assert_eq!(code, 204);
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Member)
    );
}

#[tokio::test]
async fn role_cannot_demote_or_remove_the_creator() {
    let t = open().await;
    let owner = t.s.course(&t.owner_token);

    for body in [
        json!({"joined": [t.owner.num]}),
        json!({"unjoined": [t.owner.num]}),
    ] {
        let reply = owner.set_roles(&t.course, body).await;
        assert_eq!(reply, (403, error("creator_cannot_leave", CREATOR)));
    }

    assert_eq!(
        t.s.standing(&t.course, &t.owner).await,
        Standing::Member(Role::Owner)
    );
}

#[tokio::test]
async fn plain_members_may_not_change_roles() {
    let t = open().await;
    let (cid, cid_token) = member(&t, "cid").await;

    let body = json!({"managers": [cid.num]});
    let reply = t.s.course(&cid_token).set_roles(&t.course, body).await;

    assert_eq!(reply, (403, error("permission_denied", NO_PERMISSION)));
    assert_eq!(
        t.s.standing(&t.course, &cid).await,
        Standing::Member(Role::Member)
    );
}

#[tokio::test]
async fn a_role_call_with_nothing_to_do_is_400() {
    let t = open().await;

    let reply =
        t.s.course(&t.owner_token)
            .set_roles(&t.course, json!({}))
            .await;

    let message = "At least one of managers, joined and unjoined is required.";
    assert_eq!(reply, (400, error("invalid", message)));
}
