//! The one codec of opaque paging cursors: base64url (no padding) of a
//! short text each list route chooses (the native API's `c1.<key>`,
//! Whisk's `<number>:<offset>`), so that clients take them as opaque and
//! every route reads back only what it issued.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// The cursor a client is given for `position`.
pub fn encode(position: &str) -> String {
    URL_SAFE_NO_PAD.encode(position)
}

/// The position a cursor holds; `None` when it is not base64url of UTF-8.
pub fn decode(cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes).ok()
}
