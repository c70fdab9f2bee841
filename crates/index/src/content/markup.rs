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
//! The file is long because its tests are inline, one fixture per construct.

use std::borrow::Cow;
use std::collections::HashMap;

/// A `{% ... %}` or `{{ ... }}` may run over this many lines (within one paragraph).
const TAG_LINES: usize = 20;
/// A `--8<--` block of file names closes within this many lines, or is not one.
const SNIPPET_LINES: usize = 50;
/// An MDX `import`/`export` block whose brackets never balance ends after this many lines.
const ESM_LINES: usize = 200;
/// The words after `export ` that start an MDX `export` block.
const ESM_WORDS: [&[u8]; 7] = [
    b"const",
    b"let",
    b"var",
    b"function",
    b"default",
    b"class",
    b"async",
];
/// The mdBook directives, which mdBook replaces even inside code.
const MDBOOK: [&[u8]; 4] = [b"include", b"rustdoc_include", b"playground", b"title"];

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

/// An open fenced code block; `marker` 0 is a `{% highlight %}` block.
#[derive(Debug, Clone, Copy)]
struct Fence {
    marker: u8,
    len: usize,
    /// How many admonitions and tabs were open around it.
    depth: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Text: everything is stripped.
    Prose,
    /// Fenced or inline code: only mdBook directives and raw markers are.
    Code,
}

#[derive(Debug, Default)]
struct Stripper<'a> {
    text: &'a str,
    b: &'a [u8],
    mdx: bool,
    /// Each line's start, end without `\r`, and end without `\n`.
    lines: Vec<(usize, usize, usize)>,
    out: String,
    /// The line being worked on.
    line: usize,
    /// The open admonitions and tabs, innermost last: the column where a
    /// body line starts, and how much of its indentation goes (with theirs
    /// around it).
    containers: Vec<(usize, usize)>,
    fence: Option<Fence>,
    /// Inside `{% raw %}`: everything is kept until `{% endraw %}`.
    raw: bool,
    /// A tag or a `{% comment %}` removed from an earlier line runs to this byte.
    skip_until: usize,
    /// Lines before this one are emptied (a snippet or ESM block).
    blank_until: usize,
    /// A marker's title, to be written on that (blank) line.
    title: Option<(usize, String)>,
    /// No `{% endcomment %}` follows any more.
    no_endcomment: bool,
}

impl<'a> Stripper<'a> {
    fn new(text: &'a str, mdx: bool) -> Self {
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

    fn blank(&self, k: usize) -> bool {
        let (s, e, _) = self.lines[k];
        is_blank(&self.b[s..e])
    }

    fn process_line(&mut self, s: usize, e: usize) {
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

    /// Handles a line that is a marker of a block construct; false if it is none.
    fn block_marker(&mut self, s: usize, ts: usize, e: usize, width: usize, rel: usize) -> bool {
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

    /// `{% highlight ruby %}` (or Hugo's `{{< highlight go >}}`) alone on a
    /// line opens a code fence, which `{% endhighlight %}` closes.
    fn highlight(&mut self, line: &[u8], rel: usize) -> bool {
        let Some((b"highlight", lang)) = whole_line_tag(line) else {
            return false;
        };
        push_spaces(&mut self.out, rel);
        self.out.push_str("```");
        self.out.push_str(&String::from_utf8_lossy(lang));
        self.fence = Some(Fence {
            marker: 0,
            len: 3,
            depth: self.containers.len(),
        });
        true
    }

    /// A `--8<--` line (and the file names of a `--8<--` block) is emptied.
    fn snippet(&mut self, ts: usize, e: usize) -> bool {
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

    /// An MDX `import`/`export` block at the top level, after a blank line:
    /// empties it, to the end of the line where its brackets balance (or of
    /// the next `import`/`export` line that follows directly).
    fn esm(&mut self, s: usize, e: usize) -> bool {
        let (b, i) = (self.b, self.line);
        let starts = if let Some(rest) = b[s..e].strip_prefix(b"import ") {
            matches!(trim_start(rest).first(), Some(b'{' | b'*' | b'"' | b'\''))
                || find(rest, 0, rest.len(), b"from").is_some()
        } else if let Some(rest) = b[s..e].strip_prefix(b"export ") {
            let word = &rest[..count(rest, |c| c.is_ascii_alphabetic())];
            ESM_WORDS.contains(&word) || matches!(rest.first(), Some(b'{' | b'*'))
        } else {
            false
        };
        if !starts || (i > 0 && !self.blank(i - 1)) {
            return false;
        }
        let esm_line = |k: usize| {
            let line = &b[self.lines[k].0..self.lines[k].1];
            line.starts_with(b"import ") || line.starts_with(b"export ")
        };
        let (mut k, mut balance) = (i, 0);
        loop {
            balance += bracket_balance(&b[self.lines[k].0..self.lines[k].1]);
            if k + 1 >= self.lines.len()
                || k + 1 - i >= ESM_LINES
                || (balance <= 0 && !esm_line(k + 1))
            {
                break;
            }
            k += 1;
        }
        self.blank_until = k + 1;
        true
    }

    /// Copies `[start, end)` to the output, less the markup `mode` strips.
    /// `multiline` lets a `{{`/`{%` tag close on a later line of the paragraph.
    fn scan(&mut self, start: usize, end: usize, mode: Mode, multiline: bool) {
        let b = self.b;
        let at = |i: usize| if i < end { b[i] } else { 0 };
        let prose = mode == Mode::Prose;
        // Set once a search for `}}` / `%}` from this call failed: later ones would too.
        let mut no_close = [false; 2];
        let mut runs: Option<Vec<(usize, usize, usize)>> = None;
        let (mut i, mut copied, mut run) = (start, start, 0);
        while i < end {
            if self.raw {
                let Some(p) = find(b, i, end, b"{%") else {
                    break;
                };
                i = p + 2;
                if let Some((false, after)) = raw_marker(b, p, end) {
                    self.out.push_str(&self.text[copied..p]);
                    (self.raw, i, copied) = (false, after, after);
                    // Code spans are found afresh after the raw section.
                    (runs, run) = (None, 0);
                }
                continue;
            }
            let mut cut = None;
            match b[i] {
                b'{' if at(i + 1) == b'%' => {
                    if let Some((open, after)) = raw_marker(b, i, end) {
                        (self.raw, cut) = (open, Some(after));
                    } else if prose {
                        cut = self.liquid_tag(i, end, multiline, &mut no_close[1]);
                    }
                }
                b'{' if at(i + 1) == b'{' && (prose || mdbook(b, i + 2)) => {
                    let found =
                        self.find_close(i + 2, end, b"}}", multiline && prose, &mut no_close[0]);
                    cut = found.map(|q| q + 2);
                }
                b'\\' if b[i + 1..end].starts_with(b"{{#") && mdbook(b, i + 3) => {
                    // mdBook shows an escaped directive as written, less the backslash.
                    self.out.push_str(&self.text[copied..i]);
                    copied = i + 1;
                    i = find(b, i, end, b"}}").map_or(i + 3, |q| q + 2);
                    continue;
                }
                b'`' if prose => {
                    let runs = runs.get_or_insert_with(|| backtick_runs(b, i, end));
                    while run < runs.len() && runs[run].0 < i {
                        run += 1;
                    }
                    let Some(&(_, len, next)) = runs.get(run).filter(|r| r.0 == i) else {
                        i += 1;
                        continue;
                    };
                    let Some(&(close, _, _)) = runs.get(next) else {
                        (i, run) = (i + len, run + 1);
                        continue;
                    };
                    self.out.push_str(&self.text[copied..i]);
                    self.scan(i, close + len, Mode::Code, false);
                    (i, copied, run) = (close + len, close + len, next + 1);
                    continue;
                }
                b'{' if prose => {
                    cut = attr_list(b, i, end);
                    if cut.is_some_and(|after| is_blank(&b[after..end])) {
                        // Closing a line (a heading's): the spaces before it go too.
                        let kept = trim_end(&b[copied..i]).len();
                        self.out.push_str(&self.text[copied..copied + kept]);
                        copied = i;
                    }
                }
                b':' if prose => {
                    // An icon that starts a phrase takes the space after it along.
                    let starts =
                        i == start || matches!(b[i - 1], b' ' | b'\t' | b'[' | b'(' | b'|');
                    cut = shortcode(b, i, end).map(|z| z + usize::from(starts && at(z) == b' '));
                }
                _ => {}
            }
            if let Some(after) = cut {
                self.out.push_str(&self.text[copied..i]);
                (i, copied) = (after, after);
            } else {
                i += 1;
            }
        }
        if i > end {
            self.skip_until = i; // A tag that closes on a later line.
        }
        if copied < end {
            self.out.push_str(&self.text[copied..end]);
        }
    }

    /// The end of the `{% ... %}` tag at `i` (of the `{% endcomment %}` for a
    /// comment), or `None` if it does not close.
    fn liquid_tag(
        &mut self,
        i: usize,
        end: usize,
        multi: bool,
        failed: &mut bool,
    ) -> Option<usize> {
        let b = self.b;
        let q = self.find_close(i + 2, end, b"%}", multi, failed)?;
        if tag_name(&b[i + 2..q]) == b"comment" && !self.no_endcomment {
            let mut from = q + 2;
            while let Some(p) = find(b, from, b.len(), b"{%") {
                let Some(z) = find(b, p + 2, b.len(), b"%}") else {
                    break;
                };
                if tag_name(&b[p + 2..z]) == b"endcomment" {
                    return Some(z + 2);
                }
                from = z + 2;
            }
            self.no_endcomment = true;
        }
        Some(q + 2)
    }

    /// Where `pat` first occurs from `from`: before `end`, or if `multi`, on
    /// one of the next lines before a blank one, up to [`TAG_LINES`].
    fn find_close(
        &self,
        from: usize,
        end: usize,
        pat: &[u8],
        multi: bool,
        failed: &mut bool,
    ) -> Option<usize> {
        if *failed {
            return None;
        }
        let mut found = find(self.b, from, end, pat);
        let last = (self.line + TAG_LINES).min(self.lines.len() - 1);
        for &(s, e, _) in &self.lines[self.line + 1..=last] {
            if found.is_some() || !multi || is_blank(&self.b[s..e]) {
                break;
            }
            found = find(self.b, s, e, pat);
        }
        *failed = found.is_none();
        found
    }
}

/// A cursor for the little parsers below: `b[j..end]` is what is left.
#[derive(Debug, Clone, Copy)]
struct Cur<'a> {
    b: &'a [u8],
    j: usize,
    end: usize,
}

impl<'a> Cur<'a> {
    fn new(b: &'a [u8], j: usize, end: usize) -> Self {
        Cur {
            b,
            j: j.min(end),
            end,
        }
    }

    fn rest(&self) -> &'a [u8] {
        &self.b[self.j..self.end]
    }

    fn peek(&self) -> u8 {
        self.rest().first().copied().unwrap_or(0)
    }

    /// Skips the bytes that satisfy `f`: how many.
    fn skip(&mut self, f: impl Fn(u8) -> bool) -> usize {
        let n = count(self.rest(), f);
        self.j += n;
        n
    }

    /// Skips `s` if it comes next.
    fn eat(&mut self, s: &[u8]) -> bool {
        let next = self.rest().starts_with(s);
        self.j += if next { s.len() } else { 0 };
        next
    }
}

/// The first `pat` in `b[from..end]`, as an index into `b`.
fn find(b: &[u8], from: usize, end: usize, pat: &[u8]) -> Option<usize> {
    let end = end.min(b.len());
    let hay = b.get(from..end).unwrap_or_default();
    hay.windows(pat.len())
        .position(|w| w == pat)
        .map(|p| from + p)
}

/// How many bytes at the start of `s` satisfy `f`.
fn count(s: &[u8], f: impl Fn(u8) -> bool) -> usize {
    s.iter().take_while(|&&c| f(c)).count()
}

fn is_space(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|&c| is_space(c))
}

fn trim_start(s: &[u8]) -> &[u8] {
    &s[count(s, is_space)..]
}

fn trim_end(s: &[u8]) -> &[u8] {
    &s[..s.iter().rposition(|&c| !is_space(c)).map_or(0, |p| p + 1)]
}

fn trim(s: &[u8]) -> &[u8] {
    trim_end(trim_start(s))
}

fn push_spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// The column where a line's text starts; a tab runs to the next multiple of 4.
fn indent_width(line: &[u8]) -> usize {
    dedent(line, usize::MAX).1
}

/// Removes up to `cols` columns of indentation: the index where the rest
/// starts, and the column it is at (past `cols` if a tab was split).
fn dedent(line: &[u8], cols: usize) -> (usize, usize) {
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

/// `!!! type "Title"`, `??? type`, `???+ type inline end "Title"`: the title's range.
fn admonition(b: &[u8], ms: usize, e: usize) -> Option<(usize, usize)> {
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
fn tab(b: &[u8], ms: usize, e: usize) -> Option<(usize, usize)> {
    let mut c = Cur::new(b, ms, e);
    if !c.eat(b"===") || !tab_start(c.rest()) {
        return None;
    }
    c.skip(|x| x != b'"');
    quoted_title(b, c.j, e)
}

/// Whether what follows a `===` starts a tab title: `!`/`+` flags, spaces, `"`.
fn tab_start(rest: &[u8]) -> bool {
    let flags = count(&rest[..rest.len().min(2)], |c| c == b'!' || c == b'+');
    let mut c = Cur::new(rest, flags, rest.len());
    c.skip(|x| x == b' ') > 0 && c.peek() == b'"'
}

/// At `j`, nothing (an empty range) or `"title"` then only spaces: the title's range.
fn quoted_title(b: &[u8], j: usize, e: usize) -> Option<(usize, usize)> {
    let rest = trim(&b[j..e]);
    if rest.is_empty() {
        return Some((j, j));
    }
    let ok = rest.len() >= 2 && rest[0] == b'"' && rest[rest.len() - 1] == b'"';
    ok.then_some((j + 1, j + rest.len() - 1))
}

/// `:::name`, `:::name[Title]`, `::: name Title {attrs}`, `:::`: the title's range.
fn directive(b: &[u8], ts: usize, e: usize) -> (usize, usize) {
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
fn abbreviation(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"*[") else {
        return false;
    };
    let close = rest.iter().position(|&c| c == b']');
    close.is_some_and(|p| p > 0 && rest.get(p + 1) == Some(&b':'))
}

/// A line that is one `{% name arg ... %}`, `{{< name arg >}}` or `{{% name %}}`:
/// its name (with a leading `/`) and first argument.
fn whole_line_tag(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let line = trim(line);
    let forms: [(&[u8], &[u8]); 3] = [(b"{%", b"%}"), (b"{{<", b">}}"), (b"{{%", b"%}}")];
    let (open, close) = forms.into_iter().find(|(o, c)| {
        line.len() >= o.len() + c.len() && line.starts_with(o) && line.ends_with(c)
    })?;
    let inner = &line[open.len()..line.len() - close.len()];
    if find(inner, 0, inner.len(), b"}}").is_some() || find(inner, 0, inner.len(), b"%}").is_some()
    {
        return None;
    }
    let mut c = Cur::new(inner, 0, inner.len());
    c.skip(|x| x == b'-' || is_space(x));
    let start = c.j;
    c.eat(b"/");
    c.skip(is_word);
    let name = &inner[start..c.j];
    c.skip(is_space);
    let arg = c.j;
    c.skip(|x| is_word(x) || x == b'+');
    Some((name, &inner[arg..c.j]))
}

/// The name of the Liquid tag whose inside is `inner`.
fn tag_name(inner: &[u8]) -> &[u8] {
    let start = count(inner, |c| c == b'-' || c.is_ascii_whitespace());
    let rest = &inner[start..];
    &rest[..count(rest, |c| c.is_ascii_alphanumeric() || c == b'_')]
}

/// `{% raw %}` or `{% endraw %}` (with `-` trims) at `i`: whether it opens, and its end.
fn raw_marker(b: &[u8], i: usize, end: usize) -> Option<(bool, usize)> {
    let mut c = Cur::new(b, i + 2, end);
    c.eat(b"-");
    c.skip(is_space);
    let open = c.eat(b"raw");
    if !open && !c.eat(b"endraw") {
        return None;
    }
    c.skip(is_space);
    c.eat(b"-");
    c.eat(b"%}").then_some((open, c.j))
}

/// Whether an mdBook directive name follows the `{{` whose end is `i` (`#include ...`).
fn mdbook(b: &[u8], i: usize) -> bool {
    let Some(rest) = b.get(i..).and_then(|r| r.strip_prefix(b"#")) else {
        return false;
    };
    let directive = |name: &&[u8]| {
        rest.starts_with(name) && matches!(rest.get(name.len()), Some(b' ' | b'\t' | b'}'))
    };
    MDBOOK.iter().any(directive)
}

/// `{: .class }`, `{ #id }`, `{#id .class key=value}` at `i`: its end.
fn attr_list(b: &[u8], i: usize, end: usize) -> Option<usize> {
    let mut c = Cur::new(b, i + 1, end);
    let colon = c.eat(b":");
    // `{k=0}` with no space is more often TeX than an attribute list.
    let tight = !colon && !is_space(c.peek());
    let mut tokens = 0;
    loop {
        c.skip(is_space);
        if c.eat(b"}") {
            return (tokens > 0).then_some(c.j);
        }
        let class_or_id = c.eat(b".") || c.eat(b"#");
        if c.skip(is_word) == 0 {
            return None;
        }
        if !class_or_id && c.eat(b"=") {
            let q = c.peek();
            if q == b'"' || q == b'\'' {
                c.j += 1;
                c.skip(|x| x != q && x != b'{' && x != b'}');
                if !c.eat(&[q]) {
                    return None;
                }
            } else if tight && tokens == 0 {
                return None;
            } else {
                c.skip(|x| !b" \t{}\"'".contains(&x));
            }
        } else if !class_or_id && !colon {
            return None;
        }
        tokens += 1;
        if !matches!(c.peek(), b' ' | b'\t' | b'}') {
            return None;
        }
    }
}

/// `:material-github:`, `:octicons-heart-fill-24:` at `i` (a word on its own): its end.
fn shortcode(b: &[u8], i: usize, end: usize) -> Option<usize> {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    if i > 0 && word(b[i - 1]) {
        return None;
    }
    let mut c = Cur::new(b, i + 1, end);
    let mut parts = 0;
    while c.skip(|x| x.is_ascii_lowercase() || x.is_ascii_digit()) > 0 {
        parts += 1;
        if !c.eat(b"-") {
            return (parts >= 2 && c.eat(b":") && !word(c.peek())).then_some(c.j);
        }
    }
    None
}

/// The backtick runs in `b[start..end]`: position, length, and the index of
/// the next run as long (which closes a code span), or `usize::MAX`.
fn backtick_runs(b: &[u8], start: usize, end: usize) -> Vec<(usize, usize, usize)> {
    let (mut runs, mut c) = (Vec::new(), Cur::new(b, start, end));
    loop {
        c.skip(|x| x != b'`');
        let (j, n) = (c.j, c.skip(|x| x == b'`'));
        if n == 0 {
            break;
        }
        runs.push((j, n, usize::MAX));
    }
    let mut next: HashMap<usize, usize> = HashMap::new();
    for k in (0..runs.len()).rev() {
        runs[k].2 = next.insert(runs[k].1, k).unwrap_or(usize::MAX);
    }
    runs
}

/// Opening brackets less closing ones on an MDX line, quoted strings left out.
fn bracket_balance(line: &[u8]) -> isize {
    let (mut balance, mut quote) = (0, 0u8);
    for &c in line {
        match c {
            _ if quote != 0 => quote = if c == quote { 0 } else { quote },
            b'"' | b'\'' | b'`' => quote = c,
            b'{' | b'(' | b'[' => balance += 1,
            b'}' | b')' | b']' => balance -= 1,
            _ => {}
        }
    }
    balance
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strips `text`, checking that the line count is kept.
    fn check(text: &str, mdx: bool) -> String {
        let out = strip_generator_markup(text, mdx);
        assert_eq!(
            out.matches('\n').count(),
            text.matches('\n').count(),
            "lines changed: {text:?} -> {out:?}"
        );
        out.into_owned()
    }

    fn strip(text: &str) -> String {
        check(text, false)
    }

    #[test]
    fn plain_markdown_is_borrowed() {
        let plain = "Title\n=====\n\nSome {x} and { foo } and a: b at 10:30, see http://x.org.\n\n```\n{{ x }}\n```\n";
        assert!(matches!(
            strip_generator_markup(plain, false),
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            strip_generator_markup(plain, true),
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            strip_generator_markup("", false),
            Cow::Borrowed(_)
        ));
        // A trigger with nothing to strip is borrowed too.
        assert!(matches!(
            strip_generator_markup("`{{ x }}` is code.\n", false),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn liquid_tags() {
        assert_eq!(strip("{% if a %}Shown{% endif %}\n"), "Shown\n");
        assert_eq!(
            strip("## Title {%- include badge.html v=\"4.0\" -%}\n"),
            "## Title \n"
        );
        assert_eq!(
            strip("a {% include x.html\n  p=\"1\" %} b\nc\n"),
            "a \n b\nc\n"
        );
        assert_eq!(
            strip("x\n{% comment %}\nhidden {{ y }}\n{% endcomment %}\nz\n"),
            "x\n\n\n\nz\n"
        );
        assert_eq!(strip("a {% comment %}hidden{% endcomment %} b\n"), "a  b\n");
    }

    #[test]
    fn multiline_tag_stops_at_a_paragraph_end() {
        assert_eq!(strip("a {% if\n\nb %}\n"), "a {% if\n\nb %}\n");
        let long = format!("a {{% x\n{}%}}\n", "y\n".repeat(TAG_LINES + 1));
        assert_eq!(strip(&long), long);
    }

    #[test]
    fn raw_keeps_its_content_everywhere() {
        let text = "{% raw %}\n```liquid\n{% for p in site.posts %}{{ p.title }}{% endfor %}\n```\n{% endraw %}\n{{ gone }}\n";
        assert_eq!(
            strip(text),
            "\n```liquid\n{% for p in site.posts %}{{ p.title }}{% endfor %}\n```\n\n\n"
        );
        assert_eq!(
            strip("Use {%- raw -%}`{{ x }}`{%- endraw -%} here.\n"),
            "Use `{{ x }}` here.\n"
        );
        assert_eq!(
            strip("```\n{% raw %}{{ x }}{% endraw %}\n```\n"),
            "```\n{{ x }}\n```\n"
        );
        assert_eq!(
            strip("`{% raw %}{{ x }}{% endraw %}` {{ y }}\n"),
            "`{{ x }}` \n"
        );
        let text = "{% raw %}{{ a }}{% endraw %} `{{ b }}` {{ c }}\n";
        assert_eq!(strip(text), "{{ a }} `{{ b }}` \n");
    }

    #[test]
    fn output_tags_and_hugo_shortcodes() {
        assert_eq!(
            strip("[Ruby Gem]({{ '/docs/ruby-101/#gems' | relative_url }})\n"),
            "[Ruby Gem]()\n"
        );
        assert_eq!(
            strip("{{< note title=\"N\" >}}\nInner *text*.\n{{< /note >}}\n"),
            "\nInner *text*.\n\n"
        );
        assert_eq!(
            strip("{{% tip %}}Kept{{% /tip %}} and {{< figure src=\"a.png\" />}}.\n"),
            "Kept and .\n"
        );
        assert_eq!(strip("{{-  site.x -}}done\n"), "done\n");
    }

    #[test]
    fn mdbook_directives_go_even_from_code() {
        let text = "# Ch\n\n```rust\n{{#rustdoc_include ../listings/ch01/main.rs:here}}\n```\n\n{{#include file.md}}\n";
        assert_eq!(strip(text), "# Ch\n\n```rust\n\n```\n\n\n");
        assert_eq!(
            strip("```\n\\{{#include x.rs}}\n```\n"),
            "```\n{{#include x.rs}}\n```\n"
        );
        assert_eq!(
            strip("```hbs\n{{#each items}}{{this}}{{/each}}\n```\n"),
            "```hbs\n{{#each items}}{{this}}{{/each}}\n```\n"
        );
    }

    #[test]
    fn admonition_title_runs_into_the_body() {
        let text = "!!! note \"Phasellus posuere\"\n\n    Lorem ipsum\n    dolor.\n\nAfter.\n";
        assert_eq!(
            strip(text),
            "\nPhasellus posuere:\nLorem ipsum\ndolor.\n\nAfter.\n"
        );
        let text = "??? question \"Why?\"\n    Because.\n";
        assert_eq!(strip(text), "Why?\nBecause.\n");
        let text = "!!! warning\n\n    Careful.\n\n???+ info inline end \"\"\n\n    Open.\n";
        assert_eq!(strip(text), "\n\nCareful.\n\n\n\nOpen.\n");
        let text = "!!!tip \"Hint\" \n";
        assert_eq!(strip(text), "Hint:\n");
        // Not an admonition: left as it is.
        assert_eq!(
            strip("!!! \"no type\"\n!!! a \"open\n"),
            "!!! \"no type\"\n!!! a \"open\n"
        );
    }

    #[test]
    fn nested_admonitions_dedent_by_level() {
        let text = "!!! note \"Outer\"\n\n    Outer body.\n\n    !!! tip \"Inner\"\n\n        Inner body.\n        ```\n        code\n        ```\n    Outer again.\nTop.\n";
        let want =
            "\nOuter:\nOuter body.\n\n\nInner:\nInner body.\n```\ncode\n```\nOuter again.\nTop.\n";
        assert_eq!(strip(text), want);
        // In a definition list (`:   !!! note`), the `:` goes with the marker.
        assert_eq!(strip(":   !!! note\n\n        Body.\n"), "\n\nBody.\n");
    }

    #[test]
    fn content_tabs() {
        let text = "=== \"C\"\n\n    ``` c\n    #include <stdio.h>\n    ```\n\n===! \"C++\"\n\n    Text {{ x }}.\n";
        assert_eq!(
            strip(text),
            "\nC:\n``` c\n#include <stdio.h>\n```\n\n\nC++:\nText .\n"
        );
        assert_eq!(
            strip("===+  \":octicons-file-code-16: `mkdocs.yml`\"\n    a: b\n"),
            "`mkdocs.yml`:\na: b\n"
        );
        // A setext underline is Markdown.
        let setext = "Heading\n===\n\n=== not a tab\n";
        assert!(matches!(
            strip_generator_markup(setext, false),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn docusaurus_directives() {
        let text = ":::note\n\nPlain.\n\n:::\n\n:::tip Use it\nNow.\n:::\n\n::::info[Read this]{#x}\n\nFirst.\n::::\n\n::: details More\n:::\n";
        let want = "\n\nPlain.\n\n\n\nUse it:\nNow.\n\n\n\nRead this:\nFirst.\n\n\nMore:\n\n";
        assert_eq!(strip(text), want);
    }

    #[test]
    fn snippets_and_abbreviations() {
        let text = "Intro.\n\n--8<-- \"includes/abbr.md\"\n\n--8<--\nfile-a.md\nfile-b.md\n--8<--\n\n*[HTML]: Hyper Text Markup Language\nHTML is fine.\n";
        assert_eq!(strip(text), "Intro.\n\n\n\n\n\n\n\n\n\nHTML is fine.\n");
        // In code, a snippet line is replaced by the file too; an escaped one is not.
        assert_eq!(
            strip("```\n--8<-- \"a.py\"\n;--8<-- \"b\"\n```\n"),
            "```\n\n;--8<-- \"b\"\n```\n"
        );
    }

    #[test]
    fn attribute_lists() {
        let text = "[Go](x.md){ .md-button }\n{ .annotate }\n## Title { #custom-id }\nPara.\n{: .note .info}\n### T {#id .class key=value}\n[a](b){:target=\"_blank\"}\n";
        assert_eq!(
            strip(text),
            "[Go](x.md)\n\n## Title\nPara.\n\n### T\n[a](b)\n"
        );
        let kept = "Keep {x}, { foo }, {# jinja #}, {a, b}, $x_{k=0}$ and {:?}.\n";
        assert_eq!(strip(kept), kept);
        assert_eq!(
            strip("__Update__{ title=\"Aug 21\" }: text\n"),
            "__Update__: text\n"
        );
    }

    #[test]
    fn icon_shortcodes() {
        let text = "- :material-github: GitHub\n| :fontawesome-brands-x-twitter: X |\nLove :octicons-heart-fill-24:{ .heart }\n[:simple-markdown: md](x)\n";
        assert_eq!(strip(text), "- GitHub\n| X |\nLove \n[md](x)\n");
        let kept = "At 10:30-11:45, http://a-b.org, a:b-c:d, :smile: and `:material-x:`.\n";
        assert_eq!(strip(kept), kept);
    }

    #[test]
    fn mdx_import_export() {
        let text = "import Tabs from '@theme/Tabs';\nimport './style.css';\n\nexport const meta = {\n  title: 'x',\n};\n\n# Doc\n\nexport the text, not code.\n\nWe import things.\n";
        let want = "\n\n\n\n\n\n\n# Doc\n\nexport the text, not code.\n\nWe import things.\n";
        assert_eq!(check(text, true), want);
        assert_eq!(check(text, false), text);
        assert_eq!(
            check("```js\nimport x from 'y'\n```\n", true),
            "```js\nimport x from 'y'\n```\n"
        );
    }

    #[test]
    fn inline_code_is_kept() {
        let text = "Use `{{ page.title }}` or ``{% if %}`` but {{ not }} this; `` ` `` :x-y:\n";
        assert_eq!(
            strip(text),
            "Use `{{ page.title }}` or ``{% if %}`` but  this; `` ` `` \n"
        );
        // A backtick that opens no span is text.
        assert_eq!(strip("a ` b {{ c }}\n"), "a ` b \n");
    }

    #[test]
    fn fenced_code_is_untouched() {
        let text = "~~~~\n{{ x }} {% y %} !!! note\n    :material-x: { .a }\n```\n~~~~\n\n  ```yaml\n  key: {{ v }}\n  ```\n";
        assert!(matches!(
            strip_generator_markup(text, true),
            Cow::Borrowed(_)
        ));
        // An unclosed fence runs to the end.
        assert_eq!(strip("```\n{{ x }}\n"), "```\n{{ x }}\n");
    }

    #[test]
    fn highlight_blocks_become_fences() {
        let text =
            "{% highlight ruby linenos %}\n# not a heading {{ x }}\n{% endhighlight %}\n{{ y }}\n";
        assert_eq!(strip(text), "```ruby\n# not a heading {{ x }}\n```\n\n");
        assert_eq!(
            strip("  {{< highlight go >}}\n  x\n  {{< /highlight >}}\n"),
            "  ```go\n  x\n  ```\n"
        );
    }

    #[test]
    fn crlf_is_kept() {
        let text = "!!! note \"T\"\r\n\r\n    Body {{ x }}.\r\n\r\nEnd {% y %}\r\n";
        assert_eq!(strip(text), "\r\nT:\r\nBody .\r\n\r\nEnd \r\n");
    }

    #[test]
    fn unterminated_tags_are_left() {
        assert_eq!(strip("Text {{ x"), "Text {{ x");
        assert_eq!(strip("Text {% x\n"), "Text {% x\n");
        assert_eq!(strip("{%"), "{%");
        assert_eq!(strip("x {% comment %} y\n"), "x  y\n");
        let big = "{{".repeat(1 << 19);
        assert_eq!(strip(&big), big);
        let big = format!("{}\n{}", "{%".repeat(1 << 19), "`{% ".repeat(1 << 17));
        assert_eq!(strip(&big), big);
    }

    #[test]
    fn no_prefix_panics_or_changes_the_line_count() {
        let all = "---\n!!! note \"T\"\n\n    é {{ x }} `{% raw %}` ü\n    === \"Tab\"\n        :material-a-b:{ .c }\n:::tip[Ti]\n{% comment %}\nz\n{% endcomment %}\n\u{1F600}{% raw %}{{\n{% endraw %}\n```\n{{#include a}}\n```\n--8<--\nf\n--8<--\r\nimport a from 'b'\n*[X]: y\n{% highlight c %}\n";
        for (i, _) in all.char_indices() {
            check(&all[..i], true);
            check(&all[i..], false);
        }
    }
}
