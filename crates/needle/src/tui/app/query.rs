//! Editing the query: inserting, deleting and cutting (Ctrl-Y pastes the
//! text cut last), moving the cursor by character and by word, and walking
//! the history of queries. Every change queues a search.

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

    /// Cuts a range of the query: deletes it, keeping its text for Ctrl-Y.
    pub(super) fn kill(&mut self, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        self.killed = self.query[range.clone()].to_owned();
        self.edit(range);
    }

    /// Walks the history: back to older queries, or forward to newer ones
    /// and then the query as it was typed (as fzf's `--history` does).
    pub(super) fn walk_history(&mut self, forward: bool) {
        let n = self.history.len();
        let at = match (self.history_at, forward) {
            (_, _) if n == 0 => return,
            (None, false) => {
                self.history_draft = self.query.clone();
                Some(n - 1)
            }
            (None, true) => return,
            (Some(0), false) => return,
            (Some(i), false) => Some(i - 1),
            (Some(i), true) if i + 1 < n => Some(i + 1),
            (Some(_), true) => None,
        };
        self.history_at = at;
        self.query = match at {
            Some(i) => self.history[i].clone(),
            None => std::mem::take(&mut self.history_draft),
        };
        self.cursor = self.query.len();
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
