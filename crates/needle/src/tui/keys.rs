//! The key table: which keys do what. The key handler reads it, and so do
//! the help overlay and the status line's hints, so that what they say is
//! always what the keys do.

use std::fmt::Write;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::tui::action::Action;

/// A key with its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn key(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

const fn ctrl_key(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::CONTROL,
    }
}

const fn alt(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::ALT,
    }
}

const fn shift(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::SHIFT,
    }
}

/// Where a binding belongs in the help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Query,
    Results,
    Preview,
    General,
}

impl Group {
    pub const ALL: [Group; 4] = [Group::Query, Group::Results, Group::Preview, Group::General];

    pub fn title(self) -> &'static str {
        match self {
            Group::Query => "Query",
            Group::Results => "Results",
            Group::Preview => "Preview",
            Group::General => "General",
        }
    }
}

/// When a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    /// Only while the query is empty (otherwise the key types itself).
    QueryEmpty,
}

/// Keys, what they do, and how the help describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub group: Group,
    pub help: &'static str,
    pub when: When,
}

const fn bind(keys: &'static [Key], action: Action, group: Group, help: &'static str) -> Binding {
    Binding {
        keys,
        action,
        group,
        help,
        when: When::Always,
    }
}

/// Every key binding, in the order the help lists them. Any other printable
/// key types itself into the query.
pub static BINDINGS: &[Binding] = &[
    // Query.
    bind(
        &[key(KeyCode::Left)],
        Action::CursorLeft,
        Group::Query,
        "cursor left",
    ),
    bind(
        &[key(KeyCode::Right)],
        Action::CursorRight,
        Group::Query,
        "cursor right",
    ),
    bind(
        &[ctrl_key(KeyCode::Left), alt(KeyCode::Char('b'))],
        Action::CursorWordLeft,
        Group::Query,
        "word left",
    ),
    bind(
        &[ctrl_key(KeyCode::Right), alt(KeyCode::Char('f'))],
        Action::CursorWordRight,
        Group::Query,
        "word right",
    ),
    bind(
        &[key(KeyCode::Home), ctrl('a')],
        Action::CursorHome,
        Group::Query,
        "start of the query",
    ),
    bind(
        &[key(KeyCode::End), ctrl('e')],
        Action::CursorEnd,
        Group::Query,
        "end of the query",
    ),
    bind(
        &[key(KeyCode::Backspace), ctrl('h')],
        Action::Backspace,
        Group::Query,
        "delete the char before",
    ),
    bind(
        &[key(KeyCode::Delete)],
        Action::Delete,
        Group::Query,
        "delete the char under",
    ),
    bind(
        &[ctrl('w'), alt(KeyCode::Backspace)],
        Action::DeleteWord,
        Group::Query,
        "delete the word before",
    ),
    bind(
        &[ctrl('u')],
        Action::ClearQuery,
        Group::Query,
        "delete to the start",
    ),
    // Results.
    bind(
        &[key(KeyCode::Up), ctrl('p')],
        Action::SelectPrev,
        Group::Results,
        "previous result",
    ),
    bind(
        &[key(KeyCode::Down), ctrl('n')],
        Action::SelectNext,
        Group::Results,
        "next result",
    ),
    bind(
        &[key(KeyCode::PageUp)],
        Action::PageUp,
        Group::Results,
        "page up",
    ),
    bind(
        &[key(KeyCode::PageDown)],
        Action::PageDown,
        Group::Results,
        "page down",
    ),
    bind(
        &[ctrl_key(KeyCode::Home)],
        Action::SelectFirst,
        Group::Results,
        "first result",
    ),
    bind(
        &[ctrl_key(KeyCode::End)],
        Action::SelectLast,
        Group::Results,
        "last result",
    ),
    bind(
        &[key(KeyCode::Tab)],
        Action::NextTab,
        Group::Results,
        "next topic",
    ),
    bind(
        &[shift(KeyCode::BackTab)],
        Action::PrevTab,
        Group::Results,
        "previous topic",
    ),
    bind(
        &[ctrl('g')],
        Action::TogglePerArticle,
        Group::Results,
        "one per article on/off",
    ),
    bind(
        &[key(KeyCode::Enter)],
        Action::Accept,
        Group::Results,
        "print it and quit",
    ),
    // Preview.
    bind(
        &[alt(KeyCode::Down), ctrl('j')],
        Action::NextMatch,
        Group::Preview,
        "next match",
    ),
    bind(
        &[alt(KeyCode::Up), ctrl('k')],
        Action::PrevMatch,
        Group::Preview,
        "previous match",
    ),
    bind(
        &[shift(KeyCode::Down)],
        Action::PreviewDown,
        Group::Preview,
        "scroll down",
    ),
    bind(
        &[shift(KeyCode::Up)],
        Action::PreviewUp,
        Group::Preview,
        "scroll up",
    ),
    bind(
        &[alt(KeyCode::PageDown), shift(KeyCode::PageDown)],
        Action::PreviewPageDown,
        Group::Preview,
        "page down",
    ),
    bind(
        &[alt(KeyCode::PageUp), shift(KeyCode::PageUp)],
        Action::PreviewPageUp,
        Group::Preview,
        "page up",
    ),
    // General.
    bind(&[ctrl('r')], Action::Reindex, Group::General, "reindex now"),
    bind(
        &[key(KeyCode::F(1))],
        Action::ToggleHelp,
        Group::General,
        "this help",
    ),
    Binding {
        keys: &[key(KeyCode::Char('?'))],
        action: Action::ToggleHelp,
        group: Group::General,
        help: "help (empty query)",
        when: When::QueryEmpty,
    },
    bind(
        &[ctrl('z')],
        Action::Suspend,
        Group::General,
        "suspend (fg resumes)",
    ),
    bind(
        &[key(KeyCode::Esc), ctrl('c')],
        Action::Quit,
        Group::General,
        "quit, print nothing",
    ),
];

/// Keys of the help overlay itself; other keys are ignored while it shows.
pub static HELP_KEYS: &[Binding] = &[
    bind(
        &[
            key(KeyCode::Esc),
            key(KeyCode::F(1)),
            key(KeyCode::Char('?')),
            key(KeyCode::Char('q')),
            key(KeyCode::Enter),
        ],
        Action::ToggleHelp,
        Group::General,
        "close the help",
    ),
    bind(
        &[key(KeyCode::Up), ctrl('p'), key(KeyCode::Char('k'))],
        Action::SelectPrev,
        Group::General,
        "scroll up",
    ),
    bind(
        &[key(KeyCode::Down), ctrl('n'), key(KeyCode::Char('j'))],
        Action::SelectNext,
        Group::General,
        "scroll down",
    ),
    bind(
        &[key(KeyCode::PageUp)],
        Action::PageUp,
        Group::General,
        "page up",
    ),
    bind(
        &[key(KeyCode::PageDown), key(KeyCode::Char(' '))],
        Action::PageDown,
        Group::General,
        "page down",
    ),
    bind(&[ctrl('z')], Action::Suspend, Group::General, "suspend"),
    bind(&[ctrl('c')], Action::Quit, Group::General, "quit"),
];

/// The state that decides what a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    pub help: bool,
    pub query_empty: bool,
}

/// The action of a key press, if it has one.
pub fn action_for(event: KeyEvent, cx: Context) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let k = normalize(event);
    let table = if cx.help { HELP_KEYS } else { BINDINGS };
    let found = table.iter().find(|b| {
        b.keys.contains(&k)
            && (b.when == When::Always || (b.when == When::QueryEmpty && cx.query_empty))
    });
    if let Some(b) = found {
        return Some(b.action.clone());
    }
    if cx.help {
        return None;
    }
    match k.code {
        // Plain characters type themselves; so do AltGr combinations, which
        // some terminals report as Ctrl+Alt.
        KeyCode::Char(c)
            if !k.mods.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                || k.mods.contains(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(Action::Insert(c))
        }
        _ => None,
    }
}

/// Drops modifiers a key's code already says: the Shift of an upper-case
/// letter or a symbol, and of Shift-Tab.
fn normalize(event: KeyEvent) -> Key {
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

/// The first key bound to `action`, for hints.
pub fn first_key(action: &Action) -> Option<Key> {
    BINDINGS
        .iter()
        .find(|b| &b.action == action)
        .and_then(|b| b.keys.first().copied())
}

/// The keys of a binding as the help shows them: `Alt-↓ Ctrl-J`.
pub fn labels(b: &Binding) -> String {
    b.keys
        .iter()
        .map(|k| label(*k))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    const TYPING: Context = Context {
        help: false,
        query_empty: false,
    };

    #[test]
    fn plain_characters_type_themselves() {
        let a = action_for(press(KeyCode::Char('S'), KeyModifiers::SHIFT), TYPING);
        assert_eq!(a, Some(Action::Insert('S')));
    }

    #[test]
    fn question_mark_opens_help_only_with_an_empty_query() {
        let q = press(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(action_for(q, TYPING), Some(Action::Insert('?')));
        let empty = Context {
            help: false,
            query_empty: true,
        };
        assert_eq!(action_for(q, empty), Some(Action::ToggleHelp));
    }

    #[test]
    fn control_keys_map_through_the_table() {
        let ctrl_w = press(KeyCode::Char('w'), KeyModifiers::CONTROL);
        assert_eq!(action_for(ctrl_w, TYPING), Some(Action::DeleteWord));
        let back_tab = press(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(action_for(back_tab, TYPING), Some(Action::PrevTab));
        let alt_down = press(KeyCode::Down, KeyModifiers::ALT);
        assert_eq!(action_for(alt_down, TYPING), Some(Action::NextMatch));
        let right = press(KeyCode::Right, KeyModifiers::NONE);
        assert_eq!(action_for(right, TYPING), Some(Action::CursorRight));
        let unknown = press(KeyCode::Char('x'), KeyModifiers::CONTROL);
        assert_eq!(action_for(unknown, TYPING), None);
    }

    #[test]
    fn help_keys_close_the_help_and_others_do_nothing() {
        let cx = Context {
            help: true,
            query_empty: false,
        };
        let esc = press(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(action_for(esc, cx), Some(Action::ToggleHelp));
        let x = press(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(action_for(x, cx), None);
        let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(ctrl_c, cx), Some(Action::Quit));
    }

    #[test]
    fn ctrl_z_suspends_while_typing_and_in_the_help() {
        let ctrl_z = press(KeyCode::Char('z'), KeyModifiers::CONTROL);
        assert_eq!(action_for(ctrl_z, TYPING), Some(Action::Suspend));
        let empty = Context {
            help: false,
            query_empty: true,
        };
        assert_eq!(action_for(ctrl_z, empty), Some(Action::Suspend));
        let help = Context {
            help: true,
            query_empty: false,
        };
        assert_eq!(action_for(ctrl_z, help), Some(Action::Suspend));
        // Caps Lock or Shift does not turn it into a typed `Z`.
        let ctrl_shift_z = press(
            KeyCode::Char('Z'),
            KeyModifiers::CONTROL | KeyModifiers::SHIFT,
        );
        assert_eq!(action_for(ctrl_shift_z, TYPING), Some(Action::Suspend));
        // A plain `z` still types itself.
        let z = press(KeyCode::Char('z'), KeyModifiers::NONE);
        assert_eq!(action_for(z, TYPING), Some(Action::Insert('z')));
    }

    #[test]
    fn the_help_lists_suspend_with_its_key() {
        let b = BINDINGS
            .iter()
            .find(|b| b.action == Action::Suspend)
            .expect("Ctrl-Z is in the key table");
        assert_eq!(labels(b), "Ctrl-Z");
        assert_eq!(b.group, Group::General);
    }

    #[test]
    fn no_key_is_bound_twice() {
        let mut seen: Vec<(Key, When)> = Vec::new();
        for b in BINDINGS {
            for k in b.keys {
                assert!(!seen.contains(&(*k, b.when)), "{} bound twice", label(*k));
                seen.push((*k, b.when));
            }
        }
    }

    #[test]
    fn labels_read_like_the_keyboard() {
        assert_eq!(label(ctrl('w')), "Ctrl-W");
        assert_eq!(label(alt(KeyCode::Down)), "Alt-↓");
        assert_eq!(label(shift(KeyCode::BackTab)), "Shift-Tab");
        assert_eq!(label(key(KeyCode::F(1))), "F1");
    }
}
