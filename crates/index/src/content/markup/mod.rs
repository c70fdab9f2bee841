//! Site-generator markup that is not Markdown: Liquid and Jinja tags, Hugo
//! shortcodes, mdBook directives, MkDocs admonitions and content tabs,
//! Docusaurus directives, snippet and abbreviation lines, attribute lists,
//! icon shortcodes and MDX `import`/`export` blocks.
//!
//! [`strip_generator_markup`] runs on a Markdown body (front matter already
//! blanked) before the Markdown parser sees it. It works line by line and
//! never adds or removes a line, so the lines the parser reports are the
//! file's. It is a byte scanner: linear in its input, no regexes, and it
//! slices only next to ASCII bytes, so no input can make it panic.
//!
//! The line driver and code fences are here; the rest, by construct:
//! `blocks` (admonitions, content tabs, directives, snippet and abbreviation
//! lines), `templates` (Liquid and Jinja tags, Hugo shortcodes, mdBook
//! directives, `{% highlight %}` blocks), `inline` (the scanner within a
//! line: tags, code spans, attribute lists, icon shortcodes), `mdx`
//! (`import`/`export` blocks), and `bytes` (the byte helpers and cursor they
//! share). The tests, one fixture per construct, are in `tests`.

mod blocks;
mod bytes;
mod inline;
mod mdx;
mod state;
mod templates;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use self::blocks::tab_start;
use self::bytes::{count, dedent, indent_width, is_blank, is_space, push_spaces};
use self::inline::{attr_list, shortcode};
use self::state::{Fence, Mode, Stripper};
use self::templates::whole_line_tag;

/// Removes site-generator markup that is not Markdown, keeping what a reader
/// sees on the rendered page. The result has exactly as many lines (`'\n'`)
/// as the input, and each output line comes from the same input line, so line
/// numbers stay right.
///
/// Fenced code is left as it is, except for mdBook directives, snippet lines
/// and Liquid `{% raw %}` markers, which the generators replace there too; so
/// is inline code, except for the raw markers. A `{% highlight %}` block
/// becomes a code fence. `mdx` also blanks MDX `import`/`export` blocks.
/// Plain Markdown comes back borrowed, found so by one pass over its bytes.
pub(crate) fn strip_generator_markup(text: &str, mdx: bool) -> Cow<'_, str> {
    if !has_trigger(text.as_bytes(), mdx) {
        return Cow::Borrowed(text);
    }
    let out = Stripper::new(text, mdx).run();
    debug_assert_eq!(
        out.bytes().filter(|&c| c == b'\n').count(),
        text.bytes().filter(|&c| c == b'\n').count(),
        "strip_generator_markup changed the line count"
    );
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

/// Whether `b` holds anything [`strip_generator_markup`] might remove.
fn has_trigger(b: &[u8], mdx: bool) -> bool {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let esm = |i: usize| b[i..].starts_with(b"import ") || b[i..].starts_with(b"export ");
    if mdx && esm(0) {
        return true;
    }
    (0..b.len()).any(|i| match b[i] {
        b'{' => matches!(at(i + 1), b'{' | b'%') || attr_list(b, i, b.len()).is_some(),
        b'!' => b[i..].starts_with(b"!!!"),
        b'?' => b[i..].starts_with(b"???"),
        b'=' => b[i..].starts_with(b"===") && tab_start(&b[i + 3..]),
        b':' => b[i..].starts_with(b":::") || shortcode(b, i, b.len()).is_some(),
        b'-' => b[i..].starts_with(b"--8<--"),
        b'*' => at(i + 1) == b'[',
        b'\n' => mdx && esm(i + 1),
        _ => false,
    })
}

impl Stripper<'_> {
    fn run(mut self) -> String {
        for i in 0..self.lines.len() {
            self.line = i;
            let (s, e, full) = self.lines[i];
            self.process_line(s, e);
            self.out.push_str(&self.text[e..full]);
            if i + 1 < self.lines.len() {
                self.out.push('\n');
            }
        }
        self.out
    }

    pub(super) fn process_line(&mut self, s: usize, e: usize) {
        let (b, i) = (self.b, self.line);
        if let Some((at, title)) = self.title.take() {
            if at == i {
                self.out.push_str(&title);
                return;
            }
            self.title = Some((at, title));
        }
        if self.skip_until > s {
            if self.skip_until < e {
                self.scan(self.skip_until, e, Mode::Prose, true);
            }
            return;
        }
        if i < self.blank_until {
            return;
        }
        let width = indent_width(&b[s..e]);
        if !is_blank(&b[s..e]) {
            while self.containers.last().is_some_and(|&(col, _)| width < col) {
                self.containers.pop();
            }
        }
        let depth = self.containers.len();
        if self.fence.is_some_and(|f| f.depth > depth) {
            self.fence = None;
        }
        let outdent = self.containers.last().map_or(0, |c| c.1);
        let (cs, col) = dedent(&b[s..e], outdent);
        let (cs, pad, rel) = (
            s + cs,
            col.saturating_sub(outdent),
            width.saturating_sub(outdent),
        );
        let ts = cs + count(&b[cs..e], is_space);
        if let Some(f) = self.fence {
            if (f.marker != 0 || !self.raw) && closes(f, b, ts, e) {
                self.fence = None;
                if f.marker == 0 {
                    push_spaces(&mut self.out, rel);
                    self.out.push_str("```");
                    return;
                }
            } else if !self.raw && self.snippet(ts, e) {
                return;
            }
            push_spaces(&mut self.out, pad);
            self.scan(cs, e, Mode::Code, false);
            return;
        }
        if !self.raw && self.block_marker(s, ts, e, width, rel) {
            return;
        }
        push_spaces(&mut self.out, pad);
        if let Some((marker, len)) = open_fence(&b[ts..e]) {
            self.fence = Some(Fence { marker, len, depth });
            self.scan(cs, e, Mode::Code, false);
        } else {
            self.scan(cs, e, Mode::Prose, true);
        }
    }
}

/// A line (from its text) that opens a code fence: the fence's byte and length.
fn open_fence(line: &[u8]) -> Option<(u8, usize)> {
    let c = *line.first().filter(|&&c| c == b'`' || c == b'~')?;
    let len = count(line, |x| x == c);
    (len >= 3 && !(c == b'`' && line[len..].contains(&b'`'))).then_some((c, len))
}

/// Whether the line at `ts` closes `fence`.
fn closes(fence: Fence, b: &[u8], ts: usize, e: usize) -> bool {
    if fence.marker == 0 {
        let name = whole_line_tag(&b[ts..e]).map(|(name, _)| name);
        return matches!(name, Some(b"endhighlight" | b"/highlight"));
    }
    let len = count(&b[ts..e], |x| x == fence.marker);
    len >= fence.len && is_blank(&b[ts + len..e])
}
