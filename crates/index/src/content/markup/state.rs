//! The state of one pass over a page: its lines, what is open (a fence,
//! admonitions and tabs, a raw block, a tag or comment running on), and the
//! text written so far. The passes for each construct (`blocks`, `inline`,
//! `templates`, `mdx`) are methods on it, in their own modules.

use super::bytes::is_blank;

/// An open fenced code block; `marker` 0 is a `{% highlight %}` block.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fence {
    pub(super) marker: u8,
    pub(super) len: usize,
    /// How many admonitions and tabs were open around it.
    pub(super) depth: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Text: everything is stripped.
    Prose,
    /// Fenced or inline code: only mdBook directives and raw markers are.
    Code,
}

#[derive(Debug, Default)]
pub(super) struct Stripper<'a> {
    pub(super) text: &'a str,
    pub(super) b: &'a [u8],
    pub(super) mdx: bool,
    /// Each line's start, end without `\r`, and end without `\n`.
    pub(super) lines: Vec<(usize, usize, usize)>,
    pub(super) out: String,
    /// The line being worked on.
    pub(super) line: usize,
    /// The open admonitions and tabs, innermost last: the column where a
    /// body line starts, and how much of its indentation goes (with theirs
    /// around it).
    pub(super) containers: Vec<(usize, usize)>,
    pub(super) fence: Option<Fence>,
    /// Inside `{% raw %}`: everything is kept until `{% endraw %}`.
    pub(super) raw: bool,
    /// A tag or a `{% comment %}` removed from an earlier line runs to this byte.
    pub(super) skip_until: usize,
    /// Lines before this one are emptied (a snippet or ESM block).
    pub(super) blank_until: usize,
    /// A marker's title, to be written on that (blank) line.
    pub(super) title: Option<(usize, String)>,
    /// No `{% endcomment %}` follows any more.
    pub(super) no_endcomment: bool,
}

impl<'a> Stripper<'a> {
    pub(super) fn new(text: &'a str, mdx: bool) -> Self {
        let b = text.as_bytes();
        let mut start = 0;
        let ends = (0..b.len()).filter(|&i| b[i] == b'\n');
        let lines = ends.chain([b.len()]).map(|i| {
            let line = (start, i - usize::from(i > start && b[i - 1] == b'\r'), i);
            start = i + 1;
            line
        });
        let (lines, out) = (lines.collect(), String::with_capacity(text.len()));
        Stripper {
            text,
            b,
            mdx,
            lines,
            out,
            ..Default::default()
        }
    }

    pub(super) fn blank(&self, k: usize) -> bool {
        let (s, e, _) = self.lines[k];
        is_blank(&self.b[s..e])
    }
}
