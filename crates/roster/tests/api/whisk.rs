//! Tests of the whisk API (being written).
