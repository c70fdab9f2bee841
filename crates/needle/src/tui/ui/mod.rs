//! Drawing: one module per panel, each a pure function of the state.
//!
//! Nothing here changes the [`App`]; the same state always draws the same
//! frame, which is what the snapshot tests rely on.

mod help;
mod preview;
mod query;
mod results;
mod status;
mod tabs;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::layout::{self, MIN_HEIGHT, MIN_WIDTH, Mode};
use crate::tui::text;

/// Draws the whole interface.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let areas = layout::areas(frame.area());
    if areas.mode == Mode::TooSmall {
        too_small(frame, frame.area(), app);
        return;
    }
    query::draw(frame, app, areas.query);
    tabs::draw(frame, app, areas.tabs);
    results::draw(frame, app, &areas);
    if areas.mode != Mode::ListOnly {
        preview::draw(frame, app, &areas);
    }
    status::draw(frame, app, areas.status);
    if app.help {
        help::draw(frame, app);
    }
}

/// The message shown instead of the interface when it cannot fit.
fn too_small(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let width = usize::from(area.width);
    let lines = [
        format!("terminal too small (need {MIN_WIDTH}x{MIN_HEIGHT})"),
        format!("now {}x{}", area.width, area.height),
    ];
    let lines: Vec<Line<'_>> = if text::width(&lines[0]) <= width {
        vec![
            Line::styled(lines[0].clone(), app.theme.title()),
            Line::styled(lines[1].clone(), app.theme.dim()),
        ]
    } else {
        // Narrower still: the same words on more lines.
        vec![
            Line::styled(
                text::truncate("terminal too small", width).into_owned(),
                app.theme.title(),
            ),
            Line::styled(
                text::truncate(&format!("need {MIN_WIDTH}x{MIN_HEIGHT}"), width).into_owned(),
                app.theme.dim(),
            ),
            Line::styled(
                text::truncate(&lines[1], width).into_owned(),
                app.theme.dim(),
            ),
        ]
    };
    let height = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let centre = area.centered_vertically(Constraint::Length(height));
    frame.render_widget(Paragraph::new(lines).centered(), centre);
}

#[cfg(test)]
mod tests;
