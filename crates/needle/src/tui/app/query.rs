//! Editing the query: inserting, deleting, moving the cursor by character
//! and by word. Every change queues a search.

use std::ops::Range;

use super::App;

impl App {
    pub(super) fn insert(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.query.insert_str(self.cursor, s);
        self.cursor += s.len();
        self.query_changed();
    }

    /// Deletes a range of the query and puts the cursor there.
    pub(super) fn edit(&mut self, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        self.cursor = range.start;
        self.query.replace_range(range, "");
        self.query_changed();
    }

    pub(super) fn query_changed(&mut self) {
        self.search(None);
    }

    pub(super) fn prev_boundary(&self, at: usize) -> Option<usize> {
        self.query[..at].char_indices().next_back().map(|(i, _)| i)
    }

    pub(super) fn next_boundary(&self, at: usize) -> Option<usize> {
        self.query[at..].chars().next().map(|c| at + c.len_utf8())
    }

    /// The start of the word before `at` (spaces before it skipped).
    pub(super) fn word_left(&self, at: usize) -> usize {
        let before = self.query[..at].trim_end();
        before
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(i, c)| i + c.len_utf8())
    }

    /// The end of the word after `at`.
    pub(super) fn word_right(&self, at: usize) -> usize {
        let rest = &self.query[at..];
        let start = rest.len() - rest.trim_start().len();
        rest[start..]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
            .map_or(self.query.len(), |(i, _)| at + start + i)
    }
}
