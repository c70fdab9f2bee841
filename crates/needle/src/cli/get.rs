//! `needle get ID...`: passages (with their neighbours) or whole articles
//! by id, as text or one JSON object per id.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use needle_index::{NeedleIndex, Passage};

use crate::cli::args::GetArgs;
use crate::json::{JsonArticle, JsonError, JsonPassageContext, json_line};
use crate::workspace::{Resolved, open_index, refresh};

/// Exit code when an id names nothing (the others are still printed).
const NOT_FOUND: u8 = 1;

/// What an id names.
pub enum Found {
    Passage(needle_index::PassageContext),
    Article(needle_index::ArticleText),
}

/// Looks `id` up as a passage id, then as an article id.
///
/// # Errors
/// When the index cannot be read.
pub fn lookup(index: &NeedleIndex, id: &str, around: usize) -> Result<Option<Found>> {
    if let Some(p) = index.passage_with_context(id, around)? {
        return Ok(Some(Found::Passage(p)));
    }
    Ok(index.article(id)?.map(Found::Article))
}

/// The message for an id that names nothing.
pub fn not_found(id: &str) -> String {
    format!(
        "no passage or article has the id {id:?}: ids are as `needle search --json` gives them (`id` of a passage, `article` of an article)"
    )
}

pub fn run(content: &Resolved, args: &GetArgs) -> Result<ExitCode> {
    let index = open_index(&content.index_dir, false)?;
    if !args.no_refresh || index.passage_count() == 0 {
        refresh(&index, content)?;
    }
    let mut out = std::io::stdout().lock();
    let mut missing = false;
    for id in &args.ids {
        let found = lookup(&index, id, args.context)?;
        match (found, args.json) {
            (Some(Found::Passage(p)), true) => json_line(&mut out, &JsonPassageContext::from(&p))?,
            (Some(Found::Article(a)), true) => json_line(&mut out, &JsonArticle::from(&a))?,
            (Some(Found::Passage(p)), false) => {
                for n in &p.before {
                    write_passage(&mut out, n, false)?;
                }
                write_passage(
                    &mut out,
                    &p.passage,
                    !p.before.is_empty() || !p.after.is_empty(),
                )?;
                for n in &p.after {
                    write_passage(&mut out, n, false)?;
                }
            }
            (Some(Found::Article(a)), false) => {
                writeln!(
                    out,
                    "{} ({}){}\n",
                    a.title,
                    a.id,
                    a.url.as_deref().map_or(String::new(), |u| format!(" {u}"))
                )?;
                let mut section = None;
                for p in &a.passages {
                    if section != Some(&p.section) && !p.section.is_empty() {
                        writeln!(out, "## {}\n", p.section)?;
                    }
                    section = Some(&p.section);
                    writeln!(out, "{}\n", p.text)?;
                }
            }
            (None, json) => {
                missing = true;
                if json {
                    let value = serde_json::Value::String(id.clone());
                    json_line(&mut out, &JsonError::new(&value, not_found(id)))?;
                } else {
                    eprintln!("needle: {}", not_found(id));
                }
            }
        }
    }
    out.flush()?;
    Ok(if missing {
        ExitCode::from(NOT_FOUND)
    } else {
        ExitCode::SUCCESS
    })
}

/// One passage as text: a heading line, then the text indented; `mark`
/// points at the passage asked for among its neighbours.
fn write_passage(out: &mut impl Write, p: &Passage, mark: bool) -> std::io::Result<()> {
    let heading = if p.section.is_empty() || p.section == p.title {
        p.title.clone()
    } else {
        format!("{} › {}", p.title, p.section)
    };
    let place = p
        .line
        .map_or_else(|| p.article.clone(), |l| format!("{}:{l}", p.article));
    writeln!(
        out,
        "{}{heading} {place} {}",
        if mark { "> " } else { "" },
        p.id
    )?;
    for line in p.text.lines() {
        writeln!(out, "   {line}")?;
    }
    writeln!(out)
}
