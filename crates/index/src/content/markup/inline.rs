//! The scanner within a line: template tags, code spans (where only mdBook
//! directives and raw markers go), attribute lists and icon shortcodes.

use std::collections::HashMap;

use super::bytes::{Cur, find, is_blank, is_space, is_word, trim_end};
use super::state::{Mode, Stripper};
use super::templates::{mdbook, raw_marker};

impl Stripper<'_> {
    /// Copies `[start, end)` to the output, less the markup `mode` strips.
    /// `multiline` lets a `{{`/`{%` tag close on a later line of the paragraph.
    pub(super) fn scan(&mut self, start: usize, end: usize, mode: Mode, multiline: bool) {
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
}

/// `{: .class }`, `{ #id }`, `{#id .class key=value}` at `i`: its end.
pub(super) fn attr_list(b: &[u8], i: usize, end: usize) -> Option<usize> {
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
pub(super) fn shortcode(b: &[u8], i: usize, end: usize) -> Option<usize> {
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
pub(super) fn backtick_runs(b: &[u8], start: usize, end: usize) -> Vec<(usize, usize, usize)> {
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
