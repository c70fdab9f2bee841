//! Where each panel goes for a terminal size. Pure, and shared by drawing
//! and by the state (which needs page sizes, the preview's width to wrap it,
//! and where a mouse click landed).

use ratatui::layout::{Direction, Margin, Rect};

use crate::tui::text;

/// Below this size the interface shows a "terminal too small" message.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// From this width, the preview goes beside the results.
pub const BESIDE_WIDTH: u16 = 90;
/// Below this height, there is no preview.
pub const PREVIEW_HEIGHT: u16 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    TooSmall,
    /// Results left, preview right.
    Beside,
    /// Results above the preview.
    Stacked,
    /// Results only, one line of snippet each.
    ListOnly,
}

/// The panels of one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub mode: Mode,
    pub query: Rect,
    pub tabs: Rect,
    /// The results panel, border included.
    pub list: Rect,
    /// Inside the results panel's border.
    pub list_inner: Rect,
    /// The preview panel, border included (empty without a preview).
    pub preview: Rect,
    /// The breadcrumb line of the preview.
    pub preview_header: Rect,
    /// Where the passage text goes.
    pub preview_body: Rect,
    pub status: Rect,
    /// Rows per result: a header line and the snippet's lines.
    pub item_height: u16,
}

impl Areas {
    /// How many results fit in the list.
    pub fn list_capacity(&self) -> usize {
        usize::from(self.list_inner.height / self.item_height.max(1)).max(1)
    }

    pub fn has_preview(&self) -> bool {
        !self.preview_body.is_empty()
    }
}

pub fn areas(size: Rect) -> Areas {
    let empty = Rect::new(size.x, size.y, 0, 0);
    let mode = if size.width < MIN_WIDTH || size.height < MIN_HEIGHT {
        Mode::TooSmall
    } else if size.height < PREVIEW_HEIGHT {
        Mode::ListOnly
    } else if size.width >= BESIDE_WIDTH {
        Mode::Beside
    } else {
        Mode::Stacked
    };
    if mode == Mode::TooSmall {
        return Areas {
            mode,
            query: empty,
            tabs: empty,
            list: empty,
            list_inner: empty,
            preview: empty,
            preview_header: empty,
            preview_body: empty,
            status: empty,
            item_height: 1,
        };
    }
    let row = |y: u16| Rect::new(size.x, y, size.width, 1);
    let query = row(size.y);
    let tabs = row(size.y + 1);
    let status = row(size.bottom() - 1);
    let body = Rect::new(size.x, size.y + 2, size.width, size.height - 3);
    let (list, preview) = match mode {
        Mode::Beside => split(body, Direction::Horizontal, (body.width * 9 / 20).max(36)),
        Mode::Stacked => split(body, Direction::Vertical, body.height / 2),
        _ => (body, Rect { height: 0, ..body }),
    };
    let list_inner = list.inner(Margin::new(1, 1));
    let (preview_header, preview_body) = if preview.is_empty() {
        (empty, empty)
    } else {
        let inner = preview.inner(Margin::new(2, 1));
        // A blank line under the breadcrumb when there is room for it.
        let gap = u16::from(inner.height >= 8);
        let header = Rect { height: 1, ..inner };
        let body = Rect {
            y: inner.y + 1 + gap,
            height: inner.height.saturating_sub(1 + gap),
            ..inner
        };
        (header, body)
    };
    Areas {
        mode,
        query,
        tabs,
        list,
        list_inner,
        preview,
        preview_header,
        preview_body,
        status,
        item_height: if mode == Mode::Beside { 3 } else { 2 },
    }
}

/// Cuts `area` in two: its first `at` columns and the rest beside them
/// (`Horizontal`), or its first `at` rows and the rest below them
/// (`Vertical`).
fn split(area: Rect, direction: Direction, at: u16) -> (Rect, Rect) {
    let (mut first, mut rest) = (area, area);
    match direction {
        Direction::Horizontal => {
            first.width = at;
            rest.x += at;
            rest.width -= at;
        }
        Direction::Vertical => {
            first.height = at;
            rest.y += at;
            rest.height -= at;
        }
    }
    (first, rest)
}

/// Where one topic tab is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TabCell {
    /// The tab's index (0 is `All`).
    pub index: usize,
    pub x: u16,
    pub width: u16,
}

/// The tabs that fit in `area`, scrolled so that the active one shows,
/// and whether some are hidden on the left and on the right.
pub fn tab_cells(texts: &[String], active: usize, area: Rect) -> (Vec<TabCell>, bool, bool) {
    let widths: Vec<u16> = texts
        .iter()
        .map(|t| u16::try_from(text::width(t)).unwrap_or(u16::MAX))
        .collect();
    // One cell of margin on each side, or an arrow when tabs are hidden there.
    let avail = area.width.saturating_sub(2);
    let span = |from: usize, to: usize| -> u16 {
        widths[from..to]
            .iter()
            .fold(0u16, |a, w| a.saturating_add(*w).saturating_add(1))
    };
    let mut first = 0;
    while first < active && span(first, active + 1) > avail {
        first += 1;
    }
    let mut cells = Vec::new();
    let mut x = area.x + 1;
    let mut last = first;
    for (i, &w) in widths.iter().enumerate().skip(first) {
        if x + w > area.x + 1 + avail {
            break;
        }
        cells.push(TabCell {
            index: i,
            x,
            width: w,
        });
        x += w + 1;
        last = i + 1;
    }
    (cells, first > 0, last < texts.len())
}
