//! The effective settings: each from a flag, else the environment, else the
//! config file, else needle's default, with where it came from (which
//! `needle config` prints).

use std::ffi::OsString;
use std::path::PathBuf;

use crate::cli::args::{Cli, Command};
use crate::config::{
    ColorChoice, ConfigFile, ConfigPath, KeySetting, Located, Setting, ThemeChoice, expand,
    home_dir,
};
use crate::tui::TuiArgs;

/// The hits `needle search` prints when nothing says otherwise.
pub const DEFAULT_LIMIT: u32 = 10;

/// Every setting, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the config file is (whether or not it exists).
    pub config: ConfigPath,
    /// Whether a config file was read.
    pub config_found: bool,
    /// The content to search; `None`: `./content` if it exists, else the
    /// bundled article.
    pub content: Setting<Option<PathBuf>>,
    /// The index directory; `None`: one per content source in the cache.
    pub index: Setting<Option<PathBuf>>,
    pub limit: Setting<u32>,
    pub per_article: Setting<Option<u32>>,
    pub group: Setting<bool>,
    pub theme: Setting<ThemeChoice>,
    pub color: Setting<ColorChoice>,
    pub mouse: Setting<bool>,
    pub history: Setting<bool>,
    /// `[keys]` of the config file (checked by the key table).
    pub keys: Vec<KeySetting>,
}

impl Settings {
    /// The settings of this process: `cli`'s flags, its environment, and the
    /// config file (`None`: there is none).
    pub fn resolve(cli: &Cli, config: ConfigPath, file: Option<&ConfigFile>) -> Settings {
        Settings::with(cli, config, file, |name| std::env::var_os(name))
    }

    /// As [`Settings::resolve`], with an environment (`var`).
    pub fn with(
        cli: &Cli,
        config: ConfigPath,
        file: Option<&ConfigFile>,
        var: impl Fn(&str) -> Option<OsString>,
    ) -> Settings {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        let none = ConfigFile::default();
        let config_found = file.is_some();
        let file = file.unwrap_or(&none);
        let tui = tui_args(cli);
        let search = match &cli.command {
            Some(Command::Search(args)) => Some(args),
            _ => None,
        };
        let home = home_dir();
        // A path in the environment is relative to the working directory.
        let env_path = |name: &'static str| {
            var(name).map(|v| {
                (
                    Some(expand(&v.to_string_lossy(), None, home.as_deref())),
                    name,
                )
            })
        };
        let some = |located: &Option<Located<PathBuf>>| {
            located.as_ref().map(|l| l.map(|p| Some(p.clone())))
        };
        let content = Setting::pick(
            cli.location.content.clone().map(|p| (Some(p), "--content")),
            env_path("NEEDLE_CONTENT"),
            some(&file.content).as_ref(),
            None,
        );
        let index = Setting::pick(
            cli.location.index.clone().map(|p| (Some(p), "--index")),
            env_path("NEEDLE_INDEX"),
            some(&file.index).as_ref(),
            None,
        );
        let limit = Setting::pick(
            search.and_then(|s| s.limit).map(|n| (n, "--limit")),
            None,
            file.limit.as_ref(),
            DEFAULT_LIMIT,
        );
        let per_article_flag = match search {
            Some(s) => s.per_article,
            None => tui.per_article,
        };
        let per_article = Setting::pick(
            per_article_flag.map(|n| (Some(n), "--per-article")),
            None,
            file.per_article
                .as_ref()
                .map(|l| l.map(|n| Some(*n)))
                .as_ref(),
            None,
        );
        let group = Setting::pick(
            search.filter(|s| s.group).map(|_| (true, "--group")),
            None,
            file.group.as_ref(),
            false,
        );
        let theme = Setting::pick(
            tui.theme.map(|t| (t, "--theme")),
            None,
            file.theme.as_ref(),
            ThemeChoice::Auto,
        );
        let color = Setting::pick(
            cli.color.map(|c| (c, "--color")),
            var("NO_COLOR").map(|_| (ColorChoice::Never, "NO_COLOR")),
            file.color.as_ref(),
            ColorChoice::Auto,
        );
        let mouse = Setting::pick(
            tui.no_mouse.then_some((false, "--no-mouse")),
            None,
            file.mouse.as_ref(),
            true,
        );
        let history = Setting::pick(
            tui.no_history.then_some((false, "--no-history")),
            None,
            file.history.as_ref(),
            true,
        );
        Settings {
            config,
            config_found,
            content,
            index,
            limit,
            per_article,
            group,
            theme,
            color,
            mouse,
            history,
            keys: file.keys.clone(),
        }
    }
}

/// The interface's flags: `needle tui`'s, else those given before any
/// subcommand.
pub fn tui_args(cli: &Cli) -> &TuiArgs {
    match &cli.command {
        Some(Command::Tui(args)) => args,
        _ => &cli.tui,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use clap::Parser;

    use super::*;
    use crate::config::{Origin, parse};

    fn settings(args: &[&str], file: &str, env: &'static [(&str, &str)]) -> Settings {
        let cli = Cli::try_parse_from(args).unwrap();
        let file = parse(Path::new("/c/config.toml"), file, None).unwrap();
        let config = ConfigPath {
            path: Some(PathBuf::from("/c/config.toml")),
            named: false,
        };
        Settings::with(&cli, config, Some(&file), move |name| {
            env.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    const FILE: &str = "content = \"/file/notes\"\nindex = \"/file/index\"\nlimit = 7\n\
                        color = \"always\"\ntheme = \"light\"\nmouse = false\n";

    #[test]
    fn a_flag_beats_the_environment_which_beats_the_file_which_beats_the_default() {
        let env: &[(&str, &str)] = &[("NEEDLE_CONTENT", "/env/notes")];
        let s = settings(
            &["needle", "--content", "/flag/notes", "search", "x"],
            FILE,
            env,
        );
        assert_eq!(s.content.value.as_deref(), Some(Path::new("/flag/notes")));
        assert_eq!(s.content.origin, Origin::Flag("--content"));

        let s = settings(&["needle", "search", "x"], FILE, env);
        assert_eq!(s.content.value.as_deref(), Some(Path::new("/env/notes")));
        assert_eq!(s.content.origin, Origin::Env("NEEDLE_CONTENT"));

        let s = settings(&["needle", "search", "x"], FILE, &[]);
        assert_eq!(s.content.value.as_deref(), Some(Path::new("/file/notes")));
        assert!(matches!(&s.content.origin, Origin::File(p) if p.line == 1));
        assert_eq!(s.index.value.as_deref(), Some(Path::new("/file/index")));
        assert_eq!(s.limit.value, 7);

        let s = settings(&["needle", "search", "x"], "", &[]);
        assert_eq!(s.content.value, None);
        assert_eq!(s.content.origin, Origin::Default);
        assert_eq!(s.limit.value, DEFAULT_LIMIT);
        assert!(s.mouse.value && s.history.value);
        assert_eq!(s.theme.value, ThemeChoice::Auto);
    }

    #[test]
    fn no_color_beats_the_file_and_color_beats_no_color() {
        let env: &[(&str, &str)] = &[("NO_COLOR", "1")];
        let s = settings(&["needle", "search", "x"], FILE, env);
        assert_eq!(s.color.value, ColorChoice::Never);
        assert_eq!(s.color.origin, Origin::Env("NO_COLOR"));
        let s = settings(&["needle", "--color", "always", "search", "x"], FILE, env);
        assert_eq!(s.color.value, ColorChoice::Always);
        let s = settings(&["needle", "search", "x"], FILE, &[("NO_COLOR", "")]);
        assert_eq!(
            s.color.value,
            ColorChoice::Always,
            "an empty NO_COLOR is unset"
        );
    }

    #[test]
    fn the_interface_flags_count_before_and_after_tui() {
        let s = settings(&["needle", "--no-mouse", "--theme", "dark"], FILE, &[]);
        assert!(!s.mouse.value);
        assert_eq!(s.mouse.origin, Origin::Flag("--no-mouse"));
        assert_eq!(s.theme.value, ThemeChoice::Dark);
        let s = settings(&["needle", "tui", "--no-history"], FILE, &[]);
        assert!(!s.history.value);
        assert!(!s.mouse.value, "the file's mouse = false");
        assert_eq!(s.theme.value, ThemeChoice::Light);
        let s = settings(&["needle", "search", "--limit", "3", "x"], FILE, &[]);
        assert_eq!(s.limit.value, 3);
        assert_eq!(s.limit.origin, Origin::Flag("--limit"));
    }
}
