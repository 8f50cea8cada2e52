//! `/v1/communities/{id}/invitations`: inviting into invite-only
//! communities, accepting, declining and revoking.

use super::*;

/// Ann's public, invite-only "Club", and Cleo (no standing in it).
struct Club {
    w: World,
    c: Community,
    cleo: User,
}

async fn club() -> Club {
    let w = world().await;
    let c =
        w.s.community(&w.ann, "Club", Visibility::Public, JoinPolicy::Invite)
            .await;
    let cleo = w.s.user("cleo").await;
    Club { w, c, cleo }
}

impl Club {
    /// Ann invites `user`, as set-up.
    async fn invited(&self, user: &User) {
        let invite = Command::Invite { subject: user.id };
        self.w.s.exec(&self.w.ann, &self.c, invite).await;
    }
}

#[tokio::test]
async fn joining_an_invite_only_community_needs_an_invitation() {
    let Club { w, c, .. } = club().await;

    let reply = w.s.native(&w.bob_token).join(&c).await;

    problem(reply, 403, "invitation_required");
    assert_eq!(w.s.standing(&c, &w.bob).await, Standing::None);
}

#[tokio::test]
async fn a_member_may_not_invite() {
    let Club { w, c, cleo } = club().await;

    let reply = w.s.native(&w.bob_token).invite(&c, &cleo).await;

    problem(reply, 403, "not_permitted");
}

#[tokio::test]
async fn an_invitation_is_counted_and_repeating_it_changes_nothing() {
    let Club { w, c, cleo } = club().await;
    let ann = w.s.native(&w.ann_token);

    let invited = ok(ann.invite(&c, &w.bob).await, 200);
    ok(ann.invite(&c, &cleo).await, 200);
    let again = ok(ann.invite(&c, &cleo).await, 200);

    assert_eq!(invited["standing"], "invited");
    assert_eq!(invited["user_id"], w.bob.id.to_string());
    assert_eq!(invited["community"]["invited_count"], 1);
    assert_eq!(again["changed"], false);
}

#[tokio::test]
async fn managers_list_the_invitations_and_members_may_not() {
    let club = club().await;
    club.invited(&club.w.bob).await;
    club.invited(&club.cleo).await;
    let Club { w, c, .. } = club;
    let path = cpath(&c, "/invitations");

    let list = ok(w.s.native(&w.ann_token).get(&path).await, 200);
    let by_invitee = w.s.native(&w.bob_token).get(&path).await;

    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bob", "cleo"]);
    problem(by_invitee, 403, "not_permitted");
}

#[tokio::test]
async fn an_invited_user_joins_by_accepting() {
    let club = club().await;
    club.invited(&club.w.bob).await;
    let Club { w, c, .. } = club;

    let accepted = ok(w.s.native(&w.bob_token).join(&c).await, 200);

    assert_eq!(accepted["standing"], "member");
}

#[tokio::test]
async fn a_manager_revokes_an_invitation() {
    let club = club().await;
    club.invited(&club.cleo).await;
    let Club { w, c, cleo } = club;

    let path = cpath(&c, &format!("/invitations/{}", cleo.id));
    let revoked = ok(w.s.native(&w.ann_token).delete(&path).await, 200);

    assert_eq!(revoked["standing"], "none");
    assert_eq!(revoked["changed"], true);
    assert_eq!(revoked["community"]["invited_count"], 0);
}

#[tokio::test]
async fn inviting_an_unknown_or_malformed_user_is_refused() {
    let Club { w, c, .. } = club().await;
    let (ann, path) = (w.s.native(&w.ann_token), cpath(&c, "/invitations"));

    let unknown = ann
        .post(&path, json!({"user_id": uuid::Uuid::new_v4()}))
        .await;
    let malformed = ann.post(&path, json!({"user_id": "bob"})).await;

    problem(unknown, 404, "user_not_found");
    problem(malformed, 422, "invalid_body");
}
