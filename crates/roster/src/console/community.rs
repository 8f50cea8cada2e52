//! A community page: its settings (a form for those the engine lets
//! update them), its members with search by username prefix and cursor
//! paging (`Store::search_members`: one index range per page at any
//! size), and, for its managers, pending requests, invitations and bans.
//! Visibility is the APIs' (`Store::community_in_sight`, which asks the
//! engine): a private community out of sight is 404, like an unknown one.

use super::actions;
use super::members;
use super::session::{SignedIn, Viewer};
use super::{layout, Failure};
use crate::app::{AppState, CommunityPage as Loaded};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use roster_engine::offers::{may_invite_and_ban, may_update, own_offers};
use roster_engine::{can_manage, CommunityId, DomainError, JoinPolicy, UserId, Visibility};
use roster_store::MemberSearch;
use serde::Deserialize;

/// People per page.
pub const PAGE: u32 = 50;

/// A refusal to show beside the action it refused.
#[derive(Clone, Debug)]
pub struct Notice {
    /// The action's path segment (`leave`, `invite`, …).
    pub action: String,
    /// The person it was about, when it was about one.
    pub subject: Option<UserId>,
    pub error: DomainError,
}

impl Notice {
    /// The refusal in plain words, naming the community.
    pub fn words(&self, community: &str) -> String {
        super::refusal::words(&self.error, Some(community))
    }
}

/// The member search and its page.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct View {
    /// A username prefix.
    pub q: Option<String>,
    /// The cursor of the next page.
    pub after: Option<String>,
}

/// A community id from the path; anything else is 404.
pub fn community_id(text: &str) -> Result<CommunityId, Failure> {
    text.parse::<uuid::Uuid>()
        .map(CommunityId)
        .map_err(|_| Failure::not_found())
}

async fn load(
    state: &AppState,
    viewer: &Viewer,
    id: CommunityId,
    view: &View,
) -> Result<Loaded, Failure> {
    let prefix: String = view
        .q
        .clone()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(64)
        .collect();
    let after = view.after.clone().filter(|a| a.len() <= 64);
    let search = MemberSearch {
        prefix,
        standings: Vec::new(),
        after,
        limit: PAGE,
    };
    let loaded = state.console_community(viewer.actor(), id, search).await?;
    loaded.ok_or_else(Failure::not_found)
}

fn here(notice: Option<&Notice>, action: &str, name: &str) -> Option<String> {
    notice
        .filter(|n| n.action == action && n.subject.is_none())
        .map(|n| n.words(name))
}

fn settings(viewer: &Viewer, loaded: &Loaded, notice: Option<&Notice>) -> Markup {
    let state = &loaded.community.state;
    let s = &state.settings;
    let base = format!("/console/communities/{}", state.id);
    if !may_update(state, viewer.actor(), loaded.standing) {
        return html! {
            dl {
                dt { "Visibility" } dd { (s.visibility) }
                dt { "Join policy" } dd { (s.join_policy) }
                @if !s.description.is_empty() { dt { "Description" } dd { (s.description) } }
            }
        };
    }
    html! {
        form method="post" action={(base) "/settings"} {
            (layout::csrf_field(viewer))
            label for="s-name" { "Name" }
            input #s-name type="text" name="name" value=(s.name) required maxlength="100";
            label for="s-description" { "Description" }
            textarea #s-description name="description" rows="3" maxlength="2000" { (s.description) }
            label for="s-visibility" { "Visibility" }
            select #s-visibility name="visibility" {
                @for v in Visibility::ALL {
                    option value=(v) selected[*v == s.visibility] { (v) }
                }
            }
            label for="s-join" { "Join policy" }
            select #s-join name="join_policy" {
                @for p in JoinPolicy::ALL {
                    option value=(p) selected[*p == s.join_policy] { (p) }
                }
            }
            @if let Some(words) = here(notice, "settings", &s.name) { (layout::refusal(&words)) }
            p { button type="submit" { "Save settings" } }
        }
    }
}

fn body(viewer: &Viewer, loaded: &Loaded, view: &View, notice: Option<&Notice>) -> Markup {
    let community = &loaded.community;
    let state = &community.state;
    let base = format!("/console/communities/{}", state.id);
    let own = own_offers(state, viewer.actor(), loaded.standing);
    let (may_invite, may_ban) = may_invite_and_ban(state, viewer.actor(), loaded.standing);
    let q = view.q.clone().unwrap_or_default();
    html! {
        h1 { (state.settings.name) }
        p {
            span.badge { (state.settings.visibility) } " "
            span.badge { "join: " (state.settings.join_policy) } " "
            @if state.archived { span.badge { "archived" } " " }
            @if state.site { span.badge { "site community" } " " }
            (state.counters.members) " members · " (state.counters.pending) " pending requests"
        }
        section aria-labelledby="me" {
            h2 #me { "Me here" }
            p { "My standing: " (super::communities::badge(loaded.standing)) }
            div.row {
                @for command in &own {
                    @if let Some((action, label)) = actions::label(command) {
                        (layout::action_button(viewer, &format!("{base}/{action}"), None, label, actions::class(command)))
                    }
                }
                @if can_manage(viewer.user.admin, loaded.standing) {
                    a href={(base) "/timeline"} { "Timeline" }
                }
            }
            @for action in ["join", "leave"] {
                @if let Some(words) = here(notice, action, &state.settings.name) { (layout::refusal(&words)) }
            }
        }
        section aria-labelledby="settings" {
            h2 #settings { "Settings" }
            (settings(viewer, loaded, notice))
        }
        section aria-labelledby="members" {
            h2 #members { "Members" }
            form method="get" action=(base) role="search" {
                label for="q" { "Search by username" }
                div.row {
                    input #q type="search" name="q" value=(q) maxlength="64";
                    button.quiet type="submit" { "Search" }
                }
            }
            (members::table(viewer, community, loaded.standing, &loaded.members.items, notice))
            @if let Some(next) = &loaded.members.next {
                nav.pages {
                    a href={(base) "?q=" (urlencode(&q)) "&after=" (urlencode(next))} { "Next page" }
                }
            }
        }
        @if let Some([requests, invitations, bans]) = &loaded.managed {
            section aria-labelledby="requests" {
                h2 #requests { "Pending requests" }
                @if requests.is_empty() { p.muted { "No pending request." } }
                @else { (members::table(viewer, community, loaded.standing, requests, notice)) }
            }
            section aria-labelledby="invitations" {
                h2 #invitations { "Invitations" }
                @if may_invite {
                    form method="post" action={(base) "/invite"} {
                        (layout::csrf_field(viewer))
                        label for="invite-username" { "Invite by username" }
                        div.row {
                            input #invite-username type="text" name="username" required maxlength="64";
                            button type="submit" { "Invite" }
                        }
                        @if let Some(words) = here(notice, "invite", &state.settings.name) { (layout::refusal(&words)) }
                    }
                }
                @if invitations.is_empty() { p.muted { "No open invitation." } }
                @else { (members::table(viewer, community, loaded.standing, invitations, notice)) }
            }
            section aria-labelledby="bans" {
                h2 #bans { "Bans" }
                @if may_ban {
                    form method="post" action={(base) "/ban"} {
                        (layout::csrf_field(viewer))
                        label for="ban-username" { "Ban by username" }
                        input #ban-username type="text" name="username" required maxlength="64";
                        label for="ban-reason" { "Reason (optional)" }
                        div.row {
                            input #ban-reason type="text" name="reason" maxlength="500";
                            button.danger type="submit" { "Ban" }
                        }
                        @if let Some(words) = here(notice, "ban", &state.settings.name) { (layout::refusal(&words)) }
                    }
                }
                @if bans.is_empty() { p.muted { "Nobody is banned." } }
                @else { (members::table(viewer, community, loaded.standing, bans, notice)) }
            }
        }
    }
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The page, with a refusal shown beside its action when there is one.
pub async fn render(
    state: &AppState,
    viewer: &Viewer,
    id: CommunityId,
    view: &View,
    notice: Option<&Notice>,
) -> Result<(String, Markup), Failure> {
    let loaded = load(state, viewer, id, view).await?;
    Ok((
        loaded.community.state.settings.name.clone(),
        body(viewer, &loaded, view, notice),
    ))
}

pub async fn page(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(id): Path<String>,
    view: Result<Query<View>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Failure> {
    let view = view.map(|Query(v)| v).unwrap_or_default();
    let id = community_id(&id)?;
    let (name, body) = render(&state, &viewer, id, &view, None).await?;
    Ok(layout::page(&name, &viewer, body).into_response())
}

/// What a refusal of `error` looks like when it is not shown on the page
/// (out of sight: 404).
pub fn hidden(error: &DomainError) -> bool {
    matches!(error, DomainError::CommunityNotFound)
}
