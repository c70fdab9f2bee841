//! Relevance evaluation on judged test collections in the BEIR layout:
//! `queries.jsonl`, `qrels/test.tsv` and (optionally) `corpus.jsonl`.
//!
//! Metrics follow trec_eval: nDCG@10 with graded gains and a log2(rank+1)
//! discount (`ndcg_cut_10`), MAP over the first 1000 results (`map`),
//! Recall@10 (`recall_10`), and, for known-item search, the reciprocal rank
//! of the first relevant result within 10 (`recip_rank` cut at 10) and
//! whether one is in the first 3 (`success_3`), averaged over the judged
//! queries.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::index::NeedleIndex;
use crate::search::SearchRequest;

/// How deep the ranking is for MAP.
pub const EVAL_DEPTH: usize = 1000;

/// A judged test collection: queries and graded judgments.
#[derive(Debug, Clone, Default)]
pub struct Collection {
    /// The queries, by id, in file order.
    pub queries: Vec<(String, String)>,
    /// Judgments: query id -> (document id -> grade; 0 = not relevant).
    pub qrels: HashMap<String, HashMap<String, u32>>,
    /// `corpus.jsonl` of the collection, when it has one.
    pub corpus: Option<PathBuf>,
}

#[derive(Deserialize)]
struct QueryLine {
    #[serde(rename = "_id")]
    id: serde_json::Value,
    text: String,
}

impl Collection {
    /// Reads `queries.jsonl` and `qrels/test.tsv` from `dir`.
    ///
    /// # Errors
    /// [`Error::Io`] when a file is missing, [`Error::Config`] (with the
    /// line) when one is malformed.
    pub fn load(dir: &Path) -> Result<Collection> {
        let qpath = dir.join("queries.jsonl");
        let text = fs::read_to_string(&qpath).map_err(|e| Error::io(&qpath, e))?;
        let mut queries = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let q: QueryLine = serde_json::from_str(line).map_err(|e| Error::Config {
                path: qpath.clone(),
                message: format!("line {}: {e}", n + 1),
            })?;
            let id = match q.id {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            queries.push((id, q.text));
        }
        let rpath = dir.join("qrels").join("test.tsv");
        let text = fs::read_to_string(&rpath).map_err(|e| Error::io(&rpath, e))?;
        let mut qrels: HashMap<String, HashMap<String, u32>> = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 3 || (n == 0 && cols[2].parse::<i64>().is_err()) {
                if n == 0 || line.trim().is_empty() {
                    continue;
                }
                return Err(Error::Config {
                    path: rpath.clone(),
                    message: format!("line {}: expected query-id<TAB>doc-id<TAB>grade", n + 1),
                });
            }
            let grade: i64 = cols[2].trim().parse().map_err(|_| Error::Config {
                path: rpath.clone(),
                message: format!("line {}: the grade {:?} is not a number", n + 1, cols[2]),
            })?;
            qrels.entry(cols[0].trim().to_owned()).or_default().insert(
                cols[1].trim().to_owned(),
                u32::try_from(grade.max(0)).unwrap_or(0),
            );
        }
        let corpus = dir.join("corpus.jsonl");
        Ok(Collection {
            queries,
            qrels,
            corpus: corpus.is_file().then_some(corpus),
        })
    }

    /// Whether the judgments name passage ids (`article#section.N`) rather
    /// than article ids: true when every judged id is a passage id of `index`.
    fn judges_passages(&self, passage_ids: &HashSet<String>) -> bool {
        let mut judged = self.qrels.values().flat_map(HashMap::keys).peekable();
        judged.peek().is_some() && judged.all(|id| passage_ids.contains(id))
    }
}

/// The figures of one query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryScore {
    /// The query id.
    pub query: String,
    /// nDCG@10.
    pub ndcg_10: f64,
    /// Average precision over the first 1000 results.
    pub ap: f64,
    /// Recall@10.
    pub recall_10: f64,
    /// 1 / the rank of the first relevant result, 0 past rank 10.
    pub rr_10: f64,
    /// 1 when a relevant result is in the first 3, else 0.
    pub success_3: f64,
    /// The ids ranked (articles or passages), best first, at most 1000.
    #[serde(skip)]
    pub ranked: Vec<String>,
}

/// The result of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    /// Judged queries evaluated.
    pub queries: usize,
    /// `"passages"` or `"articles"`: what the judgments name and what was ranked.
    pub unit: String,
    /// Mean nDCG@10.
    pub ndcg_10: f64,
    /// Mean average precision (cut at 1000).
    pub map: f64,
    /// Mean Recall@10.
    pub recall_10: f64,
    /// Mean reciprocal rank of the first relevant result, cut at 10.
    pub mrr_10: f64,
    /// Share of queries with a relevant result in the first 3.
    pub success_3: f64,
    /// Milliseconds spent searching (all queries).
    pub search_ms: f64,
    /// Per-query figures, in query order.
    #[serde(skip)]
    pub per_query: Vec<QueryScore>,
}

impl NeedleIndex {
    /// Runs every judged query of `collection` through [`search`](Self::search)'s
    /// ranking and scores the rankings. When the judgments name articles,
    /// each article ranks at the position of its best passage.
    ///
    /// # Errors
    /// When the index cannot be searched.
    pub fn evaluate(&self, collection: &Collection) -> Result<EvalReport> {
        let passage_ids = self.all_passage_ids()?;
        let passages = collection.judges_passages(&passage_ids);
        let started = Instant::now();
        let mut per_query = Vec::new();
        for (qid, text) in &collection.queries {
            let Some(rels) = collection.qrels.get(qid) else {
                continue;
            };
            let ranked = self.rank_ids(
                &SearchRequest::new(text.clone()).limit(EVAL_DEPTH),
                passages,
            )?;
            per_query.push(QueryScore {
                query: qid.clone(),
                ndcg_10: ndcg_at(&ranked, rels, 10),
                ap: average_precision(&ranked, rels),
                recall_10: recall_at(&ranked, rels, 10),
                rr_10: reciprocal_rank_at(&ranked, rels, 10),
                success_3: if reciprocal_rank_at(&ranked, rels, 3) > 0.0 {
                    1.0
                } else {
                    0.0
                },
                ranked,
            });
        }
        let search_ms = started.elapsed().as_secs_f64() * 1000.0;
        let mean = |f: fn(&QueryScore) -> f64| {
            if per_query.is_empty() {
                0.0
            } else {
                per_query.iter().map(f).sum::<f64>() / per_query.len() as f64
            }
        };
        Ok(EvalReport {
            queries: per_query.len(),
            unit: if passages { "passages" } else { "articles" }.to_owned(),
            ndcg_10: mean(|q| q.ndcg_10),
            map: mean(|q| q.ap),
            recall_10: mean(|q| q.recall_10),
            mrr_10: mean(|q| q.rr_10),
            success_3: mean(|q| q.success_3),
            search_ms,
            per_query,
        })
    }
}

/// nDCG@k as trec_eval's `ndcg_cut_k`: gain = grade, discount log2(rank+1),
/// ideal ranking from all judged grades.
#[must_use]
pub fn ndcg_at(ranked: &[String], rels: &HashMap<String, u32>, k: usize) -> f64 {
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, id)| f64::from(rels.get(id).copied().unwrap_or(0)) / (i as f64 + 2.0).log2())
        .sum();
    let mut ideal: Vec<u32> = rels.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, &g)| f64::from(g) / (i as f64 + 2.0).log2())
        .sum();
    if idcg == 0.0 { 0.0 } else { dcg / idcg }
}

/// Average precision as trec_eval's `map` (ranking cut at 1000): the mean of
/// the precision at each relevant document retrieved, over all relevant ones.
#[must_use]
pub fn average_precision(ranked: &[String], rels: &HashMap<String, u32>) -> f64 {
    let relevant = rels.values().filter(|&&g| g > 0).count();
    if relevant == 0 {
        return 0.0;
    }
    let mut found = 0usize;
    let mut sum = 0.0;
    for (i, id) in ranked.iter().take(EVAL_DEPTH).enumerate() {
        if rels.get(id).is_some_and(|&g| g > 0) {
            found += 1;
            sum += found as f64 / (i + 1) as f64;
        }
    }
    sum / relevant as f64
}

/// 1 / the rank of the first relevant document in the first k, else 0.
#[must_use]
pub fn reciprocal_rank_at(ranked: &[String], rels: &HashMap<String, u32>, k: usize) -> f64 {
    ranked
        .iter()
        .take(k)
        .position(|id| rels.get(id).is_some_and(|&g| g > 0))
        .map_or(0.0, |i| 1.0 / (i + 1) as f64)
}

/// Recall@k: relevant documents in the first k over all relevant ones.
#[must_use]
pub fn recall_at(ranked: &[String], rels: &HashMap<String, u32>, k: usize) -> f64 {
    let relevant = rels.values().filter(|&&g| g > 0).count();
    if relevant == 0 {
        return 0.0;
    }
    let found = ranked
        .iter()
        .take(k)
        .filter(|id| rels.get(*id).is_some_and(|&g| g > 0))
        .count();
    found as f64 / relevant as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rels(pairs: &[(&str, u32)]) -> HashMap<String, u32> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn ndcg_by_hand() {
        // Ranking d1 (grade 3), d2 (0), d3 (2); ideal 3, 2, 1 (d4 unretrieved).
        let r = rels(&[("d1", 3), ("d2", 0), ("d3", 2), ("d4", 1)]);
        let dcg = 3.0 / 2f64.log2() + 0.0 + 2.0 / 4f64.log2();
        let idcg = 3.0 / 2f64.log2() + 2.0 / 3f64.log2() + 1.0 / 4f64.log2();
        let got = ndcg_at(&ids(&["d1", "d2", "d3"]), &r, 10);
        assert!((got - dcg / idcg).abs() < 1e-12, "{got}");
        assert!((got - 0.8400).abs() < 1e-4, "{got}");
        // The cut: only the first k count, on both sides.
        let got = ndcg_at(&ids(&["d2", "d1"]), &r, 1);
        assert_eq!(got, 0.0);
        assert_eq!(ndcg_at(&ids(&["d1"]), &rels(&[("d1", 0)]), 10), 0.0);
        assert!((ndcg_at(&ids(&["d1", "d3", "d4"]), &r, 10) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn average_precision_by_hand() {
        // Relevant: a, c, e (3). Retrieved a (1/1), b, c (2/3); e never.
        let r = rels(&[("a", 1), ("c", 2), ("e", 1), ("b", 0)]);
        let ap = average_precision(&ids(&["a", "b", "c", "d"]), &r);
        assert!((ap - (1.0 + 2.0 / 3.0) / 3.0).abs() < 1e-12, "{ap}");
        assert_eq!(average_precision(&ids(&["x"]), &rels(&[])), 0.0);
    }

    #[test]
    fn recall_by_hand() {
        let r = rels(&[("a", 1), ("c", 2), ("e", 1)]);
        let list: Vec<String> = (0..20)
            .map(|i| format!("n{i}"))
            .chain(ids(&["e"]))
            .collect();
        assert_eq!(recall_at(&ids(&["a", "b", "c"]), &r, 10), 2.0 / 3.0);
        assert_eq!(recall_at(&list, &r, 10), 0.0);
    }

    #[test]
    fn collections_load_and_report_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("queries.jsonl"),
            "{\"_id\": \"1\", \"text\": \"wing\"}\n{\"_id\": 2, \"text\": \"heat\"}\n",
        )
        .unwrap();
        fs::create_dir(dir.path().join("qrels")).unwrap();
        fs::write(
            dir.path().join("qrels/test.tsv"),
            "query-id\tcorpus-id\tscore\n1\td1\t2\n1\td2\t-1\n2\td3\t1\n",
        )
        .unwrap();
        let c = Collection::load(dir.path()).unwrap();
        assert_eq!(
            c.queries,
            vec![("1".into(), "wing".into()), ("2".into(), "heat".into())]
        );
        assert_eq!(c.qrels["1"]["d2"], 0);
        assert!(c.corpus.is_none());
        fs::write(
            dir.path().join("qrels/test.tsv"),
            "query-id\tcorpus-id\tscore\n1\td1\n",
        )
        .unwrap();
        let err = Collection::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}
