//! Canonical identifiers. Each community and user has one UUID; dialects
//! render it in the form their clients know (32 hex digits, hyphenated, …).

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random id.
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }

            /// 32 lowercase hex digits, no hyphens (Whisk's form).
            pub fn simple(&self) -> String {
                self.0.simple().to_string()
            }

            /// Accepts both the hyphenated and the 32-hex-digit forms.
            pub fn parse(text: &str) -> Option<Self> {
                Uuid::try_parse(text).ok().map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

id_type!(
    /// A user's canonical id.
    UserId
);
id_type!(
    /// A community's canonical id.
    CommunityId
);
