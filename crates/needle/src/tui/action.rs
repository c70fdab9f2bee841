//! Everything that can happen to the interface: what a key, the mouse, the
//! terminal or the background worker asks for. [`App::update`] applies them.
//!
//! [`App::update`]: crate::tui::app::App::update

use needle_index::SearchResults;

/// One thing that happens.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    // The query line.
    /// Types a character at the cursor.
    Insert(char),
    /// Pastes text at the cursor (newlines become spaces).
    Paste(String),
    /// Deletes the character before the cursor.
    Backspace,
    /// Deletes the character under the cursor.
    Delete,
    /// Cuts the word before the cursor (Ctrl-Y pastes it back).
    DeleteWord,
    /// Cuts the word after the cursor.
    DeleteWordForward,
    /// Cuts everything before the cursor (all of it, at the end).
    ClearQuery,
    /// Cuts everything after the cursor.
    KillToEnd,
    /// Pastes the text cut last at the cursor.
    Yank,
    /// Replaces the query with the one before it in the history.
    HistoryPrev,
    /// Replaces the query with the one after it in the history (past the
    /// newest: the query as it was typed).
    HistoryNext,
    CursorLeft,
    CursorRight,
    CursorWordLeft,
    CursorWordRight,
    CursorHome,
    CursorEnd,

    // The results.
    SelectPrev,
    SelectNext,
    PageUp,
    PageDown,
    SelectFirst,
    SelectLast,
    NextTab,
    PrevTab,

    // The preview.
    NextMatch,
    PrevMatch,
    PreviewDown,
    PreviewUp,
    PreviewPageDown,
    PreviewPageUp,

    // The rest.
    /// Reindexes now (incrementally).
    Reindex,
    /// Turns the cap on passages per article on or off.
    TogglePerArticle,
    ToggleHelp,
    /// Prints the selected passage and quits.
    Accept,
    /// Opens the selected passage's source file at its line in the editor.
    Open,
    /// Quits without a selection.
    Quit,
    /// Suspends the interface (Ctrl-Z): the terminal is put back and the
    /// process stops until the shell continues it (`fg`), then redraws.
    Suspend,

    // The mouse and the terminal.
    Click {
        column: u16,
        row: u16,
    },
    ScrollUp {
        column: u16,
        row: u16,
    },
    ScrollDown {
        column: u16,
        row: u16,
    },
    Resize {
        width: u16,
        height: u16,
    },
    /// Time passes (animates the spinner while something runs).
    Tick,

    // The worker.
    /// A search finished; `generation` says which request it answers.
    SearchDone {
        generation: u64,
        result: Result<Box<SearchOutput>, SearchError>,
    },
    /// A further page of the results finished: the hits from `offset` on,
    /// for the search of `generation`.
    PageDone {
        generation: u64,
        offset: usize,
        result: Result<Box<SearchResults>, SearchError>,
    },
    /// A reindex started.
    ReindexStarted,
    /// A reindex finished.
    ReindexDone(Result<ReindexSummary, String>),
    /// Watching the content for changes failed.
    WatchFailed(String),
    /// The editor ran (what to say: which file, or why it did not open).
    Edited(Result<String, String>),
}

/// What a search gives the interface.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOutput {
    pub results: SearchResults,
    /// How many passages match the query in all topics (the `All` tab).
    pub all_total: usize,
}

/// A failed search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchError {
    pub message: String,
    /// The topic filter names a topic the index no longer has.
    pub unknown_topic: bool,
}

/// What a reindex did, as the status line tells it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReindexSummary {
    /// Articles added, updated or removed.
    pub changed_articles: usize,
    /// Whether the index had no passages before.
    pub first: bool,
    pub committed: bool,
    pub passages: u64,
    pub took_ms: f64,
    /// Content files skipped or partly read, one line each.
    pub issues: Vec<String>,
}
