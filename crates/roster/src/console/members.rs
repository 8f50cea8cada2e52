//! The people tables of a community page (members, requests,
//! invitations, bans): one row per person with their badge and the
//! buttons the engine offers the viewer about them
//! (`roster_engine::offers::offers_on`), and a refusal shown in the row
//! of the person it was about.

use super::actions;
use super::communities::badge;
use super::community::Notice;
use super::layout;
use super::session::Viewer;
use maud::{html, Markup};
use roster_engine::offers::offers_on;
use roster_engine::Standing;
use roster_store::{Community, MemberRow};

/// A table of people with their action buttons.
pub fn table(
    viewer: &Viewer,
    community: &Community,
    viewer_standing: Standing,
    rows: &[MemberRow],
    notice: Option<&Notice>,
) -> Markup {
    let base = format!("/console/communities/{}", community.id());
    html! {
        table {
            thead { tr {
                th { "Username" } th { "Standing" } th.optional { "Since" } th { "Actions" }
            } }
            tbody {
                @for row in rows {
                    @let offers = offers_on(
                        &community.state,
                        viewer.actor(),
                        viewer_standing,
                        row.user.id,
                        row.standing,
                    );
                    @let subject = row.user.id.to_string();
                    tr {
                        td { (row.user.username) }
                        td { (badge(row.standing)) }
                        td.optional { (row.since.format("%Y-%m-%d")) }
                        td {
                            div.row {
                                @for command in &offers {
                                    @if let Some((action, label)) = actions::label(command) {
                                        (layout::action_button(
                                            viewer,
                                            &format!("{base}/{action}"),
                                            Some(&subject),
                                            label,
                                            actions::class(command),
                                        ))
                                    }
                                }
                            }
                            @if let Some(notice) = notice.filter(|n| n.subject == Some(row.user.id)) {
                                (layout::refusal(&notice.words(&community.state.settings.name)))
                            }
                        }
                    }
                }
            }
        }
    }
}
