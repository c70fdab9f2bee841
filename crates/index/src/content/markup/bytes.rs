//! The byte helpers and the little cursor the parsers share.

/// A cursor for the little parsers of the markup: `b[j..end]` is what is left.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cur<'a> {
    b: &'a [u8],
    pub(super) j: usize,
    end: usize,
}

impl<'a> Cur<'a> {
    pub(super) fn new(b: &'a [u8], j: usize, end: usize) -> Self {
        Cur {
            b,
            j: j.min(end),
            end,
        }
    }

    pub(super) fn rest(&self) -> &'a [u8] {
        &self.b[self.j..self.end]
    }

    pub(super) fn peek(&self) -> u8 {
        self.rest().first().copied().unwrap_or(0)
    }

    /// Skips the bytes that satisfy `f`: how many.
    pub(super) fn skip(&mut self, f: impl Fn(u8) -> bool) -> usize {
        let n = count(self.rest(), f);
        self.j += n;
        n
    }

    /// Skips `s` if it comes next.
    pub(super) fn eat(&mut self, s: &[u8]) -> bool {
        let next = self.rest().starts_with(s);
        self.j += if next { s.len() } else { 0 };
        next
    }
}

/// The first `pat` in `b[from..end]`, as an index into `b`.
pub(super) fn find(b: &[u8], from: usize, end: usize, pat: &[u8]) -> Option<usize> {
    let end = end.min(b.len());
    let hay = b.get(from..end).unwrap_or_default();
    hay.windows(pat.len())
        .position(|w| w == pat)
        .map(|p| from + p)
}

/// How many bytes at the start of `s` satisfy `f`.
pub(super) fn count(s: &[u8], f: impl Fn(u8) -> bool) -> usize {
    s.iter().take_while(|&&c| f(c)).count()
}

pub(super) fn is_space(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

pub(super) fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

pub(super) fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|&c| is_space(c))
}

pub(super) fn trim_start(s: &[u8]) -> &[u8] {
    &s[count(s, is_space)..]
}

pub(super) fn trim_end(s: &[u8]) -> &[u8] {
    &s[..s.iter().rposition(|&c| !is_space(c)).map_or(0, |p| p + 1)]
}

pub(super) fn trim(s: &[u8]) -> &[u8] {
    trim_end(trim_start(s))
}

pub(super) fn push_spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// The column where a line's text starts; a tab runs to the next multiple of 4.
pub(super) fn indent_width(line: &[u8]) -> usize {
    dedent(line, usize::MAX).1
}

/// Removes up to `cols` columns of indentation: the index where the rest
/// starts, and the column it is at (past `cols` if a tab was split).
pub(super) fn dedent(line: &[u8], cols: usize) -> (usize, usize) {
    let (mut col, mut j) = (0, 0);
    while j < line.len() && col < cols {
        match line[j] {
            b' ' => col += 1,
            b'\t' => col = (col / 4 + 1) * 4,
            _ => break,
        }
        j += 1;
    }
    (j, col)
}
