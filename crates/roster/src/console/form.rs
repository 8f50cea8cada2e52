//! A console form body (`application/x-www-form-urlencoded`), read by
//! hand so that a malformed or foreign body is a console page with a 4xx,
//! never a 500.

use super::Failure;
use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};

/// The fields of one posted form, in order.
#[derive(Debug, Default)]
pub struct Form(Vec<(String, String)>);

impl Form {
    /// Read the body; another content type is 415.
    pub fn read(headers: &HeaderMap, body: &Bytes) -> Result<Form, Failure> {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(Failure::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "This form cannot be read",
                "The console takes forms as application/x-www-form-urlencoded.",
            ));
        }
        Ok(Form(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }

    /// The first value of a field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// A field's value, or a 400 naming it.
    pub fn required(&self, name: &str) -> Result<&str, Failure> {
        self.get(name)
            .ok_or_else(|| Failure::bad_form(format!("The field '{name}' is missing.")))
    }

    /// Is a checkbox ticked?
    pub fn ticked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}
