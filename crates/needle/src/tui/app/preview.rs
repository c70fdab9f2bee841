//! The preview: the selected passage laid out at the preview's width,
//! scrolling it, and moving between its matches.

use std::borrow::Cow;
use std::ops::Range;

use needle_index::Hit;

use super::App;
use crate::tui::text::{self, WrappedLine};

/// The selected passage's text laid out for the preview.
#[derive(Debug, Clone)]
pub struct PreviewText<'a> {
    pub hit: &'a Hit,
    /// The passage text, control characters made spaces.
    pub text: Cow<'a, str>,
    pub lines: Vec<WrappedLine>,
    /// Byte ranges of every match.
    pub matches: Vec<Range<usize>>,
}

impl PreviewText<'_> {
    /// The wrapped line of match `i`.
    pub fn match_line(&self, i: usize) -> Option<usize> {
        self.matches
            .get(i)
            .map(|m| text::line_of(&self.lines, m.start))
    }
}

impl App {
    /// The selected passage laid out at the preview's width.
    pub fn preview_text(&self) -> Option<PreviewText<'_>> {
        let areas = self.areas();
        if !areas.has_preview() {
            return None;
        }
        let hit = self.selected_hit()?;
        let text = text::sanitize(&hit.passage.text);
        let lines = text::wrap(&text, usize::from(areas.preview_body.width));
        Some(PreviewText {
            hit,
            lines,
            matches: hit.highlight_byte_ranges(),
            text,
        })
    }

    pub(super) fn preview_page(&self) -> usize {
        usize::from(self.areas().preview_body.height.saturating_sub(1)).max(1)
    }

    pub(super) fn max_preview_scroll(&self) -> usize {
        let height = usize::from(self.areas().preview_body.height);
        self.preview_text()
            .map_or(0, |p| p.lines.len().saturating_sub(height))
    }

    pub(super) fn scroll_preview(&mut self, by: usize, down: bool) {
        self.preview_scroll = if down {
            self.preview_scroll
                .saturating_add(by)
                .min(self.max_preview_scroll())
        } else {
            self.preview_scroll.saturating_sub(by)
        };
    }

    pub(super) fn reset_preview(&mut self) {
        self.current_match = 0;
        self.preview_scroll = 0;
        self.show_match();
    }

    pub(super) fn jump_match(&mut self, forward: bool) {
        let count = self.selected_hit().map_or(0, |h| h.highlights.len());
        if count == 0 {
            return;
        }
        self.current_match = if forward {
            (self.current_match + 1) % count
        } else {
            (self.current_match + count - 1) % count
        };
        self.show_match();
    }

    /// Scrolls the preview so that the current match shows, a third of the
    /// way down, unless it shows already.
    pub(super) fn show_match(&mut self) {
        let height = usize::from(self.areas().preview_body.height);
        let max = self.max_preview_scroll();
        let line = self
            .preview_text()
            .and_then(|p| p.match_line(self.current_match));
        if let Some(line) = line
            && (line < self.preview_scroll || line >= self.preview_scroll + height)
        {
            self.preview_scroll = line.saturating_sub(height / 3);
        }
        self.preview_scroll = self.preview_scroll.min(max);
    }
}
