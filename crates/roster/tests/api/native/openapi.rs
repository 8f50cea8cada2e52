//! The operational routes and the OpenAPI document: every route the
//! native API serves is described, and every described route is served.

use super::*;

#[tokio::test]
async fn healthz_and_readyz_answer_without_a_token() {
    let s = TestServer::start().await;
    let health = s.client.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok\n");
    let ready = s.client.get(s.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready\n");
}

/// Every route this module serves, as (method, OpenAPI path).
const ROUTES: &[(&str, &str)] = &[
    ("post", "/v1/users"),
    ("get", "/v1/users/me"),
    ("patch", "/v1/users/me"),
    ("get", "/v1/users/{id}"),
    ("post", "/v1/tokens"),
    ("get", "/v1/tokens"),
    ("delete", "/v1/tokens/{id}"),
    ("post", "/v1/communities"),
    ("get", "/v1/communities"),
    ("get", "/v1/communities/{id}"),
    ("patch", "/v1/communities/{id}"),
    ("delete", "/v1/communities/{id}"),
    ("post", "/v1/communities/{id}/archive"),
    ("post", "/v1/communities/{id}/unarchive"),
    ("get", "/v1/communities/{id}/members"),
    ("post", "/v1/communities/{id}/members"),
    ("post", "/v1/communities/{id}/join"),
    ("post", "/v1/communities/{id}/leave"),
    ("delete", "/v1/communities/{id}/members/{user_id}"),
    ("put", "/v1/communities/{id}/members/{user_id}/role"),
    ("post", "/v1/communities/{id}/transfer"),
    ("get", "/v1/communities/{id}/invitations"),
    ("post", "/v1/communities/{id}/invitations"),
    ("delete", "/v1/communities/{id}/invitations/{user_id}"),
    ("get", "/v1/communities/{id}/requests"),
    ("post", "/v1/communities/{id}/requests/{user_id}/approve"),
    ("post", "/v1/communities/{id}/requests/{user_id}/reject"),
    ("get", "/v1/communities/{id}/bans"),
    ("post", "/v1/communities/{id}/bans"),
    ("delete", "/v1/communities/{id}/bans/{user_id}"),
    ("get", "/v1/communities/{id}/events"),
    ("get", "/v1/events"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/openapi.json"),
    // Webhooks and the live event stream (issue 16).
    ("get", "/v1/events/stream"),
    ("post", "/v1/webhooks"),
    ("get", "/v1/webhooks"),
    ("get", "/v1/webhooks/{id}"),
    ("delete", "/v1/webhooks/{id}"),
    ("post", "/v1/webhooks/{id}/resume"),
    ("get", "/v1/webhooks/{id}/deliveries"),
    ("post", "/v1/webhooks/{id}/redeliver"),
    // Configurable permissions (issue 14).
    ("get", "/v1/policy"),
    ("put", "/v1/policy"),
];

/// Every `$ref` in the document, for resolving.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn openapi_document_describes_every_route() {
    let s = TestServer::start().await;
    let reply = send(&s, Method::GET, "/openapi.json", None, None).await;
    let doc = ok(reply, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"],
        json!({"type": "http", "scheme": "bearer"})
    );
    assert_eq!(doc["security"], json!([{"bearer": []}]));

    let mut documented = BTreeSet::new();
    let mut operation_ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            documented.insert((method.clone(), path.clone()));
            let id = op["operationId"].as_str().expect("operationId").to_owned();
            assert!(
                operation_ids.insert(id.clone()),
                "duplicate operationId {id}"
            );
            let responses = op["responses"].as_object().expect("responses");
            assert!(
                responses.keys().any(|k| k.starts_with('2')),
                "{method} {path}"
            );
            if path.starts_with("/v1/") {
                let problem = &responses["400"]["content"][PROBLEM_CT]["schema"]["$ref"];
                assert_eq!(problem, "#/components/schemas/Problem", "{method} {path}");
            }
            // Every path parameter is declared.
            let declared: BTreeSet<String> = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "path")
                        .map(|p| p["name"].as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            let templated: BTreeSet<String> = path
                .split('/')
                .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
                .map(str::to_owned)
                .collect();
            assert_eq!(declared, templated, "{method} {path}");
        }
    }
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(documented, expected);

    // Public routes say so; the others need the bearer token.
    assert_eq!(doc["paths"]["/v1/tokens"]["post"]["security"], json!([]));
    assert_eq!(doc["paths"]["/healthz"]["get"]["security"], json!([]));
    assert!(doc["paths"]["/v1/tokens"]["get"].get("security").is_none());

    // Bodies are described.
    let body = &doc["paths"]["/v1/communities"]["post"]["requestBody"]["content"][JSON_CT];
    assert_eq!(
        body["schema"]["$ref"],
        "#/components/schemas/CreateCommunity"
    );
    let create = &doc["components"]["schemas"]["CreateCommunity"];
    assert_eq!(create["required"], json!(["name"]));
    assert_eq!(
        create["properties"]["join_policy"]["oneOf"][0]["enum"],
        json!(["open", "request", "invite"])
    );

    // Every reference resolves.
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "dangling $ref {r}"
        );
    }
}

#[tokio::test]
async fn every_documented_route_is_served() {
    let w = world().await;
    let c =
        w.s.community(&w.ann, "Served", Visibility::Public, JoinPolicy::Open)
            .await;
    for (method, path) in ROUTES {
        let path = path
            .replace("{id}", &c.id().to_string())
            .replace("{user_id}", &w.bob.id.to_string());
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        // With a malformed token every route still answers as itself
        // (a problem, never the unknown-route 404 or a 405).
        let reply = send(&w.s, method.clone(), &path, Some("rst_x"), None).await;
        assert!(
            reply.status != 404 && reply.status != 405 && reply.status < 500,
            "{method} {path}: {} {}",
            reply.status,
            reply.body
        );
    }
}
