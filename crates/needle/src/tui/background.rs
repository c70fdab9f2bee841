//! Whether the terminal's background is light, for `--theme auto`: as the
//! terminal itself answers when asked for its background colour (OSC 11),
//! else as `COLORFGBG` says, else dark.
//!
//! The question goes through terminal-colorsaurus, which sends a DA1 query
//! behind OSC 11: a terminal that does not know OSC 11 answers DA1 first,
//! so it is found out at once. Only a terminal that answers neither waits
//! out [`QUERY_TIMEOUT`]. It is asked only when standard output or standard
//! error is a terminal, before the interface reads keys (the answer would
//! otherwise arrive as keystrokes).

use std::io::{self, IsTerminal};
use std::time::Duration;

use terminal_colorsaurus::QueryOptions;

/// How long to wait for a terminal that answers neither query. Longer than
/// a slow SSH link's round trip: an answer that comes after it arrives as
/// keys in the query line (`Alt-]`, `11;rgb:…`, Ctrl-G for the BEL).
pub const QUERY_TIMEOUT: Duration = Duration::from_millis(500);

/// What told the background.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The terminal's answer to OSC 11.
    Terminal,
    /// The `COLORFGBG` variable.
    Colorfgbg,
    /// Neither: dark is assumed.
    Default,
}

/// The terminal's background, as far as it can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Background {
    pub light: bool,
    pub source: Source,
}

impl Background {
    /// Asks the terminal (when standard output or standard error is one),
    /// else reads `COLORFGBG`.
    pub fn detect() -> Background {
        Background::decide(ask_terminal(), colorfgbg().as_deref())
    }

    /// From `COLORFGBG` alone, without asking the terminal.
    pub fn from_env() -> Background {
        Background::decide(None, colorfgbg().as_deref())
    }

    /// The background from the terminal's answer (its background colour's
    /// lightness, 0 black to 1 white) if it gave one, else from
    /// `COLORFGBG`, else dark.
    pub fn decide(lightness: Option<f32>, colorfgbg: Option<&str>) -> Background {
        if let Some(l) = lightness {
            return Background {
                light: light_color(l),
                source: Source::Terminal,
            };
        }
        match colorfgbg.filter(|v| !v.trim().is_empty()) {
            Some(v) => Background {
                light: light_colorfgbg(v),
                source: Source::Colorfgbg,
            },
            None => Background {
                light: false,
                source: Source::Default,
            },
        }
    }

    /// For people: `light, from the terminal`.
    pub fn describe(self) -> String {
        let shade = if self.light { "light" } else { "dark" };
        match self.source {
            Source::Terminal => format!("{shade}, from the terminal's background"),
            Source::Colorfgbg => format!("{shade}, from COLORFGBG"),
            Source::Default => format!("{shade}, the default"),
        }
    }
}

fn colorfgbg() -> Option<String> {
    std::env::var("COLORFGBG").ok()
}

/// The lightness (0 to 1) of the terminal's background, as it answers OSC
/// 11; `None` when it is not asked (no terminal on standard output or
/// error), does not know the query, or does not answer in time.
fn ask_terminal() -> Option<f32> {
    if !(io::stdout().is_terminal() || io::stderr().is_terminal()) {
        return None;
    }
    let mut options = QueryOptions::default();
    options.timeout = QUERY_TIMEOUT;
    terminal_colorsaurus::background_color(options)
        .ok()
        .map(|c| c.perceived_lightness())
}

/// Whether a colour of this perceived lightness (CIE L* scaled to 0..1,
/// 0.5 the middle grey) is a light background.
fn light_color(lightness: f32) -> bool {
    lightness > 0.5
}

/// Whether a `COLORFGBG` value (`"15;0"`: foreground;background, as rxvt,
/// Konsole and others set it; sometimes with a middle field) says the
/// background is light: colour 7 (light grey) or 9 to 15 (the bright ones
/// but 8, dark grey).
fn light_colorfgbg(colorfgbg: &str) -> bool {
    colorfgbg
        .rsplit(';')
        .next()
        .and_then(|bg| bg.trim().parse::<u8>().ok())
        .is_some_and(|bg| bg == 7 || (9..=15).contains(&bg))
}

#[cfg(test)]
mod tests {
    use terminal_colorsaurus::Color;

    use super::*;

    /// The lightness of a colour as the terminal answers it (16 bits a
    /// channel, as in `rgb:ffff/ffff/ffff`).
    fn lightness(r: u16, g: u16, b: u16) -> f32 {
        Color::rgb(r, g, b).perceived_lightness()
    }

    #[test]
    fn a_light_answer_is_a_light_background_and_a_dark_one_dark() {
        let light = |r, g, b| light_color(lightness(r, g, b));
        assert!(light(0xffff, 0xffff, 0xffff), "white");
        assert!(light(0xfdfd, 0xf6f6, 0xe3e3), "Solarized light's base3");
        assert!(light(0xeeee, 0xeeee, 0xeeee), "light grey");
        assert!(!light(0, 0, 0), "black");
        assert!(!light(0x0000, 0x2b2b, 0x3636), "Solarized dark's base03");
        assert!(!light(0x2828, 0x2c2c, 0x3434), "One Dark");
        // Middle grey (L* 50 is about 0x77 a channel) sits on the line.
        assert!(!light(0x6060, 0x6060, 0x6060));
        assert!(light(0x9090, 0x9090, 0x9090));
    }

    #[test]
    fn colorfgbg_tells_a_light_background_from_a_dark_one() {
        assert!(light_colorfgbg("0;15"));
        assert!(light_colorfgbg("0;7"));
        assert!(light_colorfgbg("0;default;15"));
        assert!(!light_colorfgbg("15;0"));
        assert!(!light_colorfgbg("7;8"));
        assert!(!light_colorfgbg("default;default"));
        assert!(!light_colorfgbg(""));
    }

    #[test]
    fn the_terminal_answer_beats_colorfgbg_which_beats_dark() {
        let white = Some(lightness(0xffff, 0xffff, 0xffff));
        let black = Some(lightness(0, 0, 0));
        assert_eq!(
            Background::decide(white, Some("15;0")),
            Background {
                light: true,
                source: Source::Terminal
            }
        );
        assert_eq!(
            Background::decide(black, Some("0;15")),
            Background {
                light: false,
                source: Source::Terminal
            }
        );
        assert_eq!(
            Background::decide(None, Some("0;15")),
            Background {
                light: true,
                source: Source::Colorfgbg
            }
        );
        assert_eq!(
            Background::decide(None, Some("15;0")).source,
            Source::Colorfgbg
        );
        for colorfgbg in [None, Some(""), Some(" ")] {
            assert_eq!(
                Background::decide(None, colorfgbg),
                Background {
                    light: false,
                    source: Source::Default
                }
            );
        }
    }

    #[test]
    fn the_choice_is_described_with_its_source() {
        let b = Background::decide(Some(1.0), None);
        assert_eq!(b.describe(), "light, from the terminal's background");
        let b = Background::decide(None, Some("15;0"));
        assert_eq!(b.describe(), "dark, from COLORFGBG");
        let b = Background::decide(None, None);
        assert_eq!(b.describe(), "dark, the default");
    }
}
