//! `/v1/communities/{id}/invitations`: inviting into invite-only
//! communities, accepting, declining and revoking.

use super::*;

#[tokio::test]
async fn invitations_open_invite_only_communities() {
    let w = world().await;
    let s = &w.s;
    let c = s
        .community(&w.ann, "Club", Visibility::Public, JoinPolicy::Invite)
        .await;
    let cleo = s.user("cleo").await;

    problem(
        s.native(&w.bob_token).join(&c).await,
        403,
        "invitation_required",
    );
    assert_eq!(s.standing(&c, &w.bob).await, Standing::None);

    problem(
        post(
            s,
            &cpath(&c, "/invitations"),
            &w.bob_token,
            json!({"user_id": cleo.id}),
        )
        .await,
        403,
        "not_permitted",
    );
    let invited = ok(
        post(
            s,
            &cpath(&c, "/invitations"),
            &w.ann_token,
            json!({"user_id": w.bob.id}),
        )
        .await,
        200,
    );
    assert_eq!(invited["standing"], "invited");
    assert_eq!(invited["user_id"], w.bob.id.to_string());
    assert_eq!(invited["community"]["invited_count"], 1);
    ok(
        post(
            s,
            &cpath(&c, "/invitations"),
            &w.ann_token,
            json!({"user_id": cleo.id}),
        )
        .await,
        200,
    );
    let again = ok(
        post(
            s,
            &cpath(&c, "/invitations"),
            &w.ann_token,
            json!({"user_id": cleo.id}),
        )
        .await,
        200,
    );
    assert_eq!(again["changed"], false);

    let list = ok(get(s, &cpath(&c, "/invitations"), &w.ann_token).await, 200);
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bob", "cleo"]);
    problem(
        get(s, &cpath(&c, "/invitations"), &w.bob_token).await,
        403,
        "not_permitted",
    );

    let accepted = ok(s.native(&w.bob_token).join(&c).await, 200);
    assert_eq!(accepted["standing"], "member");
    let revoked = ok(
        send(
            s,
            Method::DELETE,
            &cpath(&c, &format!("/invitations/{}", cleo.id)),
            Some(&w.ann_token),
            None,
        )
        .await,
        200,
    );
    assert_eq!(revoked["standing"], "none");
    assert_eq!(revoked["changed"], true);
    assert_eq!(revoked["community"]["invited_count"], 0);
    problem(
        post(
            s,
            &cpath(&c, "/invitations"),
            &w.ann_token,
            json!({"user_id": uuid::Uuid::new_v4()}),
        )
        .await,
        404,
        "user_not_found",
    );
    problem(
        post(
            s,
            &cpath(&c, "/invitations"),
            &w.ann_token,
            json!({"user_id": "bob"}),
        )
        .await,
        422,
        "invalid_body",
    );
}
