//! `needle eval`: ranking quality on a judged collection.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use needle_index::{
    Collection, ContentSource, EvalReport, NeedleIndex, QueryScore, Ranking, ReindexOptions,
};

use crate::cli::args::EvalArgs;
use crate::cli::compare::{PERMUTATIONS, compare};
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
    let mut index = NeedleIndex::open(tmp.path())?;
    let started = Instant::now();
    let report = index.reindex(
        &ContentSource::Path(source.clone()),
        &ReindexOptions::default(),
    )?;
    let index_ms = started.elapsed().as_secs_f64() * 1000.0;
    warn_issues(&report);
    let name = args.dir.file_name().map_or_else(
        || args.dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut out = std::io::stdout().lock();

    if let Some(pair) = &args.compare {
        let [a, b] = pair.as_slice() else {
            bail!("--compare takes two rankings: A B (files, or `default`)");
        };
        index.set_ranking(ranking_of(a)?);
        let run_a = index.evaluate(&collection)?;
        index.set_ranking(ranking_of(b)?);
        let run_b = index.evaluate(&collection)?;
        write_outputs(args, &run_b)?;
        let per = |run: &EvalReport, f: fn(&QueryScore) -> f64| -> Vec<f64> {
            run.per_query.iter().map(f).collect()
        };
        let comparisons = [
            ("ndcg_10", (|q| q.ndcg_10) as fn(&QueryScore) -> f64),
            ("map", |q| q.ap),
            ("recall_10", |q| q.recall_10),
            ("mrr_10", |q| q.rr_10),
        ]
        .map(|(metric, f)| compare(metric, &per(&run_a, f), &per(&run_b, f)));
        if args.json {
            json_line(
                &mut out,
                &serde_json::json!({
                    "queries": run_a.queries,
                    "unit": run_a.unit,
                    "a": a,
                    "b": b,
                    "permutations": PERMUTATIONS,
                    "metrics": comparisons,
                }),
            )?;
        } else {
            writeln!(
                out,
                "{name}: {} queries, judged on {}; A = {a}, B = {b}",
                run_a.queries, run_a.unit
            )?;
            writeln!(
                out,
                "{:<10} {:>8} {:>8} {:>8}  {:>4} {:>4} {:>4}  {:>7}",
                "metric", "A", "B", "B-A", "win", "loss", "tie", "p"
            )?;
            for c in &comparisons {
                writeln!(
                    out,
                    "{:<10} {:>8.4} {:>8.4} {:>+8.4}  {:>4} {:>4} {:>4}  {:>7.4}",
                    c.metric,
                    c.a,
                    c.b,
                    c.b - c.a,
                    c.wins,
                    c.losses,
                    c.ties,
                    c.p_value
                )?;
            }
            writeln!(
                out,
                "(wins and losses: queries where B scores higher or lower; p: two-sided paired randomization test, {PERMUTATIONS} permutations)"
            )?;
        }
        index.close()?;
        return Ok(ExitCode::SUCCESS);
    }

    if let Some(path) = &args.ranking {
        index.set_ranking(read_ranking(path)?);
    }
    let eval = index.evaluate(&collection)?;
    write_outputs(args, &eval)?;
    if args.json {
        json_line(&mut out, &eval)?;
    } else {
        writeln!(
            out,
            "{name}: {} queries, judged on {}; {} passages indexed in {:.0} ms",
            eval.queries, eval.unit, report.passages, index_ms
        )?;
        writeln!(
            out,
            "nDCG@10 {:.4}   MAP {:.4}   Recall@10 {:.4}   MRR@10 {:.4}   success@3 {:.4}   (search {:.0} ms, {:.2} ms/query)",
            eval.ndcg_10,
            eval.map,
            eval.recall_10,
            eval.mrr_10,
            eval.success_3,
            eval.search_ms,
            eval.search_ms / eval.queries.max(1) as f64
        )?;
    }
    index.close()?;
    Ok(ExitCode::SUCCESS)
}

/// `--runs` and `--trec-run`, when asked for.
fn write_outputs(args: &EvalArgs, eval: &EvalReport) -> Result<()> {
    if let Some(path) = &args.runs {
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("--runs {}", path.display()))?,
        );
        for q in &eval.per_query {
            json_line(&mut file, q)?;
        }
        file.flush()?;
    }
    if let Some(path) = &args.trec_run {
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("--trec-run {}", path.display()))?,
        );
        write_trec_run(&mut file, eval)?;
        file.flush()?;
    }
    Ok(())
}

/// trec_eval's run format: `qid Q0 docid rank score tag`, best first. The
/// score falls by one a rank (needle's order; trec_eval sorts by score).
pub fn write_trec_run(out: &mut impl Write, eval: &EvalReport) -> std::io::Result<()> {
    for q in &eval.per_query {
        let n = q.ranked.len();
        for (i, id) in q.ranked.iter().enumerate() {
            writeln!(out, "{} Q0 {} {} {} needle", q.query, id, i + 1, n - i)?;
        }
    }
    Ok(())
}

/// A ranking named on the command line: `default`, or a file.
fn ranking_of(name: &str) -> Result<Ranking> {
    if name == "default" {
        Ok(Ranking::default())
    } else {
        read_ranking(Path::new(name))
    }
}

/// A partial ranking (JSON) from a file; missing fields keep the defaults,
/// and a field `Ranking` does not have is an error naming it (a misspelt
/// setting would otherwise measure the defaults).
fn read_ranking(path: &Path) -> Result<Ranking> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the ranking file {}", path.display()))?;
    let not_a_ranking = || {
        format!(
            "{} is not a ranking: expected a JSON object of Ranking fields, such as {{\"subject\": 50}}",
            path.display()
        )
    };
    let value: serde_json::Value = serde_json::from_str(&text).with_context(not_a_ranking)?;
    let Some(given) = value.as_object() else {
        anyhow::bail!(not_a_ranking());
    };
    let known = serde_json::to_value(Ranking::default())?;
    if let Some(known) = known.as_object() {
        let unknown: Vec<&str> = given
            .keys()
            .filter(|k| !known.contains_key(*k))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            let mut fields: Vec<&str> = known.keys().map(String::as_str).collect();
            fields.sort_unstable();
            anyhow::bail!(
                "{}: no ranking setting is called {}; the settings are {}",
                path.display(),
                unknown.join(", "),
                fields.join(", ")
            );
        }
    }
    serde_json::from_value(value).with_context(not_a_ranking)
}
