//! The config file: where it is, and what it says.
//!
//! `$XDG_CONFIG_HOME/needle/config.toml`, else `~/.config/needle/config.toml`
//! (on macOS too, as television and other terminal tools do; on Windows
//! `%APPDATA%\needle\config.toml`); `NEEDLE_CONFIG` names another file. A
//! missing file at the usual place is no config; a missing file that
//! `NEEDLE_CONFIG` names is an error.
//!
//! The file is read into a TOML document that keeps each key's place, so
//! that a bad value is an error naming the file, line and column, and an
//! unknown key is a warning naming it (the file is still used). What the
//! settings mean, and how flags and the environment override them, is in
//! `cli::settings`; key names (`[keys]`) are checked by the key table.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use toml::de::{DeTable, DeValue};

/// The variable that names another config file.
pub const CONFIG_VAR: &str = "NEEDLE_CONFIG";

/// The top-level settings, in the order `needle config` lists them.
pub const SETTINGS: [&str; 10] = [
    "content",
    "index",
    "limit",
    "per_article",
    "group",
    "theme",
    "color",
    "mouse",
    "history",
    "keys",
];

/// The interface's palette.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ThemeChoice {
    /// Light on a light background, dark on a dark one: as the terminal
    /// answers when asked for its background colour, else as its
    /// `COLORFGBG` says, else dark.
    #[default]
    Auto,
    /// For dark backgrounds.
    Dark,
    /// For light backgrounds.
    Light,
}

/// Whether to colour the output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always, even when piped.
    Always,
    /// Never.
    Never,
}

/// A place in the config file: `FILE:LINE:COLUMN` (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag (`--content`).
    Flag(&'static str),
    /// An environment variable (`NEEDLE_CONTENT`).
    Env(&'static str),
    /// The config file, at this place.
    File(Place),
    /// needle's own default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "flag {flag}"),
            Origin::Env(var) => write!(f, "environment {var}"),
            Origin::File(place) => write!(f, "config file, line {}", place.line),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A setting's value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    pub fn new(value: T, origin: Origin) -> Setting<T> {
        Setting { value, origin }
    }

    /// The first that is set of: a flag, an environment variable, the
    /// config file; else `default`.
    pub fn pick(
        flag: Option<(T, &'static str)>,
        env: Option<(T, &'static str)>,
        file: Option<&Located<T>>,
        default: T,
    ) -> Setting<T>
    where
        T: Clone,
    {
        if let Some((value, name)) = flag {
            Setting::new(value, Origin::Flag(name))
        } else if let Some((value, name)) = env {
            Setting::new(value, Origin::Env(name))
        } else if let Some(located) = file {
            Setting::new(located.value.clone(), Origin::File(located.place.clone()))
        } else {
            Setting::new(default, Origin::Default)
        }
    }
}

/// A value from the config file, and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub place: Place,
}

impl<T> Located<T> {
    pub fn at(value: T, place: &Place) -> Located<T> {
        Located {
            value,
            place: place.clone(),
        }
    }

    /// The same place, another value.
    pub fn map<U>(&self, f: impl FnOnce(&T) -> U) -> Located<U> {
        Located::at(f(&self.value), &self.place)
    }
}

/// One line of `[keys]`: an action and the keys it gets (none: unbound).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySetting {
    pub action: Located<String>,
    pub keys: Vec<Located<String>>,
}

/// What the config file says: each setting it sets, with its place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    pub content: Option<Located<PathBuf>>,
    pub index: Option<Located<PathBuf>>,
    pub limit: Option<Located<u32>>,
    pub per_article: Option<Located<u32>>,
    pub group: Option<Located<bool>>,
    pub theme: Option<Located<ThemeChoice>>,
    pub color: Option<Located<ColorChoice>>,
    pub mouse: Option<Located<bool>>,
    pub history: Option<Located<bool>>,
    pub keys: Vec<KeySetting>,
    /// Keys the file has that needle does not know, one message each.
    pub warnings: Vec<String>,
}

/// Where the config file is, and why there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigPath {
    /// `None` when no directory for it is known (no home directory).
    pub path: Option<PathBuf>,
    /// Named by `NEEDLE_CONFIG` (then it must exist).
    pub named: bool,
}

impl ConfigPath {
    /// From the environment of this process.
    pub fn from_env() -> ConfigPath {
        ConfigPath::with(|name| std::env::var_os(name), home_dir())
    }

    /// From an environment (`var`) and a home directory.
    pub fn with(var: impl Fn(&str) -> Option<OsString>, home: Option<PathBuf>) -> ConfigPath {
        let set = |name: &str| var(name).filter(|v| !v.is_empty());
        if let Some(file) = set(CONFIG_VAR) {
            return ConfigPath {
                path: Some(PathBuf::from(file)),
                named: true,
            };
        }
        let base = set("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| default_config_dir(home));
        ConfigPath {
            path: base.map(|dir| dir.join("needle").join("config.toml")),
            named: false,
        }
    }

    /// Reads and checks the file: `None` when there is none at the usual
    /// place.
    ///
    /// # Errors
    /// When the file cannot be read (or `NEEDLE_CONFIG` names a missing
    /// one), or a value in it is wrong: the message names the file, line
    /// and column.
    pub fn load(&self) -> Result<Option<ConfigFile>> {
        let Some(path) = &self.path else {
            return Ok(None);
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !self.named => return Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
                "{CONFIG_VAR} names {}, which does not exist: create it, or unset {CONFIG_VAR}",
                path.display()
            ),
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot read the config file {}", path.display()));
            }
        };
        parse(path, &text, home_dir().as_deref()).map(Some)
    }
}

/// `~/.config` on Unix (macOS too), the roaming application data folder on
/// Windows.
fn default_config_dir(home: Option<PathBuf>) -> Option<PathBuf> {
    if cfg!(windows) {
        directories::BaseDirs::new().map(|d| d.config_dir().to_owned())
    } else {
        home.map(|h| h.join(".config"))
    }
}

/// The user's home directory.
pub fn home_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.home_dir().to_owned())
}

/// Expands a leading `~` to `home`, and makes a relative path relative to
/// `base` (the config file's directory, or the working directory).
pub fn expand(path: &str, base: Option<&Path>, home: Option<&Path>) -> PathBuf {
    let expanded = match (path.strip_prefix('~'), home) {
        (Some(""), Some(home)) => home.to_owned(),
        (Some(rest), Some(home)) if rest.starts_with(['/', std::path::MAIN_SEPARATOR]) => {
            home.join(&rest[1..])
        }
        _ => PathBuf::from(path),
    };
    match base {
        Some(base) if expanded.is_relative() => base.join(expanded),
        _ => expanded,
    }
}

/// Reads a config file's text. `home` expands `~` in paths.
///
/// # Errors
/// When the text is not TOML, or a setting has a value of the wrong kind:
/// `FILE:LINE:COLUMN: what is wrong`.
pub fn parse(path: &Path, text: &str, home: Option<&Path>) -> Result<ConfigFile> {
    let place = |offset: usize| place_of(path, text, offset);
    let doc = DeTable::parse(text).map_err(|e| {
        let at = place(e.span().map_or(0, |s| s.start));
        anyhow::anyhow!("{at}: {}", e.message().trim_end())
    })?;
    let base = path.parent();
    let mut file = ConfigFile::default();
    for (key, value) in doc.get_ref() {
        let at = place(value.span().start);
        let name = key.get_ref().as_ref();
        let value = value.get_ref();
        match name {
            "content" => {
                let p = string(name, value, &at)?;
                file.content = Some(Located::at(expand(p, base, home), &at));
            }
            "index" => {
                let p = string(name, value, &at)?;
                file.index = Some(Located::at(expand(p, base, home), &at));
            }
            "limit" => file.limit = Some(Located::at(count(name, value, &at)?, &at)),
            "per_article" => file.per_article = Some(Located::at(count(name, value, &at)?, &at)),
            "group" => file.group = Some(Located::at(boolean(name, value, &at)?, &at)),
            "mouse" => file.mouse = Some(Located::at(boolean(name, value, &at)?, &at)),
            "history" => file.history = Some(Located::at(boolean(name, value, &at)?, &at)),
            "theme" => file.theme = Some(Located::at(choice(name, value, &at)?, &at)),
            "color" => file.color = Some(Located::at(choice(name, value, &at)?, &at)),
            "keys" => file.keys = keys(value, &at, &place)?,
            other => file.warnings.push(format!(
                "{}: unknown setting `{other}` (ignored); the settings are {}",
                place(key.span().start),
                SETTINGS.join(", ")
            )),
        }
    }
    Ok(file)
}

/// The 1-based line and column (in characters) of a byte offset.
fn place_of(path: &Path, text: &str, offset: usize) -> Place {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Place {
        path: path.to_owned(),
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

fn kind(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "a number",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "true or false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

fn string<'a>(name: &str, value: &'a DeValue<'_>, at: &Place) -> Result<&'a str> {
    match value {
        DeValue::String(s) if !s.trim().is_empty() => Ok(s.as_ref()),
        DeValue::String(_) => bail!("{at}: `{name}` is empty: give a path, or remove the line"),
        other => bail!(
            "{at}: `{name}` must be a path in quotes, not {}",
            kind(other)
        ),
    }
}

fn count(name: &str, value: &DeValue<'_>, at: &Place) -> Result<u32> {
    if let DeValue::Integer(n) = value
        && let Ok(n) = u32::from_str_radix(n.as_str(), n.radix())
        && n >= 1
    {
        return Ok(n);
    }
    bail!(
        "{at}: `{name}` must be a whole number from 1 to {}, not {}",
        u32::MAX,
        match value {
            DeValue::Integer(n) => n.as_str().to_owned(),
            other => kind(other).to_owned(),
        }
    )
}

fn boolean(name: &str, value: &DeValue<'_>, at: &Place) -> Result<bool> {
    match value {
        DeValue::Boolean(b) => Ok(*b),
        other => bail!("{at}: `{name}` must be true or false, not {}", kind(other)),
    }
}

fn choice<T: ValueEnum>(name: &str, value: &DeValue<'_>, at: &Place) -> Result<T> {
    let names: Vec<String> = T::value_variants()
        .iter()
        .filter_map(|v| {
            v.to_possible_value()
                .map(|p| format!("\"{}\"", p.get_name()))
        })
        .collect();
    match value {
        DeValue::String(s) => T::from_str(s, true).map_err(|_| {
            anyhow::anyhow!(
                "{at}: `{name}` must be one of {}, not \"{s}\"",
                names.join(", ")
            )
        }),
        other => bail!(
            "{at}: `{name}` must be one of {}, not {}",
            names.join(", "),
            kind(other)
        ),
    }
}

/// `[keys]`: `action = "key"` or `action = ["key", ...]` (`[]` unbinds).
fn keys(
    value: &DeValue<'_>,
    at: &Place,
    place: &dyn Fn(usize) -> Place,
) -> Result<Vec<KeySetting>> {
    let DeValue::Table(table) = value else {
        bail!("{at}: `keys` must be a table: a `[keys]` line, then `action = \"key\"` lines");
    };
    let mut out = Vec::new();
    for (action, keys) in table {
        let name = action.get_ref().as_ref();
        let key_at = place(keys.span().start);
        let one = |v: &DeValue<'_>, at: Place| match v {
            DeValue::String(s) => Ok(Located {
                value: s.to_string(),
                place: at,
            }),
            other => bail!(
                "{at}: the keys of `{name}` must be written in quotes (\"ctrl-o\"), not as {}",
                kind(other)
            ),
        };
        let keys = match keys.get_ref() {
            DeValue::Array(list) => list
                .iter()
                .map(|k| one(k.get_ref(), place(k.span().start)))
                .collect::<Result<Vec<_>>>()?,
            other => vec![one(other, key_at)?],
        };
        out.push(KeySetting {
            action: Located {
                value: name.to_owned(),
                place: place(action.span().start),
            },
            keys,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<ConfigFile> {
        parse(
            Path::new("/cfg/needle/config.toml"),
            text,
            Some(Path::new("/home/me")),
        )
    }

    #[test]
    fn every_setting_is_read_with_its_place() {
        let file = read(
            "content = \"~/notes\"\nindex = \"idx\"\nlimit = 20\nper_article = 2\n\
             group = true\ntheme = \"light\"\ncolor = \"never\"\nmouse = false\nhistory = false\n\
             [keys]\nopen = \"ctrl-e\"\naccept = [\"enter\", \"ctrl-m\"]\nreindex = []\n",
        )
        .unwrap();
        let content = file.content.unwrap();
        assert_eq!(content.value, Path::new("/home/me/notes"));
        assert_eq!((content.place.line, content.place.column), (1, 11));
        // A relative path is relative to the file's directory.
        assert_eq!(file.index.unwrap().value, Path::new("/cfg/needle/idx"));
        assert_eq!(file.limit.unwrap().value, 20);
        assert_eq!(file.per_article.unwrap().value, 2);
        assert!(file.group.unwrap().value);
        assert_eq!(file.theme.unwrap().value, ThemeChoice::Light);
        assert_eq!(file.color.unwrap().value, ColorChoice::Never);
        assert!(!file.mouse.unwrap().value);
        assert!(!file.history.unwrap().value);
        let keys: Vec<(String, Vec<String>)> = file
            .keys
            .iter()
            .map(|k| {
                (
                    k.action.value.clone(),
                    k.keys.iter().map(|k| k.value.clone()).collect(),
                )
            })
            .collect();
        assert!(keys.contains(&("open".into(), vec!["ctrl-e".into()])));
        assert!(keys.contains(&("accept".into(), vec!["enter".into(), "ctrl-m".into()])));
        assert!(keys.contains(&("reindex".into(), vec![])));
        assert!(file.warnings.is_empty());
    }

    #[test]
    fn a_syntax_error_names_the_file_line_and_column() {
        let err = read("limit = 3\ntheme = \"dark\nmouse = true\n").unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("/cfg/needle/config.toml:2:"),
            "{message}"
        );
    }

    #[test]
    fn a_wrong_value_names_its_line_and_column_and_what_to_write() {
        let err = read("\n\nlimit = \"ten\"\n").unwrap_err().to_string();
        assert_eq!(
            err,
            "/cfg/needle/config.toml:3:9: `limit` must be a whole number from 1 to 4294967295, not a string"
        );
        let err = read("limit = 0").unwrap_err().to_string();
        assert!(err.ends_with("not 0"), "{err}");
        let err = read("theme = \"blue\"").unwrap_err().to_string();
        assert_eq!(
            err,
            "/cfg/needle/config.toml:1:9: `theme` must be one of \"auto\", \"dark\", \"light\", not \"blue\""
        );
        let err = read("mouse = \"no\"").unwrap_err().to_string();
        assert!(
            err.contains("`mouse` must be true or false, not a string"),
            "{err}"
        );
        let err = read("[keys]\nopen = 5\n").unwrap_err().to_string();
        assert!(err.starts_with("/cfg/needle/config.toml:2:8: "), "{err}");
        let err = read("keys = 5").unwrap_err().to_string();
        assert!(err.contains("`keys` must be a table"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_a_warning_that_names_it() {
        let file = read("limit = 5\ncolour = \"never\"\n").unwrap();
        assert_eq!(file.limit.unwrap().value, 5);
        assert_eq!(file.warnings.len(), 1);
        assert!(
            file.warnings[0]
                .starts_with("/cfg/needle/config.toml:2:1: unknown setting `colour` (ignored)"),
            "{}",
            file.warnings[0]
        );
    }

    #[test]
    fn the_file_is_found_by_needle_config_then_xdg_then_home() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        let home = Some(PathBuf::from("/home/me"));
        let named = ConfigPath::with(
            env(&[("NEEDLE_CONFIG", "/etc/n.toml"), ("XDG_CONFIG_HOME", "/x")]),
            home.clone(),
        );
        assert_eq!(named.path.as_deref(), Some(Path::new("/etc/n.toml")));
        assert!(named.named);
        let xdg = ConfigPath::with(env(&[("XDG_CONFIG_HOME", "/x")]), home.clone());
        assert_eq!(
            xdg.path.as_deref(),
            Some(Path::new("/x/needle/config.toml"))
        );
        assert!(!xdg.named);
        // A relative XDG_CONFIG_HOME is ignored, as the spec says; so is an
        // empty NEEDLE_CONFIG.
        let relative = ConfigPath::with(
            env(&[("XDG_CONFIG_HOME", "rel"), ("NEEDLE_CONFIG", "")]),
            home,
        );
        if !cfg!(windows) {
            assert_eq!(
                relative.path.as_deref(),
                Some(Path::new("/home/me/.config/needle/config.toml"))
            );
        }
    }

    #[test]
    fn tilde_and_relative_paths_expand() {
        let home = Some(Path::new("/home/me"));
        assert_eq!(expand("~", None, home), Path::new("/home/me"));
        assert_eq!(expand("~/a", None, home), Path::new("/home/me/a"));
        assert_eq!(expand("~x", None, home), Path::new("~x"));
        assert_eq!(expand("a", Some(Path::new("/b")), home), Path::new("/b/a"));
        assert_eq!(expand("/a", Some(Path::new("/b")), home), Path::new("/a"));
    }
}
