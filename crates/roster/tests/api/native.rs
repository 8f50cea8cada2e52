//! Tests of the native API (being written).
