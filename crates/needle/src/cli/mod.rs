//! The command line: the arguments (`args`), what commands print
//! (`output`), and one module per subcommand. With no subcommand, the
//! terminal interface runs (see [`crate::tui`]).

mod args;
mod bench;
mod compare;
mod eval;
mod get;
mod index;
mod list;
mod output;
mod search;
mod watch;

use std::process::ExitCode;

use anyhow::Result;

pub use args::Cli;
pub use bench::percentile;

use crate::cli::args::Command;
use crate::{tui, workspace};

/// Runs the command `cli` names (see [`crate::run`]).
pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Some(Command::Eval(args)) = &cli.command {
        // An evaluation brings its own corpus and a temporary index.
        return eval::run(cli.location.content.as_deref(), args);
    }
    let content = workspace::resolve(&cli.location)?;
    match cli.command {
        None => tui::run(&content, &cli.tui),
        Some(Command::Tui(args)) => tui::run(&content, &args),
        Some(Command::Index { force, json }) => index::run(&content, force, json),
        Some(Command::Search(args)) => search::run(&content, &args),
        Some(Command::Get(args)) => get::run(&content, &args),
        Some(Command::Topics { json }) => list::topics(&content, json),
        Some(Command::Articles { json }) => list::articles(&content, json),
        Some(Command::Watch { json }) => watch::run(&content, json),
        Some(Command::Mcp) => crate::mcp::run(&content),
        Some(Command::Serve(args)) => crate::serve::run(&content, &args),
        Some(Command::Bench(args)) => bench::run(&content, &args),
        Some(Command::Eval(_)) => unreachable!("handled above"),
    }
}
