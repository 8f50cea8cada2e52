//! The page shell (head, navigation, the sign-out button) and the small
//! form pieces every page uses: a button that posts one action with the
//! session's CSRF token.

use super::session::Viewer;
use axum::response::Html;
use maud::{html, Markup, DOCTYPE};

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · Roster console" }
            link rel="stylesheet" href="/console/assets/console.css";
        }
    }
}

/// A page for someone not signed in (sign-in, errors).
pub fn bare(title: &str, body: Markup) -> Html<String> {
    document(title, html! { strong { "Roster console" } }, body)
}

/// A page for a signed-in viewer.
pub fn page(title: &str, viewer: &Viewer, body: Markup) -> Html<String> {
    let top = html! {
        strong { "Roster console" }
        nav aria-label="Main" {
            a href="/console/communities" { "My communities" }
            @if viewer.user.admin {
                " · " a href="/console/admin" { "Admin" }
            }
        }
        span.who {
            "Signed in as " (viewer.user.username) " "
            form.inline method="post" action="/console/sign-out" {
                (csrf_field(viewer))
                button.quiet type="submit" { "Sign out" }
            }
        }
    };
    document(title, top, body)
}

/// The document around every page: its head, the top bar, the main part.
fn document(title: &str, top: Markup, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                (head(title))
                body {
                    header.top { (top) }
                    main { (body) }
                }
            }
        }
        .into_string(),
    )
}

/// The hidden CSRF field of every form.
pub fn csrf_field(viewer: &Viewer) -> Markup {
    html! { input type="hidden" name="csrf" value=(viewer.csrf); }
}

/// One button that posts `action` (about `subject`, when given).
pub fn action_button(
    viewer: &Viewer,
    url: &str,
    subject: Option<&str>,
    label: &str,
    class: &str,
) -> Markup {
    html! {
        form.inline method="post" action=(url) {
            (csrf_field(viewer))
            @if let Some(subject) = subject {
                input type="hidden" name="user" value=(subject);
            }
            button class=(class) type="submit" { (label) }
        }
    }
}

/// A refusal in plain words, shown next to the action it refused.
pub fn refusal(words: &str) -> Markup {
    html! { p.refusal role="alert" { (words) } }
}
