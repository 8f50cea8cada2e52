//! Who may do what, by role: the member, manager, owner, outsider and admin
//! of one public community call the routes whose answer depends on rank,
//! in each API. A refusal gets the exact status and code and changes
//! nothing; an allowed call succeeds. Each row runs on a fresh world, since
//! allowed calls change it.
//!
//! The rows about the sole owner (a manager removing, demoting or banning
//! them) expect the engine's rank check to come first: 403-style
//! `NotPermitted`, so the refusal does not tell a manager that the target is
//! the only owner.

use super::{error_code, world, Api, Need, Route, World};
use reqwest::Method;
use roster_store::User;
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug)]
enum Who {
    Outsider,
    Member,
    Manager,
    Owner,
    Admin,
}

#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Any 2xx.
    Allowed,
    Refused(u16, &'static str),
}

use Expect::*;
use Who::*;

type Build = fn(&World) -> Route;

fn caller(w: &World, who: Who) -> (&str, &User) {
    let t = &w.tokens;
    match who {
        Outsider => (&t.outsider, &w.outsider),
        Member => (&t.member, &w.member),
        Manager => (&t.manager, &w.manager),
        Owner => (&t.owner, &w.owner),
        Admin => (&t.admin, &w.admin),
    }
}

fn at(api: Api, method: Method, path: String, body: Option<Value>) -> Route {
    Route {
        api,
        method,
        path,
        body,
        need: Need::Any,
    }
}

fn c(w: &World) -> String {
    format!("/v1/communities/{}", w.community.id())
}

async fn check(build: Build, rows: &[(Who, Expect)]) {
    for &(who, expect) in rows {
        let w = world().await;
        let route = build(&w);
        let before = w.snapshot().await;
        let (token, user) = caller(&w, who);
        let (status, body) = w.send(&route, Some(token), Some(user)).await;
        let what = format!("{who:?} on {} {}: {body}", route.method, route.path);
        match expect {
            Allowed => assert!((200..300).contains(&status), "{status} {what}"),
            Refused(want, code) => {
                assert_eq!(
                    (status, error_code(route.api, &body).as_str()),
                    (want, code),
                    "{what}"
                );
                assert_eq!(w.snapshot().await, before, "refused, yet changed: {what}");
            }
        }
    }
}

const NOT_PERMITTED: Expect = Refused(403, "not_permitted");

#[tokio::test]
async fn native_settings_need_a_manager() {
    let build: Build = |w| {
        at(
            Api::Native,
            Method::PATCH,
            c(w),
            Some(json!({"description": "new"})),
        )
    };
    let rows = [
        (Outsider, NOT_PERMITTED),
        (Member, NOT_PERMITTED),
        (Manager, Allowed),
        (Owner, Allowed),
        (Admin, Allowed),
    ];
    check(build, &rows).await;
}

#[tokio::test]
async fn native_delete_and_archive_need_an_owner() {
    let rows = [
        (Member, NOT_PERMITTED),
        (Manager, NOT_PERMITTED),
        (Owner, Allowed),
        (Admin, Allowed),
    ];
    check(|w| at(Api::Native, Method::DELETE, c(w), None), &rows).await;
    let archive: Build = |w| at(Api::Native, Method::POST, format!("{}/archive", c(w)), None);
    check(archive, &rows).await;
}

#[tokio::test]
async fn native_removing_a_member_needs_a_higher_rank() {
    let remove_member: Build = |w| {
        let path = format!("{}/members/{}", c(w), w.member.id);
        at(Api::Native, Method::DELETE, path, None)
    };
    let rows = [
        (Outsider, NOT_PERMITTED),
        (Manager, Allowed),
        (Owner, Allowed),
        (Admin, Allowed),
    ];
    check(remove_member, &rows).await;
    let remove_manager: Build = |w| {
        let path = format!("{}/members/{}", c(w), w.manager.id);
        at(Api::Native, Method::DELETE, path, None)
    };
    check(remove_manager, &[(Member, NOT_PERMITTED)]).await;
}

/// Fails until the engine decides rank before the last-owner rule (the
/// `rules` branch): today the manager gets 409 `last_owner`.
#[tokio::test]
async fn native_a_manager_cannot_touch_the_sole_owner() {
    let remove: Build = |w| {
        let path = format!("{}/members/{}", c(w), w.owner.id);
        at(Api::Native, Method::DELETE, path, None)
    };
    check(remove, &[(Manager, NOT_PERMITTED)]).await;
    let demote: Build = |w| {
        let path = format!("{}/members/{}/role", c(w), w.owner.id);
        at(
            Api::Native,
            Method::PUT,
            path,
            Some(json!({"role": "member"})),
        )
    };
    check(demote, &[(Manager, NOT_PERMITTED)]).await;
    let ban: Build = |w| {
        let body = json!({"user_id": w.owner.id.to_string()});
        at(
            Api::Native,
            Method::POST,
            format!("{}/bans", c(w)),
            Some(body),
        )
    };
    check(ban, &[(Manager, NOT_PERMITTED)]).await;
}

#[tokio::test]
async fn native_bans_and_manager_lists_need_a_manager() {
    let ban: Build = |w| {
        let body = json!({"user_id": w.outsider.id.to_string()});
        at(
            Api::Native,
            Method::POST,
            format!("{}/bans", c(w)),
            Some(body),
        )
    };
    let rows = [
        (Member, NOT_PERMITTED),
        (Manager, Allowed),
        (Owner, Allowed),
        (Admin, Allowed),
    ];
    check(ban, &rows).await;
    for list in ["requests", "invitations", "bans", "events"] {
        let rows = [
            (Outsider, NOT_PERMITTED),
            (Member, NOT_PERMITTED),
            (Manager, Allowed),
            (Owner, Allowed),
            (Admin, Allowed),
        ];
        let build: Build = match list {
            "requests" => |w| at(Api::Native, Method::GET, format!("{}/requests", c(w)), None),
            "invitations" => |w| {
                let path = format!("{}/invitations", c(w));
                at(Api::Native, Method::GET, path, None)
            },
            "bans" => |w| at(Api::Native, Method::GET, format!("{}/bans", c(w)), None),
            _ => |w| at(Api::Native, Method::GET, format!("{}/events", c(w)), None),
        };
        check(build, &rows).await;
    }
}

#[tokio::test]
async fn native_transfer_needs_the_owner_and_the_feed_an_admin() {
    let transfer: Build = |w| {
        let body = json!({"user_id": w.member.id.to_string()});
        at(
            Api::Native,
            Method::POST,
            format!("{}/transfer", c(w)),
            Some(body),
        )
    };
    check(transfer, &[(Manager, NOT_PERMITTED), (Owner, Allowed)]).await;
    let feed: Build = |_| at(Api::Native, Method::GET, "/v1/events".into(), None);
    let rows = [(Owner, Refused(403, "scope_required")), (Admin, Allowed)];
    check(feed, &rows).await;
}

#[tokio::test]
async fn whisk_the_owner_cannot_leave() {
    let leave: Build = |w| {
        let path = format!("/community/v2/{}/leave", w.community.id());
        at(Api::Whisk, Method::POST, path, None)
    };
    let rows = [
        (Owner, Refused(400, "ERROR_COMMUNITY_OWNER_CANT_LEAVE")),
        (Member, Allowed),
    ];
    check(leave, &rows).await;
}

#[tokio::test]
async fn rocketchat_moderation_needs_rank() {
    let kick: Build = |w| {
        let body =
            json!({"roomId": w.community.id().to_string(), "userId": w.manager.id.to_string()});
        at(
            Api::RocketChat,
            Method::POST,
            "/api/v1/channels.kick".into(),
            Some(body),
        )
    };
    let not_allowed = Refused(400, "error-not-allowed");
    check(kick, &[(Member, not_allowed), (Owner, Allowed)]).await;
    let archive: Build = |w| {
        let body = json!({"roomId": w.community.id().to_string()});
        at(
            Api::RocketChat,
            Method::POST,
            "/api/v1/channels.archive".into(),
            Some(body),
        )
    };
    check(archive, &[(Manager, not_allowed), (Owner, Allowed)]).await;
}

/// Fails until the engine decides rank before the last-owner rule (the
/// `rules` branch): today the manager is told `error-remove-last-owner`.
#[tokio::test]
async fn rocketchat_a_manager_cannot_remove_the_sole_owner() {
    let remove_owner: Build = |w| {
        let body =
            json!({"roomId": w.community.id().to_string(), "userId": w.owner.id.to_string()});
        let path = "/api/v1/channels.removeOwner".into();
        at(Api::RocketChat, Method::POST, path, Some(body))
    };
    check(
        remove_owner,
        &[(Manager, Refused(400, "error-not-allowed"))],
    )
    .await;
}

#[tokio::test]
async fn course_roles_and_delete_need_the_creator() {
    let role: Build = |w| {
        let path = format!("/api/v2/course/{}/role/", w.community.num);
        let body = json!({"managers": [w.member.num]});
        at(Api::Course, Method::POST, path, Some(body))
    };
    let denied = Refused(403, "permission_denied");
    check(role, &[(Member, denied), (Owner, Allowed)]).await;
    let delete: Build = |w| {
        let path = format!("/api/v2/course/{}/", w.community.num);
        at(Api::Course, Method::DELETE, path, None)
    };
    check(delete, &[(Member, denied), (Owner, Allowed)]).await;
}

#[tokio::test]
async fn wix_acting_for_another_member_needs_elevation() {
    for (who, want) in [(Owner, 403), (Admin, 200)] {
        let w = world().await;
        let before = w.snapshot().await;
        let (token, _) = caller(&w, who);
        let response = w
            .server
            .client
            .post(w.server.url("/members/v1/members/leave-community"))
            .header("authorization", token)
            .header("x-roster-member-id", w.member.id.to_string())
            .json(&json!({}))
            .send()
            .await
            .expect("send");
        let (status, body) = crate::common::json(response).await;
        assert_eq!(status, want, "{who:?}: {body}");
        if want == 403 {
            assert_eq!(error_code(Api::Wix, &body), "ELEVATION_REQUIRED");
            assert_eq!(w.snapshot().await, before, "{who:?}: refused, yet changed");
        }
    }
}
