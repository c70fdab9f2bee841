//! `needle`: ranked full-text search over article passages.
//!
//! `main` parses the arguments, runs the command and maps the outcome to an
//! exit code: 0 success (a search with hits), 1 a search without, 2 an error
//! (one message on stderr), 130 when the interface is quit without a choice.

mod action;
mod app;
mod cli;
mod commands;
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

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let mut stderr = std::io::stderr().lock();
            let mut message = err.to_string();
            for cause in err.chain().skip(1) {
                let cause = cause.to_string();
                // An error that quotes its cause (a damaged index does) has
                // said it, and what lies under it: stop, not say it thrice.
                if message.contains(&cause) {
                    break;
                }
                message.push_str(": ");
                message.push_str(&cause);
            }
            let _ = writeln!(stderr, "needle: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
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

/// A closed pipe (`needle search x | head -1`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
