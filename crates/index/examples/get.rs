//! Search, then get a hit's passage (with its neighbours) and its whole
//! article by id, and say why the hit ranked first:
//! `cargo run -p needle-index --example get -- content sunscreen`.

use needle_index::{ContentSource, NeedleIndex, ReindexOptions, SearchRequest};

fn main() -> Result<(), needle_index::Error> {
    let mut args = std::env::args().skip(1);
    let content = args.next().unwrap_or_else(|| "content".to_owned());
    let query = args.next().unwrap_or_else(|| "sunscreen".to_owned());

    // An index in memory: nothing written to disk.
    let index = NeedleIndex::in_memory()?;
    index.reindex(
        &ContentSource::Path(content.into()),
        &ReindexOptions::default(),
    )?;

    // Requests are built, never written as struct literals: new fields
    // come with defaults.
    let results = index.search(&SearchRequest::new(query).limit(1).explain(true))?;
    let Some(hit) = results.hits.first() else {
        println!("no hits");
        return Ok(());
    };
    if let Some(why) = &hit.explain {
        println!(
            "{} ranked first: {} of {} words matched",
            hit.passage.id,
            why.words_matched,
            why.words.len()
        );
    }

    // The passage by its id, with one passage before and after it.
    if let Some(found) = index.passage(&hit.passage.id)? {
        for p in found
            .before
            .iter()
            .chain([&found.passage])
            .chain(&found.after)
        {
            println!("  {}: {}", p.id, p.text.lines().next().unwrap_or(""));
        }
    }
    // The whole article, every passage in order.
    if let Some(article) = index.article(&hit.passage.article)? {
        println!("{} has {} passages", article.title, article.passages.len());
    }
    Ok(())
}
