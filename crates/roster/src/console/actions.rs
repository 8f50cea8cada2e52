//! The forms of a community page: `POST /console/communities/{id}/{action}`
//! becomes one engine command, run through `execute_in_sight` with the
//! APIs' `Sight::Viewable`. Accepted: back to the page (303). Refused: the
//! page again, with the refusal in plain words beside the action, and a
//! 4xx status that says what kind of refusal it was.

use super::community::{self, Notice, View};
use super::form::Form;
use super::session::Acting;
use super::{layout, Failure};
use crate::app::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use roster_engine::{Command, DomainError, Role, SettingsPatch, Sight, UserId};
use roster_store::{CommunityKey, Ruling, UserKey};

/// The path segment and the button's accessible name of a command the
/// console offers; `None` for the commands it has no button for.
pub fn label(command: &Command) -> Option<(&'static str, &'static str)> {
    Some(match command {
        Command::Join => ("join", "Join"),
        Command::Leave => ("leave", "Leave"),
        Command::Approve { .. } => ("approve", "Approve"),
        Command::Reject { .. } => ("reject", "Reject"),
        Command::RevokeInvitation { .. } => ("revoke", "Revoke"),
        Command::SetRole { role, .. } => match role {
            Role::Owner => ("make-owner", "Make owner"),
            Role::Manager => ("make-manager", "Make manager"),
            Role::Member => ("make-member", "Make member"),
        },
        Command::TransferOwnership { .. } => ("transfer", "Transfer ownership"),
        Command::Remove { .. } => ("remove", "Remove"),
        Command::Ban { .. } => ("ban", "Ban"),
        Command::Unban { .. } => ("unban", "Unban"),
        Command::Invite { .. }
        | Command::Add { .. }
        | Command::Update(_)
        | Command::Archive
        | Command::Unarchive
        | Command::Delete => return None,
    })
}

/// The button's look: the commands that end or bar a membership stand out.
pub fn class(command: &Command) -> &'static str {
    match command {
        Command::Leave | Command::Remove { .. } | Command::Ban { .. } | Command::Reject { .. } => {
            "danger"
        }
        Command::Join | Command::Approve { .. } => "",
        _ => "quiet",
    }
}

/// The HTTP status of a refusal shown on the page.
fn status(error: &DomainError) -> StatusCode {
    match error {
        DomainError::CommunityNotFound | DomainError::UserNotFound => StatusCode::NOT_FOUND,
        DomainError::NotPermitted | DomainError::Banned | DomainError::InvitationRequired => {
            StatusCode::FORBIDDEN
        }
        DomainError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        DomainError::NotMember
        | DomainError::SubjectNotMember
        | DomainError::LastOwner
        | DomainError::SubjectBanned
        | DomainError::Archived
        | DomainError::NoRequest
        | DomainError::RoleMismatch { .. }
        | DomainError::NameTaken
        | DomainError::UsernameTaken
        | DomainError::EmailTaken => StatusCode::CONFLICT,
    }
}

fn subject_of(form: &Form) -> Result<UserId, Failure> {
    form.required("user")?
        .parse::<uuid::Uuid>()
        .map(UserId)
        .map_err(|_| Failure::bad_form("The field 'user' does not name a user."))
}

/// A username field resolved to a user; an unknown one is a refusal.
async fn by_username(
    state: &AppState,
    form: &Form,
) -> Result<Result<UserId, DomainError>, Failure> {
    let username = form.required("username")?.trim().to_owned();
    if username.is_empty() || username.len() > 320 {
        return Ok(Err(DomainError::UserNotFound));
    }
    let found = state.find_user(UserKey::Username(username)).await?;
    Ok(found.map(|user| user.id).ok_or(DomainError::UserNotFound))
}

fn optional_text(form: &Form, name: &str) -> Option<String> {
    form.get(name).map(str::to_owned)
}

fn choice<T: std::str::FromStr>(form: &Form, name: &str) -> Result<Option<T>, Failure> {
    form.get(name)
        .map(|text| {
            text.parse()
                .map_err(|_| Failure::bad_form(format!("The field '{name}' has no such choice.")))
        })
        .transpose()
}

/// The command a form asks for (or the refusal of a username that names nobody).
async fn command(
    state: &AppState,
    action: &str,
    form: &Form,
) -> Result<Result<Command, DomainError>, Failure> {
    let role = |role| -> Result<_, Failure> {
        Ok(Ok(Command::SetRole {
            subject: subject_of(form)?,
            role,
            expect: None,
        }))
    };
    Ok(Ok(match action {
        "join" => Command::Join,
        "leave" => Command::Leave,
        "settings" => Command::Update(SettingsPatch {
            name: optional_text(form, "name"),
            description: optional_text(form, "description"),
            visibility: choice(form, "visibility")?,
            join_policy: choice(form, "join_policy")?,
            contribution_mode: None,
        }),
        "invite" => match by_username(state, form).await? {
            Ok(subject) => Command::Invite { subject },
            Err(error) => return Ok(Err(error)),
        },
        "ban" => {
            let subject = match form.get("user") {
                Some(_) => subject_of(form)?,
                None => match by_username(state, form).await? {
                    Ok(subject) => subject,
                    Err(error) => return Ok(Err(error)),
                },
            };
            let reason = optional_text(form, "reason").filter(|r| !r.trim().is_empty());
            Command::Ban { subject, reason }
        }
        "revoke" => Command::RevokeInvitation {
            subject: subject_of(form)?,
        },
        "approve" => Command::Approve {
            subject: subject_of(form)?,
        },
        "reject" => Command::Reject {
            subject: subject_of(form)?,
        },
        "remove" => Command::Remove {
            subject: subject_of(form)?,
        },
        "make-owner" => return role(Role::Owner),
        "make-manager" => return role(Role::Manager),
        "make-member" => return role(Role::Member),
        "transfer" => Command::TransferOwnership {
            subject: subject_of(form)?,
        },
        "unban" => Command::Unban {
            subject: subject_of(form)?,
        },
        _ => return Err(Failure::not_found()),
    }))
}

pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    Acting { viewer, form }: Acting,
) -> Result<Response, Failure> {
    let id = community::community_id(&id)?;
    // The person a refusal is shown beside: a row's, or the action's own form.
    let row_subject = form.get("user").and_then(|u| u.parse().ok()).map(UserId);
    let refused = match command(&state, &action, &form).await? {
        Ok(command) => {
            let ruling = state
                .execute_in_sight(
                    Sight::Viewable,
                    viewer.actor(),
                    CommunityKey::Id(id),
                    command,
                )
                .await?;
            match ruling {
                Ruling::Accepted(_) => {
                    return Ok(Redirect::to(&format!("/console/communities/{id}")).into_response())
                }
                Ruling::Refused(refusal) => refusal.error,
            }
        }
        Err(error) => error,
    };
    if community::hidden(&refused) {
        return Err(Failure::not_found());
    }
    let view = View::default();
    let notice = Notice {
        action: action.clone(),
        subject: row_subject,
        error: refused.clone(),
    };
    let (name, page) = community::render(&state, &viewer, id, &view, Some(&notice)).await?;
    Ok((status(&refused), layout::page(&name, &viewer, page)).into_response())
}
