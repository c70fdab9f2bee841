//! `needle eval`: ranking quality on a judged collection.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use needle_index::{Collection, ContentSource, NeedleIndex, ReindexOptions};

use crate::cli::args::EvalArgs;
use crate::json::json_line;
use crate::workspace::warn_issues;

pub fn run(content: Option<&Path>, args: &EvalArgs) -> Result<ExitCode> {
    let collection = Collection::load(&args.dir).with_context(|| {
        format!(
            "{} is not a judged collection (queries.jsonl, qrels/test.tsv)",
            args.dir.display()
        )
    })?;
    let source = match (content, &collection.corpus) {
        (Some(path), _) => path.to_owned(),
        (None, Some(corpus)) => corpus.clone(),
        (None, None) => bail!(
            "{} has no corpus.jsonl: give the content the judgments refer to with --content PATH",
            args.dir.display()
        ),
    };
    let tmp = tempfile::Builder::new()
        .prefix("needle-eval-")
        .tempdir()
        .context("cannot create a temporary index directory")?;
    let index = NeedleIndex::open(tmp.path())?;
    let started = Instant::now();
    let report = index.reindex(
        &ContentSource::Path(source.clone()),
        &ReindexOptions::default(),
    )?;
    let index_ms = started.elapsed().as_secs_f64() * 1000.0;
    warn_issues(&report);
    let eval = index.evaluate(&collection)?;
    if let Some(path) = &args.runs {
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("--runs {}", path.display()))?,
        );
        for q in &eval.per_query {
            json_line(&mut file, q)?;
        }
        file.flush()?;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        json_line(&mut out, &eval)?;
    } else {
        let name = args.dir.file_name().map_or_else(
            || args.dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        writeln!(
            out,
            "{name}: {} queries, judged on {}; {} passages indexed in {:.0} ms",
            eval.queries, eval.unit, report.passages, index_ms
        )?;
        writeln!(
            out,
            "nDCG@10 {:.4}   MAP {:.4}   Recall@10 {:.4}   (search {:.0} ms, {:.2} ms/query)",
            eval.ndcg_10,
            eval.map,
            eval.recall_10,
            eval.search_ms,
            eval.search_ms / eval.queries.max(1) as f64
        )?;
    }
    index.close()?;
    Ok(ExitCode::SUCCESS)
}
