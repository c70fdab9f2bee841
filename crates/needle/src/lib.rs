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
//! The modules are private and split by role: `action` (what can happen),
//! `app` (the state and how each action changes it), `keys` (the key table,
//! which the help overlay is generated from), `ui` (pure drawing), `worker`
//! (searches and reindexes off the UI thread) and `tui` (owns the terminal
//! and runs the event loop).
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

mod action;
mod app;
mod cli;
mod commands;
mod headless;
mod keys;
mod layout;
mod location;
mod output;
#[cfg(test)]
mod testing;
mod text;
mod theme;
mod tui;
mod ui;
mod worker;

use std::process::ExitCode;

pub use crate::cli::Cli;
pub use crate::commands::percentile;
pub use crate::headless::Headless;

use crate::cli::Command;

/// Runs the command `cli` names (the terminal interface when it names none)
/// and returns its exit code: 0 success (a search with hits, a passage
/// chosen), 1 a search without hits, 130 when the interface is quit without
/// a choice, 128 + the signal's number when SIGTERM or SIGHUP ends it.
///
/// # Errors
/// Whatever stopped the command: the caller prints it and exits 2.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Some(Command::Eval(args)) = &cli.command {
        // An evaluation brings its own corpus and a temporary index.
        return commands::eval(cli.location.content.as_deref(), args);
    }
    let content = location::resolve(&cli.location)?;
    match cli.command {
        None => tui::run(&content, &cli.tui),
        Some(Command::Tui(args)) => tui::run(&content, &args),
        Some(Command::Index { force, json }) => commands::index(&content, force, json),
        Some(Command::Search(args)) => commands::search(&content, &args),
        Some(Command::Topics { json }) => commands::topics(&content, json),
        Some(Command::Articles { json }) => commands::articles(&content, json),
        Some(Command::Watch { json }) => commands::watch(&content, json),
        Some(Command::Bench(args)) => commands::bench(&content, &args),
        Some(Command::Eval(_)) => unreachable!("handled above"),
    }
}
