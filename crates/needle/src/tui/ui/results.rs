//! The ranked results: per hit, its rank, topic badge and section, and the
//! window of the passage with the densest matches.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use crate::tui::action::Action;
use crate::tui::app::{App, LastReindex};
use crate::tui::keys;
use crate::tui::layout::Areas;
use crate::tui::text::{self, ELLIPSIS};
use crate::tui::theme::Theme;
use needle_index::{Hit, PassageKind};

/// The gutter mark of the selected result.
const GUTTER: &str = "▌";
/// Cells before a hit's badge: the gutter and the rank.
const INDENT: u16 = 5;

pub fn draw(frame: &mut Frame<'_>, app: &App, areas: &Areas) {
    let theme = app.theme;
    let hits = app.hits();
    let mut block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focus())
        .title(Line::styled(" Results ", theme.title()));
    if !hits.is_empty() {
        let total = app.results.as_ref().map_or(0, |r| r.total);
        let position = if total > hits.len() {
            format!(" {}/{} of {total} ", app.selected + 1, hits.len())
        } else {
            format!(" {}/{} ", app.selected + 1, hits.len())
        };
        block = block.title(Line::styled(position, theme.dim()).right_aligned());
    }
    frame.render_widget(block, areas.list);
    let inner = areas.list_inner;
    if hits.is_empty() {
        empty(frame, app, inner);
        return;
    }
    let badge_width = badge_width(app, inner.width);
    let capacity = areas.list_capacity();
    let buf = frame.buffer_mut();
    for (row, index) in (app.list_offset..hits.len()).take(capacity).enumerate() {
        let y = inner.y + u16::try_from(row).unwrap_or(0) * areas.item_height;
        let rect = Rect {
            y,
            height: areas.item_height,
            ..inner
        };
        item(
            buf,
            app,
            &hits[index],
            index == app.selected,
            rect,
            badge_width,
        );
    }
}

/// Badges share one width, so that sections line up.
fn badge_width(app: &App, list_width: u16) -> u16 {
    let widest = app
        .hits()
        .iter()
        .filter_map(|hit| app.badge_topic(hit))
        .map(|topic| text::width(app.topic_label(topic)))
        .max()
        .unwrap_or(0);
    let widest = u16::try_from(widest).unwrap_or(u16::MAX).saturating_add(2);
    widest.min(list_width / 3)
}

fn item(buf: &mut Buffer, app: &App, hit: &Hit, selected: bool, rect: Rect, badge_width: u16) {
    let theme = app.theme;
    if selected {
        buf.set_style(rect, theme.selected());
        for y in rect.top()..rect.bottom() {
            buf.set_string(rect.x, y, GUTTER, theme.gutter());
        }
    }
    let right = rect.right().saturating_sub(1);

    // The header: rank, badge, section.
    let rank_style = if selected {
        theme.accent()
    } else {
        theme.dim()
    };
    let mut x = rect.x + 1;
    buf.set_stringn(x, rect.y, format!("{:>3}", hit.rank), 3, rank_style);
    x += INDENT - 1;
    if badge_width > 0 && x + badge_width < right {
        if let Some(topic) = app.badge_topic(hit) {
            let label = app.topic_label(topic).to_uppercase();
            let label = text::truncate(&label, usize::from(badge_width - 2));
            let badge = format!(" {label} ");
            buf.set_stringn(
                x,
                rect.y,
                &badge,
                usize::from(badge_width),
                theme.badge(app.topic_position(topic)),
            );
        }
        x += badge_width + 1;
    }
    if hit.passage.kind == PassageKind::Code && x + 7 < right {
        buf.set_stringn(x, rect.y, " CODE ", 6, theme.badge(None));
        x += 7;
    }
    // With hits from several articles, each says which article it is from.
    let p = &hit.passage;
    let place = match (
        app.several_articles(),
        p.section.is_empty() || p.section == p.title,
    ) {
        (_, true) => p.title.clone(),
        (true, false) => format!("{} › {}", p.title, p.section),
        (false, false) => p.section.clone(),
    };
    let room = usize::from(right.saturating_sub(x));
    buf.set_stringn(x, rect.y, text::truncate(&place, room), room, theme.title());

    // The snippet.
    let rows = usize::from(rect.height.saturating_sub(1));
    let x = rect.x + INDENT;
    let width = right.saturating_sub(x);
    if rows == 0 || width == 0 {
        return;
    }
    let snippet = text::snippet(
        &hit.passage.text,
        &hit.highlight_byte_ranges(),
        usize::from(width),
        rows,
    );
    let count = snippet.lines.len();
    for (i, line) in snippet.lines.iter().enumerate() {
        let mut spans: Vec<Span<'_>> = text::pieces(&snippet.text, line, &snippet.highlights)
            .into_iter()
            .map(|(s, hl)| Span::styled(s, if hl { theme.highlight() } else { Style::new() }))
            .collect();
        if snippet.more && i + 1 == count {
            spans.push(Span::styled(ELLIPSIS, theme.dim()));
        }
        let y = rect.y + 1 + u16::try_from(i).unwrap_or(0);
        buf.set_line(x, y, &Line::from(spans), width);
    }
}

/// What the list says when it has nothing to show.
fn empty(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = app.theme;
    let lines: Vec<Line<'_>> = if let Some(error) = &app.search_error {
        vec![
            Line::styled("The search failed", theme.error()),
            Line::styled(error.clone(), theme.dim()),
        ]
    } else if app.results.is_none() || app.first_indexing() {
        let what = if app.first_indexing() {
            format!("Indexing {}…", app.source)
        } else {
            "Searching…".to_owned()
        };
        vec![Line::styled(what, theme.dim())]
    } else if app.index.passages == 0 && app.index.last != LastReindex::None {
        vec![
            Line::styled("The index is empty", theme.title()),
            Line::styled(
                format!(
                    "Add articles to {}; they are indexed as they change.",
                    app.source
                ),
                theme.dim(),
            ),
        ]
    } else {
        no_match(app, theme)
    };
    let height = u16::try_from(lines.len() + 1)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let centre = area.centered_vertically(Constraint::Length(height));
    frame.render_widget(
        Paragraph::new(lines).centered().wrap(Wrap { trim: true }),
        centre,
    );
}

fn no_match(app: &App, theme: Theme) -> Vec<Line<'_>> {
    let query = app.query.trim();
    let mut first = vec![Span::styled("No passages match", theme.title())];
    if !query.is_empty() {
        first.push(Span::styled(format!(" “{query}”"), theme.title()));
    }
    if let Some(topic) = &app.filter {
        first.push(Span::styled(" in ", theme.title()));
        first.push(Span::styled(
            app.topic_label(topic).to_owned(),
            theme.topic_text(app.topic_position(topic)),
        ));
    }
    let hint = match (&app.filter, app.all_total) {
        (Some(_), Some(n)) if n > 0 => {
            let switch = [Action::NextTab, Action::PrevTab]
                .iter()
                .filter_map(|a| app.keys.first_key(a))
                .map(keys::label)
                .collect::<Vec<_>>()
                .join("/");
            format!("{n} in all topics · {switch} switch")
        }
        _ if !query.is_empty() => "Try fewer words, or other ones".to_owned(),
        _ => String::new(),
    };
    vec![Line::from(first), Line::styled(hint, theme.dim())]
}
