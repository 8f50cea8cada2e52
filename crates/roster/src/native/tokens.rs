//! `/v1/tokens`: trade a username and password for a token, list your
//! tokens, revoke one. Tokens are opaque; only their hash is stored.

use super::extract::{scope, Caller, JsonBody, TokenPath};
use super::problem::{self, Problem};
use super::views::{self, TokenList, TokenView};
use crate::admin::{self, PasswordCheck};
use crate::app::AppState;
use crate::auth;
use crate::ratelimit::ClientAddress;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Utc;
use serde::Deserialize;
use utoipa::ToSchema;

/// Longest token lifetime a client may ask for: ten years.
const MAX_LIFETIME_SECONDS: u64 = 10 * 365 * 86_400;

/// Scopes as a comma-separated list or an array.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ScopesInput {
    /// `"community:read,community:write"`
    Text(String),
    /// `["community:read", "community:write"]`
    List(Vec<String>),
}

/// Credentials and the token wanted.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// The username (or the email address).
    pub username: String,
    pub password: String,
    /// Default `community:read,community:write`; `admin` for admin users only.
    #[serde(default)]
    #[schema(schema_with = super::constraints::scopes_input, required = false)]
    pub scopes: Option<ScopesInput>,
    /// Lifetime in seconds (1 to ten years); never expires when absent.
    #[serde(default, deserialize_with = "whole_seconds")]
    #[schema(minimum = 1, maximum = 315_360_000, required = false)]
    pub expires_in_seconds: Option<u64>,
    /// A note for the token list (default `api`).
    #[serde(default)]
    #[schema(schema_with = super::constraints::optional_profile_text, required = false)]
    pub label: Option<String>,
}

/// A whole number of seconds. JSON Schema's `integer` (what the OpenAPI
/// document declares) includes `3600.0`, so an integral float is taken as
/// the integer it is; `1.5` or a negative number is refused (422).
fn whole_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    use serde::de::Error;
    let Some(number) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(n) = number.as_u64() {
        return Ok(Some(n));
    }
    match number.as_f64() {
        Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= u64::MAX as f64 => Ok(Some(f as u64)),
        _ => Err(D::Error::custom(format!(
            "invalid value: {number}, expected a whole number of seconds"
        ))),
    }
}

#[utoipa::path(
    post, path = "/v1/tokens", tag = "tokens", operation_id = "create_token",
    description = "Issue a token for a username and password. No token needed; wrong \
                   credentials are `invalid_credentials`. Password checks are rate limited per \
                   address and account, with a back-off after repeated failures \
                   (`too_many_requests`, 429, with `Retry-After`); a full password pool \
                   is `server_busy` (503).",
    request_body = CreateToken,
    responses((status = 201, description = "The token (shown only here)", body = TokenView)),
)]
pub async fn create(
    State(state): State<AppState>,
    Extension(ClientAddress(client)): Extension<ClientAddress>,
    JsonBody(input): JsonBody<CreateToken>,
) -> Result<Response, Problem> {
    let scopes = match &input.scopes {
        None => "community:read,community:write".to_owned(),
        Some(ScopesInput::Text(text)) => text.clone(),
        Some(ScopesInput::List(list)) => list.join(","),
    };
    let scopes = auth::parse_scopes(&scopes).map_err(|reason| {
        let shown: String = reason.chars().take(100).collect();
        let mut problem = Problem::invalid("scopes", "");
        problem.detail = format!("scopes: {}", shown.escape_debug());
        problem
    })?;
    if !(scopes.read || scopes.write || scopes.admin) {
        return Err(Problem::invalid("scopes", "name at least one scope"));
    }
    let expires_at = match input.expires_in_seconds {
        None => None,
        Some(seconds @ 1..=MAX_LIFETIME_SECONDS) => {
            let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
            Some(Utc::now() + chrono::Duration::seconds(seconds))
        }
        Some(_) => {
            return Err(Problem::invalid(
                "expires_in_seconds",
                "from 1 second to ten years",
            ))
        }
    };
    let label = input.label.unwrap_or_else(|| "api".to_owned());
    let user = match admin::check_password(&state, &input.username, &input.password, client).await?
    {
        PasswordCheck::Valid(user) => *user,
        PasswordCheck::Throttled(throttled) => return Ok(problem::throttled(&throttled)),
        PasswordCheck::Invalid => {
            return Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Invalid credentials",
                "the username or password is wrong",
            ))
        }
    };
    let (secret, record) = admin::issue_token(&state, &user, scopes, &label, expires_at).await?;
    Ok((
        StatusCode::CREATED,
        Json(views::token(&record, Some(secret))),
    )
        .into_response())
}

#[utoipa::path(
    get, path = "/v1/tokens", tag = "tokens", operation_id = "list_tokens",
    description = "Your tokens, revoked and expired ones included (never the secrets). \
                   Scope: community:read.",
    responses((status = 200, description = "Your tokens", body = TokenList)),
)]
pub async fn list(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Read>,
) -> Result<Json<TokenList>, Problem> {
    let user = principal.user.id;
    let records = state.list_tokens(user).await?;
    Ok(Json(TokenList {
        items: records.iter().map(|r| views::token(r, None)).collect(),
    }))
}

#[utoipa::path(
    delete, path = "/v1/tokens/{id}", tag = "tokens", operation_id = "revoke_token",
    description = "Revoke one of your tokens; anyone else's is `token_not_found`. \
                   Scope: community:write.",
    params(("id" = uuid::Uuid, Path, description = "The token's id (not the secret)")),
    responses((status = 204, description = "Revoked")),
)]
pub async fn revoke(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Write>,
    TokenPath(id): TokenPath,
) -> Result<StatusCode, Problem> {
    let user = principal.user.id;
    if state.revoke_token(user, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::new(
            StatusCode::NOT_FOUND,
            "token_not_found",
            "Token not found",
            "you hold no active token with this id",
        ))
    }
}
