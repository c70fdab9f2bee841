//! What commands print for people: search results in colour (or not).
//! The JSON they print is in [`crate::json`].

use std::io::{self, IsTerminal, Write};

use needle_index::SearchResults;

/// Whether to colour standard output: a terminal, and `NO_COLOR` unset or empty.
pub fn color_stdout() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

const BOLD_MATCH: &str = "\x1b[1;33m";
const DIM: &str = "\x1b[2m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// The human format of search results.
pub fn print_results(out: &mut impl Write, r: &SearchResults, color: bool) -> io::Result<()> {
    let paint = |code: &'static str| if color { code } else { "" };
    for hit in &r.hits {
        let p = &hit.passage;
        let topic = p
            .topics
            .first()
            .map_or(String::new(), |t| format!("[{t}] "));
        let place = match p.line {
            Some(line) => format!("{}:{line}", p.article),
            None => p.article.clone(),
        };
        writeln!(
            out,
            "{}{}.{} {topic}{}{}{} {}{place}{}",
            paint(BOLD),
            hit.rank,
            paint(RESET),
            paint(BOLD),
            if p.section.is_empty() {
                &p.title
            } else {
                &p.section
            },
            paint(RESET),
            paint(DIM),
            paint(RESET),
        )?;
        let mut text = String::with_capacity(p.text.len() + 64);
        let mut at = 0;
        for range in hit.highlight_byte_ranges() {
            text.push_str(&p.text[at..range.start]);
            if color {
                text.push_str(BOLD_MATCH);
                text.push_str(&p.text[range.clone()]);
                text.push_str(RESET);
            } else {
                text.push_str(&p.text[range.clone()]);
            }
            at = range.end;
        }
        text.push_str(&p.text[at..]);
        for line in text.lines() {
            writeln!(out, "   {line}")?;
        }
        writeln!(out)?;
    }
    let shown = if r.hits.is_empty() {
        String::new()
    } else {
        format!(
            ", showing {}-{}",
            r.hits[0].rank,
            r.hits[r.hits.len() - 1].rank
        )
    };
    writeln!(
        out,
        "{}{} {}{shown} · {:.1} ms{}",
        paint(DIM),
        r.total,
        if r.total == 1 { "result" } else { "results" },
        r.took_ms,
        paint(RESET)
    )
}
