//! Tests of the rocketchat API (being written).
