//! "My communities": each with my role, its member count and pending
//! requests; and the form that creates a community (name, visibility,
//! join policy) through the store's `create_community`, as the native
//! API does.

use super::form::Form;
use super::session::{Acting, SignedIn};
use super::{layout, refusal, session, Failure};
use crate::app::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use roster_engine::{ContributionMode, JoinPolicy, NewCommunity, Settings, Standing, Visibility};
use roster_store::{MembershipQuery, Paging};
use serde::Deserialize;

/// Page size of the list.
const PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub after: Option<String>,
}

/// A standing as the badge shows it.
pub fn badge(standing: Standing) -> Markup {
    html! { span class={"badge " (standing.as_str())} { (standing.as_str()) } }
}

async fn render(
    state: &AppState,
    viewer: &session::Viewer,
    after: Option<i64>,
    refused: Option<String>,
) -> Result<Markup, Failure> {
    let user = viewer.user.id;
    let query = MembershipQuery {
        standings: Standing::STORED.to_vec(),
        include_site: true,
        paging: Paging::After(after),
        limit: PAGE,
    };
    let page = state.communities_of(user, query).await?;
    Ok(html! {
        h1 { "My communities" }
        section aria-labelledby="mine" {
            h2 #mine { "Communities I am in" }
            @if page.items.is_empty() {
                p.muted { "You are in no community yet." }
            } @else {
                table {
                    thead { tr {
                        th { "Name" } th { "My role" } th { "Members" } th { "Pending requests" }
                    } }
                    tbody {
                        @for (community, standing) in &page.items {
                            tr {
                                td { a href={"/console/communities/" (community.id())} {
                                    (community.state.settings.name)
                                } }
                                td { (badge(*standing)) }
                                td { (community.state.counters.members) }
                                td { (community.state.counters.pending) }
                            }
                        }
                    }
                }
                @if let Some(next) = page.next {
                    nav.pages { a href={"/console/communities?after=" (next)} { "Next page" } }
                }
            }
        }
        section aria-labelledby="create" {
            h2 #create { "Create a community" }
            form method="post" action="/console/communities" {
                (layout::csrf_field(viewer))
                label for="name" { "Name" }
                input #name type="text" name="name" required maxlength="100";
                label for="visibility" { "Visibility" }
                select #visibility name="visibility" {
                    option value="public" { "Public: anyone can see it" }
                    option value="private" { "Private: only its people can see it" }
                }
                label for="join_policy" { "Join policy" }
                select #join_policy name="join_policy" {
                    option value="open" { "Open: anyone may join" }
                    option value="request" { "Request: people ask, managers approve" }
                    option value="invite" { "Invite only" }
                }
                @if let Some(words) = &refused {
                    (layout::refusal(words))
                }
                p { button type="submit" { "Create community" } }
            }
        }
    })
}

pub async fn page(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Failure> {
    let after = query
        .ok()
        .and_then(|Query(q)| q.after)
        .and_then(|a| a.parse::<i64>().ok());
    let body = render(&state, &viewer, after, None).await?;
    Ok(layout::page("My communities", &viewer, body).into_response())
}

fn choice<T: std::str::FromStr>(form: &Form, name: &str) -> Result<T, Failure> {
    form.required(name)?
        .parse()
        .map_err(|_| Failure::bad_form(format!("The field '{name}' has no such choice.")))
}

pub async fn create(
    State(state): State<AppState>,
    Acting { viewer, form }: Acting,
) -> Result<Response, Failure> {
    let visibility: Visibility = choice(&form, "visibility")?;
    let join_policy: JoinPolicy = choice(&form, "join_policy")?;
    let new = NewCommunity {
        settings: Settings {
            name: form.required("name")?.to_owned(),
            description: String::new(),
            visibility,
            join_policy,
            contribution_mode: ContributionMode::Anyone,
        },
        site: false,
        members: Vec::new(),
    };
    let actor = viewer.actor();
    match state.create_community(actor, new).await {
        Ok(outcome) => Ok(Redirect::to(&format!(
            "/console/communities/{}",
            outcome.community.id()
        ))
        .into_response()),
        Err(roster_store::Error::Domain(error)) => {
            let words = refusal::words(&error, None);
            let body = render(&state, &viewer, None, Some(words)).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                layout::page("My communities", &viewer, body),
            )
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}
