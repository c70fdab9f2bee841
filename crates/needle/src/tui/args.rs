//! The terminal interface's options (clap derive): `needle` takes them
//! with no subcommand, and so does `needle tui`.

use clap::{Args, ValueEnum};

use crate::config::ThemeChoice;

/// Options of the terminal interface.
#[derive(Debug, Clone, Args)]
pub struct TuiArgs {
    /// Start with this query.
    #[arg(long, short = 'q', value_name = "QUERY")]
    pub query: Option<String>,

    /// Start with this topic filter (for example side-effects).
    #[arg(long, short = 't', value_name = "TOPIC")]
    pub topic: Option<String>,

    /// What Enter prints: the passage's text, or its hit as JSON (the same
    /// object as in `needle search --json`).
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,

    /// Start with at most N passages per article (Ctrl-G turns the cap off
    /// and on again), so that one page that repeats the words does not fill
    /// the list.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub per_article: Option<u32>,

    /// The palette: dark, light, or auto (from the background colour the
    /// terminal reports, else its COLORFGBG, else dark) [default: `theme` in
    /// the config file, else auto].
    #[arg(long, value_enum, value_name = "THEME")]
    pub theme: Option<ThemeChoice>,

    /// Leave the mouse to the terminal (its own text selection works; no
    /// clicks or wheel in the interface).
    #[arg(long)]
    pub no_mouse: bool,

    /// Do not read or add to the query history (`history = false` in the
    /// config file does the same).
    #[arg(long)]
    pub no_history: bool,
}

/// What the interface prints on Enter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// The passage's text.
    Text,
    /// The hit as one JSON object.
    Json,
}
