//! `GET /v1/policy` and `PUT /v1/policy` (issue 14): the server-wide
//! permission policy, admins only. Each field is one governed action and
//! holds the lowest rank allowed to take it (see `roster_engine::policy`
//! for what each governs and which levels each accepts); a `PUT` sets the
//! fields it names and leaves the others, and a change writes one
//! `policy_changed` event on the site community. Commands on this node
//! follow a change at once, other nodes within `POLICY_REFRESH` (1 s).

use super::extract::{scope, Caller, JsonBody};
use super::problem::Problem;
use crate::app::AppState;
use axum::extract::State;
use axum::Json;
use roster_engine::{Action, Level, Policy};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::Object;
use utoipa::ToSchema;

/// Declares the view (every action, required) and the patch (any subset,
/// `null` meaning "leave it") with one field per action.
macro_rules! policy_types {
    ($($field:ident => $action:ident),+ $(,)?) => {
        /// The policy: for each action, the lowest rank allowed to take it.
        #[derive(Debug, Serialize, ToSchema)]
        pub struct PolicyView {
            $(
                #[schema(schema_with = level_schema)]
                pub $field: &'static str,
            )+
            /// The policy's change on this node becomes every node's
            /// within this many milliseconds (PostgreSQL).
            pub refresh_ms: u64,
        }

        /// Levels to set; absent or `null` fields are left as they are.
        #[derive(Debug, Default, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct PolicyPatch {
            $(
                #[serde(default)]
                #[schema(schema_with = patch_schemas::$field, required = false)]
                pub $field: Option<Level>,
            )+
        }

        /// Each patch field's schema: only the levels its action accepts
        /// (the engine's `Action::accepts`), or `null`.
        mod patch_schemas {
            $(
                pub fn $field() -> utoipa::openapi::schema::Schema {
                    super::optional_level_schema(roster_engine::Action::$action)
                }
            )+
        }

        fn view(policy: &Policy) -> PolicyView {
            PolicyView {
                $($field: policy.level(Action::$action).as_str(),)+
                refresh_ms: u64::try_from(roster_store::POLICY_REFRESH.as_millis())
                    .unwrap_or(u64::MAX),
            }
        }

        fn changes(patch: &PolicyPatch) -> Vec<(Action, Level)> {
            let mut changes = Vec::new();
            $(
                if let Some(level) = patch.$field {
                    changes.push((Action::$action, level));
                }
            )+
            changes
        }
    };
}

policy_types! {
    create => Create,
    invite => Invite,
    invite_anywhere => InviteAnywhere,
    remove => Remove,
    remove_anywhere => RemoveAnywhere,
    ban => Ban,
    set_owner => SetOwner,
    set_manager => SetManager,
    archive => Archive,
    unarchive => Unarchive,
    delete => Delete,
    leave => Leave,
}

fn level_names(accepted: impl Fn(Level) -> bool) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(
            Level::ALL
                .iter()
                .filter(|&&l| accepted(l))
                .map(|l| l.as_str())
                .collect::<Vec<_>>(),
        ))
        .description(Some(
            "the lowest rank allowed: member < manager < owner < admin; nobody refuses everyone",
        ))
        .build()
}

fn level_schema() -> Object {
    level_names(|_| true)
}

fn optional_level_schema(action: Action) -> Schema {
    Schema::OneOf(
        OneOfBuilder::new()
            .item(level_names(|level| action.accepts(level)))
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .build(),
    )
}

#[utoipa::path(
    get, path = "/v1/policy", tag = "policy", operation_id = "get_policy",
    description = "The permission policy: per action, the lowest rank allowed. Scope: admin.",
    responses((status = 200, description = "The policy", body = PolicyView)),
)]
pub async fn get(
    State(state): State<AppState>,
    _caller: Caller<scope::Admin>,
) -> Result<Json<PolicyView>, Problem> {
    let policy = state.policy().await?;
    Ok(Json(view(&policy.policy)))
}

#[utoipa::path(
    put, path = "/v1/policy", tag = "policy", operation_id = "set_policy",
    description = "Set some actions' levels (the others stay); a level an action does not \
                   accept is 422 (`create`: member, admin, nobody; `invite_anywhere`, \
                   `remove_anywhere`: admin, nobody). The last-owner rule is not \
                   configurable. A change is one `policy_changed` event on the site \
                   community. Scope: admin.",
    request_body = PolicyPatch,
    responses((status = 200, description = "The policy after the change", body = PolicyView)),
)]
pub async fn set(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller<scope::Admin>,
    JsonBody(patch): JsonBody<PolicyPatch>,
) -> Result<Json<PolicyView>, Problem> {
    let changes = changes(&patch);
    let actor = principal.actor();
    let update = state.set_policy(actor, changes).await?;
    Ok(Json(view(&update.policy)))
}
