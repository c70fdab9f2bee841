//! `needle completions SHELL` and `needle man`: a shell's completion script
//! and the roff manual page, generated from the same clap definitions the
//! parser uses, so they never list a flag needle does not have. Both print
//! on standard output; packagers redirect it (see the README).

use std::io::{self, Write};

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::args::Cli;

/// Prints the completion script for `shell`.
pub fn completions(shell: Shell) -> Result<()> {
    let mut out = io::stdout().lock();
    clap_complete::generate(shell, &mut Cli::command(), "needle", &mut out);
    out.flush().context("writing the completion script")
}

/// Prints the manual page (roff), section 1.
pub fn man() -> Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .context("rendering the manual page")?;
    let mut out = io::stdout().lock();
    out.write_all(&page)?;
    out.flush().context("writing the manual page")
}
