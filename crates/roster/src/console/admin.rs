//! The admin page: every community and every user, and the forms that
//! create a user and a token (the token is shown once, on the answer
//! page, and never again). The same operations as the CLI and the native
//! API (`admin::create_user`, `admin::issue_token`). For admins only;
//! anyone else gets 404.

use super::session::Acting;
use super::session::{SignedIn, Viewer};
use super::{layout, refusal, Failure};
use crate::admin::{self, UserSpec};
use crate::app::{AdminLists, AppState};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use roster_store::{Scopes, UserKey};
use serde::Deserialize;

const PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct AdminQuery {
    /// The communities' cursor.
    pub communities: Option<String>,
    /// The users' cursor.
    pub users: Option<String>,
}

/// What the last form did, shown at its place.
#[derive(Debug, Default)]
struct Outcome {
    user: Option<String>,
    token: Option<String>,
    /// A token secret, shown once.
    secret: Option<String>,
}

fn only_admins(viewer: &Viewer) -> Result<(), Failure> {
    if viewer.user.admin {
        Ok(())
    } else {
        Err(Failure::not_found())
    }
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    query: &AdminQuery,
    outcome: &Outcome,
) -> Result<Markup, Failure> {
    let after_c = query.communities.as_deref().and_then(|a| a.parse().ok());
    let after_u = query.users.as_deref().and_then(|a| a.parse().ok());
    let AdminLists { communities, users } =
        state.console_admin_lists(after_c, after_u, PAGE).await?;
    let users_next = if users.len() == PAGE as usize {
        users.last().map(|u| u.num)
    } else {
        None
    };
    Ok(html! {
        h1 { "Admin" }
        section aria-labelledby="all-communities" {
            h2 #all-communities { "Every community (" (communities.total) ")" }
            table {
                thead { tr { th { "Name" } th { "Visibility" } th { "Members" } th.optional { "Creator" } } }
                tbody {
                    @for c in &communities.items {
                        tr {
                            td { a href={"/console/communities/" (c.id())} { (c.state.settings.name) } }
                            td { (c.state.settings.visibility) }
                            td { (c.state.counters.members) }
                            td.optional { (c.creator.username) }
                        }
                    }
                }
            }
            @if let Some(next) = communities.next {
                nav.pages { a href={"/console/admin?communities=" (next)} { "Next communities" } }
            }
        }
        section aria-labelledby="all-users" {
            h2 #all-users { "Every user" }
            table {
                thead { tr { th { "Username" } th { "Admin" } th.optional { "Created" } } }
                tbody {
                    @for u in &users {
                        tr {
                            td { (u.username) }
                            td { @if u.admin { "yes" } @else { "no" } }
                            td.optional { (u.created_at.format("%Y-%m-%d")) }
                        }
                    }
                }
            }
            @if let Some(next) = users_next {
                nav.pages { a href={"/console/admin?users=" (next)} { "Next users" } }
            }
        }
        section aria-labelledby="new-user" {
            h2 #new-user { "Create a user" }
            form method="post" action="/console/admin/users" {
                (layout::csrf_field(viewer))
                label for="new-username" { "New username" }
                input #new-username type="text" name="username" required maxlength="64";
                label for="new-password" { "New password" }
                input #new-password type="password" name="password" required autocomplete="new-password";
                label { input type="checkbox" name="admin"; " Admin" }
                @if let Some(words) = &outcome.user { p.notice role="status" { (words) } }
                p { button type="submit" { "Create user" } }
            }
        }
        section aria-labelledby="new-token" {
            h2 #new-token { "Create a token" }
            form method="post" action="/console/admin/tokens" {
                (layout::csrf_field(viewer))
                label for="token-username" { "Token for username" }
                input #token-username type="text" name="username" required maxlength="64";
                label for="token-label" { "Token label" }
                input #token-label type="text" name="label" value="console" maxlength="100";
                fieldset {
                    legend { "Scopes" }
                    label { input type="checkbox" name="read" checked; " community:read" }
                    label { input type="checkbox" name="write" checked; " community:write" }
                    label { input type="checkbox" name="admin"; " admin" }
                }
                @if let Some(words) = &outcome.token { p.notice role="status" { (words) } }
                @if let Some(secret) = &outcome.secret {
                    p { "The token, shown only this once:" }
                    p.secret { code { (secret) } }
                }
                p { button type="submit" { "Create token" } }
            }
        }
    })
}

pub async fn page(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    query: Result<Query<AdminQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Failure> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    only_admins(&viewer)?;
    let body = render(&state, &viewer, &query, &Outcome::default()).await?;
    Ok(layout::page("Admin", &viewer, body).into_response())
}

fn answer(status: StatusCode, viewer: &Viewer, body: Markup) -> Response {
    (status, layout::page("Admin", viewer, body)).into_response()
}

fn words_of(error: roster_store::Error) -> Result<String, Failure> {
    match error {
        roster_store::Error::Domain(error) => Ok(refusal::words(&error, None)),
        other => Err(other.into()),
    }
}

pub async fn create_user(
    State(state): State<AppState>,
    Acting { viewer, form }: Acting,
) -> Result<Response, Failure> {
    only_admins(&viewer)?;
    let spec = UserSpec {
        username: form.required("username")?.trim().to_owned(),
        password: form.required("password")?.to_owned(),
        admin: form.ticked("admin"),
        ..UserSpec::default()
    };
    let (status, words) = match admin::create_user(&state, spec).await {
        Ok(user) => (
            StatusCode::OK,
            format!("Created the user {}.", user.username),
        ),
        Err(error) => (StatusCode::UNPROCESSABLE_ENTITY, words_of(error)?),
    };
    let outcome = Outcome {
        user: Some(words),
        ..Outcome::default()
    };
    let body = render(&state, &viewer, &AdminQuery::default(), &outcome).await?;
    Ok(answer(status, &viewer, body))
}

pub async fn create_token(
    State(state): State<AppState>,
    Acting { viewer, form }: Acting,
) -> Result<Response, Failure> {
    only_admins(&viewer)?;
    let username = form.required("username")?.trim().to_owned();
    let label = form.get("label").unwrap_or("console").to_owned();
    let scopes = Scopes {
        read: form.ticked("read"),
        write: form.ticked("write"),
        admin: form.ticked("admin"),
    };
    let mut outcome = Outcome::default();
    let status = if !(scopes.read || scopes.write || scopes.admin) {
        outcome.token = Some("Tick at least one scope.".to_owned());
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        let issued = async {
            let user = admin::user(&state, UserKey::Username(username)).await?;
            admin::issue_token(&state, &user, scopes, &label, None).await
        }
        .await;
        match issued {
            Ok((secret, record)) => {
                outcome.token = Some(format!(
                    "Created the token {} ({}).",
                    record.label,
                    record.scopes.to_text()
                ));
                outcome.secret = Some(secret);
                StatusCode::OK
            }
            Err(error) => {
                outcome.token = Some(words_of(error)?);
                StatusCode::UNPROCESSABLE_ENTITY
            }
        }
    };
    let body = render(&state, &viewer, &AdminQuery::default(), &outcome).await?;
    Ok(answer(status, &viewer, body))
}
