//! Tests of the server API (being written).
