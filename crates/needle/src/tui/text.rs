//! Laying out passage text in terminal cells: display widths, word wrapping
//! with highlights, and snippets (the window of a passage with the densest
//! matches).
//!
//! Everything works on grapheme clusters and measures them the way ratatui's
//! buffer does, so that wide characters (CJK, emoji) take two cells here as
//! on screen, and a wrapped line never overflows its width. Byte offsets are
//! kept throughout, so highlights (byte ranges) apply to wrapped lines
//! without copying the text.

use std::borrow::Cow;
use std::ops::Range;

use ratatui::buffer::CellWidth;
use unicode_segmentation::UnicodeSegmentation;

/// The ellipsis that marks text left out.
pub const ELLIPSIS: &str = "…";

/// The width of one grapheme in cells (0 for control characters, which
/// ratatui does not draw).
fn grapheme_width(g: &str) -> usize {
    if g.chars().any(char::is_control) {
        0
    } else {
        usize::from(g.cell_width())
    }
}

/// The width of `s` in terminal cells.
pub fn width(s: &str) -> usize {
    s.graphemes(true).map(grapheme_width).sum()
}

/// `s` cut to at most `max` cells, with an ellipsis when something was cut.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = grapheme_width(g);
        if used + w > max - 1 {
            break;
        }
        out.push_str(g);
        used += w;
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push_str(ELLIPSIS);
    Cow::Owned(out)
}

/// The longest start of `s` that fits in `max` cells.
pub fn clip(s: &str, max: usize) -> &str {
    let mut used = 0;
    for (i, g) in s.grapheme_indices(true) {
        used += grapheme_width(g);
        if used > max {
            return &s[..i];
        }
    }
    s
}

/// Replaces tabs, carriage returns and other control characters (but not
/// newlines) by spaces, keeping every byte offset valid.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    sanitize_with(text, false)
}

/// Like [`sanitize`], and newlines become spaces too: one flowing line.
pub fn flatten(text: &str) -> Cow<'_, str> {
    sanitize_with(text, true)
}

fn sanitize_with(text: &str, newlines: bool) -> Cow<'_, str> {
    let bad = |c: char| c.is_control() && (newlines || c != '\n');
    if !text.chars().any(bad) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if bad(c) {
            // Same length in bytes, so offsets into the text stay valid.
            for _ in 0..c.len_utf8() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of wrapped text: a byte range of the source and its width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedLine {
    pub range: Range<usize>,
    pub width: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Space,
    /// A run of narrow, non-space graphemes.
    Word,
    /// One wide grapheme (CJK, emoji): a line may break before or after it.
    Wide,
}

/// Wide punctuation that a line must not start with (CJK line breaking).
const NO_BREAK_BEFORE: &str = "。、，．：；！？）」』】〕〉》ー々";

/// Splits one line (no newline in it) into words, spaces and wide graphemes.
fn tokens(line: &str, base: usize) -> Vec<(Range<usize>, usize, Kind)> {
    let mut out: Vec<(Range<usize>, usize, Kind)> = Vec::new();
    for (i, g) in line.grapheme_indices(true) {
        let w = grapheme_width(g);
        let kind = if g.chars().all(char::is_whitespace) {
            Kind::Space
        } else if w > 1 {
            Kind::Wide
        } else {
            Kind::Word
        };
        let range = base + i..base + i + g.len();
        let glued = kind == Kind::Wide && NO_BREAK_BEFORE.contains(g);
        match out.last_mut() {
            // Closing punctuation stays with what it closes.
            Some((r, width, k)) if glued && *k != Kind::Space => {
                r.end = range.end;
                *width += w;
                *k = Kind::Wide;
            }
            Some((r, width, k)) if *k == kind && kind != Kind::Wide => {
                r.end = range.end;
                *width += w;
            }
            _ => out.push((range, w, kind)),
        }
    }
    out
}

/// Wraps `text` into lines of at most `width` cells: at spaces, around wide
/// characters, and inside words longer than a line. Newlines start new
/// lines; spaces at a wrap point are dropped. Always returns at least one
/// line.
pub fn wrap(text: &str, width: usize) -> Vec<WrappedLine> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut base = 0;
    for source_line in text.split('\n') {
        wrap_line(text, source_line, base, width, &mut lines);
        base += source_line.len() + 1;
    }
    lines
}

fn wrap_line(text: &str, line: &str, base: usize, width: usize, out: &mut Vec<WrappedLine>) {
    let mut cur: Option<WrappedLine> = None;
    let mut space = 0;
    for (range, w, kind) in tokens(line, base) {
        if kind == Kind::Space {
            if cur.is_some() {
                space = w;
            }
            continue;
        }
        match &mut cur {
            Some(c) if c.width + space + w <= width => {
                c.range.end = range.end;
                c.width += space + w;
            }
            _ => {
                if let Some(c) = cur.take() {
                    out.push(c);
                }
                if w <= width {
                    cur = Some(WrappedLine { range, width: w });
                } else {
                    // A word longer than the line: break it between graphemes.
                    let mut piece = WrappedLine {
                        range: range.start..range.start,
                        width: 0,
                    };
                    for (i, g) in text[range.clone()].grapheme_indices(true) {
                        let gw = grapheme_width(g);
                        if piece.width + gw > width && piece.width > 0 {
                            let end = piece.range.end;
                            out.push(std::mem::replace(
                                &mut piece,
                                WrappedLine {
                                    range: end..end,
                                    width: 0,
                                },
                            ));
                        }
                        piece.range.end = range.start + i + g.len();
                        piece.width += gw;
                    }
                    cur = Some(piece);
                }
            }
        }
        space = 0;
    }
    out.push(cur.unwrap_or(WrappedLine {
        range: base..base,
        width: 0,
    }));
}

/// The index of the wrapped line that holds byte `at`.
pub fn line_of(lines: &[WrappedLine], at: usize) -> usize {
    lines
        .iter()
        .position(|l| at < l.range.end)
        .unwrap_or(lines.len().saturating_sub(1))
}

/// Splits a wrapped line into pieces that are, or are not, highlighted.
pub fn pieces<'t>(
    text: &'t str,
    line: &WrappedLine,
    highlights: &[Range<usize>],
) -> Vec<(&'t str, bool)> {
    let mut out = Vec::new();
    let mut at = line.range.start;
    for h in highlights {
        let start = h.start.max(at);
        let end = h.end.min(line.range.end);
        if start >= end {
            continue;
        }
        if start > at {
            out.push((&text[at..start], false));
        }
        out.push((&text[start..end], true));
        at = end;
    }
    if at < line.range.end {
        out.push((&text[at..line.range.end], false));
    }
    out
}

/// A few lines of a passage around its densest matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The text shown (flattened to one line, maybe starting with `…`).
    pub text: String,
    /// Highlights, as byte ranges of `text`.
    pub highlights: Vec<Range<usize>>,
    /// The wrapped lines, at most as many as asked for.
    pub lines: Vec<WrappedLine>,
    /// Whether the text goes on after the last line (draw an ellipsis).
    pub more: bool,
}

/// The window of `text` with the most highlights that fits in `rows` lines
/// of `cols` cells, with some context before the first match in it.
pub fn snippet(text: &str, highlights: &[Range<usize>], cols: usize, rows: usize) -> Snippet {
    let flat = flatten(text);
    let cols = cols.max(1);
    let rows = rows.max(1);
    let start = window_start(&flat, highlights, cols, rows);
    let (shown, shift) = if start == 0 {
        (flat.into_owned(), 0)
    } else {
        (
            format!("{ELLIPSIS}{}", &flat[start..]),
            ELLIPSIS.len().cast_signed() - start.cast_signed(),
        )
    };
    let highlights: Vec<Range<usize>> = highlights
        .iter()
        .filter(|h| h.start >= start)
        .map(|h| {
            h.start.saturating_add_signed(shift)
                ..h.end.saturating_add_signed(shift).min(shown.len())
        })
        .collect();
    let mut lines = wrap(&shown, cols);
    let more = lines.len() > rows;
    lines.truncate(rows);
    if more && let Some(last) = lines.last_mut() {
        // Make room for the ellipsis at the end of the last line.
        while last.width + 1 > cols && last.range.end > last.range.start {
            let (i, g) = shown[last.range.clone()]
                .grapheme_indices(true)
                .next_back()
                .map_or((last.range.start, ""), |(i, g)| (last.range.start + i, g));
            last.width -= grapheme_width(g);
            last.range.end = i;
        }
        let trimmed = shown[last.range.clone()].trim_end().len();
        last.width -= last.range.end - last.range.start - trimmed;
        last.range.end = last.range.start + trimmed;
    }
    Snippet {
        text: shown,
        highlights,
        lines,
        more,
    }
}

/// Where a snippet of `flat` starts, in bytes.
fn window_start(flat: &str, highlights: &[Range<usize>], cols: usize, rows: usize) -> usize {
    let budget = cols * rows;
    // Wrapping wastes some cells at line ends: aim for a bit less.
    let usable = budget * 4 / 5;
    let total = width(flat);
    if highlights.is_empty() || total <= usable {
        return 0;
    }
    // Column of every grapheme boundary.
    let mut cols_at: Vec<(usize, usize)> = Vec::new();
    let mut col = 0;
    for (i, g) in flat.grapheme_indices(true) {
        cols_at.push((i, col));
        col += grapheme_width(g);
    }
    cols_at.push((flat.len(), col));
    let col_of = |byte: usize| {
        let i = cols_at.partition_point(|&(b, _)| b < byte);
        cols_at.get(i).map_or(col, |&(_, c)| c)
    };
    let byte_at = |c: usize| {
        let i = cols_at.partition_point(|&(_, cc)| cc < c);
        cols_at.get(i).map_or(flat.len(), |&(b, _)| b)
    };
    // The first match of the densest window.
    let mut best = (0, 0);
    for (i, h) in highlights.iter().enumerate() {
        let from = col_of(h.start);
        let count = highlights[i..]
            .iter()
            .take_while(|o| col_of(o.end) <= from + usable)
            .count();
        if count > best.1 {
            best = (i, count);
        }
    }
    let first = col_of(highlights[best.0].start);
    let context = (cols / 3).min(usable / 4);
    // Leave no empty space at the end: start earlier when the text runs out.
    let from = first
        .saturating_sub(context)
        .min(total.saturating_sub(usable));
    if from == 0 {
        return 0;
    }
    let byte = byte_at(from);
    // Start at a word: back to the previous space when it is close, else
    // forward to the next word (but not past the first match).
    let back = flat[..byte].rfind(' ').map_or(0, |s| s + 1);
    if col_of(back) + context / 2 >= from {
        return back;
    }
    // Wide characters (CJK) are words of their own: start at one.
    if flat[byte..]
        .graphemes(true)
        .next()
        .is_some_and(|g| grapheme_width(g) > 1)
    {
        return byte;
    }
    let first_byte = highlights[best.0].start.max(byte);
    flat[byte..first_byte]
        .find(' ')
        .map_or(byte, |s| byte + s + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, width: usize) -> Vec<&str> {
        wrap(text, width)
            .iter()
            .map(|l| &text[l.range.clone()])
            .collect()
    }

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(
            lines("the quick brown fox jumps", 10),
            ["the quick", "brown fox", "jumps"]
        );
    }

    #[test]
    fn keeps_newlines_and_empty_lines() {
        assert_eq!(lines("a\n\nb c", 10), ["a", "", "b c"]);
        assert_eq!(lines("", 10), [""]);
    }

    #[test]
    fn breaks_words_longer_than_a_line() {
        assert_eq!(
            lines("a supercalifragilistic word", 8),
            ["a", "supercal", "ifragili", "stic", "word"]
        );
    }

    #[test]
    fn wide_characters_take_two_cells_and_break_anywhere() {
        let text = "日本語のテキスト";
        let wrapped = wrap(text, 5);
        assert!(wrapped.iter().all(|l| l.width <= 5));
        assert_eq!(lines(text, 5), ["日本", "語の", "テキ", "スト"]);
        assert_eq!(width("🦀 rust"), 7);
        // A line does not start with closing punctuation.
        assert_eq!(lines("ください。です", 8), ["くださ", "い。です"]);
    }

    #[test]
    fn never_overflows() {
        let text = "Ünïcödé wörds, 中文字符 and 🎉🎉🎉 emoji — with a verylongwordthatneverends.";
        // From 2: a wide character cannot fit in one cell.
        for w in 2..30 {
            for l in wrap(text, w) {
                assert!(l.width <= w, "{w}: {l:?}");
                assert_eq!(width(&text[l.range.clone()]), l.width);
            }
        }
    }

    #[test]
    fn pieces_split_at_highlights() {
        let text = "wear sunscreen with SPF 30";
        let line = &wrap(text, 40)[0];
        let hl = [5..14, 20..23];
        assert_eq!(
            pieces(text, line, &hl),
            [
                ("wear ", false),
                ("sunscreen", true),
                (" with ", false),
                ("SPF", true),
                (" 30", false)
            ]
        );
    }

    #[test]
    fn snippet_centres_on_the_densest_matches() {
        let text = format!(
            "{} sunscreen and more sunscreen here {}",
            "x ".repeat(80),
            "y ".repeat(80)
        );
        let at = text.find("sunscreen").unwrap();
        let second = text.rfind("sunscreen").unwrap();
        let s = snippet(&text, &[at..at + 9, second..second + 9], 30, 2);
        assert!(s.text.starts_with(ELLIPSIS));
        assert!(s.more);
        assert_eq!(s.lines.len(), 2);
        assert_eq!(s.highlights.len(), 2);
        for h in &s.highlights {
            assert_eq!(&s.text[h.clone()], "sunscreen");
        }
        assert!(s.lines.iter().all(|l| l.width <= 30));
        assert!(s.lines[1].width < 30, "room for the ellipsis");
    }

    #[test]
    fn short_text_snippet_starts_at_the_beginning() {
        let s = snippet("short text", std::slice::from_ref(&(0..5)), 40, 2);
        assert_eq!(s.text, "short text");
        assert!(!s.more);
    }

    #[test]
    fn truncates_with_an_ellipsis() {
        assert_eq!(truncate("Recovery And Aftercare", 10), "Recovery…");
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("日本語", 4), "日…");
    }
}
