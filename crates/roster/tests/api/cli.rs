//! Tests of the cli API (being written).
