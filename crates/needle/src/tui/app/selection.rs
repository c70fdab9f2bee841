//! Selection and paging: moving through the results and the tabs, by key
//! and by mouse, and loading the next page of the results as the selection
//! nears the end of those loaded.

use needle_index::SearchResults;
use ratatui::layout::Position;

use super::{App, Effect, PAGE, SearchJob, Tab};
use crate::tui::action::SearchError;
use crate::tui::layout;

/// Lines the mouse wheel scrolls the preview by.
const WHEEL_LINES: usize = 3;

impl App {
    /// How many hits to ask for at a time: [`PAGE`], or three screens of
    /// the list when it shows more than a third of that (a tall terminal),
    /// so that the first page fills the list with room to move.
    pub fn page_size(&self) -> usize {
        PAGE.max(3 * self.areas().list_capacity())
    }

    /// How near the end of the hits loaded the selection comes before the
    /// next page is asked for: two screens of the list, so that a page
    /// key's move and the screen after it are usually there already.
    pub(super) fn lookahead(&self) -> usize {
        2 * self.areas().list_capacity()
    }

    /// Asks for the next page of the results shown when the selection is
    /// near the end of the hits loaded and more match; once at a time.
    pub(super) fn load_more(&mut self) {
        // Only for the latest search, once it has answered (not while a
        // newer one runs, nor after it failed: the older results show).
        if self.loading.is_some() || self.exhausted || self.shown != self.generation {
            return;
        }
        let Some(results) = &self.results else {
            return;
        };
        let loaded = results.hits.len();
        if loaded == 0 || loaded >= results.total || self.selected + self.lookahead() < loaded {
            return;
        }
        self.loading = Some(loaded);
        self.effects.push(Effect::Search(SearchJob::Page {
            generation: self.generation,
            request: self
                .request
                .clone()
                .limit(self.page_size())
                .offset(loaded)
                .count_topics(false),
        }));
    }

    /// A further page answered: its hits go at the end of the list, the
    /// selection and the scroll stay. A page for an older search (another
    /// query, topic or index), or for another place than the end of the
    /// list, is dropped.
    pub(super) fn page_done(
        &mut self,
        generation: u64,
        offset: usize,
        result: Result<Box<SearchResults>, SearchError>,
    ) {
        if generation != self.generation || self.loading != Some(offset) {
            return;
        }
        self.loading = None;
        let Some(results) = self.results.as_mut() else {
            return;
        };
        // A failed page is asked for again when the selection next moves.
        let Ok(page) = result else {
            return;
        };
        if offset != results.hits.len() {
            return;
        }
        if page.hits.is_empty() {
            self.exhausted = true;
            return;
        }
        results.hits.extend(page.hits);
        // A tall list may still be short of hits.
        self.load_more();
    }

    pub(super) fn set_tab(&mut self, tab: usize) {
        let filter = match tab {
            0 => None,
            i => self.topics.get(i - 1).map(|t| t.name.clone()),
        };
        if filter != self.filter {
            self.filter = filter;
            self.selected = 0;
            self.list_offset = 0;
            self.search(None);
        }
    }

    /// Selects a hit (clamped to those loaded), and asks for the next page
    /// when it is near the end of them, even if the selection is already
    /// at the end and did not move.
    pub(super) fn select(&mut self, index: usize) {
        let last = self.hits().len().saturating_sub(1);
        let index = index.min(last);
        if index != self.selected {
            self.selected = index;
            self.ensure_visible();
            self.reset_preview();
        }
        self.load_more();
    }

    /// Scrolls the list so that the selection shows.
    pub(super) fn ensure_visible(&mut self) {
        let capacity = self.areas().list_capacity();
        let len = self.hits().len();
        self.selected = self.selected.min(len.saturating_sub(1));
        if self.selected < self.list_offset {
            self.list_offset = self.selected;
        } else if self.selected >= self.list_offset + capacity {
            self.list_offset = self.selected + 1 - capacity;
        }
        self.list_offset = self.list_offset.min(len.saturating_sub(capacity));
    }

    pub(super) fn click(&mut self, at: Position) {
        let areas = self.areas();
        if areas.tabs.contains(at) {
            let texts: Vec<String> = self.tabs().iter().map(Tab::text).collect();
            let (cells, _, _) = layout::tab_cells(&texts, self.active_tab(), areas.tabs);
            if let Some(cell) = cells.iter().find(|c| (c.x..c.x + c.width).contains(&at.x)) {
                self.set_tab(cell.index);
            }
        } else if areas.list_inner.contains(at) {
            let row = usize::from((at.y - areas.list_inner.y) / areas.item_height);
            let index = self.list_offset + row;
            if index < self.hits().len() {
                self.select(index);
            }
        }
    }

    pub(super) fn wheel(&mut self, at: Position, down: bool) {
        if self.areas().preview.contains(at) {
            self.scroll_preview(WHEEL_LINES, down);
        } else if down {
            self.select(self.selected.saturating_add(1));
        } else {
            self.select(self.selected.saturating_sub(1));
        }
    }
}
