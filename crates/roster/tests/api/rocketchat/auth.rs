//! Authentication (`X-User-Id` + `X-Auth-Token`), login, logout and
//! `users.info`.

use super::*;

#[tokio::test]
async fn login_issues_a_token_that_authenticates_and_logout_revokes_it() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let response = s
        .client
        .post(s.url("/api/v1/login"))
        .json(&json!({"user": "ann", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let (status, body) = json(response).await;
    assert_eq!(status, 200);
    let token = body["data"]["authToken"]
        .as_str()
        .expect("token")
        .to_owned();
    assert!(token.starts_with("rst_"));
    assert_eq!(
        body,
        json!({
            "status": "success",
            "data": {
                "userId": ann.id.to_string(),
                "authToken": token,
                "me": me_of(&ann),
            },
            "success": true,
        })
    );
    let session = Auth {
        user_id: ann.id.to_string(),
        token,
    };
    let (status, me) = s.rocketchat(&session).me().await;
    assert_eq!(status, 200);
    assert_eq!(me["_id"], json!(ann.id.to_string()));
    assert_eq!(me["success"], json!(true));

    let (status, body) = post(&s, &session, "logout", json!({})).await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"status": "success", "data": {"message": "You've been logged out!"}})
        )
    );
    assert_eq!(s.rocketchat(&session).me().await, (401, unauthorized()));
}

#[tokio::test]
async fn login_accepts_username_email_form_and_resume() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    for body in [
        json!({"username": "ann", "password": PASSWORD}),
        json!({"email": "ann@example.com", "password": PASSWORD}),
        json!({"user": "ann@example.com", "password": PASSWORD}),
    ] {
        let response = s.client.post(s.url("/api/v1/login")).json(&body).send();
        let (status, reply) = json(response.await.unwrap()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(reply["data"]["userId"], json!(ann.id.to_string()));
    }
    let form = s
        .client
        .post(s.url("/api/v1/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("username=ann&password=correct+horse%20battery")
        .send()
        .await
        .unwrap();
    let (status, reply) = json(form).await;
    assert_eq!(status, 200);
    assert_eq!(reply["data"]["userId"], json!(ann.id.to_string()));

    let token = s.token(&ann).await;
    let resumed = s
        .client
        .post(s.url("/api/v1/login"))
        .json(&json!({"resume": token}))
        .send()
        .await
        .unwrap();
    let (status, reply) = json(resumed).await;
    assert_eq!(status, 200);
    assert_eq!(reply["data"]["authToken"], json!(token));
    assert_eq!(reply["data"]["userId"], json!(ann.id.to_string()));
}

#[tokio::test]
async fn bad_credentials_are_refused_with_401() {
    let s = TestServer::start().await;
    s.user("ann").await;
    let refused = json!({
        "success": false,
        "status": "error",
        "error": "Unauthorized",
        "message": "Unauthorized",
    });
    for body in [
        json!({"user": "ann", "password": "wrong password"}),
        json!({"user": "nobody", "password": PASSWORD}),
        json!({"user": "ann"}),
        json!({"resume": "rst_not-a-token"}),
        json!({"user": "ann", "password": {"digest": "00", "algorithm": "sha-256"}}),
    ] {
        let response = s.client.post(s.url("/api/v1/login")).json(&body).send();
        assert_eq!(
            json(response.await.unwrap()).await,
            (401, refused.clone()),
            "{body}"
        );
    }
    let garbage = s
        .client
        .post(s.url("/api/v1/login"))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, body) = json(garbage).await;
    assert_eq!(status, 400);
    assert_eq!(body["errorType"], json!("error-invalid-params"));
    assert_eq!(body["success"], json!(false));
}

#[tokio::test]
async fn a_roster_token_works_and_a_token_paired_with_another_id_is_refused() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let ann_auth = auth(&s, &ann).await;
    let (status, me) = s.rocketchat(&ann_auth).me().await;
    assert_eq!(
        (status, me),
        (200, {
            let mut me = me_of(&ann);
            me["success"] = json!(true);
            me
        })
    );
    // The same UUID in its 32-hex-digit form names the same user.
    let simple = Auth {
        user_id: ann.id.simple(),
        token: ann_auth.token.clone(),
    };
    assert_eq!(s.rocketchat(&simple).me().await.0, 200);

    let swapped = Auth {
        user_id: bob.id.to_string(),
        token: ann_auth.token.clone(),
    };
    assert_eq!(s.rocketchat(&swapped).me().await, (401, unauthorized()));
    let c = group(&s, &ann, "club").await;
    let body = json!({"roomId": c.id().to_string()});
    assert_eq!(
        post(&s, &swapped, "groups.leave", body).await,
        (401, unauthorized())
    );
    assert_eq!(s.standing(&c, &ann).await, Standing::Member(Role::Owner));

    let junk = Auth {
        user_id: "not-an-id".into(),
        token: "rst_unknown".into(),
    };
    assert_eq!(s.rocketchat(&junk).me().await, (401, unauthorized()));
    let bare = s.client.get(s.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(json(bare).await, (401, unauthorized()));
}

#[tokio::test]
async fn a_read_only_token_cannot_write() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let c = group(&s, &ann, "club").await;
    let read_only = Auth {
        user_id: ann.id.to_string(),
        token: s.token_with(&ann, "community:read").await,
    };
    assert_eq!(s.rocketchat(&read_only).me().await.0, 200);
    let (status, body) = s.rocketchat(&read_only).leave(&c).await;
    assert_eq!(
        (status, body),
        (
            403,
            json!({
                "success": false,
                "error": "The token lacks the scope community:write [error-unauthorized]",
                "errorType": "error-unauthorized",
            })
        )
    );
}

#[tokio::test]
async fn users_info_finds_by_id_or_username() {
    let s = TestServer::start().await;
    let ann = s.user("ann").await;
    let bob = s.user("bob").await;
    let a = auth(&s, &ann).await;
    let expected = json!({
        "user": {
            "_id": bob.id.to_string(),
            "username": "bob",
            "name": "bob",
            "status": "offline",
            "active": true,
        },
        "success": true,
    });
    assert_eq!(
        get(&s, &a, "users.info?username=bob").await,
        (200, expected.clone())
    );
    let by_id = format!("users.info?userId={}", bob.id);
    assert_eq!(get(&s, &a, &by_id).await, (200, expected));
    assert_eq!(
        get(&s, &a, "users.info?username=nobody").await,
        (
            400,
            error(
                "error-invalid-user",
                "The required \"userId\" or \"username\" param provided does not match any users",
                "getFullUserData"
            )
        )
    );
    assert_eq!(
        get(&s, &a, "users.info").await,
        (
            400,
            error(
                "error-user-param-not-provided",
                "The required \"userId\" or \"username\" param was not provided",
                "getFullUserData"
            )
        )
    );
}

/// `me` of a plain user created by the test server, as Rocket.Chat words it.
fn me_of(user: &roster_store::User) -> Value {
    json!({
        "_id": user.id.to_string(),
        "username": user.username,
        "name": user.username,
        "status": "offline",
        "active": true,
        "roles": ["user"],
        "emails": [{"address": format!("{}@example.com", user.username), "verified": false}],
    })
}
