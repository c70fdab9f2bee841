//! The interface without a terminal: key presses in, frames out.
//!
//! [`Headless`] runs the same code as the terminal interface, step by step
//! and on the calling thread: a key goes through the key table
//! ([`KeyMap::action_for`](crate::tui::keys::KeyMap::action_for)) to an action that [`App::update`] applies; the
//! search it queues (or the further page of the results that moving the
//! selection near the end of those loaded asks for) is carried out by the
//! event loop's effect runner ([`effects::run_once`]) through
//! [`worker::run_job`], the function the worker's search thread calls; and
//! the frame is drawn by [`ui::draw`] into ratatui's `TestBackend` (kept
//! between frames, so that each draw diffs against the previous frame as a
//! real terminal's does). Only the threads and the channel hops between
//! them are left out (see [`effects`] for what that changes).
//!
//! It exists for the keystroke-to-frame benchmark (`benches/keystroke.rs`),
//! which times the three steps.

use std::convert::Infallible;
use std::sync::Arc;

use crossterm::event::KeyEvent;
use needle_index::NeedleIndex;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::tui::action::{Action, ReindexSummary};
use crate::tui::app::{App, OpenJob, Options, SearchJob};
use crate::tui::effects::{self, Perform};
use crate::tui::keys::KeyMap;
use crate::tui::theme::Theme;
use crate::tui::ui;
use crate::tui::worker;

/// The interface on an index, driven by key presses, drawing into memory.
///
/// ```
/// use std::sync::Arc;
///
/// use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
/// use needle_index::{ContentSource, NeedleIndex, ReindexOptions};
///
/// let index = NeedleIndex::in_memory().unwrap();
/// let article = "# Care\n\n## Aftercare\n\nWear sunscreen every day.\n";
/// let source = ContentSource::memory([("care.md", article)]);
/// index.reindex(&source, &ReindexOptions::default()).unwrap();
///
/// let mut ui = needle::Headless::new(Arc::new(index), "care.md", 100, 30);
/// for c in "sun".chars() {
///     ui.keystroke(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
/// }
/// assert_eq!(ui.query(), "sun");
/// assert_eq!(ui.hits(), 1);
/// assert!(ui.screen().contains("Wear sunscreen every day."));
/// ```
#[derive(Debug)]
pub struct Headless {
    index: Arc<NeedleIndex>,
    app: App,
    terminal: Terminal<TestBackend>,
}

impl Headless {
    /// The interface on `index` (`source` names the content on the query
    /// line) in a `width` x `height` terminal, with an empty query, in
    /// colour: its first search run and its first frame drawn. The index is
    /// shared as the terminal interface shares it with its worker.
    ///
    /// # Panics
    /// When the in-memory terminal cannot be created (it always can).
    pub fn new(index: Arc<NeedleIndex>, source: &str, width: u16, height: u16) -> Headless {
        let app = App::new(Options {
            query: String::new(),
            topic: None,
            theme: Theme::colored(),
            source: source.to_owned(),
            passages: index.passage_count(),
            width,
            height,
            per_article: None,
            keys: KeyMap::default(),
            mouse: true,
            history: Vec::new(),
        });
        let terminal =
            Terminal::new(TestBackend::new(width, height)).expect("an in-memory terminal");
        let mut headless = Headless {
            index,
            app,
            terminal,
        };
        headless.search();
        headless.draw();
        headless
    }

    /// Presses a key: the key table maps it to an action, as in the event
    /// loop, and the state applies it. Returns whether the key did
    /// anything. A search it asks for is queued, not run: see
    /// [`Headless::search`].
    pub fn press(&mut self, key: KeyEvent) -> bool {
        match self.app.keys.action_for(key, self.app.key_context()) {
            Some(action) => {
                self.app.update(action);
                true
            }
            None => false,
        }
    }

    /// Runs the queued search, or the queued page of the results, as the
    /// worker's search thread does (only the newest request: older ones
    /// are stale) and hands its result to the state. Returns how many
    /// requests ran (0 or 1). Reindex, suspend and open requests are
    /// dropped: there is no content source or terminal here.
    pub fn search(&mut self) -> usize {
        let Ok(round) = effects::run_once(&mut self.app, &mut InPlace(&self.index));
        round.searches
    }

    /// Draws one frame, as the event loop does after applying its input.
    ///
    /// # Panics
    /// Never: drawing into memory cannot fail.
    pub fn draw(&mut self) {
        let app = &self.app;
        self.terminal
            .draw(|frame| ui::draw(frame, app))
            .expect("drawing into memory");
    }

    /// One keystroke to its frame: [`press`](Headless::press), then
    /// [`search`](Headless::search), then [`draw`](Headless::draw).
    pub fn keystroke(&mut self, key: KeyEvent) {
        self.press(key);
        self.search();
        self.draw();
    }

    /// How many hits the interface asks for at a time (a search's first
    /// page, and each further page) at this terminal size.
    pub fn page_size(&self) -> usize {
        self.app.page_size()
    }

    /// The query as typed.
    pub fn query(&self) -> &str {
        &self.app.query
    }

    /// How many results the list holds (the pages loaded so far).
    pub fn hits(&self) -> usize {
        self.app.hits().len()
    }

    /// Passages matching the query (the `All` tab's count), once a search
    /// has answered.
    pub fn total(&self) -> Option<usize> {
        self.app.all_total
    }

    /// The last frame drawn, as text (one quoted line per row).
    pub fn screen(&self) -> String {
        self.terminal.backend().to_string()
    }
}

/// The effects as `Headless` performs them: searches on this thread, as the
/// worker's search thread runs them; reindexes and suspends dropped.
struct InPlace<'a>(&'a NeedleIndex);

impl Perform for InPlace<'_> {
    type Error = Infallible;

    fn search(&mut self, job: SearchJob) -> Option<Action> {
        Some(worker::run_job(self.0, &job))
    }

    /// No content source here: nothing to reindex.
    fn reindex(&mut self) -> Option<Result<ReindexSummary, String>> {
        None
    }

    /// No terminal here: nothing to give back.
    fn suspend(&mut self) -> Result<(), Infallible> {
        Ok(())
    }

    /// No terminal here: no editor to give it to.
    fn open(&mut self, _job: OpenJob) -> Result<Option<Action>, Infallible> {
        Ok(None)
    }
}
