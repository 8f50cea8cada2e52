//! The course API (SelfCommunity course API v2) over HTTP: leaving in every
//! standing, removal and rejection by managers, the creator's protection,
//! join by privacy, invitations, roles, lists, create/read/delete, and the
//! error shape `{"errors":[{"code","message"}]}` for every refusal.

use crate::common::{json as read, TestServer};
use roster_engine::{Command, JoinPolicy, Role, Standing, Visibility};
use roster_store::{Community, User, UserPatch};
use serde_json::{json, Value};

const NO_PERMISSION: &str = "You do not have permission to perform this action.";
const CREATOR: &str =
    "The creator of the course cannot leave it, be removed from it or change role.";

fn error(code: &str, message: &str) -> Value {
    json!({"errors": [{"code": code, "message": message}]})
}

fn not_found() -> Value {
    error("not_found", "Not found.")
}

fn path(course: &Community, rest: &str) -> String {
    format!("/api/v2/course/{}/{rest}", course.num)
}

/// One call with a bearer token and an optional JSON body.
async fn call(
    s: &TestServer,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = s
        .client
        .request(method, s.url(path))
        .header("Authorization", format!("Bearer {token}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    read(request.send().await.unwrap()).await
}

/// A call whose raw body text matters (204 must be empty).
async fn call_text(s: &TestServer, method: &str, path: &str, token: &str) -> (u16, String) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let response = s
        .client
        .request(method, s.url(path))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn status_of(s: &TestServer, course: &Community, token: &str) -> (u16, Value) {
    call(s, "GET", &path(course, "status/"), token, None).await
}

/// A creator, a course of the given kind, and a second user with a token.
struct Setup {
    s: TestServer,
    owner: User,
    owner_token: String,
    course: Community,
}

async fn setup(visibility: Visibility, policy: JoinPolicy) -> Setup {
    let s = TestServer::start().await;
    let owner = s.user("owner").await;
    let owner_token = s.token(&owner).await;
    let course = s.community(&owner, "Rust 101", visibility, policy).await;
    Setup {
        s,
        owner,
        owner_token,
        course,
    }
}

async fn open() -> Setup {
    setup(Visibility::Public, JoinPolicy::Open).await
}

/// A user the owner added as a plain member, with a token.
async fn member(t: &Setup, name: &str) -> (User, String) {
    let user = t.s.user(name).await;
    let token = t.s.token(&user).await;
    t.s.exec(&t.owner, &t.course, Command::Add { subject: user.id })
        .await;
    (user, token)
}

async fn manager(t: &Setup, name: &str) -> (User, String) {
    let (user, token) = member(t, name).await;
    let command = Command::SetRole {
        subject: user.id,
        role: Role::Manager,
        expect: None,
    };
    t.s.exec(&t.owner, &t.course, command).await;
    (user, token)
}

// --- leave ---------------------------------------------------------------

#[tokio::test]
async fn leave_as_joined_member_is_204_with_empty_body_then_status_null() {
    let t = open().await;
    let (ann, token) = member(&t, "ann").await;
    assert_eq!(
        status_of(&t.s, &t.course, &token).await,
        (200, json!({"status": "joined"}))
    );
    let events = t.s.event_count().await;
    let (code, body) = call_text(&t.s, "DELETE", &path(&t.course, "join/"), &token).await;
    assert_eq!((code, body.as_str()), (204, ""));
    assert_eq!(t.s.standing(&t.course, &ann).await, Standing::None);
    assert_eq!(t.s.event_count().await, events + 1);
    assert_eq!(
        status_of(&t.s, &t.course, &token).await,
        (200, json!({"status": null}))
    );
    assert_eq!(t.s.reload(&t.course).await.state.counters.members, 1);
}

#[tokio::test]
async fn leave_as_manager_is_204_then_status_null() {
    let t = open().await;
    let (mia, token) = manager(&t, "mia").await;
    assert_eq!(
        status_of(&t.s, &t.course, &token).await,
        (200, json!({"status": "manager"}))
    );
    let (code, body) = call_text(&t.s, "DELETE", &path(&t.course, "join/"), &token).await;
    assert_eq!((code, body.as_str()), (204, ""));
    assert_eq!(t.s.standing(&t.course, &mia).await, Standing::None);
    assert_eq!(
        status_of(&t.s, &t.course, &token).await,
        (200, json!({"status": null}))
    );
}

#[tokio::test]
async fn leave_as_requester_withdraws_the_request() {
    let t = setup(Visibility::Public, JoinPolicy::Request).await;
    let rae = t.s.user("rae").await;
    let token = t.s.token(&rae).await;
    let (code, _) = call(&t.s, "POST", &path(&t.course, "join/"), &token, None).await;
    assert_eq!(code, 200);
    assert_eq!(
        status_of(&t.s, &t.course, &token).await,
        (200, json!({"status": "requested"}))
    );
    let (code, body) = call_text(&t.s, "DELETE", &path(&t.course, "join/"), &token).await;
    assert_eq!((code, body.as_str()), (204, ""));
    assert_eq!(t.s.standing(&t.course, &rae).await, Standing::None);
    assert_eq!(t.s.reload(&t.course).await.state.counters.pending, 0);
    assert_eq!(
        status_of(&t.s, &t.course, &token).await,
        (200, json!({"status": null}))
    );
}

#[tokio::test]
async fn leave_when_not_a_member_is_204_and_writes_no_event() {
    let t = open().await;
    let bob = t.s.user("bob").await;
    let token = t.s.token(&bob).await;
    let events = t.s.event_count().await;
    for _ in 0..2 {
        let (code, body) = call_text(&t.s, "DELETE", &path(&t.course, "join/"), &token).await;
        assert_eq!((code, body.as_str()), (204, ""));
    }
    assert_eq!(t.s.event_count().await, events);
    assert_eq!(
        status_of(&t.s, &t.course, &token).await,
        (200, json!({"status": null}))
    );
}

#[tokio::test]
async fn leave_declines_an_invitation() {
    let t = setup(Visibility::Private, JoinPolicy::Invite).await;
    let ivy = t.s.user("ivy").await;
    let token = t.s.token(&ivy).await;
    t.s.exec(&t.owner, &t.course, Command::Invite { subject: ivy.id })
        .await;
    assert_eq!(
        status_of(&t.s, &t.course, &token).await,
        (200, json!({"status": "invited"}))
    );
    let (code, body) = call_text(&t.s, "DELETE", &path(&t.course, "join/"), &token).await;
    assert_eq!((code, body.as_str()), (204, ""));
    assert_eq!(t.s.standing(&t.course, &ivy).await, Standing::None);
    // A secret course is invisible again once the invitation is gone.
    assert_eq!(status_of(&t.s, &t.course, &token).await, (404, not_found()));
}

#[tokio::test]
async fn creator_cannot_leave_and_nothing_changes() {
    let t = open().await;
    member(&t, "ann").await;
    let events = t.s.event_count().await;
    let (code, body) = call(
        &t.s,
        "DELETE",
        &path(&t.course, "join/"),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!((code, body), (403, error("creator_cannot_leave", CREATOR)));
    // Naming oneself is the same leave.
    let me = format!("join/?user={}", t.owner.num);
    let (code, body) = call(&t.s, "DELETE", &path(&t.course, &me), &t.owner_token, None).await;
    assert_eq!((code, body), (403, error("creator_cannot_leave", CREATOR)));
    assert_eq!(
        t.s.standing(&t.course, &t.owner).await,
        Standing::Member(Role::Owner)
    );
    assert_eq!(t.s.event_count().await, events);
    assert_eq!(
        status_of(&t.s, &t.course, &t.owner_token).await,
        (200, json!({"status": "creator"}))
    );
}

#[tokio::test]
async fn manager_cannot_remove_the_creator() {
    let t = open().await;
    let (_, token) = manager(&t, "mia").await;
    let events = t.s.event_count().await;
    let target = format!("join/?user={}", t.owner.num);
    let (code, body) = call(&t.s, "DELETE", &path(&t.course, &target), &token, None).await;
    // Rank is decided first (issue 12): a manager is not told the creator is
    // the only owner, just that they may not.
    assert_eq!(
        (code, body),
        (403, error("permission_denied", NO_PERMISSION))
    );
    assert_eq!(
        t.s.standing(&t.course, &t.owner).await,
        Standing::Member(Role::Owner)
    );
    assert_eq!(t.s.event_count().await, events);
}

#[tokio::test]
async fn creator_and_managers_remove_members_with_user_param() {
    let t = open().await;
    let (ann, ann_token) = member(&t, "ann").await;
    let (bob, _) = member(&t, "bob").await;
    let (mia, mia_token) = manager(&t, "mia").await;
    // The creator removes a member.
    let target = format!("join/?user={}", ann.num);
    let (code, body) = call_text(&t.s, "DELETE", &path(&t.course, &target), &t.owner_token).await;
    assert_eq!((code, body.as_str()), (204, ""));
    assert_eq!(t.s.standing(&t.course, &ann).await, Standing::None);
    assert_eq!(
        status_of(&t.s, &t.course, &ann_token).await,
        (200, json!({"status": null}))
    );
    // A manager removes a member.
    let target = format!("join/?user={}", bob.num);
    let (code, _) = call(&t.s, "DELETE", &path(&t.course, &target), &mia_token, None).await;
    assert_eq!(code, 204);
    assert_eq!(t.s.standing(&t.course, &bob).await, Standing::None);
    // The creator removes a manager.
    let target = format!("join/?user={}", mia.num);
    let (code, _) = call(
        &t.s,
        "DELETE",
        &path(&t.course, &target),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!(code, 204);
    assert_eq!(t.s.standing(&t.course, &mia).await, Standing::None);
    // Removing someone who is not in the course: already done, no event.
    let events = t.s.event_count().await;
    let target = format!("join/?user={}", ann.num);
    let (code, _) = call(
        &t.s,
        "DELETE",
        &path(&t.course, &target),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!(code, 204);
    assert_eq!(t.s.event_count().await, events);
}

#[tokio::test]
async fn managers_reject_requests_with_user_param() {
    let t = setup(Visibility::Public, JoinPolicy::Request).await;
    let rae = t.s.user("rae").await;
    t.s.exec(&rae, &t.course, Command::Join).await;
    let (_, mia_token) = manager(&t, "mia").await;
    let target = format!("join/?user={}", rae.num);
    let (code, body) = call_text(&t.s, "DELETE", &path(&t.course, &target), &mia_token).await;
    assert_eq!((code, body.as_str()), (204, ""));
    assert_eq!(t.s.standing(&t.course, &rae).await, Standing::None);
    assert_eq!(t.s.reload(&t.course).await.state.counters.pending, 0);
}

#[tokio::test]
async fn published_client_body_users_removes_too() {
    let t = open().await;
    let (ann, _) = member(&t, "ann").await;
    let body = json!({"users": [ann.num]});
    let (code, _) = call(
        &t.s,
        "DELETE",
        &path(&t.course, "join/"),
        &t.owner_token,
        Some(body),
    )
    .await;
    assert_eq!(code, 204);
    assert_eq!(t.s.standing(&t.course, &ann).await, Standing::None);
}

#[tokio::test]
async fn user_param_by_anyone_but_creator_or_manager_is_403() {
    let t = open().await;
    let (ann, _) = member(&t, "ann").await;
    let (_, bob_token) = member(&t, "bob").await;
    let outsider = t.s.user("out").await;
    let out_token = t.s.token(&outsider).await;
    let events = t.s.event_count().await;
    let target = format!("join/?user={}", ann.num);
    for token in [&bob_token, &out_token] {
        let (code, body) = call(&t.s, "DELETE", &path(&t.course, &target), token, None).await;
        assert_eq!(
            (code, body),
            (403, error("permission_denied", NO_PERMISSION))
        );
    }
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(t.s.event_count().await, events);
}

#[tokio::test]
async fn bad_user_param_is_400() {
    let t = open().await;
    for query in ["abc", "1.5", "-3", "", "99999999999999999999999"] {
        let target = format!("join/?user={query}");
        let (code, body) = call(
            &t.s,
            "DELETE",
            &path(&t.course, &target),
            &t.owner_token,
            None,
        )
        .await;
        assert_eq!(
            (code, body),
            (400, error("invalid", "user: A valid integer is required.")),
            "user={query}"
        );
    }
    let (code, body) = call(
        &t.s,
        "DELETE",
        &path(&t.course, "join/?user=424242"),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!(
        (code, body),
        (
            400,
            error("invalid", "Invalid pk \"424242\" - object does not exist.")
        )
    );
}

#[tokio::test]
async fn unknown_hidden_and_malformed_courses_are_404() {
    let s = TestServer::start().await;
    let root = s.admin("root").await;
    let owner = s.user("owner").await;
    let bob = s.user("bob").await;
    let token = s.token(&bob).await;
    let secret = s
        .community(&owner, "Hidden", Visibility::Private, JoinPolicy::Invite)
        .await;
    for target in [
        "/api/v2/course/999999/join/".to_owned(),
        "/api/v2/course/abc/join/".to_owned(),
        "/api/v2/course/-1/join/".to_owned(),
        "/api/v2/course/1e3/join/".to_owned(),
        "/api/v2/course/99999999999999999999999/join/".to_owned(),
        path(&secret, "join/"),
    ] {
        let (code, body) = call(&s, "DELETE", &target, &token, None).await;
        assert_eq!((code, body), (404, not_found()), "{target}");
    }
    for target in [
        path(&secret, ""),
        path(&secret, "status/"),
        path(&secret, "join/"),
    ] {
        let (code, body) = call(&s, "GET", &target, &token, None).await;
        assert_eq!((code, body), (404, not_found()), "{target}");
    }
    // The site community is no course.
    let site = s
        .state
        .run(|store| store.site_community())
        .await
        .unwrap()
        .unwrap();
    let root_token = s.token(&root).await;
    let (code, body) = call(&s, "GET", &path(&site, ""), &root_token, None).await;
    assert_eq!((code, body), (404, not_found()));
    let (code, _) = call(&s, "DELETE", &path(&site, "join/"), &token, None).await;
    assert_eq!(code, 404);
}

#[tokio::test]
async fn banned_and_archived_refusals_use_the_course_shape() {
    let t = open().await;
    let (ann, ann_token) = member(&t, "ann").await;
    let ban = Command::Ban {
        subject: ann.id,
        reason: None,
    };
    t.s.exec(&t.owner, &t.course, ban).await;
    assert_eq!(
        status_of(&t.s, &t.course, &ann_token).await,
        (200, json!({"status": null}))
    );
    let (code, body) = call(&t.s, "POST", &path(&t.course, "join/"), &ann_token, None).await;
    assert_eq!(
        (code, body),
        (
            403,
            error("permission_denied", "You are banned from this course.")
        )
    );
    // Leaving while banned: nothing to end, and the ban stays.
    let (code, _) = call(&t.s, "DELETE", &path(&t.course, "join/"), &ann_token, None).await;
    assert_eq!(code, 204);
    assert_eq!(t.s.standing(&t.course, &ann).await, Standing::Banned);

    let (_, bob_token) = member(&t, "bob").await;
    t.s.exec(&t.owner, &t.course, Command::Archive).await;
    let events = t.s.event_count().await;
    let (code, body) = call(&t.s, "DELETE", &path(&t.course, "join/"), &bob_token, None).await;
    assert_eq!(
        (code, body),
        (403, error("permission_denied", "This course is archived."))
    );
    assert_eq!(t.s.event_count().await, events);
}

#[tokio::test]
async fn admin_token_sees_and_deletes_any_course() {
    let s = TestServer::start().await;
    let root = s.admin("root").await;
    let owner = s.user("owner").await;
    let secret = s
        .community(&owner, "Hidden", Visibility::Private, JoinPolicy::Invite)
        .await;
    let plain = s.token(&root).await;
    let (code, _) = call(&s, "GET", &path(&secret, ""), &plain, None).await;
    assert_eq!(
        code, 404,
        "an admin user without an admin token is nobody special"
    );
    let elevated = s.token_with(&root, "admin").await;
    let (code, body) = call(&s, "GET", &path(&secret, ""), &elevated, None).await;
    assert_eq!((code, body["join_status"].clone()), (200, Value::Null));
    let (code, _) = call(&s, "DELETE", &path(&secret, ""), &elevated, None).await;
    assert_eq!(code, 204);
    let owner_token = s.token(&owner).await;
    let (code, body) = call(&s, "GET", &path(&secret, ""), &owner_token, None).await;
    assert_eq!((code, body), (404, not_found()));
}

// --- authentication --------------------------------------------------------

#[tokio::test]
async fn authentication_failures_are_401_in_the_course_shape() {
    let t = open().await;
    let (ann, _) = member(&t, "ann").await;
    let url = t.s.url(&path(&t.course, "join/"));
    let response = t.s.client.delete(&url).send().await.unwrap();
    assert_eq!(
        response.headers().get("www-authenticate").unwrap(),
        "Bearer realm=\"api\""
    );
    let expected = error(
        "not_authenticated",
        "Authentication credentials were not provided.",
    );
    assert_eq!(read(response).await, (401, expected));

    let expired = roster::admin::issue_token(
        &t.s.state,
        &ann,
        roster::auth::parse_scopes("community:read,community:write").unwrap(),
        "old",
        Some(chrono::Utc::now() - chrono::Duration::hours(1)),
    )
    .await
    .unwrap()
    .0;
    let (revoked, record) = roster::admin::issue_token(
        &t.s.state,
        &ann,
        roster::auth::parse_scopes("community:write").unwrap(),
        "gone",
        None,
    )
    .await
    .unwrap();
    let (user, id) = (ann.id, record.id);
    let done = t.s.state.run(move |store| store.revoke_token(user, id));
    assert!(done.await.unwrap());
    let cases = [
        ("Bearer nonsense".to_owned(), "Invalid token."),
        (format!("Bearer rst_{}", "A".repeat(43)), "Invalid token."),
        (format!("Bearer {expired}"), "Token has expired."),
        (format!("Token {revoked}"), "Token has been revoked."),
    ];
    for (header, message) in cases {
        let response =
            t.s.client
                .delete(&url)
                .header("Authorization", &header)
                .send()
                .await
                .unwrap();
        assert_eq!(
            read(response).await,
            (401, error("authentication_failed", message)),
            "{header}"
        );
    }
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Member)
    );
}

#[tokio::test]
async fn token_scheme_is_accepted_like_bearer() {
    let t = open().await;
    let (ann, token) = member(&t, "ann").await;
    let response =
        t.s.client
            .delete(t.s.url(&path(&t.course, "join/")))
            .header("Authorization", format!("Token {token}"))
            .send()
            .await
            .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(t.s.standing(&t.course, &ann).await, Standing::None);
}

#[tokio::test]
async fn missing_scope_is_403() {
    let t = open().await;
    let (ann, _) = member(&t, "ann").await;
    let read_only = t.s.token_with(&ann, "community:read").await;
    let (code, body) = call(&t.s, "DELETE", &path(&t.course, "join/"), &read_only, None).await;
    let message = format!("{NO_PERMISSION} The token lacks the scope community:write.");
    assert_eq!((code, body), (403, error("permission_denied", &message)));
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Member)
    );
    // Reading needs only community:read.
    let (code, body) = status_of(&t.s, &t.course, &read_only).await;
    assert_eq!((code, body), (200, json!({"status": "joined"})));
    let write_only = t.s.token_with(&ann, "community:write").await;
    let (code, body) = status_of(&t.s, &t.course, &write_only).await;
    let message = format!("{NO_PERMISSION} The token lacks the scope community:read.");
    assert_eq!((code, body), (403, error("permission_denied", &message)));
}

// --- paths -----------------------------------------------------------------

#[tokio::test]
async fn subscribe_alias_and_paths_without_trailing_slash() {
    let t = open().await;
    let (ann, ann_token) = member(&t, "ann").await;
    let (code, body) = call_text(&t.s, "DELETE", &path(&t.course, "subscribe/"), &ann_token).await;
    assert_eq!((code, body.as_str()), (204, ""));
    assert_eq!(t.s.standing(&t.course, &ann).await, Standing::None);

    let (bob, bob_token) = member(&t, "bob").await;
    let bare = format!("/api/v2/course/{}/join", t.course.num);
    let (code, _) = call_text(&t.s, "DELETE", &bare, &bob_token).await;
    assert_eq!(code, 204);
    assert_eq!(t.s.standing(&t.course, &bob).await, Standing::None);

    let (cid, cid_token) = member(&t, "cid").await;
    let bare = format!("/api/v2/course/{}/subscribe", t.course.num);
    let (code, _) = call_text(&t.s, "DELETE", &bare, &cid_token).await;
    assert_eq!(code, 204);
    assert_eq!(t.s.standing(&t.course, &cid).await, Standing::None);

    let bare = format!("/api/v2/course/{}/status", t.course.num);
    let (code, body) = call(&t.s, "GET", &bare, &t.owner_token, None).await;
    assert_eq!((code, body), (200, json!({"status": "creator"})));
    let (code, body) = call(
        &t.s,
        "GET",
        &format!("/api/v2/course/{}", t.course.num),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!((code, body["id"].clone()), (200, json!(t.course.num)));
}

#[tokio::test]
async fn wrong_method_is_405_in_the_course_shape() {
    let t = open().await;
    let (code, body) = call(&t.s, "PUT", &path(&t.course, "join/"), &t.owner_token, None).await;
    assert_eq!(
        (code, body),
        (
            405,
            error("method_not_allowed", "Method \"PUT\" not allowed.")
        )
    );
    let (code, body) = call(
        &t.s,
        "POST",
        &path(&t.course, "subscribe/"),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!(
        (code, body),
        (
            405,
            error("method_not_allowed", "Method \"POST\" not allowed.")
        )
    );
}

// --- join and invitations --------------------------------------------------

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

    let (code, body) = call(&s, "POST", &path(&open, "join/"), &token, None).await;
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
    let (code, body) = call(&s, "POST", &path(&open, "join/"), &token, None).await;
    assert_eq!((code, body["join_status"].clone()), (200, json!("joined")));
    assert_eq!(s.event_count().await, events);

    let (code, body) = call(&s, "POST", &path(&private, "join/"), &token, None).await;
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
        status_of(&s, &private, &token).await,
        (200, json!({"status": "joined"}))
    );

    // A visible invitation-only course refuses a join without invitation.
    let events = s.event_count().await;
    let (code, body) = call(&s, "POST", &path(&invite_only, "join/"), &token, None).await;
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
    let (code, body) = call(&t.s, "GET", &path(&t.course, ""), &token, None).await;
    assert_eq!((code, body), (404, not_found()));
    let events = t.s.event_count().await;
    let (code, body) = call(&t.s, "POST", &path(&t.course, "join/"), &token, None).await;
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
    let (code, body) = call(&t.s, "GET", &path(&t.course, ""), &token, None).await;
    assert_eq!(
        (code, body["join_status"].clone(), body["privacy"].clone()),
        (200, json!("invited"), json!("secret"))
    );
    let (code, body) = call(&t.s, "POST", &path(&t.course, "join/"), &token, None).await;
    assert_eq!((code, body["join_status"].clone()), (200, json!("joined")));
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Member)
    );
}

#[tokio::test]
async fn invitations_are_listed_and_revoked_by_managers() {
    let t = setup(Visibility::Public, JoinPolicy::Request).await;
    let ivy = t.s.user("ivy").await;
    let (_, ann_token) = member(&t, "ann").await;
    let users = json!({"users": [ivy.num]});
    let (code, _) = call(
        &t.s,
        "POST",
        &path(&t.course, "invite/"),
        &ann_token,
        Some(users.clone()),
    )
    .await;
    assert_eq!(code, 403);
    let (code, _) = call(
        &t.s,
        "POST",
        &path(&t.course, "invite/"),
        &t.owner_token,
        Some(users.clone()),
    )
    .await;
    assert_eq!(code, 204);
    let (code, body) = call(
        &t.s,
        "GET",
        &path(&t.course, "invite/"),
        &t.owner_token,
        None,
    )
    .await;
    let ivy_json = json!({"id": ivy.num, "username": "ivy", "real_name": "", "avatar": ""});
    assert_eq!(
        (code, body),
        (
            200,
            json!({"count": 1, "next": null, "previous": null, "results": [ivy_json]})
        )
    );
    let (code, body) = call(&t.s, "GET", &path(&t.course, "invite/"), &ann_token, None).await;
    assert_eq!(
        (code, body),
        (403, error("permission_denied", NO_PERMISSION))
    );
    let (code, _) = call(
        &t.s,
        "DELETE",
        &path(&t.course, "invite/"),
        &ann_token,
        Some(users.clone()),
    )
    .await;
    assert_eq!(code, 403);
    assert_eq!(t.s.standing(&t.course, &ivy).await, Standing::Invited);
    let (code, body) = call(
        &t.s,
        "DELETE",
        &path(&t.course, "invite/"),
        &t.owner_token,
        Some(users),
    )
    .await;
    assert_eq!((code, body), (204, Value::Null));
    assert_eq!(t.s.standing(&t.course, &ivy).await, Standing::None);
    let (code, body) = call(
        &t.s,
        "GET",
        &path(&t.course, "invite/"),
        &t.owner_token,
        None,
    )
    .await;
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

// --- roles -----------------------------------------------------------------

#[tokio::test]
async fn role_sets_managers_members_and_removes() {
    let t = open().await;
    let (ann, _) = member(&t, "ann").await;
    let (bob, _) = member(&t, "bob").await;
    let (cid, _) = member(&t, "cid").await;
    let dee = t.s.user("dee").await;
    let body = json!({"managers": [ann.num], "joined": [dee.num], "unjoined": [bob.num]});
    let (code, text) = call(
        &t.s,
        "POST",
        &path(&t.course, "role/"),
        &t.owner_token,
        Some(body),
    )
    .await;
    assert_eq!((code, text), (204, Value::Null));
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Manager)
    );
    assert_eq!(
        t.s.standing(&t.course, &dee).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(t.s.standing(&t.course, &bob).await, Standing::None);
    // A manager back to joined.
    let body = json!({"joined": [ann.num]});
    let (code, _) = call(
        &t.s,
        "POST",
        &path(&t.course, "role/"),
        &t.owner_token,
        Some(body),
    )
    .await;
    assert_eq!(code, 204);
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Member)
    );
    // The creator cannot be demoted nor removed.
    for body in [
        json!({"joined": [t.owner.num]}),
        json!({"unjoined": [t.owner.num]}),
    ] {
        let (code, text) = call(
            &t.s,
            "POST",
            &path(&t.course, "role/"),
            &t.owner_token,
            Some(body),
        )
        .await;
        assert_eq!((code, text), (403, error("creator_cannot_leave", CREATOR)));
    }
    assert_eq!(
        t.s.standing(&t.course, &t.owner).await,
        Standing::Member(Role::Owner)
    );
    // Plain members may not change roles.
    let cid_token = t.s.token(&cid).await;
    let body = json!({"managers": [cid.num]});
    let (code, text) = call(
        &t.s,
        "POST",
        &path(&t.course, "role/"),
        &cid_token,
        Some(body),
    )
    .await;
    assert_eq!(
        (code, text),
        (403, error("permission_denied", NO_PERMISSION))
    );
    assert_eq!(
        t.s.standing(&t.course, &cid).await,
        Standing::Member(Role::Member)
    );
    // Nothing to do is a bad request.
    let (code, text) = call(
        &t.s,
        "POST",
        &path(&t.course, "role/"),
        &t.owner_token,
        Some(json!({})),
    )
    .await;
    let message = "At least one of managers, joined and unjoined is required.";
    assert_eq!((code, text), (400, error("invalid", message)));
}

// --- courses ---------------------------------------------------------------

#[tokio::test]
async fn create_course_is_201_with_the_course() {
    let s = TestServer::start().await;
    let ada = s.user("ada").await;
    let patch = UserPatch {
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        photo_url: Some("https://example.com/ada.png".into()),
        ..UserPatch::default()
    };
    let id = ada.id;
    let ada = s
        .state
        .run(move |store| store.update_user(id, &patch))
        .await
        .unwrap();
    let token = s.token(&ada).await;
    let body = json!({"name": "Rust 101", "description": "Ownership first", "privacy": "private", "type": "self-paced", "categories": []});
    let (code, mut course) = call(&s, "POST", "/api/v2/course/", &token, Some(body)).await;
    assert_eq!(code, 201);
    let created_at = course
        .as_object_mut()
        .unwrap()
        .remove("created_at")
        .unwrap();
    assert!(created_at.as_str().unwrap().ends_with('Z'));
    let id = course["id"].as_i64().unwrap();
    let ada_json = json!({"id": ada.num, "username": "ada", "real_name": "Ada Lovelace", "avatar": "https://example.com/ada.png"});
    let expected = json!({
        "id": id,
        "name": "Rust 101",
        "slug": "rust-101",
        "description": "Ownership first",
        "type": "self-paced",
        "privacy": "private",
        "enforce_lessons_order": false,
        "new_comment_notification_enabled": true,
        "hide_member_count": false,
        "sections_order": [],
        "image_original": "",
        "image_bigger": "",
        "image_big": "",
        "image_medium": "",
        "image_small": "",
        "deleted": false,
        "join_status": "creator",
        "user_completion_rate": 0,
        "num_lessons": 0,
        "num_sections": 0,
        "created_by": ada_json,
        "categories": [],
        "member_count": 1,
    });
    assert_eq!(course, expected);
    // Read back by another user: same course, their own join_status.
    let bob = s.user("bob").await;
    let bob_token = s.token(&bob).await;
    let (code, mut again) = call(
        &s,
        "GET",
        &format!("/api/v2/course/{id}/"),
        &bob_token,
        None,
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(
        again.as_object_mut().unwrap().remove("created_at").unwrap(),
        created_at
    );
    let mut expected = expected;
    expected["join_status"] = Value::Null;
    assert_eq!(again, expected);
}

#[tokio::test]
async fn create_course_refuses_bad_bodies() {
    let s = TestServer::start().await;
    let ada = s.user("ada").await;
    let token = s.token(&ada).await;
    let first = json!({"name": "Rust 101", "privacy": "open"});
    let (code, _) = call(&s, "POST", "/api/v2/course/", &token, Some(first.clone())).await;
    assert_eq!(code, 201);
    let cases = [
        (first, "A course with this name already exists."),
        (json!({"privacy": "open"}), "name: This field is required."),
        (
            json!({"name": 7, "privacy": "open"}),
            "name: Not a valid string.",
        ),
        (
            json!({"name": "X", "privacy": "public"}),
            "privacy: \"public\" is not a valid choice.",
        ),
        (
            json!({"name": "X", "type": "weekly"}),
            "type: Not a valid choice.",
        ),
        (
            json!({"name": " padded ", "privacy": "open"}),
            "name: must not be empty or start or end with spaces",
        ),
        (
            json!({"name": "x".repeat(101), "privacy": "open"}),
            "name: too long",
        ),
        (
            json!(["not", "an", "object"]),
            "The body must be a JSON object.",
        ),
    ];
    for (body, message) in cases {
        let (code, reply) = call(&s, "POST", "/api/v2/course/", &token, Some(body.clone())).await;
        assert_eq!((code, reply), (400, error("invalid", message)), "{body}");
    }
    let response = s
        .client
        .post(s.url("/api/v2/course/"))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    let (code, body) = read(response).await;
    assert_eq!(
        (code, body["errors"][0]["code"].clone()),
        (400, json!("parse_error"))
    );
}

#[tokio::test]
async fn create_course_accepts_a_form() {
    let s = TestServer::start().await;
    let ada = s.user("ada").await;
    let token = s.token(&ada).await;
    let response = s
        .client
        .post(s.url("/api/v2/course"))
        .header("Authorization", format!("Token {token}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("name=Caf%C3%A9+club&privacy=secret&description=a%26b")
        .send()
        .await
        .unwrap();
    let (code, body) = read(response).await;
    assert_eq!(code, 201);
    assert_eq!(
        (
            body["name"].clone(),
            body["privacy"].clone(),
            body["description"].clone(),
            body["slug"].clone()
        ),
        (
            json!("Café club"),
            json!("secret"),
            json!("a&b"),
            json!("café-club")
        )
    );
}

#[tokio::test]
async fn delete_course_is_for_its_creator() {
    let t = open().await;
    let (_, ann_token) = member(&t, "ann").await;
    let (code, body) = call(&t.s, "DELETE", &path(&t.course, ""), &ann_token, None).await;
    assert_eq!(
        (code, body),
        (403, error("permission_denied", NO_PERMISSION))
    );
    let (code, body) = call_text(&t.s, "DELETE", &path(&t.course, ""), &t.owner_token).await;
    assert_eq!((code, body.as_str()), (204, ""));
    let (code, body) = call(&t.s, "GET", &path(&t.course, ""), &t.owner_token, None).await;
    assert_eq!((code, body), (404, not_found()));
}

// --- lists -----------------------------------------------------------------

#[tokio::test]
async fn joined_list_pages_by_limit_and_offset() {
    let t = open().await;
    let mut users = Vec::new();
    for name in ["u1", "u2", "u3", "u4", "u5"] {
        users.push(member(&t, name).await.0);
    }
    let user_json =
        |u: &User| json!({"id": u.num, "username": u.username, "real_name": "", "avatar": ""});
    let base = t.s.url(&path(&t.course, "join/"));
    let (code, body) = call(
        &t.s,
        "GET",
        &path(&t.course, "join/?limit=2"),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!(
        (code, body),
        (
            200,
            json!({
                "count": 5,
                "next": format!("{base}?limit=2&offset=2"),
                "previous": null,
                "results": [user_json(&users[0]), user_json(&users[1])],
            })
        )
    );
    let (_, body) = call(
        &t.s,
        "GET",
        &path(&t.course, "join/?limit=2&offset=2"),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!(body["previous"], json!(format!("{base}?limit=2")));
    assert_eq!(body["next"], json!(format!("{base}?limit=2&offset=4")));
    assert_eq!(
        body["results"],
        json!([user_json(&users[2]), user_json(&users[3])])
    );
    let (_, body) = call(
        &t.s,
        "GET",
        &path(&t.course, "join/?limit=2&offset=4"),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!(body["next"], Value::Null);
    assert_eq!(body["previous"], json!(format!("{base}?limit=2&offset=2")));
    assert_eq!(body["results"], json!([user_json(&users[4])]));
    // The creator is listed only when asked for; other filters are kept in the links.
    let (_, body) = call(
        &t.s,
        "GET",
        &path(&t.course, "join/?statuses=creator,joined&limit=3"),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!(body["count"], 6);
    assert_eq!(
        body["next"],
        json!(format!("{base}?limit=3&offset=3&statuses=creator%2Cjoined"))
    );
    let (_, body) = call(
        &t.s,
        "GET",
        &path(&t.course, "join/?statuses=creator"),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!(
        body["results"],
        json!([{"id": t.owner.num, "username": "owner", "real_name": "", "avatar": ""}])
    );
    let (_, body) = call(
        &t.s,
        "GET",
        &path(&t.course, "join/?statuses=creator&statuses=joined"),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!(body["count"], 6);
    // Lenient paging as DRF: bad values fall back; limits are capped.
    let (code, body) = call(
        &t.s,
        "GET",
        &path(&t.course, "join/?limit=-4&offset=zz"),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!(
        (code, body["count"].clone(), body["next"].clone()),
        (200, json!(5), Value::Null)
    );
    let (code, body) = call(
        &t.s,
        "GET",
        &path(&t.course, "join/?limit=100000&offset=18446744073709551615"),
        &t.owner_token,
        None,
    )
    .await;
    assert_eq!((code, body["results"].clone()), (200, json!([])));
    let (code, body) = call(
        &t.s,
        "GET",
        &path(&t.course, "join/?statuses=invited"),
        &t.owner_token,
        None,
    )
    .await;
    let message = "statuses: \"invited\" is not a valid choice (creator, manager, joined).";
    assert_eq!((code, body), (400, error("invalid", message)));
}

// --- hostile input ---------------------------------------------------------

#[tokio::test]
async fn hostile_user_lists_are_400_and_change_nothing() {
    let t = open().await;
    let (ann, _) = member(&t, "ann").await;
    let events = t.s.event_count().await;
    let list_error = error("invalid", "users: expected a list of user ids.");
    let cases = [
        (json!({"users": ["x"]}), list_error.clone()),
        (json!({"users": [1.5]}), list_error.clone()),
        (json!({"users": [-1]}), list_error.clone()),
        (json!({"users": [{"id": 1}]}), list_error.clone()),
        (
            json!({"users": [ann.num, 18446744073709551615u64]}),
            list_error.clone(),
        ),
        (
            json!({"users": []}),
            error("invalid", "users: This field is required."),
        ),
        (
            json!({}),
            error("invalid", "users: This field is required."),
        ),
        (
            json!({"users": [ann.num, 777777]}),
            error("invalid", "Invalid pk \"777777\" - object does not exist."),
        ),
        (
            json!({"users": vec![ann.num; 101]}),
            error("invalid", "users: at most 100 users per request."),
        ),
    ];
    for (body, expected) in cases {
        let (code, reply) = call(
            &t.s,
            "POST",
            &path(&t.course, "invite/"),
            &t.owner_token,
            Some(body.clone()),
        )
        .await;
        assert_eq!((code, reply), (400, expected), "{body}");
    }
    let (code, reply) = call(
        &t.s,
        "POST",
        &path(&t.course, "role/"),
        &t.owner_token,
        Some(json!({"managers": "abc"})),
    )
    .await;
    assert_eq!(
        (code, reply),
        (
            400,
            error("invalid", "managers: expected a list of user ids.")
        )
    );
    let response =
        t.s.client
            .delete(t.s.url(&path(&t.course, "join/")))
            .header("Authorization", format!("Bearer {}", t.owner_token))
            .header("Content-Type", "application/json")
            .body("{\"users\": [")
            .send()
            .await
            .unwrap();
    let (code, body) = read(response).await;
    assert_eq!(
        (code, body["errors"][0]["code"].clone()),
        (400, json!("parse_error"))
    );
    assert_eq!(t.s.event_count().await, events);
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Member)
    );
}

async fn post_raw(s: &TestServer, path: &str, token: &str, body: reqwest::Body) -> (u16, Value) {
    let response = s
        .client
        .post(s.url(path))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    read(response).await
}

#[tokio::test]
async fn oversized_bodies_get_a_course_api_413_and_write_nothing() {
    let t = open().await;
    let ivy = t.s.user("ivy").await;
    let events = t.s.event_count().await;
    // An invitation that would succeed but for its 70 KiB of padding.
    let oversized = json!({"users": [ivy.num], "pad": "a".repeat(70 * 1024)}).to_string();
    let too_large = error("payload_too_large", "The request body exceeds 65536 bytes.");
    let invite = path(&t.course, "invite/");

    let declared = post_raw(&t.s, &invite, &t.owner_token, oversized.clone().into()).await;
    assert_eq!(declared, (413, too_large.clone()));
    let chunked = post_raw(
        &t.s,
        &invite,
        &t.owner_token,
        crate::common::chunked(oversized),
    )
    .await;
    assert_eq!(chunked, (413, too_large));

    assert_eq!(t.s.standing(&t.course, &ivy).await, Standing::None);
    assert_eq!(t.s.event_count().await, events);
}

#[tokio::test]
async fn a_top_level_array_is_refused_and_writes_nothing() {
    let t = open().await;
    let (ann, _) = member(&t, "ann").await;
    let ivy = t.s.user("ivy").await;
    let events = t.s.event_count().await;
    let cases = [
        (path(&t.course, "invite/"), json!([[ivy.num]])),
        (path(&t.course, "role/"), json!([[ann.num]])),
        ("/api/v2/course/".to_owned(), json!(["Arrays", "open"])),
    ];
    for (route, body) in cases {
        let reply = post_raw(&t.s, &route, &t.owner_token, body.to_string().into()).await;
        assert_eq!(
            reply,
            (400, error("invalid", "The body must be a JSON object.")),
            "{route}"
        );
    }
    assert_eq!(t.s.standing(&t.course, &ivy).await, Standing::None);
    assert_eq!(
        t.s.standing(&t.course, &ann).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(t.s.event_count().await, events);
}
