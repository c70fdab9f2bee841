//! The interface's state, and how each [`Action`] changes it.
//!
//! Pure: no terminal, no threads, no clock. Work that has to happen
//! elsewhere (a search, a reindex) is queued as an [`Effect`]; the event
//! loop hands effects to the worker, and tests run them in place. Searches
//! carry a generation number: a result is shown only if it answers the
//! latest request, so a slow, older search never overwrites a newer one.
//!
//! A search asks for one page of hits (highlighting them is most of its
//! time); when the selection comes near the end of the hits loaded, the
//! next page is asked for ([`SearchJob::Page`]) and appended when it
//! answers, unless the query, the topic or the index changed meanwhile.
//!
//! Split by role: the state, [`App::update`] and the searches with their
//! answers are here; the types it is made of and the effects it queues are
//! in `types`; editing the query is in `query`, moving
//! through the results and the tabs (and loading further pages) in
//! `selection`, and the preview in `preview`.

mod preview;
mod query;
mod selection;
mod types;

use needle_index::{Hit, SearchRequest, SearchResults, TopicCount};
use ratatui::layout::{Position, Rect};

pub use self::types::{
    Effect, IndexStatus, LastReindex, OpenJob, Options, Outcome, SearchJob, Tab,
};
use crate::tui::action::{Action, ReindexSummary, SearchOutput};
use crate::tui::help::Controls;
use crate::tui::keys::{self, KeyMap};
use crate::tui::layout::{self, Areas};
use crate::tui::theme::Theme;

/// How many hits a search asks for at a time (at least; see
/// [`App::page_size`]): the list shows the pages loaded, the status line
/// and the tabs the totals. Each hit (its place in the ranking, its
/// highlights) costs time on every keystroke, so the first page is three
/// screens of a 30-line terminal's list (8 hits a screen), and the next
/// ones load as the selection nears the end of the list.
pub const PAGE: usize = 24;

/// The whole state of the interface.
#[derive(Debug, Clone)]
pub struct App {
    pub theme: Theme,
    /// What is searched, for people.
    pub source: String,
    /// The query as typed.
    pub query: String,
    /// The cursor, as a byte offset into `query`.
    pub cursor: usize,
    /// Topics of the index in display order, with counts for the query.
    pub topics: Vec<TopicCount>,
    /// Passages matching the query in all topics.
    pub all_total: Option<usize>,
    /// The topic filter (a topic name); `None` for `All`.
    pub filter: Option<String>,
    /// The results shown: those of the latest search that answered.
    pub results: Option<SearchResults>,
    pub selected: usize,
    /// The first result shown in the list.
    pub list_offset: usize,
    /// The first wrapped line shown in the preview.
    pub preview_scroll: usize,
    /// The match the preview is on (for `match i/n` and jumps).
    pub current_match: usize,
    pub index: IndexStatus,
    /// Why the latest search failed, if it did.
    pub search_error: Option<String>,
    pub help: bool,
    pub help_scroll: usize,
    /// The terminal's size.
    pub size: Rect,
    /// Animation frame of the spinner.
    pub tick: usize,
    pub outcome: Option<Outcome>,
    /// At most this many passages per article, when on.
    pub per_article: Option<usize>,
    /// The cap Ctrl-G turns on: `--per-article N`, else 1.
    per_article_cap: usize,
    /// The key table.
    pub keys: KeyMap,
    /// Whether the interface takes the mouse (not with `--no-mouse`).
    pub mouse: bool,
    /// The text cut last (Ctrl-K, Ctrl-U, Ctrl-W, Alt-D), for Ctrl-Y.
    pub killed: String,
    /// Queries chosen before, oldest first.
    pub history: Vec<String>,
    /// The history entry the query shows, while walking it.
    pub history_at: Option<usize>,
    /// The query as typed before walking the history (Ctrl-↓ past the
    /// newest entry brings it back).
    history_draft: String,
    /// A message for the status line (what the editor did), until the next
    /// key.
    pub notice: Option<Result<String, String>>,
    /// The generation of the latest search asked for.
    generation: u64,
    /// The generation of the latest search that answered.
    received: u64,
    /// The generation of the results shown (older than `received` when the
    /// latest search failed).
    shown: u64,
    /// A passage to keep selected when the latest search answers.
    keep: Option<String>,
    /// The latest search asked for; its further pages ask the same.
    request: SearchRequest,
    /// The offset of the page asked for and not answered yet.
    loading: Option<usize>,
    /// A page came back empty: the index has no more hits for the search
    /// (it changed since the total was counted).
    exhausted: bool,
    effects: Vec<Effect>,
}

impl App {
    /// A new interface; its first search is queued (see [`App::take_effects`]).
    pub fn new(options: Options) -> App {
        let mut app = App {
            theme: options.theme,
            mouse: options.mouse,
            source: options.source,
            cursor: options.query.len(),
            query: options.query,
            topics: Vec::new(),
            all_total: None,
            filter: options.topic,
            results: None,
            selected: 0,
            list_offset: 0,
            preview_scroll: 0,
            current_match: 0,
            index: IndexStatus {
                busy: false,
                passages: options.passages,
                last: LastReindex::None,
                error: None,
                warning: None,
                manual: false,
            },
            search_error: None,
            help: false,
            help_scroll: 0,
            size: Rect::new(0, 0, options.width, options.height),
            tick: 0,
            outcome: None,
            per_article: options.per_article,
            per_article_cap: options.per_article.unwrap_or(1),
            keys: options.keys,
            killed: String::new(),
            history: options.history,
            history_at: None,
            history_draft: String::new(),
            notice: None,
            generation: 0,
            received: 0,
            shown: 0,
            keep: None,
            request: SearchRequest::new(""),
            loading: None,
            exhausted: false,
            effects: Vec::new(),
        };
        app.search(None);
        app
    }

    /// The work queued by the last actions, to be done by the caller.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// Where the panels are at the current size.
    pub fn areas(&self) -> Areas {
        layout::areas(self.size)
    }

    pub fn hits(&self) -> &[Hit] {
        self.results.as_ref().map_or(&[], |r| &r.hits)
    }

    /// Whether the hits shown come from more than one article: then each
    /// says which.
    pub fn several_articles(&self) -> bool {
        self.hits()
            .windows(2)
            .any(|w| w[0].passage.article != w[1].passage.article)
    }

    pub fn selected_hit(&self) -> Option<&Hit> {
        self.hits().get(self.selected)
    }

    /// Whether a search is running whose answer is not shown yet.
    pub fn searching(&self) -> bool {
        self.received < self.generation
    }

    /// Whether something runs in the background (the spinner turns).
    pub fn busy(&self) -> bool {
        self.searching() || self.index.busy
    }

    /// Whether the index is empty because its first indexing has not
    /// finished (nothing to say about the results yet).
    pub fn first_indexing(&self) -> bool {
        self.index.passages == 0 && (self.index.busy || self.index.last == LastReindex::None)
    }

    /// The key handler's view of the state.
    pub fn key_context(&self) -> keys::Context {
        keys::Context {
            help: self.help,
            query_empty: self.query.is_empty(),
        }
    }

    /// What the help describes: the keys, and the mouse when it is taken.
    pub fn controls(&self) -> Controls<'_> {
        Controls {
            keys: &self.keys,
            mouse: self.mouse,
        }
    }

    /// `All`, then the index's topics in display order.
    pub fn tabs(&self) -> Vec<Tab> {
        let mut tabs = vec![Tab {
            name: None,
            label: "All".to_owned(),
            count: self.all_total.map(|n| n as u64),
            position: None,
        }];
        let counted = self.all_total.is_some();
        tabs.extend(self.topics.iter().enumerate().map(|(i, t)| Tab {
            name: Some(t.name.clone()),
            label: t.label.clone(),
            count: counted.then_some(t.count),
            position: Some(i),
        }));
        tabs
    }

    /// The index of the active tab.
    pub fn active_tab(&self) -> usize {
        self.filter
            .as_ref()
            .and_then(|f| self.topics.iter().position(|t| &t.name == f))
            .map_or(0, |i| i + 1)
    }

    /// A topic's position in the index (its colour), by name.
    pub fn topic_position(&self, name: &str) -> Option<usize> {
        self.topics.iter().position(|t| t.name == name)
    }

    /// A topic's label, by name.
    pub fn topic_label<'a>(&'a self, name: &'a str) -> &'a str {
        self.topics
            .iter()
            .find(|t| t.name == name)
            .map_or(name, |t| t.label.as_str())
    }

    /// The topic a hit's badge shows: the active filter when the passage
    /// has it (several topics are common), else its first.
    pub fn badge_topic<'a>(&self, hit: &'a Hit) -> Option<&'a str> {
        let topics = &hit.passage.topics;
        self.filter
            .as_ref()
            .and_then(|f| topics.iter().find(|t| *t == f))
            .or_else(|| topics.first())
            .map(String::as_str)
    }

    /// Applies one action.
    pub fn update(&mut self, action: Action) {
        if self.help && self.update_help(&action) {
            return;
        }
        if is_from_the_user(&action) {
            self.notice = None;
        }
        match action {
            Action::Insert(c) => self.insert(&c.to_string()),
            Action::Paste(s) => {
                let clean: String = s
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                self.insert(&clean);
            }
            Action::Backspace => {
                if let Some(prev) = self.prev_boundary(self.cursor) {
                    self.edit(prev..self.cursor);
                }
            }
            Action::Delete => {
                if let Some(next) = self.next_boundary(self.cursor) {
                    self.edit(self.cursor..next);
                }
            }
            Action::DeleteWord => {
                let start = self.word_left(self.cursor);
                self.kill(start..self.cursor);
            }
            Action::DeleteWordForward => {
                let end = self.word_right(self.cursor);
                self.kill(self.cursor..end);
            }
            Action::ClearQuery => self.kill(0..self.cursor),
            Action::KillToEnd => self.kill(self.cursor..self.query.len()),
            Action::Yank => {
                let text = self.killed.clone();
                self.insert(&text);
            }
            Action::HistoryPrev => self.walk_history(false),
            Action::HistoryNext => self.walk_history(true),
            Action::CursorLeft => self.cursor = self.prev_boundary(self.cursor).unwrap_or(0),
            Action::CursorRight => {
                self.cursor = self.next_boundary(self.cursor).unwrap_or(self.cursor);
            }
            Action::CursorWordLeft => self.cursor = self.word_left(self.cursor),
            Action::CursorWordRight => self.cursor = self.word_right(self.cursor),
            Action::CursorHome => self.cursor = 0,
            Action::CursorEnd => self.cursor = self.query.len(),

            Action::SelectPrev => self.select(self.selected.saturating_sub(1)),
            Action::SelectNext => self.select(self.selected.saturating_add(1)),
            Action::PageUp => {
                let page = self.areas().list_capacity();
                self.select(self.selected.saturating_sub(page));
            }
            Action::PageDown => {
                let page = self.areas().list_capacity();
                self.select(self.selected.saturating_add(page));
            }
            Action::SelectFirst => self.select(0),
            Action::SelectLast => self.select(usize::MAX),
            Action::NextTab => {
                let n = self.topics.len() + 1;
                self.set_tab((self.active_tab() + 1) % n);
            }
            Action::PrevTab => {
                let n = self.topics.len() + 1;
                self.set_tab((self.active_tab() + n - 1) % n);
            }

            Action::NextMatch => self.jump_match(true),
            Action::PrevMatch => self.jump_match(false),
            Action::PreviewDown => self.scroll_preview(1, true),
            Action::PreviewUp => self.scroll_preview(1, false),
            Action::PreviewPageDown => {
                let page = self.preview_page();
                self.scroll_preview(page, true);
            }
            Action::PreviewPageUp => {
                let page = self.preview_page();
                self.scroll_preview(page, false);
            }

            Action::Reindex => {
                self.index.manual = true;
                self.effects.push(Effect::Reindex);
            }
            Action::TogglePerArticle => {
                self.per_article = match self.per_article {
                    Some(_) => None,
                    None => Some(self.per_article_cap),
                };
                let keep = self.selected_hit().map(|h| h.passage.id.clone());
                self.search(keep);
            }
            Action::ToggleHelp => {
                self.help = !self.help;
                self.help_scroll = 0;
            }
            Action::Accept => {
                if let Some(hit) = self.selected_hit() {
                    self.outcome = Some(Outcome::Selected(Box::new(hit.clone())));
                }
            }
            Action::Open => {
                if let Some(hit) = self.selected_hit() {
                    let job = OpenJob {
                        passage: hit.passage.id.clone(),
                        article: hit.passage.article.clone(),
                        line: hit.passage.line,
                    };
                    self.effects.push(Effect::Open(job));
                }
            }
            Action::Quit => self.outcome = Some(Outcome::Cancelled),
            Action::Suspend => self.effects.push(Effect::Suspend),

            Action::Click { column, row } => self.click(Position::new(column, row)),
            Action::ScrollUp { column, row } => self.wheel(Position::new(column, row), false),
            Action::ScrollDown { column, row } => self.wheel(Position::new(column, row), true),
            Action::Resize { width, height } => {
                self.size = Rect::new(0, 0, width, height);
                self.ensure_visible();
                self.show_match();
                self.load_more();
            }
            Action::Tick => self.tick = self.tick.wrapping_add(1),

            Action::SearchDone { generation, result } => {
                // Only the answer to the latest request is shown.
                if generation != self.generation {
                    return;
                }
                self.received = generation;
                match result {
                    Ok(output) => self.show_results(*output),
                    Err(e) if e.unknown_topic && self.filter.is_some() => {
                        // The topic is gone from the index: show all topics.
                        self.filter = None;
                        self.search(None);
                    }
                    Err(e) => self.search_error = Some(e.message),
                }
            }
            Action::PageDone {
                generation,
                offset,
                result,
            } => self.page_done(generation, offset, result),
            Action::ReindexStarted => self.index.busy = true,
            Action::ReindexDone(result) => self.reindexed(result),
            Action::WatchFailed(why) => {
                self.index.warning = Some(format!("not watching for changes: {why}"));
            }
            Action::Edited(result) => self.notice = Some(result),
        }
    }

    /// Actions while the help shows. Returns whether the action was used.
    fn update_help(&mut self, action: &Action) -> bool {
        let max = crate::tui::help::max_scroll(self.controls(), self.size);
        let page = usize::from(self.size.height.saturating_sub(6)).max(1);
        match action {
            Action::SelectPrev | Action::ScrollUp { .. } => {
                self.help_scroll = self.help_scroll.saturating_sub(1);
            }
            Action::SelectNext | Action::ScrollDown { .. } => {
                self.help_scroll = (self.help_scroll + 1).min(max);
            }
            Action::PageUp => self.help_scroll = self.help_scroll.saturating_sub(page),
            Action::PageDown => self.help_scroll = (self.help_scroll + page).min(max),
            Action::Click { .. } => self.help = false,
            _ => return false,
        }
        true
    }

    /// Queues a search for the current query and filter. A refresh (which
    /// keeps a passage selected) asks again for every hit loaded, so that
    /// the selection can stay where it is.
    fn search(&mut self, keep: Option<String>) {
        let mut limit = self.page_size();
        if keep.is_some() {
            limit = limit.max(self.hits().len());
        }
        self.generation += 1;
        self.keep = keep;
        // A page on its way belongs to the older search.
        self.loading = None;
        self.exhausted = false;
        self.request = SearchRequest::new(self.query.clone())
            .topics(self.filter.iter().cloned())
            .limit(limit)
            .count_topics(true)
            .per_article_limit(self.per_article);
        self.effects.push(Effect::Search(SearchJob::New {
            generation: self.generation,
            request: self.request.clone(),
        }));
    }

    fn show_results(&mut self, output: SearchOutput) {
        let keep = self.keep.take();
        let results = output.results;
        if let Some(counts) = &results.topic_counts {
            self.topics.clone_from(counts);
        }
        self.all_total = Some(output.all_total);
        let last = results.hits.len().saturating_sub(1);
        self.selected = if let Some(id) = &keep {
            // A refresh: the same passage if it is still there, else the same place.
            results
                .hits
                .iter()
                .position(|h| &h.passage.id == id)
                .unwrap_or(self.selected.min(last))
        } else {
            self.list_offset = 0;
            0
        };
        self.results = Some(results);
        self.shown = self.received;
        self.search_error = None;
        self.ensure_visible();
        self.reset_preview();
        self.load_more();
    }

    fn reindexed(&mut self, result: Result<ReindexSummary, String>) {
        let manual = std::mem::take(&mut self.index.manual);
        self.index.busy = false;
        match result {
            Ok(summary) => {
                self.index.error = None;
                self.index.passages = summary.passages;
                self.index.warning = match summary.issues.as_slice() {
                    [] => None,
                    [one] => Some(one.clone()),
                    [first, rest @ ..] => Some(format!("{first} (and {} more)", rest.len())),
                };
                if summary.committed {
                    self.index.last = LastReindex::Changed {
                        articles: summary.changed_articles,
                        took_ms: summary.took_ms,
                        first: summary.first,
                    };
                    // Show the new index, on the same passage.
                    let keep = self.selected_hit().map(|h| h.passage.id.clone());
                    self.search(keep);
                } else if manual || self.index.last == LastReindex::None {
                    self.index.last = LastReindex::UpToDate;
                }
            }
            Err(why) => self.index.error = Some(why),
        }
    }
}

/// Whether an action comes from the user (a key, the mouse, a paste), not
/// from the terminal or the worker: it clears the status line's notice.
fn is_from_the_user(action: &Action) -> bool {
    !matches!(
        action,
        Action::Tick
            | Action::Resize { .. }
            | Action::SearchDone { .. }
            | Action::PageDone { .. }
            | Action::ReindexStarted
            | Action::ReindexDone(_)
            | Action::WatchFailed(_)
            | Action::Edited(_)
    )
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_editing;
