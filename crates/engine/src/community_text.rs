//! What a community's name, description and a ban's reason may hold: the
//! text rules every settings change and creation is checked against, apart
//! from the transition table in [`crate::decide`].

use crate::error::DomainError;
use crate::model::Settings;

/// Longest community name, in characters.
pub const MAX_NAME: usize = 100;
/// Longest community description, in characters.
pub const MAX_DESCRIPTION: usize = 2000;

/// Names and descriptions: trimmed, bounded, no control characters
/// (descriptions may hold line breaks and tabs).
pub fn validate_settings(settings: &Settings) -> Result<(), DomainError> {
    if settings.name.trim().is_empty() || settings.name.trim() != settings.name {
        return Err(DomainError::Invalid {
            field: "name",
            reason: "must not be empty or start or end with spaces",
        });
    }
    validate_text("name", &settings.name, MAX_NAME, false)?;
    validate_text("description", &settings.description, MAX_DESCRIPTION, true)
}

pub(crate) fn validate_text(
    field: &'static str,
    text: &str,
    max: usize,
    multiline: bool,
) -> Result<(), DomainError> {
    if text.chars().count() > max {
        return Err(DomainError::Invalid {
            field,
            reason: "too long",
        });
    }
    let allowed = |c: char| !c.is_control() || (multiline && matches!(c, '\n' | '\t' | '\r'));
    if !text.chars().all(allowed) {
        return Err(DomainError::Invalid {
            field,
            reason: "must not contain control characters",
        });
    }
    Ok(())
}
