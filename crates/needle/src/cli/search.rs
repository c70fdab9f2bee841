//! `needle search`: ranked passages on stdout, as text or JSON.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use needle_index::{NeedleIndex, SearchRequest, SearchResults};
use serde::Deserialize;
use serde_json::Value;

use crate::cli::args::SearchArgs;
use crate::cli::output::print_results;
use crate::json::{JsonError, JsonResults, json_line};
use crate::workspace::{Resolved, open_index, refresh};

/// Exit codes: 0 success (a search with hits), 1 a search with none, 2 an error.
const NO_HITS: u8 = 1;

/// The search's settings: each from its flag, else the config file, else
/// needle's default (see `cli::settings`).
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub limit: u32,
    pub per_article: Option<u32>,
    pub group: bool,
    /// Colour the text output.
    pub color: bool,
}

pub fn run(content: &Resolved, args: &SearchArgs, options: &Options) -> Result<ExitCode> {
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
    let request = |q: &str| {
        SearchRequest::new(q)
            .topics(args.topics.iter().cloned())
            .limit(options.limit as usize)
            .offset(args.offset as usize)
            .per_article_limit(options.per_article.map(|n| n as usize))
            .group(options.group)
            .explain(args.explain)
    };
    let mut out = std::io::stdout().lock();
    if batch {
        return batch_search(&index, &request, &mut out);
    }
    let results = index.search(&request(&query))?;
    if args.json {
        json_line(&mut out, &JsonResults::from(&results))?;
    } else {
        print_results(&mut out, &results, options.color)?;
    }
    out.flush()?;
    Ok(if results.total == 0 {
        ExitCode::from(NO_HITS)
    } else {
        ExitCode::SUCCESS
    })
}

/// One request per line of stdin, one JSON object per line of stdout, over
/// one open index. A line is a bare query, or a JSON object (see
/// [`BatchRequest`]) when it starts with `{`. A line that fails gives
/// `{"id", "error": {"message"}}` and the stream goes on. Exits 2 when a
/// line failed, else 1 when no query found anything, else 0.
fn batch_search(
    index: &NeedleIndex,
    request: &dyn Fn(&str) -> SearchRequest,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let mut any_hits = false;
    let mut any_failed = false;
    let mut input = std::io::stdin().lock();
    let mut raw = Vec::new();
    for n in 1.. {
        raw.clear();
        let read = input
            .read_until(b'\n', &mut raw)
            .with_context(|| format!("reading line {n} from standard input"))?;
        if read == 0 {
            break;
        }
        if raw.ends_with(b"\n") {
            raw.pop();
            if raw.ends_with(b"\r") {
                raw.pop();
            }
        }
        let (id, outcome) = match std::str::from_utf8(&raw) {
            Err(e) => (
                Value::Null,
                Err(format!("line {n} is not UTF-8 ({e}); it was skipped")),
            ),
            Ok(line) => batch_line(index, request, line),
        };
        match outcome {
            Ok(results) => {
                any_hits |= results.total > 0;
                let mut json = JsonResults::from(&results);
                json.id = (!id.is_null()).then_some(&id);
                json_line(out, &json)?;
            }
            Err(message) => {
                any_failed = true;
                json_line(out, &JsonError::new(&id, format!("line {n}: {message}")))?;
            }
        }
        out.flush()?;
    }
    Ok(if any_failed {
        ExitCode::from(2)
    } else if any_hits {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(NO_HITS)
    })
}

/// A line of a batch as a JSON object: only `q` is required; the others
/// default to the command line's options.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// Echoed in the line's answer (any JSON value).
    #[serde(default)]
    pub id: Value,
    pub q: String,
    pub topics: Option<Topics>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
    pub explain: Option<bool>,
    pub per_article: Option<usize>,
    pub group: Option<bool>,
}

/// `"topics": "cost"` or `"topics": ["cost", "faq"]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Topics {
    One(String),
    Many(Vec<String>),
}

impl BatchRequest {
    /// The search this line asks for, over the defaults `base` gives.
    pub fn apply(self, base: SearchRequest) -> Result<SearchRequest, String> {
        let mut r = base;
        r.query = self.q;
        match self.topics {
            Some(Topics::One(t)) => r.topics = vec![t],
            Some(Topics::Many(t)) => r.topics = t,
            None => {}
        }
        if let Some(limit) = self.limit {
            if limit == 0 {
                return Err("\"limit\" must be at least 1".to_owned());
            }
            r = r.limit(limit);
        }
        if let Some(offset) = self.offset {
            r = r.offset(offset);
        }
        if let Some(explain) = self.explain {
            r = r.explain(explain);
        }
        if let Some(n) = self.per_article {
            if n == 0 {
                return Err("\"per_article\" must be at least 1".to_owned());
            }
            r = r.per_article(n);
        }
        if let Some(group) = self.group {
            r = r.group(group);
        }
        Ok(r)
    }
}

/// One line of a batch: its id (null when it has none) and its results or
/// what went wrong.
fn batch_line(
    index: &NeedleIndex,
    request: &dyn Fn(&str) -> SearchRequest,
    line: &str,
) -> (Value, Result<SearchResults, String>) {
    if !line.trim_start().starts_with('{') {
        return (
            Value::Null,
            index.search(&request(line)).map_err(|e| e.to_string()),
        );
    }
    let parsed = serde_json::from_str::<BatchRequest>(line).map_err(|e| {
        format!(
            "not a request ({e}): a line is a query, or a JSON object {{\"q\": \"...\", \"id\", \"topics\", \"limit\", \"offset\", \"explain\"}}"
        )
    });
    let id = match &parsed {
        Ok(r) => r.id.clone(),
        // A line with a bad field still echoes its id.
        Err(_) => serde_json::from_str::<Value>(line)
            .ok()
            .and_then(|v| v.get("id").cloned())
            .unwrap_or(Value::Null),
    };
    let outcome = parsed
        .and_then(|r| r.apply(request("")))
        .and_then(|r| index.search(&r).map_err(|e| e.to_string()));
    (id, outcome)
}
