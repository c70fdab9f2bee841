//! The help overlay (its text and place: [`crate::tui::help`]), over the
//! interface.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Padding, Paragraph};

use crate::tui::app::App;
use crate::tui::help::place;
use crate::tui::keys;

/// Draws the help over the interface, scrolled as far as the state says.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let theme = app.theme;
    let (rect, content) = place(theme, app.controls(), frame.area());
    let inner_height = usize::from(rect.height.saturating_sub(2));
    let scroll = app
        .help_scroll
        .min(content.len().saturating_sub(inner_height));
    let close = keys::HELP_KEYS[0]
        .keys
        .first()
        .map_or_else(String::new, |k| keys::label(*k));
    let mut footer = vec![
        Span::styled(format!(" {close}"), theme.key()),
        Span::styled(" closes ", theme.dim()),
    ];
    if content.len() > inner_height {
        footer.push(Span::styled("· ↑↓", theme.key()));
        footer.push(Span::styled(" scroll ", theme.dim()));
    }
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus())
        .title(Line::styled(" needle · keys ", theme.title()))
        .title_bottom(Line::from(footer).right_aligned())
        .padding(Padding::horizontal(1));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(content)
            .block(block)
            .scroll((u16::try_from(scroll).unwrap_or(0), 0)),
        rect,
    );
}
