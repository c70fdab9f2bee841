//! The query line: prompt, query and cursor, and what is being searched.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::text;

const PROMPT: &str = " ❯ ";
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = app.theme;
    let width = usize::from(area.width);
    let prompt_width = text::width(PROMPT);

    // Right: what is searched, and a spinner while a search runs.
    let label = text::truncate(&app.source, width / 3).into_owned();
    let mut right = vec![Span::styled(label, theme.dim()), Span::raw(" ")];
    if app.searching() {
        right.insert(
            0,
            Span::styled(
                format!("{} ", SPINNER[app.tick % SPINNER.len()]),
                theme.accent(),
            ),
        );
    }
    let right = Line::from(right);
    let right_width = right.width();
    let avail = width.saturating_sub(prompt_width + right_width + 1).max(1);

    let mut spans = vec![Span::styled(PROMPT, theme.accent())];
    let cursor_col;
    if app.query.is_empty() {
        let what = match app.index.passages {
            0 => String::new(),
            n => format!(" {n} passages"),
        };
        let hint = format!("type to search{what} · \"phrase\" -word topic:name · F1 help");
        spans.push(Span::styled(
            text::truncate(&hint, avail).into_owned(),
            theme.dim(),
        ));
        cursor_col = 0;
    } else {
        // Scroll a long query so that the cursor shows.
        let mut start = 0;
        while text::width(&app.query[start..app.cursor]) + 1 > avail && start < app.cursor {
            start += app.query[start..].chars().next().map_or(1, char::len_utf8);
        }
        let shown = text::clip(&app.query[start..], avail);
        cursor_col = text::width(&app.query[start..app.cursor]);
        spans.push(Span::styled(shown, theme.title()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    frame.render_widget(Paragraph::new(right).right_aligned(), area);
    if !app.help {
        let x = area.x + u16::try_from(prompt_width + cursor_col).unwrap_or(area.width - 1);
        frame.set_cursor_position(Position::new(x.min(area.right() - 1), area.y));
    }
}
