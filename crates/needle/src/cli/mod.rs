//! The command line: the arguments (`args`), what commands print
//! (`output`), and one module per subcommand. With no subcommand, the
//! terminal interface runs (see [`crate::tui`]).

mod args;
mod bench;
mod compare;
mod config;
mod docs;
mod eval;
mod get;
mod index;
mod list;
mod open;
mod output;
mod search;
mod settings;
mod watch;

use std::process::ExitCode;

use anyhow::Result;

pub use args::Cli;
pub use bench::percentile;

use crate::cli::args::Command;
use crate::cli::output::color_stdout;
use crate::cli::settings::{Settings, tui_args};
use crate::config::ConfigPath;
use crate::history::{History, MAX_ENTRIES};
use crate::{tui, workspace};

/// Runs the command `cli` names (see [`crate::run`]).
pub fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        // An evaluation brings its own corpus and a temporary index.
        Some(Command::Eval(args)) => return eval::run(cli.location.content.as_deref(), args),
        // What a packager runs needs no content, index or settings.
        Some(Command::Completions { shell }) => {
            docs::completions(*shell)?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Man) => {
            docs::man()?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let config = ConfigPath::from_env();
    if let Some(Command::Config { path: true }) = &cli.command {
        return config::path(&config);
    }
    let file = config.load()?;
    for warning in file.iter().flat_map(|f| &f.warnings) {
        eprintln!("needle: warning: {warning}");
    }
    let settings = Settings::resolve(&cli, config, file.as_ref());
    // The key table is checked for every command, so that a mistake in
    // the file shows at once.
    let (keys, key_warnings) = tui::KeyMap::from_config(&settings.keys)?;
    for warning in key_warnings {
        eprintln!("needle: warning: {warning}");
    }
    if let Some(Command::Config { .. }) = &cli.command {
        return config::show(&settings, &keys, cli.location.drafts);
    }
    let content = workspace::resolve(&settings.content, &settings.index, cli.location.drafts)?;
    let prefs = || tui::Prefs {
        // Asks the terminal, for `--theme auto`, before the interface
        // reads keys.
        theme: tui::Theme::choose(settings.theme.value, settings.color.value, || {
            tui::Background::detect().light
        }),
        mouse: settings.mouse.value,
        keys: keys.clone(),
        history: settings
            .history
            .value
            .then(History::default_path)
            .flatten()
            .map(|path| History::new(path, MAX_ENTRIES)),
        per_article: settings.per_article.value,
    };
    let color = color_stdout(settings.color.value);
    match cli.command {
        None | Some(Command::Tui(_)) => tui::run(&content, tui_args(&cli), &prefs()),
        Some(Command::Index { paths, force, json }) => index::run(&content, &paths, force, json),
        Some(Command::Search(args)) => search::run(
            &content,
            &args,
            &search::Options {
                limit: settings.limit.value,
                per_article: settings.per_article.value,
                group: settings.group.value,
                color,
            },
        ),
        Some(Command::Open(args)) => open::run(&content, &args),
        Some(Command::Get(args)) => get::run(&content, &args),
        Some(Command::Topics { json }) => list::topics(&content, json),
        Some(Command::Articles { json }) => list::articles(&content, json),
        Some(Command::Watch { json }) => watch::run(&content, json),
        Some(Command::Mcp) => crate::mcp::run(&content),
        Some(Command::Serve(args)) => crate::serve::run(&content, &args),
        Some(Command::Bench(args)) => bench::run(&content, &args),
        Some(
            Command::Eval(_) | Command::Completions { .. } | Command::Man | Command::Config { .. },
        ) => {
            unreachable!("handled above")
        }
    }
}
