//! The types the interface's state is made of, and the effects it queues.

use needle_index::{Hit, SearchRequest};

use crate::tui::keys::KeyMap;
use crate::tui::theme::Theme;

/// How the interface was left.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Enter on a result: print it.
    Selected(Box<Hit>),
    /// Esc or Ctrl-C: print nothing, exit 130.
    Cancelled,
}

/// Work for the event loop to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A search or a further page of one, for the worker's search thread.
    Search(SearchJob),
    Reindex,
    /// Give the terminal back and stop the process until it is continued
    /// (Ctrl-Z); the event loop does it, then redraws.
    Suspend,
    /// Open a passage's source file in the editor: give the terminal to the
    /// editor, take it back when it exits, and reindex (answered by
    /// [`Action::Edited`]).
    Open(OpenJob),
}

/// What to open: the passage, and its place in its article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenJob {
    pub passage: String,
    pub article: String,
    pub line: Option<u32>,
}

/// Work for the worker's search thread, with the generation of the search
/// it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchJob {
    /// A new search: its first page, with the topic counts and the `All`
    /// total; answered by [`Action::SearchDone`].
    New {
        generation: u64,
        request: SearchRequest,
    },
    /// The next page of the search of `generation`, from `request.offset`
    /// (the hits loaded so far); answered by [`Action::PageDone`].
    Page {
        generation: u64,
        request: SearchRequest,
    },
}

/// What the last reindex did.
#[derive(Debug, Clone, PartialEq)]
pub enum LastReindex {
    /// None has finished yet.
    None,
    /// The index already matched the content.
    UpToDate,
    /// Articles were added, updated or removed.
    Changed {
        articles: usize,
        took_ms: f64,
        /// The index was empty before (the first indexing).
        first: bool,
    },
}

/// The index, as the status line tells it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexStatus {
    pub busy: bool,
    pub passages: u64,
    pub last: LastReindex,
    /// The last reindex failed: why. Kept until one succeeds.
    pub error: Option<String>,
    /// Content files that were skipped, or a watcher problem.
    pub warning: Option<String>,
    /// Ctrl-R was pressed and its reindex has not finished.
    pub(super) manual: bool,
}

/// How the interface starts.
#[derive(Debug, Clone)]
pub struct Options {
    pub query: String,
    /// The topic filter (a topic name), already checked.
    pub topic: Option<String>,
    pub theme: Theme,
    /// What is searched, for people ("the bundled article", a path).
    pub source: String,
    /// Passages in the index when it was opened.
    pub passages: u64,
    pub width: u16,
    pub height: u16,
    /// Start with at most this many passages per article (`--per-article`);
    /// Ctrl-G turns the cap on and off.
    pub per_article: Option<usize>,
    /// The key table (the defaults, or as the config file changed them).
    pub keys: KeyMap,
    /// Whether the interface takes the mouse (`--no-mouse`: the terminal
    /// keeps it, and the help leaves it out).
    pub mouse: bool,
    /// Queries chosen before, oldest first (Ctrl-↑ walks back through them).
    pub history: Vec<String>,
}

/// One topic tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tab {
    /// The topic's name; `None` for `All`.
    pub name: Option<String>,
    pub label: String,
    /// Matching passages; `None` until the first search answers.
    pub count: Option<u64>,
    /// The topic's position in the index, which picks its colour.
    pub position: Option<usize>,
}

impl Tab {
    /// The tab as drawn: ` Label 12 `.
    pub fn text(&self) -> String {
        match self.count {
            Some(n) => format!(" {} {n} ", self.label),
            None => format!(" {} ", self.label),
        }
    }
}
