//! MDX `import` and `export` blocks.

use super::bytes::{count, find, trim_start};
use super::state::Stripper;

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

impl Stripper<'_> {
    /// An MDX `import`/`export` block at the top level, after a blank line:
    /// empties it, to the end of the line where its brackets balance (or of
    /// the next `import`/`export` line that follows directly).
    pub(super) fn esm(&mut self, s: usize, e: usize) -> bool {
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
}

/// Opening brackets less closing ones on an MDX line, quoted strings left out.
pub(super) fn bracket_balance(line: &[u8]) -> isize {
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
