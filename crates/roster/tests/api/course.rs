//! Tests of the course API (being written).
