//! Rocket.Chat's `permissions.listAll` and `permissions.update` over the
//! policy: Roster's defaults in Rocket.Chat's role names, an update that
//! changes who may kick, and Rocket.Chat's errors for the rest.

use crate::common::rocketchat::*;
use crate::common::TestServer;
use roster_engine::{Command, JoinPolicy, Role, Visibility};
use roster_store::{Community, User};
use serde_json::{json, Value};

fn roles_of(listing: &Value, id: &str) -> Value {
    listing
        .as_array()
        .expect("a list")
        .iter()
        .find(|p| p["_id"] == id)
        .unwrap_or_else(|| panic!("{id} listed"))["roles"]
        .clone()
}

async fn group(s: &TestServer, owner: &User, name: &str) -> Community {
    s.community(owner, name, Visibility::Private, JoinPolicy::Invite)
        .await
}

#[tokio::test]
async fn list_all_shows_the_membership_permissions_with_roster_defaults() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let a = auth(&s, &ann).await;
    let (status, body) = get(&s, &a, "permissions.listAll").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["success"], true);
    assert_eq!(body["remove"], json!([]));
    let update = &body["update"];
    assert_eq!(update.as_array().unwrap().len(), 16);
    for (id, roles) in [
        (
            "add-user-to-joined-room",
            json!(["admin", "owner", "moderator"]),
        ),
        ("add-user-to-any-p-room", json!(["admin"])),
        ("remove-user", json!(["admin", "owner", "moderator"])),
        ("kick-user-from-any-p-room", json!(["admin"])),
        ("kick-user-from-any-c-room", json!(["admin"])),
        ("set-owner", json!(["admin", "owner"])),
        ("set-moderator", json!(["admin", "owner", "moderator"])),
        ("create-p", json!(["admin", "user"])),
        ("delete-p", json!(["admin", "owner"])),
        ("archive-room", json!(["admin", "owner"])),
        ("unarchive-room", json!(["admin", "owner"])),
        ("leave-p", json!(["admin", "owner", "moderator", "user"])),
    ] {
        assert_eq!(roles_of(update, id), roles, "{id}");
    }
    let first = &update[0];
    assert_eq!(first["_updatedAt"], "1970-01-01T00:00:00.000Z");

    // updatedSince: only what changed after it; a bad date is refused.
    let (status, body) = get(&s, &a, "permissions.listAll?updatedSince=2020-01-01").await;
    assert_eq!((status, body["update"].clone()), (200, json!([])));
    let (status, body) = get(&s, &a, "permissions.listAll?updatedSince=soon").await;
    assert_eq!(status, 400);
    assert_eq!(body["errorType"], "error-roomId-param-invalid");
}

#[tokio::test]
async fn permissions_update_changes_who_may_kick() {
    let s = TestServer::start().await;
    let root = s.admin("root").await;
    let ann = s.user("ann").await;
    let moderator = s.user("mod").await;
    let bob = s.user("bob").await;
    let eve = s.user("eve").await;
    let c = group(&s, &ann, "club").await;
    for user in [&moderator, &bob, &eve] {
        s.exec(&ann, &c, Command::Add { subject: user.id }).await;
    }
    let manager = Command::SetRole {
        subject: moderator.id,
        role: Role::Manager,
        expect: None,
    };
    s.exec(&ann, &c, manager).await;
    let m = auth(&s, &moderator).await;
    let kick = |who: &User| json!({"roomId": c.id().to_string(), "userId": who.id.to_string()});
    let (status, _) = post(&s, &m, "groups.kick", kick(&bob)).await;
    assert_eq!(status, 200, "a moderator may kick by default");

    // Only owners (and admins) may remove from now on.
    let r = auth(&s, &root).await;
    let update = json!({"permissions": [{"_id": "remove-user", "roles": ["admin", "owner"]}]});
    let (status, body) = post(&s, &r, "permissions.update", update).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["success"], true);
    let listed = &body["permissions"];
    assert_eq!(roles_of(listed, "remove-user"), json!(["admin", "owner"]));
    assert_ne!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["_id"] == "remove-user")
            .unwrap()["_updatedAt"],
        "1970-01-01T00:00:00.000Z"
    );
    let (status, body) = post(&s, &m, "groups.kick", kick(&eve)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errorType"], "error-not-allowed");
    let a = auth(&s, &ann).await;
    let (status, _) = post(&s, &a, "groups.kick", kick(&eve)).await;
    assert_eq!(status, 200, "the owner still may");

    // kick-user-from-any-p-room: [] — an admin outside the group may not.
    let outsider = s.token_with(&root, "admin").await;
    let admin_auth = Auth {
        user_id: root.id.to_string(),
        token: outsider,
    };
    let (status, _) = post(&s, &admin_auth, "groups.kick", kick(&moderator)).await;
    assert_eq!(status, 200, "by default an admin kicks from any group");
    s.exec(&ann, &c, Command::Add { subject: bob.id }).await;
    let nobody = json!({"permissions": [{"_id": "kick-user-from-any-p-room", "roles": []}]});
    let (status, _) = post(&s, &r, "permissions.update", nobody).await;
    assert_eq!(status, 200);
    let (status, body) = post(&s, &admin_auth, "groups.kick", kick(&bob)).await;
    assert_eq!(
        (status, body["errorType"].clone()),
        (400, json!("error-not-allowed"))
    );
}

#[tokio::test]
async fn permissions_update_answers_rocket_chat_errors() {
    let s = TestServer::start().await;
    let root = s.admin("root").await;
    let ann = s.user("ann").await;
    let (r, a) = (auth(&s, &root).await, auth(&s, &ann).await);
    let events = s.event_count().await;
    let good = json!({"permissions": [{"_id": "set-owner", "roles": ["admin"]}]});
    let (status, body) = post(&s, &a, "permissions.update", good).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["success"], false);
    for (body, kind) in [
        (
            json!({"permissions": [{"_id": "view-c-room", "roles": ["admin"]}]}),
            "error-invalid-permission",
        ),
        (
            json!({"permissions": [{"_id": "set-owner", "roles": ["wizard"]}]}),
            "error-invalid-role",
        ),
        (
            json!({"permissions": [{"_id": "create-p", "roles": ["admin", "owner"]}]}),
            "error-action-not-allowed",
        ),
        (
            json!({"permissions": [{"_id": "kick-user-from-any-p-room", "roles": ["user"]}]}),
            "error-action-not-allowed",
        ),
        (
            json!({"permissions": [{"_id": "set-owner"}]}),
            "error-invalid-body-params",
        ),
        (json!({"permissions": "all"}), "error-invalid-body-params"),
        (
            json!({"permissions": [{"_id": "set-owner", "roles": ["admin", "admin"]}]}),
            "error-invalid-body-params",
        ),
        (json!({}), "error-invalid-body-params"),
    ] {
        let (status, answer) = post(&s, &r, "permissions.update", body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["success"], false);
        assert_eq!(answer["errorType"], kind, "{body}");
    }
    assert_eq!(s.event_count().await, events, "nothing was written");
    // Rank-less Rocket.Chat roles are accepted and ignored.
    let bots =
        json!({"permissions": [{"_id": "create-p", "roles": ["admin", "user", "bot", "app"]}]});
    let (status, body) = post(&s, &r, "permissions.update", bots).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        roles_of(&body["permissions"], "create-p"),
        json!(["admin", "user"])
    );
}
