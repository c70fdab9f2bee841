//! A page of results, one collector for both ways of ranking: the total,
//! the best hits (ties on the score go by ordinal, the passage's position
//! in its article, then by segment and document), and the per-topic
//! counts of the matches.
//!
//! The Tantivy query of [`crate::query::build`] runs through
//! [`PageCollector`] as any collector does. The tiered evaluation ranks
//! each segment on its own and hands its best hits to the same segment
//! collector ([`SegmentPage::ranked`]), so both merge, page and count
//! topics the same way.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::postings::TermInfo;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, Term};

/// Which hits a search wants.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    pub(crate) limit: usize,
    pub(crate) offset: usize,
    /// Also count matches per topic, without the topic filter.
    pub(crate) count_topics: bool,
}

/// What ranking a plan gives.
#[derive(Debug)]
pub(crate) struct Ranked {
    /// Matching passages.
    pub(crate) total: usize,
    /// The page: scores and addresses, best first.
    pub(crate) scored: Vec<(f32, DocAddress)>,
    /// Matching passages per topic, ignoring the topic filter, when asked.
    pub(crate) topic_counts: Option<HashMap<String, u64>>,
    /// Matching passages ignoring the topic filter, when topic counts
    /// were asked for.
    pub(crate) unfiltered_total: Option<usize>,
}

/// The order of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// Best score first, ties by ordinal.
    Score,
    /// Article order (article id, then ordinal): browsing.
    Article,
}

/// Collects a [`Page`]: the total, the best hits, the topic counts.
#[derive(Debug)]
pub(crate) struct PageCollector {
    page: Page,
    /// Hits kept per segment: `offset + limit`, at most the passages of
    /// the index.
    need: usize,
    order: Order,
    /// Only passages with one of these topics count and rank; the query
    /// does not filter them, so that the topic counts see every match.
    filter: Vec<String>,
}

impl PageCollector {
    /// The collector of `page` in `order` for a search of `searcher`.
    pub(crate) fn new(page: Page, order: Order, searcher: &Searcher) -> PageCollector {
        // A huge limit or offset must not reserve memory for hits the
        // index cannot hold.
        let docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        PageCollector {
            page,
            need: page.offset.saturating_add(page.limit).min(docs),
            order,
            filter: Vec::new(),
        }
    }

    /// Counts and ranks only the passages with one of `topics` (none: all).
    #[must_use]
    pub(crate) fn filter(mut self, topics: &[String]) -> PageCollector {
        self.filter = topics.to_vec();
        self
    }

    /// How many hits each segment keeps: the page and those before it.
    pub(crate) fn need(&self) -> usize {
        self.need
    }

    /// Whether topic counts are asked for.
    pub(crate) fn counts_topics(&self) -> bool {
        self.page.count_topics
    }
}

impl Collector for PageCollector {
    type Fruit = Ranked;
    type Child = SegmentPage;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentPage> {
        let fast = reader.fast_fields();
        let topics = if self.page.count_topics || !self.filter.is_empty() {
            fast.str("topics")?
        } else {
            None
        };
        let filter = if self.filter.is_empty() {
            None
        } else {
            let mut ords = Vec::new();
            if let Some(column) = &topics {
                for name in &self.filter {
                    if let Some(ord) = column.dictionary().term_ord(name)? {
                        ords.push(ord);
                    }
                }
            }
            Some(ords)
        };
        let counts = if self.page.count_topics {
            vec![0; topics.as_ref().map_or(0, |c| c.num_terms())]
        } else {
            Vec::new()
        };
        Ok(SegmentPage {
            ord,
            need: self.need,
            order: self.order,
            count_topics: self.page.count_topics,
            filter,
            topics,
            counts,
            ordinals: fast.u64("ordinal").ok(),
            articles: match self.order {
                Order::Score => None,
                Order::Article => fast.str("article")?,
            },
            total: 0,
            unfiltered: 0,
            heap: BinaryHeap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.order == Order::Score
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<Ranked> {
        let mut total = 0;
        let mut unfiltered = 0;
        let mut counts: Option<HashMap<String, u64>> = self.page.count_topics.then(HashMap::new);
        let mut hits: Vec<(Key, SegmentOrdinal, DocId)> = Vec::new();
        for fruit in fruits {
            total += fruit.total;
            unfiltered += fruit.unfiltered;
            if let (Some(counts), Some(topics)) = (&mut counts, fruit.topics) {
                for (topic, n) in topics {
                    *counts.entry(topic).or_insert(0) += n;
                }
            }
            hits.extend(
                fruit
                    .hits
                    .into_iter()
                    .map(|(key, doc)| (key, fruit.ord, doc)),
            );
        }
        hits.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let scored = hits
            .into_iter()
            .skip(self.page.offset)
            .take(self.page.limit)
            .map(|(key, ord, doc)| (key.score(), DocAddress::new(ord, doc)))
            .collect();
        Ok(Ranked {
            total,
            scored,
            topic_counts: counts,
            unfiltered_total: self.page.count_topics.then_some(unfiltered),
        })
    }
}

/// Where a hit goes in its page: lower is better.
#[derive(Debug, Clone, PartialEq)]
enum Key {
    /// By score (higher first), then ordinal.
    Score(f32, u64),
    /// By article id, then ordinal.
    Article(String, u64),
}

impl Key {
    fn score(&self) -> f32 {
        match self {
            Key::Score(score, _) => *score,
            Key::Article(..) => 0.0,
        }
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Key::Score(a, oa), Key::Score(b, ob)) => b.total_cmp(a).then(oa.cmp(ob)),
            (Key::Article(a, oa), Key::Article(b, ob)) => a.cmp(b).then(oa.cmp(ob)),
            (Key::Score(..), Key::Article(..)) => Ordering::Less,
            (Key::Article(..), Key::Score(..)) => Ordering::Greater,
        }
    }
}

/// A hit in a segment's heap: the worst on top. `key` is the score's bits
/// or the article's term ordinal (the segment's dictionary is sorted).
#[derive(Debug, Clone, Copy)]
struct Entry {
    score: f32,
    /// The article's term ordinal in browse order.
    article: u64,
    ordinal: u64,
    doc: DocId,
}

impl Entry {
    /// Better hits order first.
    fn rank(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.article.cmp(&other.article))
            .then(self.ordinal.cmp(&other.ordinal))
            .then(self.doc.cmp(&other.doc))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.rank(other).is_eq()
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    /// The worst is the greatest: on top of the heap.
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank(other)
    }
}

/// A [`PageCollector`] in one segment.
pub(crate) struct SegmentPage {
    ord: SegmentOrdinal,
    need: usize,
    order: Order,
    count_topics: bool,
    /// The term ordinals of the filter's topics (`None`: no filter).
    filter: Option<Vec<u64>>,
    topics: Option<StrColumn>,
    /// Matches per topic term ordinal.
    counts: Vec<u64>,
    ordinals: Option<Column<u64>>,
    articles: Option<StrColumn>,
    total: usize,
    unfiltered: usize,
    /// The best `need` hits so far, the worst on top.
    heap: BinaryHeap<Entry>,
}

/// What a segment gives its [`PageCollector`].
#[derive(Debug)]
pub(crate) struct SegmentFruit {
    ord: SegmentOrdinal,
    total: usize,
    unfiltered: usize,
    hits: Vec<(Key, DocId)>,
    topics: Option<HashMap<String, u64>>,
}

impl SegmentPage {
    fn ordinal(&self, doc: DocId) -> u64 {
        self.ordinals
            .as_ref()
            .and_then(|c| c.first(doc))
            .unwrap_or(u64::MAX)
    }

    /// Counts a match's topics.
    fn count_topics_of(&mut self, doc: DocId) {
        self.unfiltered += 1;
        if let Some(column) = &self.topics {
            for ord in column.term_ords(doc) {
                if let Some(c) = usize::try_from(ord)
                    .ok()
                    .and_then(|o| self.counts.get_mut(o))
                {
                    *c += 1;
                }
            }
        }
    }

    /// Whether a match passes the topic filter.
    fn passes(&self, doc: DocId) -> bool {
        match (&self.filter, &self.topics) {
            (None, _) => true,
            (Some(wanted), Some(column)) => column.term_ords(doc).any(|o| wanted.contains(&o)),
            (Some(_), None) => false,
        }
    }

    /// Offers a hit for the page.
    fn offer(&mut self, entry: Entry) {
        if self.heap.len() < self.need {
            self.heap.push(entry);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && entry < *worst
        {
            *worst = entry;
        }
    }

    /// Counts the topics of a segment's matches before the topic filter,
    /// for an evaluation of its own (see [`ranked`](Self::ranked)):
    /// `matches` of them, `docs` lists them, and `with_topic(term, info)`
    /// counts those with the topic `term` (from its postings, `info`).
    /// Many matches are counted by topic: reading each match's topics from
    /// the column instead took 15 of the 35 ms of a two-letter prefix at a
    /// million passages; few are read from the column, which costs about
    /// eight postings a match.
    pub(crate) fn count_topics_in<I: Iterator<Item = DocId>>(
        &mut self,
        reader: &SegmentReader,
        matches: usize,
        docs: impl FnOnce() -> I,
        mut with_topic: impl FnMut(&Term, &TermInfo) -> tantivy::Result<u64>,
    ) -> tantivy::Result<()> {
        const POSTINGS_PER_MATCH: u64 = 8;
        if !self.count_topics {
            return Ok(());
        }
        let Some(column) = &self.topics else {
            self.unfiltered += matches;
            return Ok(());
        };
        let field = reader.schema().get_field("topics")?;
        let inverted = reader.inverted_index(field)?;
        let mut terms = Vec::with_capacity(self.counts.len());
        let mut text = String::new();
        for ord in 0..self.counts.len() {
            text.clear();
            if column.ord_to_str(ord as u64, &mut text)? {
                let term = Term::from_field_text(field, &text);
                if let Some(info) = inverted.get_term_info(&term)? {
                    terms.push((ord, term, info));
                }
            }
        }
        let postings: u64 = terms
            .iter()
            .map(|(_, _, info)| u64::from(info.doc_freq))
            .sum();
        if (matches as u64).saturating_mul(POSTINGS_PER_MATCH) < postings {
            for doc in docs() {
                self.count_topics_of(doc);
            }
            return Ok(());
        }
        self.unfiltered += matches;
        for (ord, term, info) in terms {
            self.counts[ord] += with_topic(&term, &info)?;
        }
        Ok(())
    }

    /// A segment ranked by an evaluation of its own (which filters by
    /// topic itself, and counts topics with
    /// [`count_topics_in`](Self::count_topics_in)): its total and its best
    /// hits (score, ordinal, document, best first, at most the collector's
    /// [`need`](PageCollector::need)).
    pub(crate) fn ranked(mut self, total: usize, hits: Vec<(f32, u64, DocId)>) -> SegmentFruit {
        self.total = total;
        for (score, ordinal, doc) in hits {
            self.offer(Entry {
                score,
                article: 0,
                ordinal,
                doc,
            });
        }
        self.harvest()
    }
}

impl SegmentCollector for SegmentPage {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.count_topics {
            self.count_topics_of(doc);
        }
        if !self.passes(doc) {
            return;
        }
        self.total += 1;
        if self.need == 0 {
            return;
        }
        let entry = match self.order {
            Order::Score => {
                // Below the worst kept: its ordinal is not needed.
                if self.heap.len() >= self.need
                    && let Some(worst) = self.heap.peek()
                    && score < worst.score
                {
                    return;
                }
                Entry {
                    score,
                    article: 0,
                    ordinal: self.ordinal(doc),
                    doc,
                }
            }
            Order::Article => Entry {
                score: 0.0,
                article: self
                    .articles
                    .as_ref()
                    .and_then(|c| c.term_ords(doc).next())
                    .unwrap_or(u64::MAX),
                ordinal: self.ordinal(doc),
                doc,
            },
        };
        self.offer(entry);
    }

    fn harvest(self) -> SegmentFruit {
        let mut name = String::new();
        let topics = self.count_topics.then(|| {
            let mut out = HashMap::new();
            if let Some(column) = &self.topics {
                for (ord, &count) in self.counts.iter().enumerate() {
                    if count > 0 && column.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                        out.insert(name.clone(), count);
                    }
                }
            }
            out
        });
        let hits = self
            .heap
            .into_sorted_vec()
            .into_iter()
            .map(|e| {
                let key = match self.order {
                    Order::Score => Key::Score(e.score, e.ordinal),
                    Order::Article => {
                        let mut article = String::new();
                        if let Some(column) = &self.articles {
                            let _ = column.ord_to_str(e.article, &mut article);
                        }
                        Key::Article(article, e.ordinal)
                    }
                };
                (key, e.doc)
            })
            .collect();
        SegmentFruit {
            ord: self.ord,
            total: self.total,
            unfiltered: self.unfiltered,
            hits,
            topics,
        }
    }
}

/// Counts matching passages per topic, reading the `topics` fast field
/// (for the topic list, where no page is wanted).
pub(crate) struct TopicCounter;

impl Collector for TopicCounter {
    type Fruit = HashMap<String, u64>;
    type Child = SegmentPage;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentPage> {
        PageCollector {
            page: Page {
                limit: 0,
                offset: 0,
                count_topics: true,
            },
            need: 0,
            order: Order::Score,
            filter: Vec::new(),
        }
        .for_segment(ord, reader)
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<HashMap<String, u64>> {
        let mut total = HashMap::new();
        for fruit in fruits {
            for (k, v) in fruit.topics.unwrap_or_default() {
                *total.entry(k).or_insert(0) += v;
            }
        }
        Ok(total)
    }
}
