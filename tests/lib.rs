//! End-to-end tests for needle live in `e2e/`; this library is empty.
