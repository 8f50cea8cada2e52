//! The OpenAPI 3.1 document of the native API, generated from the handlers'
//! `#[utoipa::path]` annotations and completed here: the bearer security
//! scheme, the problem responses every operation may give, and the
//! operational routes (`/healthz`, `/readyz`, `/openapi.json`), so that a
//! generic client or fuzzer can call every route from it alone.

use super::idempotency::MAX_KEY_LEN;
use super::problem::{ProblemDocument, CONTENT_TYPE};
use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{AllOfBuilder, Schema};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::Required;
use utoipa::openapi::{Content, OpenApi as Document, Ref, RefOr};
use utoipa::OpenApi;

/// The name of the security scheme in the document.
pub const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Roster native API",
        description = "Communities and the people in them. Authenticate with \
                       `Authorization: Bearer <token>` (get one from `POST /v1/tokens`). \
                       Reads need the `community:read` scope, writes `community:write`; \
                       an `admin` token may act on any community. Errors are RFC 9457 \
                       `application/problem+json` documents with a stable `code`. \
                       Writes (except `POST /v1/tokens`) take an optional \
                       `Idempotency-Key` header: a retry with the same key and the same \
                       request gets the first answer again (with `Idempotent-Replayed: \
                       true`) instead of applying the change twice; keys are per user \
                       and last 24 hours.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    components(schemas(ProblemDocument)),
    tags(
        (name = "communities", description = "Communities and their settings"),
        (name = "members", description = "Membership: join, leave, roles, ownership"),
        (name = "invitations", description = "Invitations"),
        (name = "requests", description = "Join requests"),
        (name = "bans", description = "Bans"),
        (name = "users", description = "Accounts"),
        (name = "tokens", description = "API tokens"),
        (name = "events", description = "The change feed"),
        (name = "operations", description = "Health and this document"),
        // Configurable permissions (issue 14).
        (name = "policy", description = "The permission policy (admins)"),
        (name = "webhooks", description = "Signed deliveries of the change feed"),
    ),
)]
pub struct ApiDoc;

/// The skeleton the router's operations are added to.
pub fn skeleton() -> Document {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// Complete the generated document.
pub fn finish(doc: &mut Document) {
    optional_bodies(doc);
    let components = doc
        .components
        .get_or_insert_with(utoipa::openapi::Components::new);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );
    doc.security = Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);

    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, operation) in operations(item) {
            let public = path == "/v1/tokens" && method == HttpMethod::Post;
            let writes = method != HttpMethod::Get;
            let has_body = operation.request_body.is_some();
            if public {
                operation.security = Some(Vec::new());
                add(
                    operation,
                    "401",
                    "Wrong username or password (`invalid_credentials`)",
                );
            } else {
                add(
                    operation,
                    "401",
                    "No token, or a malformed, unknown, expired or revoked one",
                );
                add(
                    operation,
                    "403",
                    "The token lacks the scope, or the rules refuse",
                );
            }
            let keyed = writes && !public;
            if keyed {
                operation
                    .parameters
                    .get_or_insert_with(Vec::new)
                    .push(idempotency_key());
                add(
                    operation,
                    "400",
                    "A bad id, query parameter, JSON syntax or Idempotency-Key",
                );
            } else {
                add(operation, "400", "A bad id, query parameter or JSON syntax");
            }
            add(operation, "404", "No such route, community, user or token");
            add(operation, "405", "Method not allowed");
            if keyed {
                add(
                    operation,
                    "409",
                    "Refused by the membership rules, or the first request with this \
                     Idempotency-Key is still in flight (`idempotency_key_in_flight`)",
                );
            } else if writes {
                add(operation, "409", "Refused by the membership rules");
            }
            if has_body {
                add(operation, "413", "Body over 64 KiB");
            }
            let unprocessable = match (has_body, keyed) {
                (true, true) => Some(
                    "A body of the wrong shape, or an invalid value; or an Idempotency-Key \
                     used for another request (`idempotency_key_reused`)",
                ),
                (true, false) => Some("A body of the wrong shape, or an invalid value"),
                (false, true) => {
                    Some("An Idempotency-Key used for another request (`idempotency_key_reused`)")
                }
                (false, false) => None,
            };
            if let Some(description) = unprocessable {
                add(operation, "422", description);
            }
            add(
                operation,
                "429",
                "Too many requests from this client, token or account \
                 (`rate_limited`); retry after `Retry-After` seconds",
            );
            let hashes_password = matches!(
                (path.as_str(), method.clone()),
                ("/v1/tokens", HttpMethod::Post)
                    | ("/v1/users", HttpMethod::Post)
                    | ("/v1/users/me", HttpMethod::Patch)
            );
            if hashes_password {
                add(
                    operation,
                    "503",
                    "Too many password checks queued; retry after `Retry-After` seconds",
                );
            }
            add(operation, "500", "Server fault (never caused by input)");
        }
    }

    let healthz = OperationBuilder::new()
        .tag("operations")
        .operation_id(Some("healthz"))
        .description(Some("Is the process up?"))
        .response("200", text_response("Up"))
        .build();
    insert_public(doc, "/healthz", healthz);
    let readyz = OperationBuilder::new()
        .tag("operations")
        .operation_id(Some("readyz"))
        .description(Some("Does the database answer?"))
        .response("200", text_response("Ready"))
        .response("503", text_response("The database does not answer"))
        .build();
    insert_public(doc, "/readyz", readyz);
    let operation = OperationBuilder::new()
        .tag("operations")
        .operation_id(Some("openapi"))
        .description(Some("This document"))
        .response(
            "200",
            ResponseBuilder::new()
                .description("The OpenAPI 3.1 document")
                .content("application/json", Content::new(None::<Ref>))
                .build(),
        )
        .build();
    insert_public(doc, "/openapi.json", operation);
}

/// Mark as optional the request bodies whose every field is optional: the
/// server reads an empty body as `{}` there. And state the one rule
/// between fields a schema can say: a new password needs the current one.
fn optional_bodies(doc: &mut Document) {
    let schemas = doc
        .components
        .as_ref()
        .map(|c| c.schemas.clone())
        .unwrap_or_default();
    let all_optional = |name: &str| {
        matches!(
            schemas.get(name),
            Some(RefOr::T(Schema::Object(object))) if object.required.is_empty()
        )
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, operation) in operations(item) {
            let Some(body) = operation.request_body.as_mut() else {
                continue;
            };
            for content in body.content.values_mut() {
                let Some(RefOr::Ref(reference)) = &content.schema else {
                    continue;
                };
                let name = reference
                    .ref_location
                    .trim_start_matches("#/components/schemas/")
                    .to_owned();
                if all_optional(&name) {
                    body.required = Some(Required::False);
                }
                if path == "/v1/users/me" && method == HttpMethod::Patch {
                    let rule = AllOfBuilder::new()
                        .item(Ref::from_schema_name(name))
                        .item(super::constraints::password_change_rule());
                    content.schema = Some(RefOr::T(Schema::AllOf(rule.build())));
                }
            }
        }
    }
}

/// The optional `Idempotency-Key` header of the writes.
fn idempotency_key() -> Parameter {
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes the write safe to retry: a retry with the same key and the same method, \
             path and body gets the first answer again, byte for byte, with \
             `Idempotent-Replayed: true`. The same key with another request is 422 \
             `idempotency_key_reused`; while the first is still running, 409 \
             `idempotency_key_in_flight`. 1 to 255 printable ASCII characters (a \
             structured-field string such as `\"abc\"` names the key `abc`), scoped to \
             your user, remembered for 24 hours; answers of 500 or more are not kept. \
             Malformed: 400 `invalid_idempotency_key`.",
        ))
        .schema(Some(super::constraints::idempotency_key(MAX_KEY_LEN)))
        .build()
}

/// A GET route that needs no token.
fn insert_public(doc: &mut Document, path: &str, mut operation: Operation) {
    operation.security = Some(Vec::new());
    doc.paths
        .paths
        .insert(path.to_owned(), PathItem::new(HttpMethod::Get, operation));
}

fn operations(item: &mut PathItem) -> Vec<(HttpMethod, &mut Operation)> {
    [
        (HttpMethod::Get, item.get.as_mut()),
        (HttpMethod::Post, item.post.as_mut()),
        (HttpMethod::Put, item.put.as_mut()),
        (HttpMethod::Patch, item.patch.as_mut()),
        (HttpMethod::Delete, item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.map(|op| (method, op)))
    .collect()
}

/// Add a problem response unless the operation documents that status.
fn add(operation: &mut Operation, status: &str, description: &str) {
    operation
        .responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| problem_response(description).into());
}

fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            CONTENT_TYPE,
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build()
}

fn text_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "text/plain",
            Content::new(Some(
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .build(),
            )),
        )
        .build()
}
