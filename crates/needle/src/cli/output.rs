//! What commands print for people: search results in colour (or not).
//! The JSON they print is in [`crate::json`].

use std::io::{self, IsTerminal, Write};

use needle_index::{PassageKind, SearchResults};

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
    // Hits from several articles say which article each is from.
    let several = r
        .hits
        .windows(2)
        .any(|w| w[0].passage.article != w[1].passage.article);
    let mut article_shown: Option<usize> = None;
    for hit in &r.hits {
        let p = &hit.passage;
        let grouped = r.hits.iter().all(|h| h.article_rank.is_some())
            && r.hits
                .windows(2)
                .all(|w| w[0].article_rank <= w[1].article_rank)
            && several;
        if grouped && article_shown != hit.article_rank {
            article_shown = hit.article_rank;
            writeln!(
                out,
                "{}{}. {}{} {}{}{}{}",
                paint(BOLD),
                hit.article_rank.unwrap_or(0),
                p.title,
                paint(RESET),
                paint(DIM),
                p.article,
                p.url.as_deref().map_or(String::new(), |u| format!(" {u}")),
                paint(RESET),
            )?;
        }
        let topic = p
            .topics
            .first()
            .map_or(String::new(), |t| format!("[{t}] "));
        let badge = match p.kind {
            PassageKind::Code => "[code] ",
            _ => "",
        };
        let place = match p.line {
            Some(line) => format!("{}:{line}", p.article),
            None => p.article.clone(),
        };
        let heading = match (
            several && !grouped,
            p.section.is_empty() || p.section == p.title,
        ) {
            (_, true) => p.title.clone(),
            (true, false) => format!("{} › {}", p.title, p.section),
            (false, false) => p.section.clone(),
        };
        writeln!(
            out,
            "{}{}.{} {topic}{badge}{}{heading}{} {}{place}{}",
            paint(BOLD),
            hit.rank,
            paint(RESET),
            paint(BOLD),
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
