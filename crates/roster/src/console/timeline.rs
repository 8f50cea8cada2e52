//! A community's timeline: its membership events from the event feed,
//! newest first, paged by sequence number (`Store::recent_events`), with
//! the chart of joins and leaves per day ([`super::chart`]). Like the
//! native feed, it is for the community's managers, owners and admins.

use super::session::{SignedIn, Viewer};
use super::{chart, layout, refusal, Failure};
use crate::app::{AppState, Timeline};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use maud::{html, Markup};
use roster_engine::{DomainError, EventKind, UserId};
use roster_store::EventRecord;
use serde::Deserialize;
use std::collections::HashMap;

/// Events per page.
const PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct TimelineQuery {
    /// Events older than this sequence number.
    pub before: Option<String>,
}

/// One event as a sentence.
fn sentence(event: &EventRecord, names: &HashMap<UserId, String>) -> String {
    let name = |id: Option<UserId>| {
        id.and_then(|id| names.get(&id).cloned())
            .unwrap_or_else(|| "someone".to_owned())
    };
    let (actor, subject) = (name(Some(event.actor)), name(event.subject));
    match event.kind {
        EventKind::Created => format!("{actor} created the community"),
        EventKind::Updated => format!("{actor} changed the settings"),
        EventKind::Archived => format!("{actor} archived the community"),
        EventKind::Unarchived => format!("{actor} unarchived the community"),
        EventKind::Deleted => format!("{actor} deleted the community"),
        EventKind::Joined => format!("{subject} joined"),
        EventKind::Requested => format!("{subject} asked to join"),
        EventKind::RequestWithdrawn => format!("{subject} withdrew their request"),
        EventKind::Left => format!("{subject} left"),
        EventKind::Invited => format!("{actor} invited {subject}"),
        EventKind::InvitationAccepted => format!("{subject} accepted the invitation"),
        EventKind::InvitationDeclined => format!("{subject} declined the invitation"),
        EventKind::InvitationRevoked => format!("{actor} revoked the invitation of {subject}"),
        EventKind::Added => format!("{actor} added {subject}"),
        EventKind::Approved => format!("{actor} approved the request of {subject}"),
        EventKind::Rejected => format!("{actor} rejected the request of {subject}"),
        EventKind::Removed => format!("{actor} removed {subject}"),
        EventKind::RoleChanged => format!("{actor} changed the role of {subject}"),
        EventKind::OwnershipTransferred => format!("{actor} transferred ownership to {subject}"),
        EventKind::Banned => format!("{actor} banned {subject}"),
        EventKind::Unbanned => format!("{actor} unbanned {subject}"),
        EventKind::PolicyChanged => format!("{actor} changed the permission policy"),
        EventKind::Imported => match event.subject {
            Some(_) => format!("{subject} was imported"),
            None => "members were imported".to_owned(),
        },
    }
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    before: Option<i64>,
) -> Result<(String, Markup), Failure> {
    let id = super::community::community_id(id)?;
    let actor = viewer.actor();
    let today = Utc::now().date_naive();
    let since = (today - Duration::days(chart::DAYS - 1))
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_else(Utc::now);
    let found = state
        .console_timeline(actor, id, before, since, PAGE)
        .await?;
    let Timeline {
        community,
        events,
        counts,
        names,
    } = match found {
        Ok(found) => found,
        Err(DomainError::CommunityNotFound) => return Err(Failure::not_found()),
        Err(error) => {
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                "Refused",
                refusal::words(&error, None),
            ))
        }
    };
    let name = community.state.settings.name.clone();
    let base = format!("/console/communities/{id}");
    let next = if events.len() == PAGE as usize {
        events.last().map(|e| e.seq)
    } else {
        None
    };
    let body = html! {
        h1 { "Timeline of " (name) }
        p { a href=(base) { "Back to " (name) } }
        section aria-labelledby="chart" {
            h2 #chart { "Joins and leaves, last 30 days" }
            (chart::svg(&chart::per_day(&counts, today)))
        }
        section aria-labelledby="events" {
            h2 #events { "Events, newest first" }
            @if events.is_empty() { p.muted { "No event." } }
            ol.events {
                @for event in &events {
                    li {
                        time datetime=(event.at.to_rfc3339()) { (event.at.format("%Y-%m-%d %H:%M UTC")) }
                        " · " (sentence(event, &names))
                        @if let Some(reason) = &event.reason { span.muted { " (" (reason) ")" } }
                    }
                }
            }
            @if let Some(next) = next {
                nav.pages { a href={(base) "/timeline?before=" (next)} { "Older events" } }
            }
        }
    };
    Ok((format!("Timeline of {name}"), body))
}

pub async fn page(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(id): Path<String>,
    query: Result<Query<TimelineQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Failure> {
    let before = query
        .ok()
        .and_then(|Query(q)| q.before)
        .and_then(|b| b.parse::<i64>().ok());
    let (title, body) = render(&state, &viewer, &id, before).await?;
    Ok(layout::page(&title, &viewer, body).into_response())
}
