//! Evaluate ranking settings on a judged collection (BEIR layout), reusing
//! one index for several settings: a tool for relevance work.
//!
//! ```sh
//! cargo run --release -p needle-index --example eval -- DIR [CONTENT] [RANKINGS.jsonl]
//! ```
//!
//! Each line of RANKINGS.jsonl is a partial `Ranking` as JSON (missing
//! fields take the defaults); without it, the defaults are evaluated.

use needle_index::{Collection, ContentSource, NeedleIndex, Ranking, ReindexOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = std::path::PathBuf::from(
        args.first()
            .ok_or("usage: eval DIR [CONTENT] [RANKINGS.jsonl]")?,
    );
    let collection = Collection::load(&dir)?;
    let content = match args.get(1).filter(|a| !a.is_empty()) {
        Some(c) => c.into(),
        None => collection
            .corpus
            .clone()
            .ok_or("no corpus.jsonl: give CONTENT")?,
    };
    let rankings: Vec<String> = match args.get(2) {
        Some(file) => std::fs::read_to_string(file)?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        None => vec!["{}".to_owned()],
    };
    let mut index = NeedleIndex::in_memory()?;
    index.reindex(&ContentSource::Path(content), &ReindexOptions::default())?;
    for line in rankings {
        let ranking: Ranking = serde_json::from_str(&line)?;
        index.set_ranking(ranking);
        let r = index.evaluate(&collection)?;
        println!(
            "ndcg@10 {:.4}  map {:.4}  r@10 {:.4}  mrr@10 {:.4}  s@3 {:.4}  {:.0} ms  {line}",
            r.ndcg_10, r.map, r.recall_10, r.mrr_10, r.success_3, r.search_ms
        );
    }
    Ok(())
}
