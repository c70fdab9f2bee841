//! Test helpers: an [`App`] over a real in-memory index, with its searches
//! and reindexes run in place (no threads) by the event loop's effect
//! runner ([`effects::run_until_idle`]), and rendering into ratatui's
//! `TestBackend`. Timings are fixed so that snapshots do not vary.

use std::convert::Infallible;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use needle_index::{ContentSource, NeedleIndex, ReindexOptions};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::tui::action::{Action, ReindexSummary};
use crate::tui::app::{App, OpenJob, Options, SearchJob};
use crate::tui::effects::{self, Perform};
use crate::tui::keys::KeyMap;
use crate::tui::theme::Theme;
use crate::tui::worker;

/// The query time every test search reports.
pub const QUERY_MS: f64 = 0.4;
/// The reindex time every test reindex reports.
pub const REINDEX_MS: f64 = 9.0;

/// A reindex that changed one article and left `passages`, as the worker
/// reports it.
pub fn reindexed(passages: u64) -> Action {
    Action::ReindexDone(Ok(ReindexSummary {
        changed_articles: 1,
        first: false,
        committed: true,
        passages,
        took_ms: REINDEX_MS,
        issues: Vec::new(),
    }))
}

pub struct Harness {
    pub index: NeedleIndex,
    pub source: ContentSource,
    pub app: App,
    /// How many times the app asked to be suspended (Ctrl-Z).
    pub suspended: usize,
    /// What the app asked to open in the editor (Ctrl-O).
    pub opened: Vec<OpenJob>,
}

impl Harness {
    /// The bundled article, indexed, at a terminal size; the first search done.
    pub fn bundled(width: u16, height: u16) -> Harness {
        Harness::with(crate::workspace::bundled(), width, height, "", None)
    }

    /// The bundled article with a starting query.
    pub fn query(width: u16, height: u16, query: &str) -> Harness {
        Harness::with(crate::workspace::bundled(), width, height, query, None)
    }

    pub fn with(
        source: ContentSource,
        width: u16,
        height: u16,
        query: &str,
        topic: Option<&str>,
    ) -> Harness {
        let index = NeedleIndex::in_memory().expect("in-memory index");
        index
            .reindex(&source, &ReindexOptions::default())
            .expect("indexing the test content");
        let app = App::new(Options {
            query: query.to_owned(),
            topic: topic.map(str::to_owned),
            theme: Theme::colored(),
            source: "the bundled article".to_owned(),
            passages: index.passage_count(),
            width,
            height,
            per_article: None,
            keys: KeyMap::default(),
            mouse: true,
            history: Vec::new(),
        });
        let mut h = Harness {
            index,
            source,
            app,
            suspended: 0,
            opened: Vec::new(),
        };
        // As at startup: a reindex (here, with nothing to do), then the search.
        h.app.update(Action::ReindexStarted);
        let report = worker::run_reindex(&h.index, &h.source, None, &ReindexOptions::default());
        h.app.update(Action::ReindexDone(report));
        h.run();
        h
    }

    /// Runs the queued searches and reindexes, as the worker would, and
    /// what their answers queue, until nothing more is queued.
    pub fn run(&mut self) {
        let mut perform = InPlace {
            index: &self.index,
            source: &self.source,
            suspended: &mut self.suspended,
            opened: &mut self.opened,
        };
        let Ok(()) = effects::run_until_idle(&mut self.app, &mut perform);
    }

    /// Applies an action and runs what it queued.
    pub fn act(&mut self, action: Action) {
        self.app.update(action);
        self.run();
    }

    /// Presses a key (through the key table) and runs what it queued.
    pub fn key(&mut self, code: KeyCode, mods: KeyModifiers) {
        if let Some(action) = self
            .app
            .keys
            .action_for(KeyEvent::new(code, mods), self.app.key_context())
        {
            self.act(action);
        }
    }

    pub fn press(&mut self, code: KeyCode) {
        self.key(code, KeyModifiers::NONE);
    }

    pub fn ctrl(&mut self, c: char) {
        self.key(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    /// Types text, one key at a time.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    /// Draws one frame at the app's size.
    pub fn draw(&self) -> Terminal<TestBackend> {
        let mut terminal =
            Terminal::new(TestBackend::new(self.app.size.width, self.app.size.height))
                .expect("test terminal");
        terminal
            .draw(|frame| crate::tui::ui::draw(frame, &self.app))
            .expect("drawing");
        terminal
    }

    /// The frame as text.
    pub fn screen(&self) -> String {
        self.draw().backend().to_string()
    }
}

/// The effects as the harness performs them: searches and reindexes on this
/// thread, with fixed timings; suspends counted, opens recorded.
struct InPlace<'a> {
    index: &'a NeedleIndex,
    source: &'a ContentSource,
    suspended: &'a mut usize,
    opened: &'a mut Vec<OpenJob>,
}

impl Perform for InPlace<'_> {
    type Error = Infallible;

    fn search(&mut self, job: SearchJob) -> Option<Action> {
        let mut done = worker::run_job(self.index, &job);
        if let Action::SearchDone {
            result: Ok(out), ..
        } = &mut done
        {
            out.results.took_ms = QUERY_MS;
        }
        Some(done)
    }

    fn reindex(&mut self) -> Option<Result<ReindexSummary, String>> {
        let result = worker::run_reindex(self.index, self.source, None, &ReindexOptions::default());
        Some(result.map(|mut s| {
            s.took_ms = REINDEX_MS;
            s
        }))
    }

    /// No terminal to give back: count it.
    fn suspend(&mut self) -> Result<(), Infallible> {
        *self.suspended += 1;
        Ok(())
    }

    /// No editor to run: record the request, and answer as the editor's
    /// return does.
    fn open(&mut self, job: OpenJob) -> Result<Option<Action>, Infallible> {
        let said = format!("edited {}", job.article);
        self.opened.push(job);
        Ok(Some(Action::Edited(Ok(said))))
    }
}
