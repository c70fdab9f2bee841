//! `needle open ID`: the source file of a passage (at its line) or of an
//! article, in `$VISUAL` or `$EDITOR` (see [`crate::editor`]).

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::cli::args::OpenArgs;
use crate::cli::get::not_found;
use crate::editor::{self, editor_from_env};
use crate::workspace::{Resolved, open_index, refresh};

/// Exit code when the id names nothing.
const NOT_FOUND: u8 = 1;

pub fn run(content: &Resolved, args: &OpenArgs) -> Result<ExitCode> {
    let index = open_index(&content.index_dir, false)?;
    if !args.no_refresh || index.passage_count() == 0 {
        refresh(&index, content)?;
    }
    let (article, line) = if let Some(p) = index.passage_with_context(&args.id, 0)? {
        (p.passage.article, p.passage.line)
    } else if let Some(a) = index.article(&args.id)? {
        (a.id, None)
    } else {
        eprintln!("needle: {}", not_found(&args.id));
        return Ok(ExitCode::from(NOT_FOUND));
    };
    let target = match editor::locate(&index, content, &article, line) {
        Ok(target) => target,
        Err(why) => bail!("cannot open {}: {why}", args.id),
    };
    editor::run(&editor_from_env(), &target)?;
    Ok(ExitCode::SUCCESS)
}
