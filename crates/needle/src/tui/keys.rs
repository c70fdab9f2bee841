//! The key table: which keys do what. The key handler reads it, and so do
//! the help overlay and the status line's hints, so that what they say is
//! always what the keys do. The table starts as [`DEFAULTS`]; the config
//! file's `[keys]` table rebinds actions by name ([`KeyMap::from_config`]).

use anyhow::{Result, bail};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::config::KeySetting;
use crate::tui::action::Action;
pub use crate::tui::keyname::{Key, label};
use crate::tui::keyname::{alt, ctrl, ctrl_key, key, normalize, parse, shift};

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

/// A binding as needle ships it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shipped {
    /// Its name in the config file's `[keys]` table.
    pub name: &'static str,
    pub keys: &'static [Key],
    pub action: Action,
    pub group: Group,
    pub help: &'static str,
    pub when: When,
}

const fn def(
    name: &'static str,
    keys: &'static [Key],
    action: Action,
    group: Group,
    help: &'static str,
) -> Shipped {
    Shipped {
        name,
        keys,
        action,
        group,
        help,
        when: When::Always,
    }
}

/// Every key binding, in the order the help lists them, with its name in
/// the config file's `[keys]` table. Any other printable key types itself
/// into the query.
static DEFAULTS: &[Shipped] = &[
    // Query.
    def(
        "cursor_left",
        &[key(KeyCode::Left), ctrl('b')],
        Action::CursorLeft,
        Group::Query,
        "cursor left",
    ),
    def(
        "cursor_right",
        &[key(KeyCode::Right), ctrl('f')],
        Action::CursorRight,
        Group::Query,
        "cursor right",
    ),
    def(
        "word_left",
        &[ctrl_key(KeyCode::Left), alt(KeyCode::Char('b'))],
        Action::CursorWordLeft,
        Group::Query,
        "word left",
    ),
    def(
        "word_right",
        &[ctrl_key(KeyCode::Right), alt(KeyCode::Char('f'))],
        Action::CursorWordRight,
        Group::Query,
        "word right",
    ),
    def(
        "start",
        &[key(KeyCode::Home), ctrl('a')],
        Action::CursorHome,
        Group::Query,
        "start of the query",
    ),
    def(
        "end",
        &[key(KeyCode::End), ctrl('e')],
        Action::CursorEnd,
        Group::Query,
        "end of the query",
    ),
    def(
        "backspace",
        &[key(KeyCode::Backspace), ctrl('h')],
        Action::Backspace,
        Group::Query,
        "delete the char before",
    ),
    def(
        "delete",
        &[key(KeyCode::Delete), ctrl('d')],
        Action::Delete,
        Group::Query,
        "delete the char under",
    ),
    def(
        "kill_word_back",
        &[ctrl('w'), alt(KeyCode::Backspace)],
        Action::DeleteWord,
        Group::Query,
        "cut the word before",
    ),
    def(
        "kill_word",
        &[alt(KeyCode::Char('d'))],
        Action::DeleteWordForward,
        Group::Query,
        "cut the word after",
    ),
    def(
        "kill_to_start",
        &[ctrl('u')],
        Action::ClearQuery,
        Group::Query,
        "cut to the start",
    ),
    def(
        "kill_to_end",
        &[ctrl('k')],
        Action::KillToEnd,
        Group::Query,
        "cut to the end",
    ),
    def(
        "yank",
        &[ctrl('y')],
        Action::Yank,
        Group::Query,
        "paste what was cut",
    ),
    def(
        "history_prev",
        &[ctrl_key(KeyCode::Up), alt(KeyCode::Char('p'))],
        Action::HistoryPrev,
        Group::Query,
        "older query (history)",
    ),
    def(
        "history_next",
        &[ctrl_key(KeyCode::Down), alt(KeyCode::Char('n'))],
        Action::HistoryNext,
        Group::Query,
        "newer query (history)",
    ),
    // Results.
    def(
        "up",
        &[key(KeyCode::Up), ctrl('p')],
        Action::SelectPrev,
        Group::Results,
        "previous result",
    ),
    def(
        "down",
        &[key(KeyCode::Down), ctrl('n')],
        Action::SelectNext,
        Group::Results,
        "next result",
    ),
    def(
        "page_up",
        &[key(KeyCode::PageUp)],
        Action::PageUp,
        Group::Results,
        "page up",
    ),
    def(
        "page_down",
        &[key(KeyCode::PageDown)],
        Action::PageDown,
        Group::Results,
        "page down",
    ),
    def(
        "first",
        &[ctrl_key(KeyCode::Home)],
        Action::SelectFirst,
        Group::Results,
        "first result",
    ),
    def(
        "last",
        &[ctrl_key(KeyCode::End)],
        Action::SelectLast,
        Group::Results,
        "last result",
    ),
    def(
        "next_topic",
        &[key(KeyCode::Tab)],
        Action::NextTab,
        Group::Results,
        "next topic",
    ),
    def(
        "prev_topic",
        &[shift(KeyCode::BackTab)],
        Action::PrevTab,
        Group::Results,
        "previous topic",
    ),
    def(
        "per_article",
        &[ctrl('g')],
        Action::TogglePerArticle,
        Group::Results,
        "one per article on/off",
    ),
    def(
        "accept",
        &[key(KeyCode::Enter)],
        Action::Accept,
        Group::Results,
        "print it and quit",
    ),
    def(
        "open",
        &[ctrl('o')],
        Action::Open,
        Group::Results,
        "open in $EDITOR",
    ),
    // Preview.
    def(
        "next_match",
        &[alt(KeyCode::Down), ctrl('j')],
        Action::NextMatch,
        Group::Preview,
        "next match",
    ),
    def(
        "prev_match",
        &[alt(KeyCode::Up)],
        Action::PrevMatch,
        Group::Preview,
        "previous match",
    ),
    def(
        "preview_down",
        &[shift(KeyCode::Down)],
        Action::PreviewDown,
        Group::Preview,
        "scroll down",
    ),
    def(
        "preview_up",
        &[shift(KeyCode::Up)],
        Action::PreviewUp,
        Group::Preview,
        "scroll up",
    ),
    def(
        "preview_page_down",
        &[alt(KeyCode::PageDown), shift(KeyCode::PageDown)],
        Action::PreviewPageDown,
        Group::Preview,
        "page down",
    ),
    def(
        "preview_page_up",
        &[alt(KeyCode::PageUp), shift(KeyCode::PageUp)],
        Action::PreviewPageUp,
        Group::Preview,
        "page up",
    ),
    // General.
    def(
        "reindex",
        &[ctrl('r')],
        Action::Reindex,
        Group::General,
        "reindex now",
    ),
    def(
        "help",
        &[key(KeyCode::F(1))],
        Action::ToggleHelp,
        Group::General,
        "this help",
    ),
    Shipped {
        name: "help_on_empty",
        keys: &[key(KeyCode::Char('?'))],
        action: Action::ToggleHelp,
        group: Group::General,
        help: "help (empty query)",
        when: When::QueryEmpty,
    },
    def(
        "suspend",
        &[ctrl('z')],
        Action::Suspend,
        Group::General,
        "suspend (fg resumes)",
    ),
    def(
        "quit",
        &[key(KeyCode::Esc), ctrl('c')],
        Action::Quit,
        Group::General,
        "quit, print nothing",
    ),
];

/// A binding in effect: keys, what they do, and how the help describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub name: &'static str,
    pub keys: Vec<Key>,
    pub action: Action,
    pub group: Group,
    pub help: &'static str,
    pub when: When,
}

/// The key table in effect: the defaults, with the config file's changes.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyMap {
    bindings: Vec<Binding>,
}

impl Default for KeyMap {
    fn default() -> KeyMap {
        KeyMap {
            bindings: DEFAULTS
                .iter()
                .map(|d| Binding {
                    name: d.name,
                    keys: d.keys.to_vec(),
                    action: d.action.clone(),
                    group: d.group,
                    help: d.help,
                    when: d.when,
                })
                .collect(),
        }
    }
}

impl KeyMap {
    /// The defaults with the config file's `[keys]`: each line gives an
    /// action (by name) its keys, in place of its default ones (`[]`
    /// unbinds it); a key it takes is taken from any other action. Returns
    /// the warnings too: an action name needle does not know.
    ///
    /// # Errors
    /// A key that cannot be read, or the same key given to two actions:
    /// the message names the file, line and column.
    pub fn from_config(settings: &[KeySetting]) -> Result<(KeyMap, Vec<String>)> {
        let mut map = KeyMap::default();
        let mut warnings = Vec::new();
        let mut taken: Vec<(Key, &str, &crate::config::Place)> = Vec::new();
        for setting in settings {
            let name = setting.action.value.as_str();
            let Some(at) = map.bindings.iter().position(|b| b.name == name) else {
                warnings.push(format!(
                    "{}: unknown action `{name}` in [keys] (ignored); the actions are {}",
                    setting.action.place,
                    DEFAULTS
                        .iter()
                        .map(|d| d.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                continue;
            };
            let mut keys = Vec::new();
            for written in &setting.keys {
                let k =
                    parse(&written.value).map_err(|e| anyhow::anyhow!("{}: {e}", written.place))?;
                if let Some((_, other, place)) = taken.iter().find(|(t, _, _)| *t == k) {
                    bail!(
                        "{}: {} is bound to `{other}` too (at {place}): give each key one action",
                        written.place,
                        label(k)
                    );
                }
                taken.push((k, &setting.action.value, &written.place));
                keys.push(k);
            }
            // The keys move: no other action keeps them.
            for b in &mut map.bindings {
                b.keys.retain(|k| !keys.contains(k));
            }
            map.bindings[at].keys = keys;
        }
        Ok((map, warnings))
    }

    /// Every binding, in the order the help lists them (unbound ones too).
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The action of a key press, if it has one.
    pub fn action_for(&self, event: KeyEvent, cx: Context) -> Option<Action> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        let k = normalize(event);
        if cx.help {
            return HELP_KEYS
                .iter()
                .find(|b| b.keys.contains(&k))
                .map(|b| b.action.clone());
        }
        let found = self.bindings.iter().find(|b| {
            b.keys.contains(&k)
                && (b.when == When::Always || (b.when == When::QueryEmpty && cx.query_empty))
        });
        if let Some(b) = found {
            return Some(b.action.clone());
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

    /// The first key bound to `action`, for hints.
    pub fn first_key(&self, action: &Action) -> Option<Key> {
        self.bindings
            .iter()
            .filter(|b| &b.action == action)
            .find_map(|b| b.keys.first().copied())
    }
}

/// A key of the help overlay, which the config file does not change.
#[derive(Debug, Clone, PartialEq)]
pub struct Fixed {
    pub keys: &'static [Key],
    pub action: Action,
}

const fn fixed(keys: &'static [Key], action: Action) -> Fixed {
    Fixed { keys, action }
}

/// Keys of the help overlay itself; other keys are ignored while it shows.
pub static HELP_KEYS: &[Fixed] = &[
    fixed(
        &[
            key(KeyCode::Esc),
            key(KeyCode::F(1)),
            key(KeyCode::Char('?')),
            key(KeyCode::Char('q')),
            key(KeyCode::Enter),
        ],
        Action::ToggleHelp,
    ),
    fixed(
        &[key(KeyCode::Up), ctrl('p'), key(KeyCode::Char('k'))],
        Action::SelectPrev,
    ),
    fixed(
        &[key(KeyCode::Down), ctrl('n'), key(KeyCode::Char('j'))],
        Action::SelectNext,
    ),
    fixed(&[key(KeyCode::PageUp)], Action::PageUp),
    fixed(
        &[key(KeyCode::PageDown), key(KeyCode::Char(' '))],
        Action::PageDown,
    ),
    fixed(&[ctrl('z')], Action::Suspend),
    fixed(&[ctrl('c')], Action::Quit),
];

/// The state that decides what a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    pub help: bool,
    pub query_empty: bool,
}

/// Keys as the help shows them: `Alt-↓ Ctrl-J`.
pub fn labels(keys: &[Key]) -> String {
    keys.iter().map(|k| label(*k)).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
