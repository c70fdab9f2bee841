//! `needle`'s command line and terminal interface, as a library.
//!
//! The `needle` binary (`src/main.rs`) is a thin shell: it parses a [`Cli`],
//! calls [`run`] and turns an error into a message and exit code 2. The
//! library exists so that the interface can also be driven without a
//! terminal: [`Headless`] feeds key presses through the same key table,
//! state and search code as the terminal interface, and draws each frame
//! into ratatui's `TestBackend` (the keystroke-to-frame benchmark in
//! `benches/keystroke.rs` does exactly that).
//!
//! The modules are private and split by role:
//!
//! - `cli`: the command line: the arguments (clap), what commands print for
//!   people, and one module per subcommand (`index`, `search`, `list`,
//!   `watch`, `bench`, `eval`).
//! - `tui`: the terminal interface: `action` (what can happen), `app` (the
//!   state and how each action changes it), `keys` (the key table, which the
//!   help is generated from), `ui` (pure drawing), `worker` (searches and
//!   reindexes off the UI thread), and the terminal, its signals and the
//!   event loop.
//! - `workspace`: what both use: where the content and the index are, and
//!   opening the index and bringing it up to date.
//! - `hints`: what the binary adds to the library's errors where it
//!   reports them: the command or flag that recovers (`needle index
//!   --force`, `--content`, `--index`); the library says what failed in its
//!   own terms.
//! - `json`: the JSON both print (`needle search --json`, the interface's
//!   `--output json`).
//!
//! # Example
//!
//! ```
//! use clap::Parser;
//!
//! // `needle topics --json` on the bundled article, in a throwaway index.
//! let dir = tempfile::tempdir().unwrap();
//! let index = dir.path().to_str().unwrap();
//! let cli = needle::Cli::try_parse_from(["needle", "--index", index, "topics", "--json"])
//!     .unwrap();
//! let code = needle::run(cli).unwrap();
//! assert_eq!(code, std::process::ExitCode::SUCCESS);
//! ```

mod beacon;
mod cli;
mod config;
mod editor;
mod hints;
mod history;
mod interrupt;
mod json;
mod live;
mod mcp;
mod serve;
mod tui;
mod watcher;
mod workspace;

use std::process::ExitCode;

pub use crate::cli::{Cli, percentile};
pub use crate::hints::error_message;
pub use crate::tui::Headless;

/// Runs the command `cli` names (the terminal interface when it names none)
/// and returns its exit code: 0 success (a search with hits, a passage
/// chosen), 1 a search without hits, 130 when the interface is quit without
/// a choice, 128 + the signal's number when SIGTERM or SIGHUP ends it.
///
/// # Errors
/// Whatever stopped the command: the caller prints it and exits 2.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    cli::run(cli)
}
