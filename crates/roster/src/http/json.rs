//! JSON bodies parsed by hand, so that every dialect can report a bad body in
//! its own error shape (axum's `Json` extractor answers in plain text).

use serde::de::DeserializeOwned;

/// Why a body could not be read as the expected JSON.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("the body is not valid JSON: {0}")]
    Syntax(String),
    #[error("the body does not match the expected shape: {0}")]
    Shape(String),
}

/// Parse a JSON body; an empty body reads as `{}`.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, BodyError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            BodyError::Shape(e.to_string())
        } else {
            BodyError::Syntax(e.to_string())
        }
    })
}
