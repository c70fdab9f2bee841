use std::path::PathBuf;

use super::*;
use crate::config::{KeySetting, Located, Place};

fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

const TYPING: Context = Context {
    help: false,
    query_empty: false,
};

fn defaults() -> KeyMap {
    KeyMap::default()
}

fn at(line: usize) -> Place {
    Place {
        path: PathBuf::from("config.toml"),
        line,
        column: 1,
    }
}

fn setting(line: usize, action: &str, keys: &[&str]) -> KeySetting {
    KeySetting {
        action: Located {
            value: action.to_owned(),
            place: at(line),
        },
        keys: keys
            .iter()
            .map(|k| Located {
                value: (*k).to_owned(),
                place: at(line),
            })
            .collect(),
    }
}

#[test]
fn plain_characters_type_themselves() {
    let a = defaults().action_for(press(KeyCode::Char('S'), KeyModifiers::SHIFT), TYPING);
    assert_eq!(a, Some(Action::Insert('S')));
}

#[test]
fn question_mark_opens_help_only_with_an_empty_query() {
    let q = press(KeyCode::Char('?'), KeyModifiers::SHIFT);
    assert_eq!(defaults().action_for(q, TYPING), Some(Action::Insert('?')));
    let empty = Context {
        help: false,
        query_empty: true,
    };
    assert_eq!(defaults().action_for(q, empty), Some(Action::ToggleHelp));
}

#[test]
fn control_keys_map_through_the_table() {
    let map = defaults();
    let ctrl_w = press(KeyCode::Char('w'), KeyModifiers::CONTROL);
    assert_eq!(map.action_for(ctrl_w, TYPING), Some(Action::DeleteWord));
    let back_tab = press(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(map.action_for(back_tab, TYPING), Some(Action::PrevTab));
    let alt_down = press(KeyCode::Down, KeyModifiers::ALT);
    assert_eq!(map.action_for(alt_down, TYPING), Some(Action::NextMatch));
    let right = press(KeyCode::Right, KeyModifiers::NONE);
    assert_eq!(map.action_for(right, TYPING), Some(Action::CursorRight));
    let unknown = press(KeyCode::Char('x'), KeyModifiers::CONTROL);
    assert_eq!(map.action_for(unknown, TYPING), None);
}

/// Guards the readline keys fzf has: Ctrl-B, Ctrl-F, Ctrl-D, Ctrl-K,
/// Ctrl-Y, Alt-D, and the history keys (Ctrl-↑/↓, Alt-p/n).
#[test]
fn readline_and_history_keys_are_bound() {
    let map = defaults();
    let cases = [
        (
            KeyCode::Char('b'),
            KeyModifiers::CONTROL,
            Action::CursorLeft,
        ),
        (
            KeyCode::Char('f'),
            KeyModifiers::CONTROL,
            Action::CursorRight,
        ),
        (KeyCode::Char('d'), KeyModifiers::CONTROL, Action::Delete),
        (KeyCode::Char('k'), KeyModifiers::CONTROL, Action::KillToEnd),
        (KeyCode::Char('y'), KeyModifiers::CONTROL, Action::Yank),
        (
            KeyCode::Char('d'),
            KeyModifiers::ALT,
            Action::DeleteWordForward,
        ),
        (KeyCode::Up, KeyModifiers::CONTROL, Action::HistoryPrev),
        (KeyCode::Down, KeyModifiers::CONTROL, Action::HistoryNext),
        (KeyCode::Char('p'), KeyModifiers::ALT, Action::HistoryPrev),
        (KeyCode::Char('n'), KeyModifiers::ALT, Action::HistoryNext),
        (KeyCode::Char('o'), KeyModifiers::CONTROL, Action::Open),
    ];
    for (code, mods, action) in cases {
        assert_eq!(map.action_for(press(code, mods), TYPING), Some(action));
    }
}

#[test]
fn help_keys_close_the_help_and_others_do_nothing() {
    let cx = Context {
        help: true,
        query_empty: false,
    };
    let map = defaults();
    let esc = press(KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(map.action_for(esc, cx), Some(Action::ToggleHelp));
    let x = press(KeyCode::Char('x'), KeyModifiers::NONE);
    assert_eq!(map.action_for(x, cx), None);
    let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(map.action_for(ctrl_c, cx), Some(Action::Quit));
}

#[test]
fn ctrl_z_suspends_while_typing_and_in_the_help() {
    let map = defaults();
    let ctrl_z = press(KeyCode::Char('z'), KeyModifiers::CONTROL);
    assert_eq!(map.action_for(ctrl_z, TYPING), Some(Action::Suspend));
    let empty = Context {
        help: false,
        query_empty: true,
    };
    assert_eq!(map.action_for(ctrl_z, empty), Some(Action::Suspend));
    let help = Context {
        help: true,
        query_empty: false,
    };
    assert_eq!(map.action_for(ctrl_z, help), Some(Action::Suspend));
    // Caps Lock or Shift does not turn it into a typed `Z`.
    let ctrl_shift_z = press(
        KeyCode::Char('Z'),
        KeyModifiers::CONTROL | KeyModifiers::SHIFT,
    );
    assert_eq!(map.action_for(ctrl_shift_z, TYPING), Some(Action::Suspend));
    // A plain `z` still types itself.
    let z = press(KeyCode::Char('z'), KeyModifiers::NONE);
    assert_eq!(map.action_for(z, TYPING), Some(Action::Insert('z')));
}

#[test]
fn the_help_lists_suspend_with_its_key() {
    let map = defaults();
    let b = map
        .bindings()
        .iter()
        .find(|b| b.action == Action::Suspend)
        .expect("Ctrl-Z is in the key table");
    assert_eq!(labels(&b.keys), "Ctrl-Z");
    assert_eq!(b.group, Group::General);
}

#[test]
fn no_key_is_bound_twice_and_every_name_is_unique() {
    let mut seen: Vec<(Key, When)> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for b in DEFAULTS {
        for k in b.keys {
            assert!(!seen.contains(&(*k, b.when)), "{} bound twice", label(*k));
            seen.push((*k, b.when));
        }
        assert!(!names.contains(&b.name), "{} named twice", b.name);
        names.push(b.name);
    }
}

#[test]
fn the_config_file_rebinds_an_action_and_takes_its_key_from_another() {
    // Ctrl-E was "end of the query"; now it opens, and Ctrl-O does nothing.
    let (map, warnings) = KeyMap::from_config(&[setting(2, "open", &["ctrl-e"])]).unwrap();
    assert!(warnings.is_empty());
    let ctrl_e = press(KeyCode::Char('e'), KeyModifiers::CONTROL);
    assert_eq!(map.action_for(ctrl_e, TYPING), Some(Action::Open));
    let ctrl_o = press(KeyCode::Char('o'), KeyModifiers::CONTROL);
    assert_eq!(map.action_for(ctrl_o, TYPING), None);
    let end = map.bindings().iter().find(|b| b.name == "end").unwrap();
    assert_eq!(labels(&end.keys), "End", "End keeps its other key");
    assert_eq!(
        map.first_key(&Action::Open).map(label).as_deref(),
        Some("Ctrl-E")
    );
}

#[test]
fn an_empty_list_unbinds_and_several_keys_bind_several() {
    let (map, _) = KeyMap::from_config(&[
        setting(2, "reindex", &[]),
        setting(3, "accept", &["enter", "ctrl-m", "alt-enter"]),
    ])
    .unwrap();
    let ctrl_r = press(KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert_eq!(map.action_for(ctrl_r, TYPING), None);
    assert_eq!(map.first_key(&Action::Reindex), None);
    let alt_enter = press(KeyCode::Enter, KeyModifiers::ALT);
    assert_eq!(map.action_for(alt_enter, TYPING), Some(Action::Accept));
}

#[test]
fn a_bad_key_or_a_key_given_twice_is_an_error_with_its_place() {
    let err = KeyMap::from_config(&[setting(4, "open", &["ctrl-oo"])]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("config.toml:4:1: \"ctrl-oo\" is not a key"),
        "{err}"
    );
    let err = KeyMap::from_config(&[
        setting(2, "open", &["ctrl-e"]),
        setting(3, "reindex", &["Ctrl-E"]),
    ])
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("config.toml:3:1: Ctrl-E is bound to `open` too (at config.toml:2:1)"),
        "{err}"
    );
}

#[test]
fn an_unknown_action_is_a_warning_naming_it() {
    let (map, warnings) = KeyMap::from_config(&[setting(5, "opne", &["ctrl-e"])]).unwrap();
    assert_eq!(map, KeyMap::default());
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].starts_with("config.toml:5:1: unknown action `opne` in [keys] (ignored)"),
        "{}",
        warnings[0]
    );
}
