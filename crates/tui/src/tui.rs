//! The terminal interface (being built).

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::TuiArgs;
use crate::location::Resolved;

pub fn run(_content: &Resolved, _args: &TuiArgs) -> Result<ExitCode> {
    eprintln!("needle: the terminal interface is not built yet; try `needle search WORDS`");
    Ok(ExitCode::from(2))
}
