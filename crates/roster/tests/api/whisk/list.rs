//! `GET /community/v2`: the caller's memberships, role filters and
//! cursor paging.

use super::*;

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
