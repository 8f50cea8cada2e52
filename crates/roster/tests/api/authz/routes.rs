//! Every route of the five APIs, with a well-formed request for the
//! fixture's community and people, and the scope the route needs. The
//! only routes left out are the two that take no token at all
//! (`POST /v1/tokens`, `POST /api/v1/login`) and the operational ones.

use super::{Api, Need, Route, World};
use reqwest::Method;
use serde_json::{json, Value};

fn route(api: Api, method: Method, path: String, body: Option<Value>, need: Need) -> Route {
    Route {
        api,
        method,
        path,
        body,
        need,
    }
}

pub fn native(w: &World) -> Vec<Route> {
    use Need::*;
    let c = format!("/v1/communities/{}", w.community.id());
    let (m, o) = (w.member.id.to_string(), w.outsider.id.to_string());
    let n = |method: Method, path: String, body: Option<Value>, need| {
        route(Api::Native, method, path, body, need)
    };
    vec![
        n(Method::GET, "/v1/users/me".into(), None, Read),
        n(Method::GET, format!("/v1/users/{m}"), None, Read),
        n(
            Method::PATCH,
            "/v1/users/me".into(),
            Some(json!({"nickname": "x"})),
            Write,
        ),
        n(
            Method::POST,
            "/v1/users".into(),
            Some(json!({"username": "newbie", "password": "long enough"})),
            Admin,
        ),
        n(Method::GET, "/v1/tokens".into(), None, Read),
        n(
            Method::DELETE,
            format!("/v1/tokens/{}", uuid::Uuid::new_v4()),
            None,
            Write,
        ),
        n(
            Method::POST,
            "/v1/communities".into(),
            Some(json!({"name": "another"})),
            Write,
        ),
        n(Method::GET, "/v1/communities".into(), None, Read),
        n(Method::GET, c.clone(), None, Read),
        n(
            Method::PATCH,
            c.clone(),
            Some(json!({"description": "changed"})),
            Write,
        ),
        n(Method::DELETE, c.clone(), None, Write),
        n(Method::POST, format!("{c}/archive"), None, Write),
        n(Method::POST, format!("{c}/unarchive"), None, Write),
        n(Method::GET, format!("{c}/members"), None, Read),
        n(
            Method::POST,
            format!("{c}/members"),
            Some(json!({"user_id": o})),
            Write,
        ),
        n(Method::POST, format!("{c}/join"), None, Write),
        n(Method::POST, format!("{c}/leave"), None, Write),
        n(Method::DELETE, format!("{c}/members/{m}"), None, Write),
        n(
            Method::PUT,
            format!("{c}/members/{m}/role"),
            Some(json!({"role": "manager"})),
            Write,
        ),
        n(
            Method::POST,
            format!("{c}/transfer"),
            Some(json!({"user_id": m})),
            Write,
        ),
        n(Method::GET, format!("{c}/invitations"), None, Read),
        n(
            Method::POST,
            format!("{c}/invitations"),
            Some(json!({"user_id": o})),
            Write,
        ),
        n(Method::DELETE, format!("{c}/invitations/{o}"), None, Write),
        n(Method::GET, format!("{c}/requests"), None, Read),
        n(
            Method::POST,
            format!("{c}/requests/{o}/approve"),
            None,
            Write,
        ),
        n(
            Method::POST,
            format!("{c}/requests/{o}/reject"),
            None,
            Write,
        ),
        n(Method::GET, format!("{c}/bans"), None, Read),
        n(
            Method::POST,
            format!("{c}/bans"),
            Some(json!({"user_id": o})),
            Write,
        ),
        n(Method::DELETE, format!("{c}/bans/{o}"), None, Write),
        n(Method::GET, format!("{c}/events"), None, Read),
        n(Method::GET, "/v1/events".into(), None, Admin),
    ]
}

pub fn whisk(w: &World) -> Vec<Route> {
    let c = format!("/community/v2/{}", w.community.id());
    let r = |method, path, need| route(Api::Whisk, method, path, None, need);
    vec![
        r(Method::GET, "/community/v2".into(), Need::Read),
        r(Method::GET, c.clone(), Need::Read),
        r(Method::POST, format!("{c}/join"), Need::Write),
        r(Method::POST, format!("{c}/leave"), Need::Write),
    ]
}

/// The fixture's community is public, so Rocket.Chat serves it as a
/// channel (`channels.*`); a group route would answer it as not found.
pub fn rocketchat(w: &World) -> Vec<Route> {
    let room = w.community.id().to_string();
    let m = w.member.id.to_string();
    let get = |path: String| route(Api::RocketChat, Method::GET, path, None, Need::Read);
    let post = |path: &str, body: Value| {
        route(
            Api::RocketChat,
            Method::POST,
            format!("/api/v1/{path}"),
            Some(body),
            Need::Write,
        )
    };
    let subject = json!({"roomId": room, "userId": m});
    let mut routes = vec![
        route(
            Api::RocketChat,
            Method::POST,
            "/api/v1/logout".into(),
            None,
            Need::Any,
        ),
        get("/api/v1/me".into()),
        get(format!("/api/v1/users.info?userId={m}")),
        get(format!("/api/v1/channels.members?roomId={room}")),
        get(format!("/api/v1/channels.info?roomId={room}")),
        get("/api/v1/groups.list".into()),
        post("groups.create", json!({"name": "another"})),
        post(
            "channels.invite",
            json!({"roomId": room, "userId": w.outsider.id.to_string()}),
        ),
        post("channels.leave", json!({"roomId": room})),
        post("channels.archive", json!({"roomId": room})),
        post("channels.unarchive", json!({"roomId": room})),
    ];
    for path in [
        "channels.kick",
        "channels.addOwner",
        "channels.removeOwner",
        "channels.addModerator",
        "channels.removeModerator",
    ] {
        routes.push(post(path, subject.clone()));
    }
    routes
}

pub fn course(w: &World) -> Vec<Route> {
    let c = format!("/api/v2/course/{}", w.community.num);
    let (m, o) = (w.member.num, w.outsider.num);
    let r = |method: Method, path: String, body: Option<Value>| {
        let need = if method == Method::GET {
            Need::Read
        } else {
            Need::Write
        };
        route(Api::Course, method, path, body, need)
    };
    vec![
        r(
            Method::POST,
            "/api/v2/course/".into(),
            Some(json!({"name": "another", "privacy": "open"})),
        ),
        r(Method::GET, format!("{c}/"), None),
        r(Method::DELETE, format!("{c}/"), None),
        r(Method::POST, format!("{c}/join/"), None),
        r(Method::DELETE, format!("{c}/join/"), None),
        r(Method::DELETE, format!("{c}/join/?user={m}"), None),
        r(Method::GET, format!("{c}/join/"), None),
        r(Method::DELETE, format!("{c}/subscribe/"), None),
        r(Method::GET, format!("{c}/status/"), None),
        r(Method::GET, format!("{c}/request_join/"), None),
        r(
            Method::POST,
            format!("{c}/invite/"),
            Some(json!({"users": [o]})),
        ),
        r(
            Method::DELETE,
            format!("{c}/invite/"),
            Some(json!({"users": [o]})),
        ),
        r(Method::GET, format!("{c}/invite/"), None),
        r(
            Method::POST,
            format!("{c}/role/"),
            Some(json!({"managers": [m]})),
        ),
    ]
}

pub fn wix(w: &World) -> Vec<Route> {
    let mut routes = Vec::new();
    for base in ["/members/v1/members", "/_api/members/v1/members"] {
        let r = |method, path: String, body, need| route(Api::Wix, method, path, body, need);
        routes.extend([
            r(Method::GET, base.to_owned(), None, Need::Read),
            r(Method::GET, format!("{base}/my"), None, Need::Read),
            r(
                Method::GET,
                format!("{base}/{}", w.member.id),
                None,
                Need::Read,
            ),
            r(
                Method::POST,
                format!("{base}/leave-community"),
                Some(json!({})),
                Need::Write,
            ),
            r(
                Method::POST,
                format!("{base}/join-community"),
                Some(json!({})),
                Need::Write,
            ),
        ]);
    }
    routes
}

/// Every route of every API.
pub fn all(w: &World) -> Vec<Route> {
    let mut routes = native(w);
    routes.extend(whisk(w));
    routes.extend(rocketchat(w));
    routes.extend(course(w));
    routes.extend(wix(w));
    routes
}
