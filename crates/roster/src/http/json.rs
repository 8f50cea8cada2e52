//! JSON bodies parsed by hand, so that every dialect can report a bad body in
//! its own error shape (axum's `Json` extractor answers in plain text).
//!
//! Every body is a JSON object (or empty, which reads as `{}`): serde would
//! otherwise read a struct from a top-level array by position (`["x"]` as
//! `{"name":"x"}`), which no client of any dialect means.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

/// A JSON Schema `integer` as serde reads it into an `i64`: JSON Schema
/// counts `3.0` as an integer, serde's `i64` does not, so a whole number
/// written with a fraction part is read as that number (`3.5` is still
/// refused).
pub fn integer<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let number = serde_json::Number::deserialize(d)?;
    number
        .as_i64()
        .or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        })
        .ok_or_else(|| serde::de::Error::custom(format!("{number} is not a whole number")))
}

/// [`integer`] for an optional field (absent or `null`: `None`).
pub fn optional_integer<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Whole(#[serde(deserialize_with = "integer")] i64);
    Ok(Option::<Whole>::deserialize(d)?.map(|w| w.0))
}

/// Why a body could not be read as the expected JSON.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("the body is not valid JSON: {0}")]
    Syntax(String),
    #[error("the body does not match the expected shape: {0}")]
    Shape(String),
}

/// What [`BodyError::Shape`] says of valid JSON that is not an object.
pub const NOT_AN_OBJECT: &str = "the body must be a JSON object";

/// Parse a JSON object body; an empty body reads as `{}`, and any other
/// top-level value (array, string, number, `null`) is a shape error.
///
/// The body is read as a JSON value first, so that every syntax error is
/// [`BodyError::Syntax`] and every mismatch [`BodyError::Shape`] (serde_json
/// reading straight into a type reports some mismatches, such as an array
/// where an enum belongs, as syntax errors).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, BodyError> {
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(body).map_err(|e| BodyError::Syntax(e.to_string()))?
    };
    if !value.is_object() {
        return Err(BodyError::Shape(NOT_AN_OBJECT.to_owned()));
    }
    T::deserialize(value).map_err(|e| BodyError::Shape(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_engine::Role;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Named {
        #[allow(dead_code)]
        name: String,
    }

    #[test]
    fn objects_and_empty_bodies_parse() {
        assert!(parse::<Named>(br#" {"name": "x"} "#).is_ok());
        assert!(parse::<Map<String, Value>>(b" \n").is_ok_and(|m| m.is_empty()));
    }

    #[test]
    fn other_top_level_values_are_shape_errors() {
        for body in [&br#"["x"]"#[..], b"\"x\"", b"12", b"null", b" [] "] {
            assert!(
                matches!(parse::<Named>(body), Err(BodyError::Shape(ref m)) if m == NOT_AN_OBJECT),
                "{body:?}"
            );
            assert!(
                matches!(parse::<Value>(body), Err(BodyError::Shape(_))),
                "{body:?}"
            );
        }
    }

    #[test]
    fn a_mismatch_inside_an_object_is_a_shape_error() {
        #[derive(Debug, Deserialize)]
        struct Roled {
            #[allow(dead_code)]
            role: Role,
        }
        for body in [&br#"{"role": [1]}"#[..], br#"{"role": "king"}"#, b"{}"] {
            assert!(
                matches!(parse::<Roled>(body), Err(BodyError::Shape(_))),
                "{body:?}"
            );
        }
    }

    #[test]
    fn broken_json_is_a_syntax_error() {
        for body in [&b"[1,"[..], b"{", b"nope", b"\x0c{}", b"\0"] {
            assert!(
                matches!(parse::<Value>(body), Err(BodyError::Syntax(_))),
                "{body:?}"
            );
        }
    }
}
