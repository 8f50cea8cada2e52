//! Whisk Community API v2 over HTTP: leave, join, get one community, list
//! the caller's communities; every status and body compared exactly.

use crate::common::{json, TestServer};
use chrono::{Duration, Utc};
use roster_engine::{
    Command, ContributionMode, JoinPolicy, Role, SettingsPatch, Standing, Visibility,
};
use roster_store::{Community, Scopes, User};
use serde_json::{json, Value};

const LAST_OWNER: &str = "the last owner cannot leave; transfer ownership first";
const BAD_ID: &str = "community_id must be 32 lowercase hex digits";

async fn post(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    let response = s
        .client
        .post(s.url(path))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .expect("request");
    json(response).await
}

async fn get(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    let response = s
        .client
        .get(s.url(path))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .expect("request");
    json(response).await
}

fn leave_path(c: &Community) -> String {
    format!("/community/v2/{}/leave", c.id().simple())
}

fn join_path(c: &Community) -> String {
    format!("/community/v2/{}/join", c.id().simple())
}

fn perms(role: &str, mode: &str, visibility: &str) -> Value {
    json!({
        "role": format!("COMMUNITY_ROLE_{role}"),
        "mode": format!("COMMUNITY_CONTRIBUTION_PERMISSION_MODE_{mode}"),
        "visibility": format!("COMMUNITY_VISIBILITY_{visibility}"),
    })
}

fn permissions(role: &str, mode: &str, visibility: &str) -> Value {
    json!({ "permissions": perms(role, mode, visibility) })
}

/// An owner, a second user, and an open public community owned by the first.
async fn setup(s: &TestServer) -> (User, User, Community) {
    let owner = s.user("olga").await;
    let user = s.user("ulf").await;
    let c = s
        .community(&owner, "bakers", Visibility::Public, JoinPolicy::Open)
        .await;
    (owner, user, c)
}

#[tokio::test]
async fn leave_answers_unset_with_the_community_settings() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    s.exec(&user, &c, Command::Join).await;
    let token = s.token(&user).await;
    let events = s.event_count().await;

    let (status, body) = post(&s, &leave_path(&c), &token).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("UNSET", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::None);
    assert_eq!(s.event_count().await, events + 1);
    assert_eq!(s.reload(&c).await.state.counters.members, 1);
}

#[tokio::test]
async fn leave_renders_admins_mode_and_private_visibility() {
    let s = TestServer::start().await;
    let owner = s.user("olga").await;
    let user = s.user("ulf").await;
    let c = s
        .community(&owner, "secret", Visibility::Private, JoinPolicy::Invite)
        .await;
    let patch = SettingsPatch {
        contribution_mode: Some(ContributionMode::Managers),
        ..SettingsPatch::default()
    };
    s.exec(&owner, &c, Command::Update(patch)).await;
    s.exec(&owner, &c, Command::Invite { subject: user.id })
        .await;
    s.exec(&user, &c, Command::Join).await;
    let token = s.token(&user).await;

    let (status, body) = post(&s, &leave_path(&c), &token).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("UNSET", "ADMINS", "PRIVATE"));
    assert_eq!(s.standing(&c, &user).await, Standing::None);
}

#[tokio::test]
async fn leave_accepts_the_hyphenated_id() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    s.exec(&user, &c, Command::Join).await;
    let token = s.token(&user).await;

    let path = format!("/community/v2/{}/leave", c.id());
    let (status, body) = post(&s, &path, &token).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("UNSET", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::None);
}

#[tokio::test]
async fn the_last_owner_cannot_leave() {
    let s = TestServer::start().await;
    let (owner, _, c) = setup(&s).await;
    let token = s.token(&owner).await;
    let events = s.event_count().await;

    let (status, body) = post(&s, &leave_path(&c), &token).await;

    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({ "error_code": "ERROR_COMMUNITY_OWNER_CANT_LEAVE", "message": LAST_OWNER })
    );
    assert_eq!(s.standing(&c, &owner).await, Standing::Member(Role::Owner));
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn an_owner_who_is_not_the_last_may_leave() {
    let s = TestServer::start().await;
    let (owner, user, c) = setup(&s).await;
    s.exec(&user, &c, Command::Join).await;
    let role = Command::SetRole {
        subject: user.id,
        role: Role::Owner,
        expect: None,
    };
    s.exec(&owner, &c, role).await;
    let token = s.token(&owner).await;

    let (status, body) = post(&s, &leave_path(&c), &token).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("UNSET", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::Member(Role::Owner));
}

#[tokio::test]
async fn leaving_when_not_a_member_is_idempotent() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    s.exec(&user, &c, Command::Join).await;
    let token = s.token(&user).await;
    assert_eq!(post(&s, &leave_path(&c), &token).await.0, 200);
    let events = s.event_count().await;

    for _ in 0..2 {
        let (status, body) = post(&s, &leave_path(&c), &token).await;
        assert_eq!(status, 200);
        assert_eq!(body, permissions("UNSET", "ANYONE", "PUBLIC"));
    }
    assert_eq!(s.event_count().await, events);
    assert_eq!(s.standing(&c, &user).await, Standing::None);
}

#[tokio::test]
async fn leaving_withdraws_a_pending_request() {
    let s = TestServer::start().await;
    let owner = s.user("olga").await;
    let user = s.user("ulf").await;
    let c = s
        .community(&owner, "club", Visibility::Public, JoinPolicy::Request)
        .await;
    s.exec(&user, &c, Command::Join).await;
    assert_eq!(s.standing(&c, &user).await, Standing::Requested);
    let token = s.token(&user).await;
    let events = s.event_count().await;

    let (status, body) = post(&s, &leave_path(&c), &token).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("UNSET", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::None);
    assert_eq!(s.reload(&c).await.state.counters.pending, 0);
    assert_eq!(s.event_count().await, events + 1);
}

#[tokio::test]
async fn leaving_declines_an_invitation() {
    let s = TestServer::start().await;
    let owner = s.user("olga").await;
    let user = s.user("ulf").await;
    let c = s
        .community(&owner, "club", Visibility::Public, JoinPolicy::Invite)
        .await;
    s.exec(&owner, &c, Command::Invite { subject: user.id })
        .await;
    let token = s.token(&user).await;

    let (status, body) = post(&s, &leave_path(&c), &token).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("UNSET", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::None);
}

#[tokio::test]
async fn a_blocked_caller_stays_blocked() {
    let s = TestServer::start().await;
    let (owner, user, c) = setup(&s).await;
    s.exec(&user, &c, Command::Join).await;
    let ban = Command::Ban {
        subject: user.id,
        reason: None,
    };
    s.exec(&owner, &c, ban).await;
    let token = s.token(&user).await;
    let events = s.event_count().await;

    let (status, body) = post(&s, &leave_path(&c), &token).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("BLOCKED", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::Banned);
    assert_eq!(s.event_count().await, events);

    let (status, body) = post(&s, &join_path(&c), &token).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "error_code": "ERROR_COMMUNITY_USER_BLOCKED",
            "message": "you are banned from this community",
        })
    );
    assert_eq!(s.standing(&c, &user).await, Standing::Banned);
}

#[tokio::test]
async fn an_archived_community_refuses_leave_and_join() {
    let s = TestServer::start().await;
    let (owner, user, c) = setup(&s).await;
    let other = s.user("vera").await;
    s.exec(&user, &c, Command::Join).await;
    s.exec(&owner, &c, Command::Archive).await;
    let archived = json!({
        "error_code": "ERROR_COMMUNITY_ARCHIVED",
        "message": "the community is archived",
    });

    let token = s.token(&user).await;
    assert_eq!(
        post(&s, &leave_path(&c), &token).await,
        (400, archived.clone())
    );
    assert_eq!(s.standing(&c, &user).await, Standing::Member(Role::Member));

    let token = s.token(&other).await;
    assert_eq!(post(&s, &join_path(&c), &token).await, (400, archived));
    assert_eq!(s.standing(&c, &other).await, Standing::None);
}

#[tokio::test]
async fn join_an_open_community_makes_a_member_once() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let token = s.token(&user).await;
    let events = s.event_count().await;

    let (status, body) = post(&s, &join_path(&c), &token).await;
    assert_eq!(status, 200);
    assert_eq!(body, permissions("MEMBER", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::Member(Role::Member));
    assert_eq!(s.event_count().await, events + 1);

    // Joining again is not an error: the current role, no second event.
    let (status, body) = post(&s, &join_path(&c), &token).await;
    assert_eq!(status, 200);
    assert_eq!(body, permissions("MEMBER", "ANYONE", "PUBLIC"));
    assert_eq!(s.event_count().await, events + 1);
}

#[tokio::test]
async fn join_a_request_community_is_pending() {
    let s = TestServer::start().await;
    let owner = s.user("olga").await;
    let user = s.user("ulf").await;
    let c = s
        .community(&owner, "club", Visibility::Public, JoinPolicy::Request)
        .await;
    let token = s.token(&user).await;

    let (status, body) = post(&s, &join_path(&c), &token).await;

    assert_eq!(status, 200);
    assert_eq!(body, permissions("PENDING", "ANYONE", "PUBLIC"));
    assert_eq!(s.standing(&c, &user).await, Standing::Requested);
    assert_eq!(s.reload(&c).await.state.counters.pending, 1);
}

#[tokio::test]
async fn join_a_private_community_is_pending_and_leave_withdraws_it() {
    let s = TestServer::start().await;
    let owner = s.user("olga").await;
    let user = s.user("ulf").await;
    let c = s
        .community(&owner, "club", Visibility::Private, JoinPolicy::Request)
        .await;
    let token = s.token(&user).await;

    let (status, body) = post(&s, &join_path(&c), &token).await;
    assert_eq!(status, 200);
    assert_eq!(body, permissions("PENDING", "ANYONE", "PRIVATE"));
    assert_eq!(s.standing(&c, &user).await, Standing::Requested);

    let (status, body) = post(&s, &leave_path(&c), &token).await;
    assert_eq!(status, 200);
    assert_eq!(body, permissions("UNSET", "ANYONE", "PRIVATE"));
    assert_eq!(s.reload(&c).await.state.counters.pending, 0);
}

#[tokio::test]
async fn join_an_invite_only_community_needs_an_invitation() {
    let s = TestServer::start().await;
    let owner = s.user("olga").await;
    let user = s.user("ulf").await;
    let c = s
        .community(&owner, "club", Visibility::Public, JoinPolicy::Invite)
        .await;
    let token = s.token(&user).await;
    let events = s.event_count().await;

    let (status, body) = post(&s, &join_path(&c), &token).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "error_code": "ERROR_COMMUNITY_INVITATION_REQUIRED",
            "message": "this community can only be joined by invitation",
        })
    );
    assert_eq!(s.event_count().await, events);

    s.exec(&owner, &c, Command::Invite { subject: user.id })
        .await;
    let (status, body) = post(&s, &join_path(&c), &token).await;
    assert_eq!(status, 200);
    assert_eq!(body, permissions("MEMBER", "ANYONE", "PUBLIC"));
}

#[tokio::test]
async fn each_authentication_failure_has_its_code() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let past = Some(Utc::now() - Duration::hours(1));
    let scopes = Scopes {
        read: true,
        write: true,
        admin: false,
    };
    let (expired, _) = roster::admin::issue_token(&s.state, &user, scopes, "old", past)
        .await
        .expect("token");
    let (revoked, record) = roster::admin::issue_token(&s.state, &user, scopes, "gone", None)
        .await
        .expect("token");
    let (uid, tid) = (user.id, record.id);
    assert!(s
        .state
        .run(move |st| st.revoke_token(uid, tid))
        .await
        .expect("revoke"));
    let unknown = roster::auth::generate_token().0;

    let paths = [
        ("POST", leave_path(&c)),
        ("POST", join_path(&c)),
        ("GET", format!("/community/v2/{}", c.id().simple())),
        ("GET", "/community/v2".to_owned()),
    ];
    for (method, path) in &paths {
        let request = |auth: Option<String>| {
            let mut builder = if *method == "POST" {
                s.client.post(s.url(path))
            } else {
                s.client.get(s.url(path))
            };
            if let Some(auth) = auth {
                builder = builder.header("Authorization", auth);
            }
            builder.send()
        };
        let cases = [
            (None, "auth.tokenRequired"),
            (Some("Bearer not-a-token".to_owned()), "auth.tokenInvalid"),
            (Some(format!("Bearer {unknown}")), "auth.tokenNotFound"),
            (Some(format!("Bearer {expired}")), "auth.tokenExpired"),
            (Some(format!("Bearer {revoked}")), "auth.tokenNotFound"),
        ];
        for (auth, code) in cases {
            let (status, body) = json(request(auth.clone()).await.expect("request")).await;
            assert_eq!(
                (status, body),
                (401, json!({ "code": code })),
                "{method} {path} with {auth:?}"
            );
        }
    }
    assert_eq!(s.standing(&c, &user).await, Standing::None);
}

#[tokio::test]
async fn each_route_requires_its_scope() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let read_only = s.token_with(&user, "community:read").await;
    let write_only = s.token_with(&user, "community:write").await;
    let refused = (403, json!({ "code": "authorization.scopeRequired" }));

    assert_eq!(post(&s, &join_path(&c), &read_only).await, refused);
    assert_eq!(post(&s, &leave_path(&c), &read_only).await, refused);
    assert_eq!(s.standing(&c, &user).await, Standing::None);
    let one = format!("/community/v2/{}", c.id().simple());
    assert_eq!(get(&s, &one, &write_only).await, refused);
    assert_eq!(get(&s, "/community/v2", &write_only).await, refused);

    // The right scope passes.
    assert_eq!(post(&s, &join_path(&c), &write_only).await.0, 200);
    assert_eq!(get(&s, &one, &read_only).await.0, 200);
}

#[tokio::test]
async fn an_unknown_community_is_not_found() {
    let s = TestServer::start().await;
    let user = s.user("ulf").await;
    let token = s.token(&user).await;
    let id = uuid::Uuid::new_v4().simple().to_string();
    let not_found = (
        404,
        json!({ "code": "general.notFound", "message": "community not found" }),
    );

    let leave = format!("/community/v2/{id}/leave");
    let join = format!("/community/v2/{id}/join");
    assert_eq!(post(&s, &leave, &token).await, not_found);
    assert_eq!(post(&s, &join, &token).await, not_found);
    assert_eq!(
        get(&s, &format!("/community/v2/{id}"), &token).await,
        not_found
    );
}

#[tokio::test]
async fn a_private_community_is_invisible_to_outsiders() {
    let s = TestServer::start().await;
    let admin = s.admin("root").await;
    let owner = s.user("olga").await;
    let outsider = s.user("ulf").await;
    let invitee = s.user("vera").await;
    let c = s
        .community(&owner, "secret", Visibility::Private, JoinPolicy::Invite)
        .await;
    s.exec(
        &owner,
        &c,
        Command::Invite {
            subject: invitee.id,
        },
    )
    .await;
    let token = s.token(&outsider).await;
    let one = format!("/community/v2/{}", c.id().simple());
    let not_found = (
        404,
        json!({ "code": "general.notFound", "message": "community not found" }),
    );

    assert_eq!(get(&s, &one, &token).await, not_found);
    assert_eq!(post(&s, &join_path(&c), &token).await, not_found);
    assert_eq!(post(&s, &leave_path(&c), &token).await, not_found);
    assert_eq!(s.standing(&c, &outsider).await, Standing::None);

    let expected = |role: &str| {
        json!({ "community": {
            "id": c.id().simple(),
            "name": "secret",
            "description": "about secret",
            "permissions": perms(role, "ANYONE", "PRIVATE"),
            "members": { "count": 1 },
        }})
    };
    // An invitee sees it; so does an elevated admin.
    let token = s.token(&invitee).await;
    assert_eq!(get(&s, &one, &token).await, (200, expected("UNSET")));
    let token = s.token_with(&admin, "admin").await;
    assert_eq!(get(&s, &one, &token).await, (200, expected("UNSET")));
}

#[tokio::test]
async fn malformed_ids_are_bad_requests() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let token = s.token(&user).await;
    let bad = (
        400,
        json!({ "code": "general.badRequest", "message": BAD_ID }),
    );
    let simple = c.id().simple();
    let ids = [
        "xyz".to_owned(),
        simple.to_uppercase(),
        simple[..31].to_owned(),
        format!("{simple}0"),
        format!("%7B{}%7D", c.id()),
        format!("urn:uuid:{}", c.id()),
        "%FF%FE".to_owned(),
        "%00".to_owned(),
        "a".repeat(5000),
    ];
    for id in &ids {
        let path = format!("/community/v2/{id}");
        assert_eq!(get(&s, &path, &token).await, bad, "GET {id}");
        assert_eq!(
            post(&s, &format!("{path}/leave"), &token).await,
            bad,
            "leave {id}"
        );
        assert_eq!(
            post(&s, &format!("{path}/join"), &token).await,
            bad,
            "join {id}"
        );
    }
    assert_eq!(s.standing(&c, &user).await, Standing::None);
}

#[tokio::test]
async fn get_a_community_renders_role_and_member_count() {
    let s = TestServer::start().await;
    let (owner, user, c) = setup(&s).await;
    s.exec(&user, &c, Command::Join).await;
    let one = format!("/community/v2/{}", c.id().simple());
    let expected = |role: &str| {
        json!({ "community": {
            "id": c.id().simple(),
            "name": "bakers",
            "description": "about bakers",
            "permissions": perms(role, "ANYONE", "PUBLIC"),
            "members": { "count": 2 },
        }})
    };

    let token = s.token(&owner).await;
    assert_eq!(get(&s, &one, &token).await, (200, expected("OWNER")));
    let token = s.token(&user).await;
    let fields = format!(
        "{one}?fields=COMMUNITY_FIELD_DESCRIPTION&fields=COMMUNITY_FIELD_PERMISSIONS\
         &fields=COMMUNITY_FIELD_MEMBERS_COUNT"
    );
    assert_eq!(get(&s, &fields, &token).await, (200, expected("MEMBER")));
    let stranger = s.user("vera").await;
    let token = s.token(&stranger).await;
    assert_eq!(get(&s, &one, &token).await, (200, expected("UNSET")));

    let (status, body) = get(&s, &format!("{one}?fields=COMMUNITY_FIELD_NOPE"), &token).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({ "code": "general.badRequest", "message": "unknown field 'COMMUNITY_FIELD_NOPE'" })
    );
}

/// A user with one community in each standing, after the site community
/// exists (so that the user is also a site member, never listed here).
struct Lists {
    s: TestServer,
    token: String,
    owned: Community,
    joined: Community,
    pending: Community,
    invited: Community,
    banned: Community,
}

async fn lists() -> Lists {
    let s = TestServer::start().await;
    s.admin("root").await;
    let other = s.user("olga").await;
    let user = s.user("ulf").await;
    let owned = s
        .community(&user, "owned", Visibility::Public, JoinPolicy::Open)
        .await;
    let joined = s
        .community(&other, "joined", Visibility::Private, JoinPolicy::Open)
        .await;
    s.exec(&other, &joined, Command::Add { subject: user.id })
        .await;
    let pending = s
        .community(&other, "pending", Visibility::Public, JoinPolicy::Request)
        .await;
    s.exec(&user, &pending, Command::Join).await;
    let invited = s
        .community(&other, "invited", Visibility::Public, JoinPolicy::Invite)
        .await;
    s.exec(&other, &invited, Command::Invite { subject: user.id })
        .await;
    let banned = s
        .community(&other, "banned", Visibility::Public, JoinPolicy::Open)
        .await;
    let ban = Command::Ban {
        subject: user.id,
        reason: None,
    };
    s.exec(&other, &banned, ban).await;
    s.community(&other, "unrelated", Visibility::Public, JoinPolicy::Open)
        .await;
    let token = s.token(&user).await;
    Lists {
        s,
        token,
        owned,
        joined,
        pending,
        invited,
        banned,
    }
}

fn item(c: &Community, role: &str, visibility: &str, members: i64) -> Value {
    let name = c.state.settings.name.clone();
    json!({
        "id": c.id().simple(),
        "description": format!("about {name}"),
        "name": name,
        "permissions": perms(role, "ANYONE", visibility),
        "members": { "count": members },
    })
}

#[tokio::test]
async fn list_shows_memberships_and_never_the_site_community() {
    let l = lists().await;

    let (status, body) = get(&l.s, "/community/v2", &l.token).await;

    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({
            "communities": [
                item(&l.owned, "OWNER", "PUBLIC", 1),
                item(&l.joined, "MEMBER", "PRIVATE", 2),
            ],
            "paging": { "cursors": {}, "total": "2" },
        })
    );
}

#[tokio::test]
async fn list_filters_by_roles() {
    let l = lists().await;
    let page = |items: Vec<Value>| {
        let total = items.len().to_string();
        json!({ "communities": items, "paging": { "cursors": {}, "total": total } })
    };
    let cases = [
        ("COMMUNITY_ROLE_PENDING", vec![item(&l.pending, "PENDING", "PUBLIC", 1)]),
        ("COMMUNITY_ROLE_BLOCKED", vec![item(&l.banned, "BLOCKED", "PUBLIC", 1)]),
        ("COMMUNITY_ROLE_UNSET", vec![item(&l.invited, "UNSET", "PUBLIC", 1)]),
        ("COMMUNITY_ROLE_OWNER", vec![item(&l.owned, "OWNER", "PUBLIC", 1)]),
        ("COMMUNITY_ROLE_ADMIN", vec![]),
        (
            "COMMUNITY_ROLE_MEMBER&filters.roles=COMMUNITY_ROLE_PENDING&filters.roles=COMMUNITY_ROLE_MEMBER",
            vec![
                item(&l.joined, "MEMBER", "PRIVATE", 2),
                item(&l.pending, "PENDING", "PUBLIC", 1),
            ],
        ),
    ];
    for (roles, items) in cases {
        let path = format!("/community/v2?filters.roles={roles}");
        assert_eq!(
            get(&l.s, &path, &l.token).await,
            (200, page(items)),
            "{roles}"
        );
    }

    for role in ["COMMUNITY_ROLE_INVALID", "COMMUNITY_ROLE_KING", "owner", ""] {
        let path = format!("/community/v2?filters.roles={role}");
        let expected = json!({
            "code": "general.badRequest",
            "message": format!("unknown role '{role}'"),
        });
        assert_eq!(get(&l.s, &path, &l.token).await, (400, expected), "{role}");
    }
}

#[tokio::test]
async fn list_pages_forward_and_back_with_cursors() {
    let s = TestServer::start().await;
    let user = s.user("ulf").await;
    let mut all = Vec::new();
    for name in ["c1", "c2", "c3", "c4", "c5"] {
        let c = s
            .community(&user, name, Visibility::Public, JoinPolicy::Open)
            .await;
        all.push(item(&c, "OWNER", "PUBLIC", 1));
    }
    let token = s.token(&user).await;
    let fetch = |query: String| {
        let (s, token) = (&s, &token);
        async move {
            let (status, body) = get(s, &format!("/community/v2?{query}"), token).await;
            assert_eq!(status, 200, "{query}: {body}");
            assert_eq!(body["paging"]["total"], json!("5"));
            let cursor = |side: &str| body["paging"]["cursors"][side].as_str().map(str::to_owned);
            (
                body["communities"].clone(),
                cursor("after"),
                cursor("before"),
            )
        }
    };

    let (items, after, before) = fetch("paging.limit=2".into()).await;
    assert_eq!(items, json!(all[0..2]));
    assert_eq!(before, None);
    let after = after.expect("a next page");

    let (items, next, back) = fetch(format!("paging.limit=2&paging.cursors.after={after}")).await;
    assert_eq!(items, json!(all[2..4]));
    let (next, back) = (next.expect("a next page"), back.expect("a previous page"));

    let (items, none, last_back) =
        fetch(format!("paging.limit=2&paging.cursors.after={next}")).await;
    assert_eq!(items, json!(all[4..5]));
    assert_eq!(none, None);

    let (items, _, _) = fetch(format!("paging.limit=2&paging.cursors.before={back}")).await;
    assert_eq!(items, json!(all[0..2]));
    let last_back = last_back.expect("a previous page");
    let (items, after, before) =
        fetch(format!("paging.limit=2&paging.cursors.before={last_back}")).await;
    assert_eq!(items, json!(all[2..4]));
    assert!(after.is_some() && before.is_some());

    // A limit above the maximum is clamped, not refused.
    let (items, after, before) = fetch("paging.limit=100000".into()).await;
    assert_eq!(items, json!(all));
    assert_eq!((after, before), (None, None));
}

#[tokio::test]
async fn list_refuses_bad_paging() {
    let s = TestServer::start().await;
    let user = s.user("ulf").await;
    s.community(&user, "c1", Visibility::Public, JoinPolicy::Open)
        .await;
    let token = s.token(&user).await;
    let bad = |message: &str| {
        (
            400,
            json!({ "code": "general.badRequest", "message": message }),
        )
    };
    let limit = "paging.limit must be a non-negative integer";
    let cursor = "the paging cursor is not one this server issued";
    let cases = [
        ("paging.limit=-1", limit),
        ("paging.limit=ten", limit),
        ("paging.limit=99999999999999999999999", limit),
        ("paging.cursors.after=garbage!", cursor),
        ("paging.cursors.before=bm9wZQ", cursor),
        ("paging.cursors.before=MTo", cursor),
        (
            "paging.cursors.after=MTow&paging.cursors.before=MTow",
            "give paging.cursors.after or paging.cursors.before, not both",
        ),
    ];
    for (query, message) in cases {
        let path = format!("/community/v2?{query}");
        assert_eq!(get(&s, &path, &token).await, bad(message), "{query}");
    }
}

#[tokio::test]
async fn hostile_requests_never_get_a_server_error() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let token = s.token(&user).await;
    let simple = c.id().simple();
    let gets = [
        "/community/v2?filters.roles=%FF".to_owned(),
        "/community/v2?paging.limit=%00".to_owned(),
        "/community/v2?%%%".to_owned(),
        "/community/v2?paging.cursors.after=%F0%9F%92%A9".to_owned(),
        format!("/community/v2/{simple}?fields=%27%3B--"),
        format!("/community/v2/{simple}?fields"),
    ];
    for path in &gets {
        let (status, body) = get(&s, path, &token).await;
        assert!(
            (400..500).contains(&status) || status == 200,
            "{path}: {status}"
        );
        assert!(body.is_object(), "{path}: {body}");
    }
    // A body on a leave is ignored, whatever it holds.
    let response = s
        .client
        .post(s.url(&leave_path(&c)))
        .header("Authorization", format!("Bearer {token}"))
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(
        json(response).await,
        (200, permissions("UNSET", "ANYONE", "PUBLIC"))
    );
}

/// A 70 KiB JSON object (over the 64 KiB limit) that join would otherwise ignore.
fn oversized() -> String {
    format!("{{\"pad\": \"{}\"}}", "a".repeat(70 * 1024))
}

async fn post_body(s: &TestServer, path: &str, token: &str, body: reqwest::Body) -> (u16, Value) {
    let response = s
        .client
        .post(s.url(path))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    json(response).await
}

#[tokio::test]
async fn oversized_bodies_get_whisks_413_and_change_nothing() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let token = s.token(&user).await;
    let events = s.event_count().await;
    let too_large = json!({
        "code": "general.payloadTooLarge",
        "message": "the body exceeds 65536 bytes",
    });

    let declared = post_body(&s, &join_path(&c), &token, oversized().into()).await;
    assert_eq!(declared, (413, too_large.clone()));
    let chunked = post_body(
        &s,
        &join_path(&c),
        &token,
        crate::common::chunked(oversized()),
    )
    .await;
    assert_eq!(chunked, (413, too_large));

    assert_eq!(s.standing(&c, &user).await, Standing::None);
    assert_eq!(s.event_count().await, events);
}

#[tokio::test]
async fn join_and_leave_ignore_a_body_even_an_array() {
    let s = TestServer::start().await;
    let (_, user, c) = setup(&s).await;
    let token = s.token(&user).await;
    let events = s.event_count().await;

    // Whisk's join and leave take no body: an array is not read as
    // parameters (nor refused), just ignored like any other body.
    let joined = post_body(&s, &join_path(&c), &token, "[\"x\"]".into()).await;
    assert_eq!(joined, (200, permissions("MEMBER", "ANYONE", "PUBLIC")));
    assert_eq!(s.standing(&c, &user).await, Standing::Member(Role::Member));
    assert_eq!(s.event_count().await, events + 1);
    let left = post_body(&s, &leave_path(&c), &token, "[]".into()).await;
    assert_eq!(left, (200, permissions("UNSET", "ANYONE", "PUBLIC")));
    assert_eq!(s.standing(&c, &user).await, Standing::None);
    assert_eq!(s.event_count().await, events + 2);
}
