//! Block constructs marked at the start of a line: MkDocs admonitions
//! (`!!!`, `???`) and content tabs (`===`), Docusaurus directives (`:::`),
//! snippet lines (`--8<--`) and abbreviation lines (`*[HTML]: ...`).

use super::bytes::{Cur, count, dedent, indent_width, is_space, is_word, trim, trim_start};
use super::state::{Mode, Stripper};

/// A `--8<--` block of file names closes within this many lines, or is not one.
const SNIPPET_LINES: usize = 50;

impl Stripper<'_> {
    /// Handles a line that is a marker of a block construct; false if it is none.
    pub(super) fn block_marker(
        &mut self,
        s: usize,
        ts: usize,
        e: usize,
        width: usize,
        rel: usize,
    ) -> bool {
        let b = self.b;
        // An admonition or tab may be a definition (`:   !!! note`): the `:` goes too.
        let (mut ms, mut mwidth) = (ts, width);
        if ts + 1 < e && b[ts] == b':' && is_space(b[ts + 1]) {
            let (skip, col) = dedent(&b[ts + 1..e], usize::MAX);
            (ms, mwidth) = (ts + 1 + skip, width + 1 + col);
        }
        // The title's range, and the column of an indented body (none for a directive).
        let (title, body) = match b[ms..e].first() {
            Some(b'!' | b'?') => (admonition(b, ms, e), Some(mwidth + 4)),
            Some(b'=') => (tab(b, ms, e), Some(mwidth + 4)),
            Some(b':') if b[ts..e].starts_with(b":::") => (Some(directive(b, ts, e)), None),
            Some(b'-' | b'*') => return self.snippet(ts, e) || abbreviation(&b[ts..e]),
            Some(b'{') => return self.highlight(&b[ts..e], rel),
            Some(b'i' | b'e') if self.mdx && ts == s && self.containers.is_empty() => {
                return self.esm(s, e);
            }
            _ => return false,
        };
        let Some((a, z)) = title else { return false };
        let title = self.title_text(a, z);
        if let Some(col) = body {
            let outdent = self.containers.last().map_or(0, |c| c.1);
            self.containers.push((col, outdent + 4 + mwidth - width));
        }
        if title.is_empty() {
            return true;
        }
        let line = format!("{}{title}", " ".repeat(rel));
        let i = self.line;
        let joins = i + 2 < self.lines.len() && self.blank(i + 1) && !self.blank(i + 2) && {
            let (s2, e2, _) = self.lines[i + 2];
            match body {
                Some(col) => indent_width(&b[s2..e2]) >= col,
                None => !trim_start(&b[s2..e2]).starts_with(b":::"),
            }
        };
        if joins {
            self.title = Some((i + 1, line));
        } else {
            self.out.push_str(&line);
        }
        true
    }

    /// A marker's title, stripped of markup, with a `:` to run into the body; empty if none.
    fn title_text(&mut self, a: usize, z: usize) -> String {
        let mark = self.out.len();
        self.scan(a, z, Mode::Prose, false);
        let title = self.out.split_off(mark);
        let title = title.trim();
        match title.as_bytes().last() {
            None => String::new(),
            Some(b'.' | b':' | b'!' | b'?') => title.to_string(),
            Some(_) => format!("{title}:"),
        }
    }

    /// A `--8<--` line (and the file names of a `--8<--` block) is emptied.
    pub(super) fn snippet(&mut self, ts: usize, e: usize) -> bool {
        let Some(rest) = self.b[ts..e].strip_prefix(b"--8<--") else {
            return false;
        };
        if let Some(&q) = trim_start(rest).first() {
            return q == b'"' || q == b'\'';
        }
        let last = (self.line + SNIPPET_LINES).min(self.lines.len() - 1);
        let delimiter = |&k: &usize| trim(&self.b[self.lines[k].0..self.lines[k].1]) == b"--8<--";
        if let Some(k) = (self.line + 1..=last).find(delimiter) {
            self.blank_until = k + 1;
        }
        true
    }
}

/// `!!! type "Title"`, `??? type`, `???+ type inline end "Title"`: the title's range.
pub(super) fn admonition(b: &[u8], ms: usize, e: usize) -> Option<(usize, usize)> {
    let mut c = Cur::new(b, ms, e);
    if c.eat(b"???") {
        c.eat(b"+");
    } else if !c.eat(b"!!!") {
        return None;
    }
    let mut words = 0;
    loop {
        c.skip(|x| x == b' ');
        if c.skip(is_word) == 0 {
            break;
        }
        words += 1;
    }
    if words == 0 {
        None
    } else {
        quoted_title(b, c.j, e)
    }
}

/// `=== "Title"`, `===! "Title"`, `===+ "Title"`: the title's range.
pub(super) fn tab(b: &[u8], ms: usize, e: usize) -> Option<(usize, usize)> {
    let mut c = Cur::new(b, ms, e);
    if !c.eat(b"===") || !tab_start(c.rest()) {
        return None;
    }
    c.skip(|x| x != b'"');
    quoted_title(b, c.j, e)
}

/// Whether what follows a `===` starts a tab title: `!`/`+` flags, spaces, `"`.
pub(super) fn tab_start(rest: &[u8]) -> bool {
    let flags = count(&rest[..rest.len().min(2)], |c| c == b'!' || c == b'+');
    let mut c = Cur::new(rest, flags, rest.len());
    c.skip(|x| x == b' ') > 0 && c.peek() == b'"'
}

/// At `j`, nothing (an empty range) or `"title"` then only spaces: the title's range.
pub(super) fn quoted_title(b: &[u8], j: usize, e: usize) -> Option<(usize, usize)> {
    let rest = trim(&b[j..e]);
    if rest.is_empty() {
        return Some((j, j));
    }
    let ok = rest.len() >= 2 && rest[0] == b'"' && rest[rest.len() - 1] == b'"';
    ok.then_some((j + 1, j + rest.len() - 1))
}

/// `:::name`, `:::name[Title]`, `::: name Title {attrs}`, `:::`: the title's range.
pub(super) fn directive(b: &[u8], ts: usize, e: usize) -> (usize, usize) {
    let mut c = Cur::new(b, ts, e);
    c.skip(|x| x == b':');
    c.skip(is_space);
    c.skip(is_word);
    if c.peek() == b'['
        && let Some(z) = c.rest().iter().rposition(|&x| x == b']')
    {
        return (c.j + 1, c.j + z);
    }
    c.skip(is_space);
    let rest = trim(c.rest());
    let z = match rest.iter().rposition(|&x| x == b'{') {
        Some(o) if rest.ends_with(b"}") => o,
        _ => rest.len(),
    };
    (c.j, c.j + z)
}

/// `*[HTML]: Hyper Text Markup Language`.
pub(super) fn abbreviation(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"*[") else {
        return false;
    };
    let close = rest.iter().position(|&c| c == b']');
    close.is_some_and(|p| p > 0 && rest.get(p + 1) == Some(&b':'))
}
