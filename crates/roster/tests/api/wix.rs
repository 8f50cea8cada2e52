//! Wix Members REST v1 over HTTP: leave and join the site community, my
//! member, the public member list, one member; elevation with
//! `X-Roster-Member-Id`; Wix's error envelope.

use crate::common::{json, TestServer, PASSWORD};
use roster::http::timestamp;
use roster_engine::{Command, JoinPolicy, Role, Standing, Visibility};
use roster_store::{Community, User, UserKey};
use serde_json::{json, Value};

const MEMBERS: &str = "/members/v1/members";

async fn call(
    s: &TestServer,
    method: &str,
    path: &str,
    auth: Option<&str>,
    member: Option<&str>,
) -> (u16, Value) {
    let mut request = match method {
        "POST" => s.client.post(s.url(path)).body("{}"),
        _ => s.client.get(s.url(path)),
    };
    if let Some(auth) = auth {
        request = request.header("Authorization", auth);
    }
    if let Some(member) = member {
        request = request.header("X-Roster-Member-Id", member);
    }
    json(request.send().await.expect("request")).await
}

/// Wix sends the token bare.
async fn post(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    call(s, "POST", path, Some(token), None).await
}

async fn get(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    call(s, "GET", path, Some(token), None).await
}

fn leave() -> String {
    format!("{MEMBERS}/leave-community")
}

fn join() -> String {
    format!("{MEMBERS}/join-community")
}

fn envelope(code: &str, description: &str) -> Value {
    json!({
        "message": description,
        "details": {
            "applicationError": { "code": code, "description": description, "data": {} }
        }
    })
}

async fn site(s: &TestServer) -> Community {
    s.state
        .run(|st| st.site_community())
        .await
        .expect("read")
        .expect("site community")
}

async fn reread(s: &TestServer, user: &User) -> User {
    let id = user.id;
    s.state
        .run(move |st| st.find_user(&UserKey::Id(id)))
        .await
        .expect("read")
        .expect("user")
}

/// The FULL member, with `updatedDate` as given.
fn full(user: &User, privacy: &str, status: &str, updated: &str) -> Value {
    let id = user.id.to_string();
    json!({
        "id": id,
        "loginEmail": format!("{}@example.com", user.username),
        "loginEmailVerified": false,
        "status": status,
        "contactId": id,
        "contact": {
            "contactId": id,
            "firstName": "",
            "lastName": "",
            "phones": [],
            "emails": [],
            "addresses": [],
            "customFields": {},
        },
        "profile": {
            "nickname": user.username,
            "slug": user.username,
            "photo": { "id": "", "url": "", "height": 0, "width": 0 },
        },
        "privacyStatus": privacy,
        "activityStatus": "ACTIVE",
        "createdDate": timestamp(user.created_at),
        "updatedDate": updated,
    })
}

/// The PUBLIC fieldset: id and profile, statuses unknown.
fn public(user: &User) -> Value {
    json!({
        "id": user.id.to_string(),
        "profile": {
            "nickname": user.username,
            "slug": user.username,
            "photo": { "id": "", "url": "", "height": 0, "width": 0 },
        },
        "status": "UNKNOWN",
        "privacyStatus": "UNKNOWN",
        "activityStatus": "UNKNOWN",
    })
}

fn updated(body: &Value) -> String {
    body["member"]["updatedDate"]
        .as_str()
        .expect("updatedDate")
        .to_owned()
}

/// The site owner (first admin) and one member created after it.
async fn setup(s: &TestServer) -> (User, User) {
    let owner = s.admin("root").await;
    let ann = s.user("ann").await;
    (owner, ann)
}

#[tokio::test]
async fn leave_community_makes_the_member_private() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let site = site(&s).await;
    assert_eq!(
        s.standing(&site, &ann).await,
        Standing::Member(Role::Member)
    );
    let token = s.token(&ann).await;
    let events = s.event_count().await;
    // Timestamps have millisecond precision: make sure one has passed.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    let (status, body) = post(&s, &leave(), &token).await;

    assert_eq!(status, 200, "{body}");
    let updated = updated(&body);
    assert!(
        updated > timestamp(ann.updated_at),
        "{updated} must advance"
    );
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PRIVATE", "APPROVED", &updated) })
    );
    assert_eq!(s.standing(&site, &ann).await, Standing::None);
    assert_eq!(s.event_count().await, events + 1);
    assert_eq!(timestamp(reread(&s, &ann).await.updated_at), updated);
}

#[tokio::test]
async fn leaving_twice_is_idempotent() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let token = s.token(&ann).await;
    let (_, first) = post(&s, &leave(), &token).await;
    let events = s.event_count().await;

    let (status, body) = post(&s, &leave(), &token).await;

    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PRIVATE", "APPROVED", &updated(&first)) })
    );
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn join_community_makes_the_member_public_again() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let token = s.token(&ann).await;
    let (_, left) = post(&s, &leave(), &token).await;
    let events = s.event_count().await;

    let (status, body) = post(&s, &join(), &token).await;

    assert_eq!(status, 200);
    let updated = updated(&body);
    assert!(updated >= self::updated(&left));
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PUBLIC", "APPROVED", &updated) })
    );
    assert_eq!(
        s.standing(&site(&s).await, &ann).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(s.event_count().await, events + 1);

    // Joining again changes nothing.
    let (status, again) = post(&s, &join(), &token).await;
    assert_eq!((status, again), (200, body));
    assert_eq!(s.event_count().await, events + 1);
}

#[tokio::test]
async fn my_member_shows_the_privacy_status() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let token = s.token(&ann).await;
    let my = format!("{MEMBERS}/my");
    let created = timestamp(ann.updated_at);

    let (status, body) = get(&s, &my, &token).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PUBLIC", "APPROVED", &created) })
    );

    let (_, left) = post(&s, &leave(), &token).await;
    let (status, body) = get(&s, &my, &token).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PRIVATE", "APPROVED", &updated(&left)) })
    );

    let (status, body) = get(&s, &format!("{my}?fieldsets=PUBLIC"), &token).await;
    assert_eq!((status, body), (200, json!({ "member": public(&ann) })));
}

#[tokio::test]
async fn last_login_date_appears_after_a_login() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let token = s.token(&ann).await;
    let (_, body) = get(&s, &format!("{MEMBERS}/my"), &token).await;
    assert_eq!(body["member"].get("lastLoginDate"), None);

    let checked = roster::admin::check_password(&s.state, "ann", PASSWORD, None)
        .await
        .expect("login");
    assert!(
        matches!(checked, roster::admin::PasswordCheck::Valid(_)),
        "right password: {checked:?}"
    );
    let ann = reread(&s, &ann).await;
    let at = timestamp(ann.last_login_at.expect("recorded"));

    let (status, body) = get(&s, &format!("{MEMBERS}/my"), &token).await;
    assert_eq!(status, 200);
    let mut expected = full(&ann, "PUBLIC", "APPROVED", &timestamp(ann.updated_at));
    expected["lastLoginDate"] = json!(at);
    assert_eq!(body, json!({ "member": expected }));
}

#[tokio::test]
async fn a_private_member_is_hidden_from_other_members() {
    let s = TestServer::start().await;
    let (owner, ann) = setup(&s).await;
    let bob = s.user("bob").await;
    let ann_token = s.token(&ann).await;
    let bob_token = s.token(&bob).await;
    let ann_path = format!("{MEMBERS}/{}", ann.id);

    let (status, body) = get(&s, MEMBERS, &bob_token).await;
    assert_eq!(status, 200);
    let everyone = [public(&owner), public(&ann), public(&bob)];
    let listed = json!({
        "members": everyone,
        "metadata": { "count": 3, "offset": 0, "total": 3, "tooManyToCount": false },
    });
    assert_eq!(body, listed);
    assert_eq!(
        get(&s, &ann_path, &bob_token).await,
        (200, json!({ "member": public(&ann) }))
    );

    post(&s, &leave(), &ann_token).await;

    let (status, body) = get(&s, MEMBERS, &bob_token).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({
            "members": [public(&owner), public(&bob)],
            "metadata": { "count": 2, "offset": 0, "total": 2, "tooManyToCount": false },
        })
    );
    assert_eq!(
        get(&s, &ann_path, &bob_token).await,
        (404, envelope("MEMBER_NOT_FOUND", "no such member"))
    );
    // The member still sees themselves, and `my` still works.
    assert_eq!(
        get(&s, &ann_path, &ann_token).await,
        (200, json!({ "member": public(&ann) }))
    );
    let (status, body) = get(&s, &format!("{MEMBERS}/my"), &ann_token).await;
    assert_eq!(
        (status, &body["member"]["privacyStatus"]),
        (200, &json!("PRIVATE"))
    );
    // So does an elevated admin, with every field when asked.
    let admin = s.token_with(&owner, "admin").await;
    let (status, body) = get(&s, &format!("{ann_path}?fieldsets=FULL"), &admin).await;
    assert_eq!(status, 200);
    let ann_updated = timestamp(reread(&s, &ann).await.updated_at);
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PRIVATE", "APPROVED", &ann_updated) })
    );
}

#[tokio::test]
async fn leaving_the_site_keeps_other_memberships() {
    let s = TestServer::start().await;
    let (owner, ann) = setup(&s).await;
    let bakers = s
        .community(&owner, "bakers", Visibility::Public, JoinPolicy::Open)
        .await;
    let mine = s
        .community(&ann, "mine", Visibility::Private, JoinPolicy::Invite)
        .await;
    s.exec(&ann, &bakers, Command::Join).await;
    let token = s.token(&ann).await;

    assert_eq!(post(&s, &leave(), &token).await.0, 200);

    assert_eq!(
        s.standing(&bakers, &ann).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(s.standing(&mine, &ann).await, Standing::Member(Role::Owner));
    assert_eq!(s.standing(&site(&s).await, &ann).await, Standing::None);
}

#[tokio::test]
async fn get_member_gives_others_only_the_public_fieldset() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let bob = s.user("bob").await;
    let token = s.token(&bob).await;
    let path = format!("{MEMBERS}/{}", ann.id);

    let expected = (200, json!({ "member": public(&ann) }));
    assert_eq!(get(&s, &path, &token).await, expected);
    assert_eq!(
        get(&s, &format!("{path}?fieldsets=FULL"), &token).await,
        expected
    );

    let own = format!("{MEMBERS}/{}?fieldsets=FULL", bob.id);
    let created = timestamp(bob.updated_at);
    let mine = json!({ "member": full(&bob, "PUBLIC", "APPROVED", &created) });
    assert_eq!(get(&s, &own, &token).await, (200, mine));

    let unknown = format!("{MEMBERS}/{}", uuid::Uuid::new_v4());
    assert_eq!(
        get(&s, &unknown, &token).await,
        (404, envelope("MEMBER_NOT_FOUND", "no such member"))
    );
    for bad in ["not-a-uuid", "%FF", "12345"] {
        assert_eq!(
            get(&s, &format!("{MEMBERS}/{bad}"), &token).await,
            (
                400,
                envelope("INVALID_ARGUMENT", "the member id must be a UUID")
            ),
            "{bad}"
        );
    }
    assert_eq!(
        get(&s, &format!("{path}?fieldsets=EVERYTHING"), &token).await,
        (
            400,
            envelope("INVALID_ARGUMENT", "unknown fieldset 'EVERYTHING'")
        )
    );
}

#[tokio::test]
async fn list_members_pages_by_offset() {
    let s = TestServer::start().await;
    let (owner, ann) = setup(&s).await;
    let bob = s.user("bob").await;
    let cid = s.user("cid").await;
    let token = s.token(&cid).await;

    let (status, body) = get(
        &s,
        &format!("{MEMBERS}?paging.limit=2&paging.offset=1"),
        &token,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({
            "members": [public(&ann), public(&bob)],
            "metadata": { "count": 2, "offset": 1, "total": 4, "tooManyToCount": false },
        })
    );

    let (status, body) = get(
        &s,
        &format!("{MEMBERS}?paging.offset=3&paging.limit=1000"),
        &token,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({
            "members": [public(&cid)],
            "metadata": { "count": 1, "offset": 3, "total": 4, "tooManyToCount": false },
        })
    );

    let (status, body) = get(&s, &format!("{MEMBERS}?paging.offset=99999999999"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(body["members"], json!([]));

    for (query, message) in [
        (
            "paging.limit=-1",
            "paging.limit must be a non-negative integer",
        ),
        (
            "paging.limit=lots",
            "paging.limit must be a non-negative integer",
        ),
        (
            "paging.offset=-5",
            "paging.offset must be a non-negative integer",
        ),
        (
            "paging.offset=1e3",
            "paging.offset must be a non-negative integer",
        ),
    ] {
        assert_eq!(
            get(&s, &format!("{MEMBERS}?{query}"), &token).await,
            (400, envelope("INVALID_ARGUMENT", message)),
            "{query}"
        );
    }
    let _ = owner;
}

#[tokio::test]
async fn bare_and_bearer_tokens_both_work() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let token = s.token(&ann).await;
    let my = format!("{MEMBERS}/my");

    let bare = call(&s, "GET", &my, Some(&token), None).await;
    let bearer = call(&s, "GET", &my, Some(&format!("Bearer {token}")), None).await;

    assert_eq!(bare.0, 200);
    assert_eq!(bare, bearer);
    assert_eq!(bare.1["member"]["id"], json!(ann.id.to_string()));
}

#[tokio::test]
async fn every_route_answers_under_the_api_prefix() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let token = s.token(&ann).await;
    let base = format!("/_api{MEMBERS}");

    let (status, body) = post(&s, &format!("{base}/leave-community"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(body["member"]["privacyStatus"], json!("PRIVATE"));
    let (status, body) = post(&s, &format!("{base}/join-community"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(body["member"]["privacyStatus"], json!("PUBLIC"));
    let (status, body) = get(&s, &format!("{base}/my"), &token).await;
    assert_eq!(
        (status, &body["member"]["privacyStatus"]),
        (200, &json!("PUBLIC"))
    );
    let (status, body) = get(&s, &format!("{base}/{}", ann.id), &token).await;
    assert_eq!((status, body), (200, json!({ "member": public(&ann) })));
    let (status, body) = get(&s, &base, &token).await;
    assert_eq!((status, &body["metadata"]["total"]), (200, &json!(2)));
}

#[tokio::test]
async fn authentication_failures_use_the_wix_envelope() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let past = Some(chrono::Utc::now() - chrono::Duration::hours(1));
    let scopes = roster_store::Scopes {
        read: true,
        write: true,
        admin: false,
    };
    let (expired, _) = roster::admin::issue_token(&s.state, &ann, scopes, "old", past)
        .await
        .expect("token");
    let (revoked, record) = roster::admin::issue_token(&s.state, &ann, scopes, "gone", None)
        .await
        .expect("token");
    let (uid, tid) = (ann.id, record.id);
    assert!(s
        .state
        .run(move |st| st.revoke_token(uid, tid))
        .await
        .expect("revoke"));
    let unknown = roster::auth::generate_token().0;
    let cases = [
        (None, "UNAUTHENTICATED", "no token was sent"),
        (
            Some("garbage".to_owned()),
            "INVALID_TOKEN",
            "the token is malformed",
        ),
        (Some(unknown), "INVALID_TOKEN", "the token is unknown"),
        (Some(expired), "TOKEN_EXPIRED", "the token has expired"),
        (Some(revoked), "TOKEN_REVOKED", "the token has been revoked"),
    ];
    let routes = [
        ("POST", leave()),
        ("POST", join()),
        ("GET", format!("{MEMBERS}/my")),
        ("GET", MEMBERS.to_owned()),
        ("GET", format!("{MEMBERS}/{}", ann.id)),
    ];
    for (method, path) in &routes {
        for (token, code, description) in &cases {
            assert_eq!(
                call(&s, method, path, token.as_deref(), None).await,
                (401, envelope(code, description)),
                "{method} {path} {code}"
            );
        }
    }
    assert_eq!(
        s.standing(&site(&s).await, &ann).await,
        Standing::Member(Role::Member)
    );
}

#[tokio::test]
async fn writes_need_the_write_scope() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let read_only = s.token_with(&ann, "community:read").await;
    let write_only = s.token_with(&ann, "community:write").await;

    let refused = |scope: &str| {
        (
            403,
            envelope(
                "INSUFFICIENT_SCOPE",
                &format!("the token lacks the scope {scope}"),
            ),
        )
    };
    assert_eq!(
        post(&s, &leave(), &read_only).await,
        refused("community:write")
    );
    assert_eq!(
        get(&s, &format!("{MEMBERS}/my"), &write_only).await,
        refused("community:read")
    );
    assert_eq!(
        s.standing(&site(&s).await, &ann).await,
        Standing::Member(Role::Member)
    );
}

#[tokio::test]
async fn an_admin_token_acts_for_a_member() {
    let s = TestServer::start().await;
    let (owner, ann) = setup(&s).await;
    let admin = s.token_with(&owner, "admin").await;
    let id = ann.id.to_string();
    let site = site(&s).await;

    let (status, body) = call(&s, "POST", &leave(), Some(&admin), Some(&id)).await;

    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PRIVATE", "APPROVED", &updated(&body)) })
    );
    assert_eq!(s.standing(&site, &ann).await, Standing::None);
    assert_eq!(
        s.standing(&site, &owner).await,
        Standing::Member(Role::Owner)
    );

    let (status, body) = call(&s, "GET", &format!("{MEMBERS}/my"), Some(&admin), Some(&id)).await;
    assert_eq!((status, &body["member"]["id"]), (200, &json!(id)));
    assert_eq!(body["member"]["privacyStatus"], json!("PRIVATE"));

    let (status, body) = call(&s, "POST", &join(), Some(&admin), Some(&id)).await;
    assert_eq!(
        (status, &body["member"]["privacyStatus"]),
        (200, &json!("PUBLIC"))
    );
    assert_eq!(
        s.standing(&site, &ann).await,
        Standing::Member(Role::Member)
    );
}

#[tokio::test]
async fn the_member_header_needs_elevation_and_a_known_member() {
    let s = TestServer::start().await;
    let (owner, ann) = setup(&s).await;
    let bob = s.user("bob").await;
    let site = site(&s).await;
    let id = ann.id.to_string();
    let refused = (
        403,
        envelope(
            "ELEVATION_REQUIRED",
            "acting for another member (X-Roster-Member-Id) needs an admin token",
        ),
    );

    let member_token = s.token(&bob).await;
    assert_eq!(
        call(&s, "POST", &leave(), Some(&member_token), Some(&id)).await,
        refused
    );
    // An admin user whose token lacks the admin scope is not elevated either.
    let plain_admin = s.token(&owner).await;
    assert_eq!(
        call(&s, "POST", &leave(), Some(&plain_admin), Some(&id)).await,
        refused
    );
    assert_eq!(
        s.standing(&site, &ann).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(
        s.standing(&site, &bob).await,
        Standing::Member(Role::Member)
    );

    let admin = s.token_with(&owner, "admin").await;
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        call(&s, "POST", &leave(), Some(&admin), Some(&unknown)).await,
        (404, envelope("MEMBER_NOT_FOUND", "no such member"))
    );
    assert_eq!(
        call(&s, "POST", &leave(), Some(&admin), Some("ann")).await,
        (
            400,
            envelope(
                "INVALID_ARGUMENT",
                "X-Roster-Member-Id must be a member id (UUID)"
            )
        )
    );
    assert_eq!(
        s.standing(&site, &owner).await,
        Standing::Member(Role::Owner)
    );
}

#[tokio::test]
async fn the_site_owner_cannot_leave() {
    let s = TestServer::start().await;
    let (owner, _) = setup(&s).await;
    let token = s.token(&owner).await;
    let events = s.event_count().await;

    assert_eq!(
        post(&s, &leave(), &token).await,
        (
            403,
            envelope(
                "OWNER_CANNOT_LEAVE_COMMUNITY",
                "the last owner cannot leave; transfer ownership first"
            )
        )
    );
    assert_eq!(
        s.standing(&site(&s).await, &owner).await,
        Standing::Member(Role::Owner)
    );
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn without_a_site_community_every_route_says_so() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let token = s.token(&ann).await;
    let missing = (
        404,
        envelope(
            "SITE_COMMUNITY_NOT_SET_UP",
            "the site community does not exist yet: create the first admin user",
        ),
    );

    assert_eq!(post(&s, &leave(), &token).await, missing);
    assert_eq!(post(&s, &join(), &token).await, missing);
    assert_eq!(get(&s, &format!("{MEMBERS}/my"), &token).await, missing);
    assert_eq!(get(&s, MEMBERS, &token).await, missing);
    assert_eq!(
        get(&s, &format!("{MEMBERS}/{}", ann.id), &token).await,
        missing
    );
}

#[tokio::test]
async fn a_blocked_member_stays_blocked() {
    let s = TestServer::start().await;
    let (owner, ann) = setup(&s).await;
    let site = site(&s).await;
    let ban = Command::Ban {
        subject: ann.id,
        reason: None,
    };
    s.exec(&owner, &site, ban).await;
    // A ban from the site changes the member record: its updatedDate moves.
    let banned = roster::admin::user(&s.state, roster_store::UserKey::Id(ann.id))
        .await
        .unwrap();
    assert!(banned.updated_at >= ann.updated_at);
    let ann = banned;
    let token = s.token(&ann).await;
    let events = s.event_count().await;
    let updated = timestamp(ann.updated_at);

    let (status, body) = get(&s, &format!("{MEMBERS}/my"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "member": full(&ann, "PRIVATE", "BLOCKED", &updated) })
    );

    let (status, again) = post(&s, &leave(), &token).await;
    assert_eq!((status, again), (200, body));
    assert_eq!(
        post(&s, &join(), &token).await,
        (
            403,
            envelope("MEMBER_BLOCKED", "you are banned from this community")
        )
    );
    assert_eq!(s.standing(&site, &ann).await, Standing::Banned);
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn request_bodies_must_be_json_objects() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let token = s.token(&ann).await;

    for body in ["", "{}", "{\"unknown\": [1, 2]}"] {
        let response = s
            .client
            .post(s.url(&join()))
            .header("Authorization", &token)
            .body(body)
            .send()
            .await
            .expect("request");
        assert_eq!(json(response).await.0, 200, "{body:?}");
    }
    for body in ["{", "[]", "\"x\"", "null", "\u{0}"] {
        let response = s
            .client
            .post(s.url(&leave()))
            .header("Authorization", &token)
            .body(body)
            .send()
            .await
            .expect("request");
        let (status, reply) = json(response).await;
        assert_eq!(status, 400, "{body:?}");
        assert_eq!(
            reply["details"]["applicationError"]["code"],
            json!("INVALID_ARGUMENT")
        );
    }
    assert_eq!(
        s.standing(&site(&s).await, &ann).await,
        Standing::Member(Role::Member)
    );
}

async fn post_raw(s: &TestServer, path: &str, token: &str, body: reqwest::Body) -> (u16, Value) {
    let response = s
        .client
        .post(s.url(path))
        .header("Authorization", token)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    json(response).await
}

#[tokio::test]
async fn oversized_bodies_get_a_wix_413_and_change_nothing() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let site = site(&s).await;
    let token = s.token(&ann).await;
    let events = s.event_count().await;
    // A leave that would succeed but for its 70 KiB of padding.
    let oversized = json!({ "pad": "a".repeat(70 * 1024) }).to_string();
    let too_large = envelope("PAYLOAD_TOO_LARGE", "the body exceeds 65536 bytes");

    let declared = post_raw(&s, &leave(), &token, oversized.clone().into()).await;
    assert_eq!(declared, (413, too_large.clone()));
    let chunked = post_raw(&s, &leave(), &token, crate::common::chunked(oversized)).await;
    assert_eq!(chunked, (413, too_large));

    assert_eq!(
        s.standing(&site, &ann).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn a_top_level_array_is_an_invalid_argument_and_changes_nothing() {
    let s = TestServer::start().await;
    let (_, ann) = setup(&s).await;
    let site = site(&s).await;
    let token = s.token(&ann).await;
    let events = s.event_count().await;
    let not_object = envelope(
        "INVALID_ARGUMENT",
        "the body does not match the expected shape: the body must be a JSON object",
    );
    for body in ["[{}]", "[\"x\"]", "\"x\""] {
        let reply = post_raw(&s, &leave(), &token, body.into()).await;
        assert_eq!(reply, (400, not_object.clone()), "{body}");
    }
    assert_eq!(
        s.standing(&site, &ann).await,
        Standing::Member(Role::Member)
    );
    assert_eq!(s.event_count().await, events);
}
