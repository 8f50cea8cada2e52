//! An engine refusal in plain words, with what to do instead: one
//! exhaustive `match`, so that a new refusal fails to compile until the
//! console has words for it.

use roster_engine::DomainError;

/// The sentence shown next to the refused action. `community` names the
/// community when the page knows it.
pub fn words(error: &DomainError, community: Option<&str>) -> String {
    let name = community.unwrap_or("this community");
    match error {
        DomainError::CommunityNotFound => {
            "There is no such community, or it is not yours to see.".to_owned()
        }
        DomainError::UserNotFound => {
            "There is no user with that username. Check the spelling and try again.".to_owned()
        }
        DomainError::NotMember => {
            format!("You are not a member of {name}, so there is nothing to leave.")
        }
        DomainError::SubjectNotMember => {
            format!("That person is not a member of {name}. Reload the page to see who is.")
        }
        DomainError::LastOwner => format!(
            "You are the last owner of {name}. Make someone else an owner, or transfer \
             ownership, before you leave."
        ),
        DomainError::NotPermitted => format!(
            "Your role in {name} does not allow this. Ask an owner or a manager of a higher \
             rank to do it."
        ),
        DomainError::Banned => {
            format!("You are banned from {name}. A manager or an owner can unban you.")
        }
        DomainError::SubjectBanned => {
            format!("That person is banned from {name}. Unban them first.")
        }
        DomainError::InvitationRequired => format!(
            "{name} can only be joined by invitation. Ask a manager or an owner to invite you."
        ),
        DomainError::Archived => format!(
            "{name} is archived, so nothing in it can change. An owner can unarchive it first."
        ),
        DomainError::NoRequest => format!(
            "That person has no pending request to join {name} (it may have been answered \
             already). Reload the page."
        ),
        DomainError::RoleMismatch { actual } => format!(
            "That person's role changed meanwhile: they are now {} {actual}. Reload the page and \
             decide again.",
            article(actual.as_str())
        ),
        DomainError::NameTaken => {
            "Another community already has this name. Choose another name.".to_owned()
        }
        DomainError::UsernameTaken => "That username is taken. Choose another username.".to_owned(),
        DomainError::EmailTaken => {
            "That email address belongs to another account. Use another address.".to_owned()
        }
        DomainError::Invalid { field, reason } => {
            format!(
                "The {} is not acceptable: {reason}. Correct it and try again.",
                field.replace('_', " ")
            )
        }
    }
}

fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_owner_is_told_what_to_do() {
        assert_eq!(
            words(&DomainError::LastOwner, Some("Bakers")),
            "You are the last owner of Bakers. Make someone else an owner, or transfer \
             ownership, before you leave."
        );
    }
}
