//! The status line: results and query time, the active filter, key hints,
//! and what the index is doing (or what the editor did, until the next key).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::action::Action;
use crate::tui::app::{App, LastReindex};
use crate::tui::keys;
use crate::tui::text;
use crate::tui::ui::query::SPINNER;

/// The hints, in the order shown, and the order they go when space is short
/// (lowest `keep` first).
const HINTS: [(&[Action], &str, u8); 6] = [
    (&[Action::SelectPrev, Action::SelectNext], "select", 2),
    (&[Action::NextTab], "topic", 3),
    (&[Action::Accept], "print", 4),
    (&[Action::Reindex], "reindex", 1),
    (&[Action::ToggleHelp], "help", 6),
    (&[Action::Quit], "quit", 5),
];

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = app.theme;
    let width = usize::from(area.width);

    // Left: how many, how fast, in what.
    let mut left = vec![Span::raw(" ")];
    if let Some(r) = app.results.as_ref().filter(|_| !app.first_indexing()) {
        let browsing = app.query.trim().is_empty();
        let count = match (browsing, r.total) {
            (true, n) => plural(n, "passage", "passages"),
            (false, 0) => "no results".to_owned(),
            (false, n) => plural(n, "result", "results"),
        };
        left.push(Span::styled(count, theme.title()));
        left.push(Span::styled(
            format!(" · {}", millis(r.took_ms)),
            theme.dim(),
        ));
    }
    if let Some(topic) = &app.filter {
        left.push(Span::styled(" · in ", theme.dim()));
        left.push(Span::styled(
            app.topic_label(topic).to_owned(),
            theme.topic_text(app.topic_position(topic)),
        ));
    }
    let left = Line::from(left);

    // Right: the index.
    let (state, style) = index_state(app);
    let room = width.saturating_sub(left.width() + 2);
    let right = Line::styled(
        format!("{} ", text::truncate(&state, room.saturating_sub(1))),
        style,
    );

    // Middle: as many hints as fit.
    let room = width.saturating_sub(left.width() + right.width() + 4);
    let hints = hints(app, room);

    frame.render_widget(Paragraph::new(left), area);
    if !hints.spans.is_empty() {
        let x = area.x
            + u16::try_from(width.saturating_sub(right.width() + hints.width() + 2)).unwrap_or(0);
        let at = Rect {
            x,
            width: u16::try_from(hints.width()).unwrap_or(0),
            ..area
        };
        frame.render_widget(Paragraph::new(hints), at);
    }
    frame.render_widget(Paragraph::new(right).right_aligned(), area);
}

fn hints(app: &App, room: usize) -> Line<'static> {
    let theme = app.theme;
    let rendered: Vec<(String, &str, u8)> = HINTS
        .iter()
        .map(|(actions, word, keep)| {
            let keys: Vec<String> = actions
                .iter()
                .filter_map(|a| app.keys.first_key(a))
                .map(keys::label)
                .collect();
            (keys.concat(), *word, *keep)
        })
        .collect();
    let cost = |(k, w, _): &(String, &str, u8)| text::width(k) + text::width(w) + 3;
    // (The last hint has no trailing spaces: one cell of slack.)
    let mut shown: Vec<bool> = vec![true; rendered.len()];
    let mut total: usize = rendered.iter().map(cost).sum();
    let mut by_keep: Vec<usize> = (0..rendered.len()).collect();
    by_keep.sort_by_key(|&i| rendered[i].2);
    for i in by_keep {
        if total <= room {
            break;
        }
        shown[i] = false;
        total -= cost(&rendered[i]);
    }
    let mut spans = Vec::new();
    for (i, (k, w, _)) in rendered.into_iter().enumerate() {
        if shown[i] {
            spans.push(Span::styled(k, theme.key()));
            spans.push(Span::styled(format!(" {w}  "), theme.dim()));
        }
    }
    if let Some(last) = spans.last_mut() {
        last.content = last.content.trim_end().to_owned().into();
    }
    Line::from(spans)
}

fn index_state(app: &App) -> (String, ratatui::style::Style) {
    let theme = app.theme;
    let ix = &app.index;
    // What the editor did, until the next key.
    match &app.notice {
        Some(Ok(said)) => return (format!("✓ {said}"), theme.ok()),
        Some(Err(why)) => return (format!("✗ {why}"), theme.warning()),
        None => {}
    }
    if ix.busy {
        let spin = SPINNER[app.tick % SPINNER.len()];
        let what = if ix.passages == 0 {
            "indexing…"
        } else {
            "reindexing…"
        };
        return (format!("{spin} {what}"), theme.accent());
    }
    if let Some(error) = &ix.error {
        return (format!("✗ reindex failed: {error}"), theme.error());
    }
    if let Some(warning) = &ix.warning {
        return (format!("⚠ {warning}"), theme.warning());
    }
    match &ix.last {
        LastReindex::Changed {
            articles,
            took_ms,
            first,
        } => (
            format!(
                "✓ {} {}, {}",
                if *first { "indexed" } else { "reindexed" },
                plural(*articles, "article", "articles"),
                millis(*took_ms)
            ),
            theme.ok(),
        ),
        LastReindex::UpToDate => ("index up to date".to_owned(), theme.dim()),
        LastReindex::None => (format!("index: {}", passages(ix.passages)), theme.dim()),
    }
}

fn passages(n: u64) -> String {
    plural(
        usize::try_from(n).unwrap_or(usize::MAX),
        "passage",
        "passages",
    )
}

/// Formats milliseconds for people: `0.4 ms`, `12 ms`.
fn millis(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// `1 article`, `2 articles`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
