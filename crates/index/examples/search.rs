//! Build an index from a content directory and print the top hits of a query.
//!
//! ```sh
//! cargo run -p needle-index --example search -- content "how often"
//! ```
//!
//! A walk through the library, step by step: content source -> index ->
//! reindex -> search -> hits with highlights.

use needle_index::{ContentSource, NeedleIndex, ReindexOptions, SearchRequest};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let content = args.next().unwrap_or_else(|| "content".to_owned());
    let query = args.collect::<Vec<_>>().join(" ");

    // 1. Where the articles are: a directory (searched recursively) or a file.
    //    Markdown, plain text and JSON Lines are read; `topics.toml` and
    //    `synonyms.toml` at the root are picked up too.
    let source = ContentSource::Path(content.into());

    // 2. The index. `open` creates it if needed; `in_memory()` keeps it in RAM.
    //    Here it lives in a temporary directory that is removed at the end.
    let dir = std::env::temp_dir().join(format!("needle-example-{}", std::process::id()));
    let index = NeedleIndex::open(&dir)?;

    // 3. Bring it up to date. Run it again and nothing is re-read: only files
    //    whose size or modification time changed are.
    let report = index.reindex(&source, &ReindexOptions::default())?;
    println!("indexed: {}", report.summary());
    for issue in &report.issues {
        eprintln!("skipped: {issue}");
    }

    // 4. Search. The query language allows "phrases", -exclusions and
    //    topic:name; typos and half-typed last words still match.
    let results = index.search(&SearchRequest::new(query).limit(5))?;
    println!(
        "{} passages match ({:.2} ms)",
        results.total, results.took_ms
    );

    // 5. Each hit has its passage and the ranges of the matched words.
    for hit in &results.hits {
        let p = &hit.passage;
        println!(
            "\n{}. {} › {}  [{}]",
            hit.rank,
            p.title,
            p.section,
            p.topics.join(", ")
        );
        let mut text = String::new();
        let mut at = 0;
        for range in hit.highlight_byte_ranges() {
            text.push_str(&p.text[at..range.start]);
            text.push_str(&format!("[{}]", &p.text[range.clone()]));
            at = range.end;
        }
        text.push_str(&p.text[at..]);
        println!("   {text}");
    }

    // 6. Let background merges finish, then clean up.
    index.close()?;
    drop(index);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
