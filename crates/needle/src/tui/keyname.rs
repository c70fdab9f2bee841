//! Keys as people write them: `Ctrl-W`, `Alt-↓`, `Shift-Tab`. The help
//! shows them this way ([`label`]), and the config file's `[keys]` table
//! names them this way ([`parse`], which also takes fzf's lower-case
//! spelling: `ctrl-o`, `alt-d`, `pgdn`, `btab`).

use std::fmt::Write;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key with its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

pub const fn key(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

pub const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

pub const fn ctrl_key(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::CONTROL,
    }
}

pub const fn alt(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::ALT,
    }
}

pub const fn shift(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::SHIFT,
    }
}

/// A key press as the key table looks it up: drops the modifiers a key's
/// code already says (the Shift of an upper-case letter or a symbol, and of
/// Shift-Tab), and reads Ctrl with a letter in lower case.
pub fn normalize(event: KeyEvent) -> Key {
    let mut mods =
        event.modifiers & (KeyModifiers::SHIFT | KeyModifiers::CONTROL | KeyModifiers::ALT);
    match event.code {
        KeyCode::Char(_) => mods.remove(KeyModifiers::SHIFT),
        KeyCode::BackTab => mods.insert(KeyModifiers::SHIFT),
        _ => {}
    }
    let code = match event.code {
        KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
            KeyCode::Char(c.to_ascii_lowercase())
        }
        other => other,
    };
    Key { code, mods }
}

/// How a key is written for people: `Ctrl-W`, `Alt-↓`, `Shift-Tab`.
pub fn label(k: Key) -> String {
    let mut out = String::new();
    if k.mods.contains(KeyModifiers::CONTROL) {
        out.push_str("Ctrl-");
    }
    if k.mods.contains(KeyModifiers::ALT) {
        out.push_str("Alt-");
    }
    if k.mods.contains(KeyModifiers::SHIFT) && k.code != KeyCode::BackTab {
        out.push_str("Shift-");
    }
    match k.code {
        KeyCode::Up => out.push('↑'),
        KeyCode::Down => out.push('↓'),
        KeyCode::Left => out.push('←'),
        KeyCode::Right => out.push('→'),
        KeyCode::PageUp => out.push_str("PgUp"),
        KeyCode::PageDown => out.push_str("PgDn"),
        KeyCode::Home => out.push_str("Home"),
        KeyCode::End => out.push_str("End"),
        KeyCode::Enter => out.push_str("Enter"),
        KeyCode::Esc => out.push_str("Esc"),
        KeyCode::Tab => out.push_str("Tab"),
        KeyCode::BackTab => out.push_str("Shift-Tab"),
        KeyCode::Backspace => out.push_str("Backspace"),
        KeyCode::Delete => out.push_str("Del"),
        KeyCode::Insert => out.push_str("Ins"),
        KeyCode::F(n) => {
            let _ = write!(out, "F{n}");
        }
        KeyCode::Char(' ') => out.push_str("Space"),
        KeyCode::Char(c) if k.mods.contains(KeyModifiers::CONTROL) => {
            out.push(c.to_ascii_uppercase());
        }
        KeyCode::Char(c) => out.push(c),
        other => {
            let _ = write!(out, "{other:?}");
        }
    }
    out
}

/// Reads a key as the config file writes it: modifiers (`ctrl-`, `alt-`,
/// `shift-`, any case) before a key name (`enter`, `esc`, `tab`, `btab`,
/// `backspace`, `del`, `ins`, `home`, `end`, `pgup`, `pgdn`, `up`, `down`,
/// `left`, `right`, `space`, `f1` to `f24`, or the arrows `↑↓←→`) or one
/// character. Every label the help shows reads back as its key.
///
/// # Errors
/// When the text names no key: a message that says what is accepted.
pub fn parse(text: &str) -> Result<Key, String> {
    let bad = || {
        format!(
            "\"{text}\" is not a key: write modifiers (ctrl-, alt-, shift-) and a key: \
             one character, or enter, esc, tab, btab, backspace, del, ins, home, end, pgup, \
             pgdn, up, down, left, right, space, f1 to f24 (for example \"ctrl-o\", \"alt-d\")"
        )
    };
    let mut mods = KeyModifiers::NONE;
    let mut rest = text.trim();
    loop {
        let lower = rest.to_ascii_lowercase();
        let (flag, len) = if lower.starts_with("ctrl-") {
            (KeyModifiers::CONTROL, 5)
        } else if lower.starts_with("alt-") {
            (KeyModifiers::ALT, 4)
        } else if lower.starts_with("shift-") && rest.len() > 6 {
            (KeyModifiers::SHIFT, 6)
        } else {
            break;
        };
        if rest.len() == len {
            // `ctrl--`: the key is `-` itself.
            break;
        }
        mods |= flag;
        rest = &rest[len..];
    }
    let name = rest.to_ascii_lowercase();
    let code = match name.as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        "tab" => KeyCode::Tab,
        "btab" | "backtab" => {
            mods |= KeyModifiers::SHIFT;
            KeyCode::BackTab
        }
        "backspace" | "bspace" | "bs" => KeyCode::Backspace,
        "del" | "delete" => KeyCode::Delete,
        "ins" | "insert" => KeyCode::Insert,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pgup" | "pageup" | "page-up" => KeyCode::PageUp,
        "pgdn" | "pagedown" | "page-down" => KeyCode::PageDown,
        "up" | "↑" => KeyCode::Up,
        "down" | "↓" => KeyCode::Down,
        "left" | "←" => KeyCode::Left,
        "right" | "→" => KeyCode::Right,
        "space" => KeyCode::Char(' '),
        f if f.len() > 1 && f.starts_with('f') && f[1..].bytes().all(|b| b.is_ascii_digit()) => {
            match f[1..].parse::<u8>() {
                Ok(n @ 1..=24) => KeyCode::F(n),
                _ => return Err(bad()),
            }
        }
        _ => {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !c.is_control() => KeyCode::Char(c),
                _ => return Err(bad()),
            }
        }
    };
    // As a key press arrives: see `normalize`.
    Ok(normalize(KeyEvent::new(code, mods)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_like_the_keyboard() {
        assert_eq!(label(ctrl('w')), "Ctrl-W");
        assert_eq!(label(alt(KeyCode::Down)), "Alt-↓");
        assert_eq!(label(shift(KeyCode::BackTab)), "Shift-Tab");
        assert_eq!(label(key(KeyCode::F(1))), "F1");
        assert_eq!(label(alt(KeyCode::Char('d'))), "Alt-d");
    }

    #[test]
    fn keys_parse_as_fzf_and_the_help_write_them() {
        assert_eq!(parse("ctrl-o"), Ok(ctrl('o')));
        assert_eq!(parse("Ctrl-O"), Ok(ctrl('o')));
        assert_eq!(parse("CTRL-o"), Ok(ctrl('o')));
        assert_eq!(parse("alt-d"), Ok(alt(KeyCode::Char('d'))));
        assert_eq!(parse("alt-D"), Ok(alt(KeyCode::Char('D'))));
        assert_eq!(parse("ctrl-up"), Ok(ctrl_key(KeyCode::Up)));
        assert_eq!(parse("shift-tab"), Ok(shift(KeyCode::BackTab)));
        assert_eq!(parse("btab"), Ok(shift(KeyCode::BackTab)));
        assert_eq!(parse("pgdn"), Ok(key(KeyCode::PageDown)));
        assert_eq!(parse("f12"), Ok(key(KeyCode::F(12))));
        assert_eq!(parse("?"), Ok(key(KeyCode::Char('?'))));
        assert_eq!(parse("-"), Ok(key(KeyCode::Char('-'))));
        assert_eq!(parse("ctrl--"), Ok(ctrl('-')));
        assert_eq!(parse("space"), Ok(key(KeyCode::Char(' '))));
        for bad in ["", "ctrl-", "f0", "f25", "ctrl-xy", "hyper-x", "\t"] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains("is not a key"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn every_label_reads_back_as_its_key() {
        let keys = [
            ctrl('w'),
            ctrl_key(KeyCode::Home),
            alt(KeyCode::Backspace),
            alt(KeyCode::PageDown),
            shift(KeyCode::Up),
            shift(KeyCode::BackTab),
            key(KeyCode::Char(' ')),
            key(KeyCode::Delete),
            key(KeyCode::Esc),
            key(KeyCode::F(1)),
            ctrl_key(KeyCode::Up),
        ];
        for k in keys {
            assert_eq!(parse(&label(k)), Ok(k), "{}", label(k));
        }
    }
}
