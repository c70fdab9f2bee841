//! The topic tabs: `All`, then the index's topics, each with its count for
//! the current query. Tabs without matches stay, dimmed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::tui::app::App;
use crate::tui::layout;

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = app.theme;
    let tabs = app.tabs();
    let active = app.active_tab();
    let texts: Vec<String> = tabs.iter().map(crate::tui::app::Tab::text).collect();
    let (cells, more_left, more_right) = layout::tab_cells(&texts, active, area);
    let buf = frame.buffer_mut();
    for cell in &cells {
        let tab = &tabs[cell.index];
        let line = if cell.index == active {
            Line::from(Span::styled(
                texts[cell.index].clone(),
                theme.tab_active(tab.position),
            ))
        } else if tab.count == Some(0) {
            Line::from(Span::styled(texts[cell.index].clone(), theme.dim()))
        } else {
            let mut spans = vec![Span::styled(
                format!(" {}", tab.label),
                theme.topic_text(tab.position),
            )];
            if let Some(n) = tab.count {
                spans.push(Span::styled(format!(" {n}"), theme.dim()));
            }
            spans.push(Span::raw(" "));
            Line::from(spans)
        };
        buf.set_line(cell.x, area.y, &line, cell.width);
    }
    if more_left {
        buf.set_string(area.x, area.y, "‹", theme.accent());
    }
    if more_right {
        buf.set_string(area.right() - 1, area.y, "›", theme.accent());
    }
}
