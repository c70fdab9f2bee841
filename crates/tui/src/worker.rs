//! See the TUI issue.
