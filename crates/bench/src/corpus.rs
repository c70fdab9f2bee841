//! A deterministic corpus of Markdown articles for benchmarks.
//!
//! [`generate`] writes `passages` passages as articles of realistic shape:
//! a `#` title, an introduction, several `##` sections of paragraphs (some
//! of them a sentence ending in `:` followed by a bullet list, which needle
//! keeps as one passage), and a `## Frequently Asked Questions` section of
//! `###` questions, each answered by one paragraph. Section headings use the
//! words of `topics.toml` (copied into the corpus with `synonyms.toml`) so
//! passages get topics as in real content. About 10 passages per article,
//! 1,000 articles per subdirectory (`d0000/a0000000.md`, ...).
//!
//! The words follow a Zipf distribution over a vocabulary that starts with
//! the bundled article's words, most frequent first, and continues with
//! generated English-like words. The generator is [`SplitMix64`]: the same
//! seed gives the same bytes on every machine.

use std::collections::HashMap;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::rng::SplitMix64;

/// The article the vocabulary is seeded from.
pub const SEED_ARTICLE: &str = include_str!("../../../content/microneedling.md");
/// The topic rules copied into every corpus.
pub const TOPICS_TOML: &str = include_str!("../../../content/topics.toml");
/// The synonyms copied into every corpus.
pub const SYNONYMS_TOML: &str = include_str!("../../../content/synonyms.toml");

/// Articles per subdirectory.
pub const FILES_PER_DIR: usize = 1000;
/// Words in the vocabulary: the seed article's, then generated ones.
pub const VOCABULARY_SIZE: usize = 30_000;
/// The Zipf exponent (English text is close to 1).
pub const ZIPF_EXPONENT: f64 = 1.0;
/// The file written at the corpus root with its [`Stats`] (not indexed:
/// needle reads `.md`, `.txt` and `.jsonl` only).
pub const STATS_FILE: &str = "needle-corpus.json";

/// What a generation wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// The seed used.
    pub seed: u64,
    /// Passages (as needle splits the articles).
    pub passages: usize,
    /// Articles, one Markdown file each.
    pub articles: usize,
    /// Subdirectories holding the articles.
    pub dirs: usize,
    /// Bytes of Markdown written (articles only).
    pub bytes: u64,
    /// Words in the articles' text (headings included).
    pub words: u64,
}

/// The vocabulary: the seed article's words by falling frequency (ties by
/// spelling), then generated words, `size` in all, without duplicates.
#[must_use]
pub fn vocabulary(size: usize) -> Vec<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for word in SEED_ARTICLE
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
    {
        *counts.entry(word.to_ascii_lowercase()).or_insert(0) += 1;
    }
    let mut seeded: Vec<(String, usize)> = counts.into_iter().collect();
    seeded.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut words: Vec<String> = seeded.into_iter().map(|(w, _)| w).collect();
    words.truncate(size);
    let mut seen: std::collections::HashSet<String> = words.iter().cloned().collect();

    const ONSETS: [&str; 24] = [
        "b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "br", "cr", "dr",
        "gr", "pl", "pr", "st", "tr", "sh", "th",
    ];
    const VOWELS: [&str; 8] = ["a", "e", "i", "o", "u", "ea", "io", "ou"];
    const CODAS: [&str; 12] = ["", "", "", "n", "r", "s", "l", "m", "t", "nd", "st", "ng"];
    const SUFFIXES: [&str; 10] = ["", "", "", "", "tion", "ment", "ness", "ity", "al", "ive"];
    // A separate stream, so the vocabulary does not depend on the corpus seed.
    let mut rng = SplitMix64::new(0x6e65_6564_6c65);
    while words.len() < size {
        let syllables = rng.range(1, 3);
        let mut w = String::new();
        for _ in 0..syllables {
            w.push_str(ONSETS[rng.range(0, ONSETS.len() - 1)]);
            w.push_str(VOWELS[rng.range(0, VOWELS.len() - 1)]);
            w.push_str(CODAS[rng.range(0, CODAS.len() - 1)]);
        }
        w.push_str(SUFFIXES[rng.range(0, SUFFIXES.len() - 1)]);
        if w.len() >= 3 && seen.insert(w.clone()) {
            words.push(w);
        }
    }
    words
}

/// Samples ranks of a Zipf distribution by binary search on its CDF.
#[derive(Debug, Clone)]
struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    #[allow(clippy::cast_precision_loss)]
    fn new(n: usize, exponent: f64) -> Self {
        let mut cdf = Vec::with_capacity(n);
        let mut sum = 0.0;
        for rank in 1..=n {
            sum += 1.0 / (rank as f64).powf(exponent);
            cdf.push(sum);
        }
        for c in &mut cdf {
            *c /= sum;
        }
        Zipf { cdf }
    }

    fn sample(&self, rng: &mut SplitMix64) -> usize {
        let u = rng.next_f64();
        self.cdf
            .partition_point(|&c| c <= u)
            .min(self.cdf.len() - 1)
    }
}

/// Section headings by topic (the words `topics.toml` looks for); `{}` is a
/// content word. The last group selects no topic.
const SECTION_HEADINGS: [&str; 22] = [
    "Benefits Of {}",
    "{} Results",
    "Expected Improvement In {}",
    "Potential Risks Of {}",
    "Side Effects And Safety",
    "Who Is Suitable For {}",
    "Recovery And Aftercare",
    "Healing After {}",
    "Overview Of {}",
    "Summary And Conclusion",
    "How The Procedure Works",
    "What A {} Session Involves",
    "Cost And Pricing",
    "{} Price Guide",
    "History Of {}",
    "Choosing A {} Clinic",
    "{} And {}",
    "Preparing For {}",
    "Common Myths About {}",
    "The Science Of {}",
    "Alternatives To {}",
    "{} At Home",
];

const TITLE_KINDS: [&str; 5] = [
    "Benefits And Side Effects",
    "A Complete Guide",
    "What To Know",
    "Risks, Results And Costs",
    "An Overview",
];

const QUESTIONS: [&str; 10] = [
    "How Much Does {} Cost?",
    "Is {} Painful?",
    "How Often Should I Get {}?",
    "What Results Can I Expect From {}?",
    "Is {} Suitable For Sensitive Skin?",
    "How Long Does {} Take?",
    "Can {} Be Combined With {}?",
    "What Are The Risks Of {}?",
    "Who Should Avoid {}?",
    "When Will I See An Improvement?",
];

struct Writer<'a> {
    rng: SplitMix64,
    vocab: &'a [String],
    zipf: &'a Zipf,
    /// Ranks of words of 5 letters or more: for titles and headings.
    content: &'a [usize],
    words: u64,
}

impl Writer<'_> {
    fn word(&mut self) -> &str {
        let r = self.zipf.sample(&mut self.rng);
        &self.vocab[r]
    }

    /// A content word (for titles and headings), capitalised.
    fn content_word(&mut self) -> String {
        // Zipf over the content words too, so headings repeat like real ones.
        let r = self.zipf.sample(&mut self.rng) % self.content.len();
        capitalise(&self.vocab[self.content[r]])
    }

    fn fill(&mut self, template: &str) -> String {
        let mut out = String::new();
        let mut parts = template.split("{}").peekable();
        while let Some(part) = parts.next() {
            out.push_str(part);
            if parts.peek().is_some() {
                let w = self.content_word();
                out.push_str(&w);
            }
        }
        self.words += out.split_whitespace().count() as u64;
        out
    }

    fn sentence(&mut self, out: &mut String, min: usize, max: usize, end: char) {
        let n = self.rng.range(min, max);
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            if i == 0 {
                let w = capitalise(self.word());
                out.push_str(&w);
            } else {
                let w = self.word().to_owned();
                out.push_str(&w);
            }
            if i + 1 < n && i > 2 && self.rng.chance(0.06) {
                out.push(',');
            }
        }
        out.push(end);
        self.words += n as u64;
    }

    fn paragraph(&mut self, out: &mut String) {
        let n = self.rng.range(3, 6);
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            self.sentence(out, 8, 22, '.');
        }
        out.push_str("\n\n");
    }

    /// A sentence ending in `:` and a bullet list: one passage.
    fn list(&mut self, out: &mut String) {
        self.sentence(out, 8, 18, ':');
        out.push_str("\n\n");
        for _ in 0..self.rng.range(3, 6) {
            out.push_str("- ");
            self.sentence(out, 3, 9, '.');
            out.push('\n');
        }
        out.push('\n');
    }

    fn body_passage(&mut self, out: &mut String) {
        if self.rng.chance(0.2) {
            self.list(out);
        } else {
            self.paragraph(out);
        }
    }

    /// One article of exactly `passages` passages (at least 1).
    fn article(&mut self, passages: usize) -> String {
        let mut out = String::with_capacity(passages * 700);
        let subject = format!("{} {}", self.content_word(), self.content_word());
        let kind = *self.rng.pick(&TITLE_KINDS);
        let title = format!("{subject}: {kind}");
        self.words += title.split_whitespace().count() as u64;
        out.push_str("# ");
        out.push_str(&title);
        out.push_str("\n\n");
        let mut left = passages;
        let intro = left.min(self.rng.range(1, 2));
        for _ in 0..intro {
            self.paragraph(&mut out);
        }
        left -= intro;
        let faq = if left >= 4 {
            self.rng.range(2, 4).min(left - 2)
        } else {
            0
        };
        let mut body = left - faq;
        while body > 0 {
            let here = body.min(self.rng.range(1, 3));
            let heading = *self.rng.pick(&SECTION_HEADINGS);
            let heading = self.fill(heading);
            out.push_str("## ");
            out.push_str(&heading);
            out.push_str("\n\n");
            for _ in 0..here {
                self.body_passage(&mut out);
            }
            body -= here;
        }
        if faq > 0 {
            out.push_str("## Frequently Asked Questions\n\n");
            self.words += 3;
            for _ in 0..faq {
                let q = *self.rng.pick(&QUESTIONS);
                let q = self.fill(q);
                out.push_str("### ");
                out.push_str(&q);
                out.push_str("\n\n");
                self.paragraph(&mut out);
            }
        }
        out
    }
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// The relative path of article `i`: `d0001/a0001234.md`.
#[must_use]
pub fn article_path(i: usize) -> String {
    format!("d{:04}/a{:07}.md", i / FILES_PER_DIR, i)
}

/// Calls `each(index, relative path, text)` for every article of the corpus
/// of `passages` passages and `seed`, in order, without writing anything.
pub fn for_each_article(
    passages: usize,
    seed: u64,
    mut each: impl FnMut(usize, &str, &str) -> io::Result<()>,
) -> io::Result<Stats> {
    let vocab = vocabulary(VOCABULARY_SIZE);
    let zipf = Zipf::new(vocab.len(), ZIPF_EXPONENT);
    let content: Vec<usize> = (0..vocab.len()).filter(|&i| vocab[i].len() >= 5).collect();
    let mut w = Writer {
        rng: SplitMix64::new(seed),
        vocab: &vocab,
        zipf: &zipf,
        content: &content,
        words: 0,
    };
    let mut stats = Stats {
        seed,
        passages: 0,
        articles: 0,
        dirs: 0,
        bytes: 0,
        words: 0,
    };
    while stats.passages < passages {
        let n = (passages - stats.passages).min(w.rng.range(6, 14));
        let text = w.article(n);
        let path = article_path(stats.articles);
        each(stats.articles, &path, &text)?;
        stats.passages += n;
        stats.bytes += text.len() as u64;
        stats.articles += 1;
    }
    stats.dirs = stats.articles.div_ceil(FILES_PER_DIR);
    stats.words = w.words;
    Ok(stats)
}

/// Writes a corpus of `passages` passages into `out_dir` (created if
/// needed; existing articles of the same names are overwritten), with
/// `topics.toml`, `synonyms.toml` and [`STATS_FILE`].
///
/// # Errors
/// When a file cannot be written.
pub fn generate(passages: usize, seed: u64, out_dir: &Path) -> io::Result<Stats> {
    fs::create_dir_all(out_dir)?;
    fs::write(out_dir.join("topics.toml"), TOPICS_TOML)?;
    fs::write(out_dir.join("synonyms.toml"), SYNONYMS_TOML)?;
    let stats = for_each_article(passages, seed, |i, rel, text| {
        let path = out_dir.join(rel);
        if i % FILES_PER_DIR == 0
            && let Some(parent) = path.parent()
        {
            fs::create_dir_all(parent)?;
        }
        let mut f = BufWriter::new(fs::File::create(&path)?);
        f.write_all(text.as_bytes())?;
        f.flush()
    })?;
    let json = serde_json::to_string_pretty(&stats).map_err(io::Error::other)?;
    fs::write(out_dir.join(STATS_FILE), json + "\n")?;
    Ok(stats)
}

/// Reads the [`Stats`] a previous [`generate`] left in `dir`, if any.
#[must_use]
pub fn read_stats(dir: &Path) -> Option<Stats> {
    let text = fs::read_to_string(dir.join(STATS_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use needle_index::{TopicRules, split_markdown};

    fn rules() -> TopicRules {
        TopicRules::from_toml(TOPICS_TOML).unwrap()
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let collect = |seed| {
            let mut all = String::new();
            for_each_article(300, seed, |_, rel, text| {
                all.push_str(rel);
                all.push_str(text);
                Ok(())
            })
            .unwrap();
            all
        };
        assert_eq!(collect(42), collect(42));
        assert_ne!(collect(42), collect(43));
    }

    #[test]
    fn generate_writes_the_same_files_for_the_same_seed() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let sa = generate(2_500, 5, a.path()).unwrap();
        let sb = generate(2_500, 5, b.path()).unwrap();
        assert_eq!(sa, sb);
        assert_eq!(sa.dirs, sa.articles.div_ceil(FILES_PER_DIR));
        for i in [0, sa.articles / 2, sa.articles - 1] {
            let rel = article_path(i);
            assert_eq!(
                fs::read(a.path().join(&rel)).unwrap(),
                fs::read(b.path().join(&rel)).unwrap(),
                "{rel}"
            );
        }
        assert_eq!(read_stats(a.path()), Some(sa));
        assert_eq!(
            fs::read_to_string(a.path().join("topics.toml")).unwrap(),
            TOPICS_TOML
        );
    }

    #[test]
    fn needle_splits_the_articles_into_the_passages_counted() {
        let rules = rules();
        let mut split = 0;
        let mut topics = std::collections::BTreeSet::new();
        let mut faq = 0;
        let mut lists = 0;
        let stats = for_each_article(3_001, 11, |_, rel, text| {
            let passages = split_markdown(rel.trim_end_matches(".md"), text, &rules);
            split += passages.len();
            for p in &passages {
                topics.extend(p.topics.iter().cloned());
                faq += usize::from(p.text.contains("?\n"));
                lists += usize::from(p.text.contains(":\n• "));
                assert!(!p.title.is_empty());
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(stats.passages, 3_001);
        assert_eq!(split, 3_001);
        // About 10 passages per article.
        assert!((250..=400).contains(&stats.articles), "{stats:?}");
        // Every topic of topics.toml is used.
        for t in rules.topics.iter().map(|t| t.name.as_str()) {
            assert!(topics.contains(t), "topic {t} unused: {topics:?}");
        }
        assert!(faq > 100 && lists > 100, "faq {faq}, lists {lists}");
    }

    #[test]
    fn vocabulary_starts_with_the_articles_words_and_is_unique() {
        let v = vocabulary(5_000);
        assert_eq!(v.len(), 5_000);
        assert!(v[..50].contains(&"the".to_owned()));
        assert!(v[..300].contains(&"microneedling".to_owned()));
        let unique: std::collections::HashSet<&String> = v.iter().collect();
        assert_eq!(unique.len(), v.len());
        assert!(v.iter().all(|w| w.bytes().all(|b| b.is_ascii_lowercase())));
    }

    #[test]
    fn zipf_favours_low_ranks() {
        let z = Zipf::new(1000, 1.0);
        let mut rng = SplitMix64::new(1);
        let mut counts = [0usize; 1000];
        for _ in 0..100_000 {
            counts[z.sample(&mut rng)] += 1;
        }
        assert!(counts[0] > counts[1] && counts[1] > counts[9] && counts[9] > counts[500]);
    }
}
