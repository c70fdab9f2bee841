//! `needle search`: ranked passages on stdout, as text or JSON.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use needle_index::{NeedleIndex, SearchRequest};

use crate::cli::args::SearchArgs;
use crate::cli::output::{color_stdout, print_results};
use crate::json::{JsonResults, json_line};
use crate::workspace::{Resolved, open_index, refresh};

/// Exit codes: 0 success (a search with hits), 1 a search with none, 2 an error.
const NO_HITS: u8 = 1;

pub fn run(content: &Resolved, args: &SearchArgs) -> Result<ExitCode> {
    let query = args.words.join(" ");
    let batch = query == "-";
    if batch && !args.json {
        bail!(
            "`needle search -` (queries from standard input) needs --json: needle search --json -"
        );
    }
    let fresh = !content.index_dir.join("meta.json").exists();
    let index = open_index(&content.index_dir, false)?;
    if !args.no_refresh || fresh || index.passage_count() == 0 {
        refresh(&index, content)?;
    }
    let request = |q: &str| SearchRequest {
        query: q.to_owned(),
        topics: args.topics.clone(),
        limit: args.limit as usize,
        offset: args.offset as usize,
        count_topics: false,
        per_article: args.per_article.map(|n| n as usize),
        group: args.group,
        explain: args.explain,
    };
    let mut out = std::io::stdout().lock();
    if batch {
        return batch_search(&index, &request, &mut out);
    }
    let results = index.search(&request(&query))?;
    if args.json {
        json_line(&mut out, &JsonResults::from(&results))?;
    } else {
        print_results(&mut out, &results, color_stdout())?;
    }
    out.flush()?;
    Ok(if results.total == 0 {
        ExitCode::from(NO_HITS)
    } else {
        ExitCode::SUCCESS
    })
}

/// One query per line of stdin, one JSON object per line of stdout, over one
/// open index. Exits 1 only when no query found anything.
fn batch_search(
    index: &NeedleIndex,
    request: &dyn Fn(&str) -> SearchRequest,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let mut any_hits = false;
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.with_context(|| format!("reading query {} from standard input", n + 1))?;
        let results = index
            .search(&request(&line))
            .with_context(|| format!("query {} ({line:?})", n + 1))?;
        any_hits |= results.total > 0;
        json_line(out, &JsonResults::from(&results))?;
        out.flush()?;
    }
    Ok(if any_hits {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(NO_HITS)
    })
}
