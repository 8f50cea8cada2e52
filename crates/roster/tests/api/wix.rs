//! Tests of the wix API (being written).
