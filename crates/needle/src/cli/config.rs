//! `needle config`: the effective settings, each with where it came from;
//! `needle config --path`: the config file's path.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::cli::settings::Settings;
use crate::config::{CONFIG_VAR, ColorChoice, Origin, Setting, ThemeChoice};
use crate::history::History;
use crate::tui::{Background, KeyMap, key_labels};
use crate::workspace;

/// Prints the config file's path (whether or not the file exists).
pub fn path(config: &crate::config::ConfigPath) -> Result<ExitCode> {
    let Some(path) = &config.path else {
        bail!("no config file: there is no home directory; set {CONFIG_VAR} to name one");
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", path.display())?;
    Ok(ExitCode::SUCCESS)
}

/// Prints every setting: its value, and where it came from.
pub fn show(settings: &Settings, keys: &KeyMap, drafts: bool) -> Result<ExitCode> {
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let mut row = |name: &str, value: String, origin: String| {
        rows.push((name.to_owned(), value, origin));
    };

    let file = match (&settings.config.path, settings.config_found) {
        (Some(p), true) => format!("{} (read)", p.display()),
        (Some(p), false) => format!("{} (none there)", p.display()),
        (None, _) => "(no home directory)".to_owned(),
    };
    let file_origin = if settings.config.named {
        Origin::Env(CONFIG_VAR).to_string()
    } else {
        Origin::Default.to_string()
    };
    row("config file", file, file_origin);

    // The content and index as the commands would use them.
    match workspace::resolve(&settings.content, &settings.index, drafts) {
        Ok(resolved) => {
            let content_origin = match (&settings.content.origin, &resolved.watch) {
                (Origin::Default, Some(_)) => "default (./content)".to_owned(),
                (Origin::Default, None) => "default (no ./content here)".to_owned(),
                (origin, _) => origin.to_string(),
            };
            row("content", resolved.label.clone(), content_origin);
            let index_origin = match &settings.index.origin {
                Origin::Default => "default (one per content, in the cache)".to_owned(),
                origin => origin.to_string(),
            };
            row(
                "index",
                resolved.index_dir.display().to_string(),
                index_origin,
            );
        }
        Err(e) => {
            let shown = |s: &Setting<Option<std::path::PathBuf>>| {
                s.value
                    .as_ref()
                    .map_or_else(|| "(default)".to_owned(), |p| p.display().to_string())
            };
            row(
                "content",
                format!("{} ✗ {e:#}", shown(&settings.content)),
                settings.content.origin.to_string(),
            );
            row(
                "index",
                shown(&settings.index),
                settings.index.origin.to_string(),
            );
        }
    }
    row(
        "limit",
        settings.limit.value.to_string(),
        settings.limit.origin.to_string(),
    );
    row(
        "per_article",
        settings
            .per_article
            .value
            .map_or_else(|| "off".to_owned(), |n| n.to_string()),
        settings.per_article.origin.to_string(),
    );
    row(
        "group",
        settings.group.value.to_string(),
        settings.group.origin.to_string(),
    );
    let theme = match settings.theme.value {
        ThemeChoice::Auto => {
            // The terminal is asked only when the output goes to it: behind
            // a pipe, a pager may be reading the same terminal.
            let background = if std::io::stdout().is_terminal() {
                Background::detect()
            } else {
                Background::from_env()
            };
            format!("auto (here: {})", background.describe())
        }
        other => name(other),
    };
    row("theme", theme, settings.theme.origin.to_string());
    row(
        "color",
        name::<ColorChoice>(settings.color.value),
        settings.color.origin.to_string(),
    );
    row(
        "mouse",
        settings.mouse.value.to_string(),
        settings.mouse.origin.to_string(),
    );
    let history = if settings.history.value {
        History::default_path().map_or_else(
            || "true (no home directory: off)".to_owned(),
            |p| format!("true ({})", p.display()),
        )
    } else {
        "false".to_owned()
    };
    row("history", history, settings.history.origin.to_string());
    for setting in &settings.keys {
        let name = &setting.action.value;
        if let Some(b) = keys.bindings().iter().find(|b| b.name == name.as_str()) {
            let value = if b.keys.is_empty() {
                "(none)".to_owned()
            } else {
                key_labels(&b.keys)
            };
            row(
                &format!("keys.{name}"),
                value,
                Origin::File(setting.action.place.clone()).to_string(),
            );
        }
    }

    let name_width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let value_width = rows
        .iter()
        .map(|r| r.1.chars().count())
        .max()
        .unwrap_or(0)
        .min(60);
    let mut out = std::io::stdout().lock();
    for (name, value, origin) in rows {
        writeln!(out, "{name:name_width$}  {value:value_width$}  {origin}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A choice as the flag and the file write it (`auto`, `light`).
fn name<T: clap::ValueEnum>(value: T) -> String {
    value
        .to_possible_value()
        .map_or_else(String::new, |p| p.get_name().to_owned())
}
