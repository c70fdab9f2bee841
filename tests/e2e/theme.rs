//! `--theme auto` in a real pseudo-terminal: the palette follows the
//! background colour the terminal reports (OSC 11), else `COLORFGBG`, else
//! dark; with `--theme dark` or `light` the terminal is not asked. The
//! session answers the queries as a terminal would (see `pty`).

use crate::pty::{COLS, ROWS, Session};

/// Runs the interface with stdout to a file (as `pty`'s `start_in` does).
const TUI: &str = "out=$1; shift; exec \"$@\" >\"$out\"";
/// Runs needle with stdout on the terminal.
const ON_THE_TERMINAL: &str = "shift; exec \"$@\"";

const WHITE: &str = "ffff/ffff/ffff";
const BLACK: &str = "0000/0000/0000";

/// The selected result's background in the dark palette and in the light one
/// (`SELECTED_BG` and `SELECTED_BG_LIGHT` in the interface's theme).
const SELECTED_DARK: vt100::Color = vt100::Color::Idx(236);
const SELECTED_LIGHT: vt100::Color = vt100::Color::Idx(254);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Palette {
    Dark,
    Light,
}

/// The palette on the screen, told by the selected result's background.
fn palette(s: &Session) -> Palette {
    let screen = s.parser.screen();
    let (mut dark, mut light) = (0, 0);
    for row in 0..ROWS {
        for col in 0..COLS {
            match screen.cell(row, col).unwrap().bgcolor() {
                SELECTED_DARK => dark += 1,
                SELECTED_LIGHT => light += 1,
                _ => {}
            }
        }
    }
    match (dark > 0, light > 0) {
        (true, false) => Palette::Dark,
        (false, true) => Palette::Light,
        _ => panic!(
            "no selected row in one palette ({dark} dark cells, {light} light); the screen:\n{}",
            s.screen()
        ),
    }
}

/// Guards `--theme auto`: a terminal that reports a white background gets
/// the light palette and one that reports black the dark one, whatever
/// `COLORFGBG` says; a terminal that does not know the query (it answers
/// DA1 alone) falls back to `COLORFGBG`, then dark; `--theme dark` does not
/// ask. The answers never reach the query line as keys.
#[test]
fn tui_theme_auto_follows_the_background_the_terminal_reports() {
    struct Case {
        background: Option<&'static str>,
        env: &'static [(&'static str, &'static str)],
        args: &'static [&'static str],
        want: Palette,
        asked: bool,
    }
    let cases = [
        Case {
            background: Some(WHITE),
            env: &[],
            args: &[],
            want: Palette::Light,
            asked: true,
        },
        Case {
            background: Some(BLACK),
            env: &[("COLORFGBG", "0;15")],
            args: &[],
            want: Palette::Dark,
            asked: true,
        },
        Case {
            background: None,
            env: &[("COLORFGBG", "0;15")],
            args: &[],
            want: Palette::Light,
            asked: true,
        },
        Case {
            background: None,
            env: &[],
            args: &[],
            want: Palette::Dark,
            asked: true,
        },
        Case {
            background: Some(WHITE),
            env: &[],
            args: &["--theme", "dark"],
            want: Palette::Dark,
            asked: false,
        },
    ];
    for case in cases {
        let dir = tempfile::tempdir().unwrap();
        let mut args = vec!["--query", "sunscreen"];
        args.extend(case.args);
        let mut s = match case.background {
            Some(rgb) => Session::with_background(dir, TUI, &args, case.env, rgb),
            None => Session::start_script(dir, TUI, &args, case.env),
        };
        s.wait_for("SPF 30");
        let what = format!(
            "background {:?}, {:?}, {:?}",
            case.background, case.env, case.args
        );
        assert_eq!(palette(&s), case.want, "{what}");
        assert_eq!(s.background_queries() > 0, case.asked, "{what}");
        let screen = s.screen();
        assert!(screen.contains("❯ sunscreen"), "{what}: {screen}");
        assert!(
            !screen.contains("rgb:") && !screen.contains("62;22c"),
            "{what}: an answer reached the interface as keys:\n{screen}"
        );
        s.press(b"\x1b");
        assert_eq!(s.exit_code(), 130, "{what}");
    }
}

/// Guards `needle config` on a terminal: it says what `--theme auto` picks
/// there and why, asking the terminal as the interface does.
#[test]
fn config_on_a_terminal_says_what_theme_auto_picks_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::with_background(dir, ON_THE_TERMINAL, &["config"], &[], WHITE);
    s.wait_for("auto (here: light, from the terminal's background)");
    assert_eq!(s.exit_code(), 0, "the screen:\n{}", s.screen());
    assert_eq!(s.background_queries(), 1);

    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start_script(dir, ON_THE_TERMINAL, &["config"], &[("COLORFGBG", "0;15")]);
    s.wait_for("auto (here: light, from COLORFGBG)");
    assert_eq!(s.exit_code(), 0, "the screen:\n{}", s.screen());
}
