//! Row keys as types: a community's and a user's integer number (the
//! primary keys the membership rows join on), so that the write flow's
//! SQL primitives (`CommandTx`) cannot be handed a user where a community
//! belongs, or the two swapped. The backends unwrap them (`.0`) only at
//! the SQL parameter.

/// A community's row number (`communities.num`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct CommunityNum(pub(crate) i64);

/// A user's row number (`users.num`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct UserNum(pub(crate) i64);
