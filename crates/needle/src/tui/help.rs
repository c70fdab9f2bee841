//! The help: its text, generated from the key table that the key handler
//! uses, followed by the mouse (when the interface takes it) and the query
//! language, and where it goes on a screen. Two columns when the terminal is wide enough, one (scrolling)
//! otherwise. The state asks how far it scrolls; `ui::help` draws it.

use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};

use crate::tui::keys::{self, Group, KeyMap};
use crate::tui::text;
use crate::tui::theme::Theme;

/// The query language, in the words of the library's docs.
const QUERY_SYNTAX: [(&str, &str); 5] = [
    ("words", "most matches first"),
    ("\"a phrase\"", "these words in order"),
    ("-word", "without this word"),
    ("topic:name", "only this topic"),
    ("(nothing)", "all, in article order"),
];

const MOUSE: [(&str, &str); 2] = [
    ("click", "select a result, a tab"),
    ("wheel", "select, scroll preview"),
];

/// Columns between the two halves.
const GAP: usize = 3;
/// Border and padding around the text.
const FRAME: u16 = 4;

/// What the help describes: the keys in effect, and whether the interface
/// takes the mouse (with `--no-mouse` the clicks and the wheel are the
/// terminal's, so the help leaves them out).
#[derive(Debug, Clone, Copy)]
pub struct Controls<'a> {
    pub keys: &'a KeyMap,
    pub mouse: bool,
}

/// The help's sections: a title and its rows (the keys in effect; an
/// action with no key is left out).
fn sections(theme: Theme, controls: Controls<'_>) -> Vec<Vec<Line<'static>>> {
    let keymap = controls.keys;
    let bound = || keymap.bindings().iter().filter(|b| !b.keys.is_empty());
    let key_width = bound()
        .map(|b| text::width(&keys::labels(&b.keys)))
        .chain(QUERY_SYNTAX.iter().map(|(k, _)| text::width(k)))
        .max()
        .unwrap_or(0)
        + 2;
    let row = |k: String, what: &str, style| {
        let pad = key_width.saturating_sub(text::width(&k));
        Line::from(vec![
            Span::raw(" "),
            Span::styled(k, style),
            Span::raw(" ".repeat(pad)),
            Span::raw(what.to_owned()),
        ])
    };
    let mut out = Vec::new();
    for group in Group::ALL {
        let mut lines = vec![Line::styled(group.title(), theme.title())];
        for b in bound().filter(|b| b.group == group) {
            lines.push(row(keys::labels(&b.keys), b.help, theme.key()));
        }
        out.push(lines);
    }
    if controls.mouse {
        let mut mouse = vec![Line::styled("Mouse", theme.title())];
        mouse.extend(
            MOUSE
                .iter()
                .map(|(k, what)| row((*k).to_owned(), what, theme.key())),
        );
        out.push(mouse);
    }
    let mut query = vec![Line::styled("Query language", theme.title())];
    query.extend(
        QUERY_SYNTAX
            .iter()
            .map(|(k, what)| row((*k).to_owned(), what, theme.accent())),
    );
    query.push(Line::styled(
        " Typos and word starts match too.",
        theme.dim(),
    ));
    out.push(query);
    out
}

/// The help's lines for a text area `width` cells wide: two columns when
/// they fit, else one.
pub fn lines(theme: Theme, controls: Controls<'_>, width: usize) -> Vec<Line<'static>> {
    let sections = sections(theme, controls);
    let column = sections
        .iter()
        .flatten()
        .map(Line::width)
        .max()
        .unwrap_or(0);
    let one: Vec<Line<'static>> = sections.join(&Line::default());
    if column * 2 + GAP > width {
        return one;
    }
    // Split the sections where the two columns come out most even.
    let heights: Vec<usize> = sections.iter().map(|s| s.len() + 1).collect();
    let total: usize = heights.iter().sum();
    let mut split = 1;
    let mut best = usize::MAX;
    for k in 1..sections.len() {
        let left: usize = heights[..k].iter().sum();
        let tallest = left.max(total - left);
        if tallest < best {
            best = tallest;
            split = k;
        }
    }
    let left = sections[..split].join(&Line::default());
    let right = sections[split..].join(&Line::default());
    let rows = left.len().max(right.len());
    (0..rows)
        .map(|i| {
            let mut spans: Vec<Span<'static>> = Vec::new();
            let l = left.get(i).cloned().unwrap_or_default();
            let pad = column + GAP - l.width();
            spans.extend(l.spans);
            spans.push(Span::raw(" ".repeat(pad)));
            if let Some(r) = right.get(i) {
                spans.extend(r.spans.iter().cloned());
            }
            Line::from(spans)
        })
        .collect()
}

/// Where the help goes on a screen, and its lines.
pub fn place(theme: Theme, controls: Controls<'_>, area: Rect) -> (Rect, Vec<Line<'static>>) {
    let content = lines(
        theme,
        controls,
        usize::from(area.width.saturating_sub(FRAME + 2)),
    );
    let widest = content.iter().map(Line::width).max().unwrap_or(0);
    let width = u16::try_from(widest)
        .unwrap_or(u16::MAX)
        .saturating_add(FRAME)
        .min(area.width.saturating_sub(2));
    let height = u16::try_from(content.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height.saturating_sub(2));
    (
        area.centered(Constraint::Length(width), Constraint::Length(height)),
        content,
    )
}

/// How far the help can scroll on a screen of `area`.
pub fn max_scroll(controls: Controls<'_>, area: Rect) -> usize {
    let (rect, content) = place(Theme::mono(), controls, area);
    content
        .len()
        .saturating_sub(usize::from(rect.height.saturating_sub(2)))
}
