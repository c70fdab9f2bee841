//! What commands print for people: search results in colour (or not).
//! The JSON they print is in [`crate::json`].

use std::io::{self, IsTerminal, Write};

use needle_index::{Explanation, PassageKind, RankingKind, SearchResults};

use crate::config::ColorChoice;

/// Whether to colour standard output: `--color always`, or `auto` on a
/// terminal (`NO_COLOR` has already turned `auto` into `never`; see
/// `cli::settings`).
pub fn color_stdout(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stdout().is_terminal(),
    }
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
        if let Some(e) = &hit.explain {
            write_explain(out, e, paint(DIM), paint(RESET))?;
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

/// `--explain` in text: an indented block under the hit.
fn write_explain(out: &mut impl Write, e: &Explanation, dim: &str, reset: &str) -> io::Result<()> {
    let how = match e.ranking {
        RankingKind::Tiered => "tiered",
        _ => "natural language",
    };
    writeln!(
        out,
        "   {dim}why: score {:.3} = tier {:.0} ({} of {} words matched, {how}) + BM25{reset}",
        e.score,
        e.tier,
        e.words_matched,
        e.words.len()
    )?;
    for w in &e.words {
        let matched = match (&w.matched, &w.term, &w.field) {
            (Some(kind), term, field) => format!(
                "{kind:?}{} {} in {}",
                if w.subject {
                    ", the page's subject,"
                } else {
                    ""
                },
                term.as_deref().unwrap_or(""),
                field.as_deref().unwrap_or("?")
            )
            .to_lowercase(),
            (None, _, _) => "not in this passage".to_owned(),
        };
        let bm25: Vec<String> = w
            .bm25
            .iter()
            .chain(&w.prefix_bm25)
            .map(|f| format!("{} {:.3}", f.field, f.score))
            .collect();
        writeln!(
            out,
            "   {dim}  {}: {matched}; tier {:.0}{}{}; adds {:.3}{reset}",
            w.word,
            w.tier,
            if bm25.is_empty() { "" } else { ", BM25 " },
            bm25.join(" + "),
            w.score
        )?;
    }
    for p in &e.phrases {
        writeln!(
            out,
            "   {dim}  \"{}\": {}; adds {:.3}{reset}",
            p.phrase,
            if p.matched { "matched" } else { "not matched" },
            p.score
        )?;
    }
    if !e.feedback.is_empty() {
        let terms: Vec<String> = e
            .feedback
            .iter()
            .map(|t| format!("{} (weight {:.2}) {:.3}", t.term, t.weight, t.score))
            .collect();
        writeln!(out, "   {dim}  feedback: {}{reset}", terms.join(", "))?;
    }
    if e.article != 0.0 {
        writeln!(
            out,
            "   {dim}  article: the whole page's BM25 for the question adds {:.3}{reset}",
            e.article
        )?;
    }
    Ok(())
}
