//! Getting passages and articles by id: [`NeedleIndex::passage`] (with its
//! neighbours) and [`NeedleIndex::article`] (every passage in order).

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

use super::request::to_passage;
use crate::content::Passage;
use crate::error::Result;
use crate::index::NeedleIndex;

/// A passage with the passages around it in its article
/// ([`NeedleIndex::passage`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PassageContext {
    /// The passage asked for.
    pub passage: Passage,
    /// The passages just before it in its article, nearest last (empty for
    /// the article's first passage).
    pub before: Vec<Passage>,
    /// The passages just after it, nearest first (empty for the last).
    pub after: Vec<Passage>,
}

/// An article with every passage, in article order ([`NeedleIndex::article`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ArticleText {
    /// The article id (see [`Passage::article`]).
    pub id: String,
    /// The article's title.
    pub title: String,
    /// Its front matter `description` (or `summary`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its address on its site, if it has one (see [`Passage::url`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Every passage, in article order.
    pub passages: Vec<Passage>,
}

impl NeedleIndex {
    /// The passage whose id is `id` (`article#section-slug.N`, as
    /// [`Passage::id`] and the hits of a search give it), with one passage
    /// of its article before and one after. `None` when the index has no
    /// such passage. See [`passage_with_context`](Self::passage_with_context)
    /// for more neighbours.
    ///
    /// # Errors
    /// When the index cannot be read.
    pub fn passage(&self, id: &str) -> Result<Option<PassageContext>> {
        self.passage_with_context(id, 1)
    }

    /// As [`passage`](Self::passage), with up to `around` passages before
    /// and after it (0: none).
    ///
    /// # Errors
    /// When the index cannot be read.
    pub fn passage_with_context(&self, id: &str, around: usize) -> Result<Option<PassageContext>> {
        let searcher = self.reader.searcher();
        let Some(passage) = self.passages_where(&searcher, self.fields.id, id, 1)?.pop() else {
            return Ok(None);
        };
        if around == 0 {
            return Ok(Some(PassageContext {
                passage,
                before: Vec::new(),
                after: Vec::new(),
            }));
        }
        let all = self.article_passages(&searcher, &passage.article)?;
        let at = all
            .iter()
            .position(|p| p.id == passage.id)
            .unwrap_or_default();
        let before = all[at.saturating_sub(around)..at].to_vec();
        let after = all[(at + 1).min(all.len())..(at + 1 + around).min(all.len())].to_vec();
        Ok(Some(PassageContext {
            passage,
            before,
            after,
        }))
    }

    /// The article whose id is `id` ([`Passage::article`]: the path
    /// relative to the content root without its extension, or a JSON Lines
    /// `_id`), with every passage in article order. `None` when the index
    /// has no such article.
    ///
    /// # Errors
    /// When the index cannot be read.
    pub fn article(&self, id: &str) -> Result<Option<ArticleText>> {
        let searcher = self.reader.searcher();
        let passages = self.article_passages(&searcher, id)?;
        let Some(first) = passages.first() else {
            return Ok(None);
        };
        Ok(Some(ArticleText {
            id: first.article.clone(),
            title: first.title.clone(),
            description: first.description.clone(),
            url: first.url.clone(),
            passages,
        }))
    }

    /// Every passage of an article, in article order.
    fn article_passages(&self, searcher: &Searcher, article: &str) -> Result<Vec<Passage>> {
        let mut passages =
            self.passages_where(searcher, self.fields.article, article, usize::MAX)?;
        passages.sort_by(|a, b| a.ordinal.cmp(&b.ordinal).then_with(|| a.id.cmp(&b.id)));
        Ok(passages)
    }

    /// The passages whose raw-key `field` is `value` (at most `limit`).
    fn passages_where(
        &self,
        searcher: &Searcher,
        field: tantivy::schema::Field,
        value: &str,
        limit: usize,
    ) -> Result<Vec<Passage>> {
        let query = TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        );
        let count = if limit == usize::MAX {
            searcher.search(&query, &tantivy::collector::Count)?
        } else {
            limit
        };
        if count == 0 {
            return Ok(Vec::new());
        }
        let top = searcher.search(&query, &TopDocs::with_limit(count).order_by_score())?;
        top.into_iter()
            .map(|(_, addr)| Ok(to_passage(&self.fields, &self.doc(searcher, addr)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::content::ContentSource;
    use crate::index::NeedleIndex;
    use crate::reindex::ReindexOptions;

    const ARTICLE: &str = "# Care\n\nFirst words.\n\n## Aftercare\n\nWear sunscreen.\n\nDrink water.\n\n## Cost\n\nIt costs $100.\n";

    fn index() -> NeedleIndex {
        let index = NeedleIndex::in_memory().unwrap();
        let source = ContentSource::memory([
            ("care.md", ARTICLE),
            ("other.md", "# Other\n\nNothing here.\n"),
        ]);
        index.reindex(&source, &ReindexOptions::default()).unwrap();
        index
    }

    #[test]
    fn a_passage_comes_with_its_neighbours() {
        let index = index();
        let all = index.article("care").unwrap().unwrap();
        let ids: Vec<&str> = all.passages.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(all.title, "Care");
        assert_eq!(ids.len(), 4, "{ids:?}");
        assert!(all.passages.windows(2).all(|w| w[0].ordinal < w[1].ordinal));

        let middle = index.passage(ids[1]).unwrap().unwrap();
        assert_eq!(middle.passage.id, ids[1]);
        assert_eq!(middle.passage.text, "Wear sunscreen.");
        assert_eq!(middle.before[0].id, ids[0]);
        assert_eq!(middle.after[0].id, ids[2]);

        let first = index.passage(ids[0]).unwrap().unwrap();
        assert!(first.before.is_empty());
        let last = index.passage(ids[3]).unwrap().unwrap();
        assert!(last.after.is_empty());
        assert_eq!(last.before.len(), 1);

        let wide = index.passage_with_context(ids[3], 10).unwrap().unwrap();
        assert_eq!(wide.before.len(), 3);
        assert_eq!(wide.before[2].id, ids[2], "nearest last");
        let alone = index.passage_with_context(ids[1], 0).unwrap().unwrap();
        assert!(alone.before.is_empty() && alone.after.is_empty());
    }

    #[test]
    fn unknown_ids_are_none() {
        let index = index();
        assert!(index.passage("care#nowhere.1").unwrap().is_none());
        assert!(index.passage("").unwrap().is_none());
        assert!(index.article("nothing").unwrap().is_none());
        // An article id is not a passage id, nor the other way round.
        assert!(index.passage("care").unwrap().is_none());
        let some = index.passage("other#1").unwrap();
        assert!(
            index
                .article(&some.map_or_else(String::new, |p| p.passage.id))
                .unwrap()
                .is_none()
        );
    }
}
