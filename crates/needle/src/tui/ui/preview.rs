//! The preview of the selected passage: where it is (breadcrumb, article and
//! line, topics), its whole text wrapped with every match highlighted, and
//! which match is current.

use ratatui::Frame;
use ratatui::layout::{Constraint, Margin};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState,
};

use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keys;
use crate::tui::layout::Areas;
use crate::tui::text;
use crate::tui::theme::Theme;
use needle_index::PassageKind;

const CRUMB: &str = " › ";

pub fn draw(frame: &mut Frame<'_>, app: &App, areas: &Areas) {
    let theme = app.theme;
    let mut block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border());
    let Some(preview) = app.preview_text() else {
        frame.render_widget(
            block.title(Line::styled(" Preview ", theme.title())),
            areas.preview,
        );
        let area = areas
            .preview
            .inner(Margin::new(1, 1))
            .centered_vertically(Constraint::Length(1));
        frame.render_widget(
            Paragraph::new(Line::styled("Nothing selected", theme.dim())).centered(),
            area,
        );
        return;
    };
    let hit = preview.hit;
    let p = &hit.passage;

    // The border: where the passage is, its topics, and the match position.
    let place = match p.line {
        Some(line) => format!(" {}:{line} ", p.article),
        None => format!(" {} ", p.article),
    };
    block = block.title(Line::styled(place, theme.title()));
    let mut badges = Vec::new();
    for topic in &p.topics {
        badges.push(Span::styled(
            format!(" {} ", app.topic_label(topic).to_uppercase()),
            theme.badge(app.topic_position(topic)),
        ));
        badges.push(Span::raw(" "));
    }
    if !badges.is_empty() {
        badges.insert(0, Span::raw(" "));
        block = block.title(Line::from(badges).right_aligned());
    }
    // The page's description (front matter), dim, along the bottom edge;
    // a code passage says it is code.
    let about = match (p.kind, p.description.as_deref()) {
        (PassageKind::Code, _) => Some("code".to_owned()),
        (_, Some(d)) => Some(d.to_owned()),
        _ => None,
    };
    if let Some(about) = about {
        let room = usize::from(areas.preview.width / 2).saturating_sub(4);
        block = block.title_bottom(Line::styled(
            format!(" {} ", text::truncate(&about, room)),
            theme.dim(),
        ));
    }
    let count = preview.matches.len();
    if count > 0 {
        let jump = [Action::NextMatch, Action::PrevMatch]
            .iter()
            .filter_map(|a| app.keys.first_key(a))
            .map(keys::label)
            .collect::<Vec<_>>()
            .join(" ");
        block = block.title_bottom(
            Line::from(vec![
                Span::styled(
                    format!(" match {}/{count} ", app.current_match.min(count - 1) + 1),
                    theme.title(),
                ),
                Span::styled(format!("· {jump} "), theme.dim()),
            ])
            .right_aligned(),
        );
    }
    frame.render_widget(block, areas.preview);

    // The breadcrumb: title › … › section.
    let header = areas.preview_header;
    frame.render_widget(
        Paragraph::new(breadcrumb(
            &p.heading_path,
            &p.title,
            &p.section,
            header.width,
            theme,
        )),
        header,
    );

    // The text.
    let body = areas.preview_body;
    let height = usize::from(body.height);
    let max_scroll = preview.lines.len().saturating_sub(height);
    let scroll = app.preview_scroll.min(max_scroll);
    let current = preview.matches.get(app.current_match);
    let lines: Vec<Line<'_>> = preview
        .lines
        .iter()
        .skip(scroll)
        .take(height)
        .map(|line| {
            let mut at = line.range.start;
            Line::from(
                text::pieces(&preview.text, line, &preview.matches)
                    .into_iter()
                    .map(|(s, hl)| {
                        let start = at;
                        at += s.len();
                        let style = match (hl, current) {
                            (true, Some(c)) if c.contains(&start) => theme.current_match(),
                            (true, _) => theme.highlight(),
                            (false, _) => Style::new(),
                        };
                        Span::styled(s, style)
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);

    if max_scroll > 0 {
        let mut state = ScrollbarState::new(max_scroll + 1)
            .position(scroll)
            .viewport_content_length(height);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None)
                .track_symbol(None)
                .thumb_symbol("┃")
                .thumb_style(theme.border_focus()),
            areas.preview.inner(Margin::new(0, 1)),
            &mut state,
        );
    }
}

/// `Title › Section`, shortened from the left part when too long.
fn breadcrumb<'a>(
    path: &'a [String],
    title: &'a str,
    section: &'a str,
    width: u16,
    theme: Theme,
) -> Line<'a> {
    let mut parts: Vec<&str> = path.iter().map(String::as_str).collect();
    if parts.is_empty() {
        parts.push(title);
        if !section.is_empty() && section != title {
            parts.push(section);
        }
    }
    let width = usize::from(width);
    let Some((last, before)) = parts.split_last() else {
        return Line::default();
    };
    let last_width = text::width(last);
    if before.is_empty() || last_width + text::width(CRUMB) + 1 >= width {
        return Line::styled(text::truncate(last, width).into_owned(), theme.title());
    }
    let lead = before.join(CRUMB);
    let room = width - last_width - text::width(CRUMB);
    Line::from(vec![
        Span::styled(text::truncate(&lead, room).into_owned(), theme.dim()),
        Span::styled(CRUMB, theme.dim()),
        Span::styled(*last, theme.title()),
    ])
}
