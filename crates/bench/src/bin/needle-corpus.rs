//! `needle-corpus`: writes a deterministic corpus of Markdown articles for
//! benchmarks, or exports a corpus's passages as JSON for other search tools.
//!
//! ```text
//! needle-corpus 100000 corpus-100k            # 100,000 passages, seed 1
//! needle-corpus 100000 corpus-100k --seed 7
//! needle-corpus --export-passages corpus-100k passages.jsonl
//! needle-corpus --export-passages corpus-100k twice.jsonl --exact-copies
//! ```

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Parser;
use needle_bench::corpus;
use needle_index::{TopicRules, split_markdown};

/// Generate a benchmark corpus of Markdown articles (same seed, same bytes).
#[derive(Debug, Parser)]
#[command(name = "needle-corpus", version, max_term_width = 100)]
struct Args {
    /// How many passages to generate (about 10 per article).
    #[arg(required_unless_present = "export_passages")]
    passages: Option<usize>,

    /// The directory to write into (created if needed).
    #[arg(required_unless_present = "export_passages")]
    dir: Option<PathBuf>,

    /// The seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Instead of generating: split the corpus in CORPUS into passages, as
    /// needle does, and write them to OUT as JSON, one object per line
    /// (`id`, `title`, `section`, `text`): input for other search tools.
    #[arg(long, num_args = 2, value_names = ["CORPUS", "OUT"])]
    export_passages: Option<Vec<PathBuf>>,

    /// With --export-passages: also write `title_raw`, `section_raw` and
    /// `text_raw`, copies of `title`, `section` and `text`, for a tool set
    /// up to index each text twice as needle does (stemmed, and exact).
    #[arg(long, requires = "export_passages")]
    exact_copies: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(paths) = &args.export_passages {
        return export(&paths[0], &paths[1], args.exact_copies);
    }
    let (Some(passages), Some(dir)) = (args.passages, &args.dir) else {
        bail!("usage: needle-corpus N DIR [--seed S]");
    };
    let started = Instant::now();
    let stats = corpus::generate(passages, args.seed, dir)
        .with_context(|| format!("writing the corpus into {}", dir.display()))?;
    eprintln!(
        "needle-corpus: {} passages in {} articles ({} dirs, {:.1} MB of Markdown, {} words) in {}, {:.1} s",
        stats.passages,
        stats.articles,
        stats.dirs,
        mb(stats.bytes),
        stats.words,
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    println!("{}", serde_json::to_string(&stats)?);
    Ok(())
}

#[allow(clippy::cast_precision_loss)]
fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// Re-generates the corpus in memory from its stats (same seed, same
/// bytes), splits each article with needle's parser and writes the passages.
fn export(dir: &std::path::Path, out: &std::path::Path, exact_copies: bool) -> Result<()> {
    let stats = corpus::read_stats(dir).with_context(|| {
        format!(
            "{} has no {}: generate it with needle-corpus first",
            dir.display(),
            corpus::STATS_FILE
        )
    })?;
    let rules = TopicRules::from_toml(corpus::TOPICS_TOML)?;
    let mut w = BufWriter::new(
        std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?,
    );
    let mut n = 0usize;
    corpus::for_each_article(stats.passages, stats.seed, |_, rel, text| {
        for p in split_markdown(rel.trim_end_matches(".md"), text, &rules) {
            let mut line = serde_json::json!({
                "id": p.id,
                "title": p.title,
                "section": p.section,
                "text": p.text,
            });
            if exact_copies {
                for field in ["title", "section", "text"] {
                    line[format!("{field}_raw")] = line[field].clone();
                }
            }
            serde_json::to_writer(&mut w, &line)?;
            w.write_all(b"\n")?;
            n += 1;
        }
        Ok(())
    })?;
    w.flush()?;
    eprintln!("needle-corpus: {n} passages written to {}", out.display());
    Ok(())
}
