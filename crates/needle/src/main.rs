//! `needle`: ranked full-text search over article passages.
//!
//! `main` parses the arguments, runs the command (`needle::run`: the
//! library's `cli` module, or its `tui` when no subcommand is given) and
//! maps the outcome to an exit code: 0 success (a search with hits), 1 a
//! search without, 2 an error (one message on stderr), 130 when the
//! interface is quit without a choice, 143 and 129 when SIGTERM or SIGHUP
//! ends it (128 + the signal's number). The message is the error, its
//! causes, and the hint that names the command or flag that recovers
//! (`needle::error_message`).

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use needle::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match needle::run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let mut stderr = std::io::stderr().lock();
            let message = needle::error_message(&err);
            let _ = writeln!(stderr, "needle: error: {message}");
            ExitCode::from(2)
        }
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
