//! Template tags: Liquid and Jinja `{% ... %}` and `{{ ... }}` (with
//! `{% comment %}` and `{% raw %}`), Hugo shortcodes, mdBook directives, and
//! `{% highlight %}` blocks, which become code fences.

use super::bytes::{Cur, count, find, is_blank, is_space, is_word, push_spaces, trim};
use super::state::{Fence, Stripper};

/// A `{% ... %}` or `{{ ... }}` may run over this many lines (within one paragraph).
pub(super) const TAG_LINES: usize = 20;

/// The mdBook directives, which mdBook replaces even inside code.
const MDBOOK: [&[u8]; 4] = [b"include", b"rustdoc_include", b"playground", b"title"];

impl Stripper<'_> {
    /// `{% highlight ruby %}` (or Hugo's `{{< highlight go >}}`) alone on a
    /// line opens a code fence, which `{% endhighlight %}` closes.
    pub(super) fn highlight(&mut self, line: &[u8], rel: usize) -> bool {
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

    /// The end of the `{% ... %}` tag at `i` (of the `{% endcomment %}` for a
    /// comment), or `None` if it does not close.
    pub(super) fn liquid_tag(
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
    pub(super) fn find_close(
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

/// A line that is one `{% name arg ... %}`, `{{< name arg >}}` or `{{% name %}}`:
/// its name (with a leading `/`) and first argument.
pub(super) fn whole_line_tag(line: &[u8]) -> Option<(&[u8], &[u8])> {
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
pub(super) fn tag_name(inner: &[u8]) -> &[u8] {
    let start = count(inner, |c| c == b'-' || c.is_ascii_whitespace());
    let rest = &inner[start..];
    &rest[..count(rest, |c| c.is_ascii_alphanumeric() || c == b'_')]
}

/// `{% raw %}` or `{% endraw %}` (with `-` trims) at `i`: whether it opens, and its end.
pub(super) fn raw_marker(b: &[u8], i: usize, end: usize) -> Option<(bool, usize)> {
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
pub(super) fn mdbook(b: &[u8], i: usize) -> bool {
    let Some(rest) = b.get(i..).and_then(|r| r.strip_prefix(b"#")) else {
        return false;
    };
    let directive = |name: &&[u8]| {
        rest.starts_with(name) && matches!(rest.get(name.len()), Some(b' ' | b'\t' | b'}'))
    };
    MDBOOK.iter().any(directive)
}
