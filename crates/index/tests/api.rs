//! Tests of the library's public API as a whole, on the bundled article, in
//! RAM or temp dirs.
//!
//! Long (over 600 lines) on purpose: one test file is one test binary, and
//! each binary links the library again; the sections below (search, get,
//! explain, reindex, errors) share the bundled-article fixtures.

use std::fs;
use std::path::Path;

use needle_index::*;

const ARTICLE_MD: &str = include_str!("../../../content/microneedling.md");
const ARTICLE_TXT: &str = include_str!("../testdata/microneedling.txt");
const TOPICS: &str = include_str!("../../../content/topics.toml");

fn bundled() -> ContentSource {
    ContentSource::memory([("microneedling.md", ARTICLE_MD), ("topics.toml", TOPICS)])
}

fn bundled_index() -> NeedleIndex {
    let index = NeedleIndex::in_memory().unwrap();
    let report = index
        .reindex(&bundled(), &ReindexOptions::default())
        .unwrap();
    assert!(report.issues.is_empty(), "{:?}", report.issues);
    index
}

fn rules() -> TopicRules {
    TopicRules::from_toml(TOPICS).unwrap()
}

fn search(index: &NeedleIndex, q: &str) -> SearchResults {
    index.search(&SearchRequest::new(q).limit(30)).unwrap()
}

fn highlighted(hit: &Hit) -> Vec<String> {
    hit.highlight_byte_ranges()
        .into_iter()
        .map(|r| hit.passage.text[r].to_lowercase())
        .collect()
}

#[test]
fn bundled_article_splits_into_24_passages() {
    let passages = split_markdown("microneedling", ARTICLE_MD, &rules());
    assert_eq!(passages.len(), 24);
    let sections: Vec<(&str, usize)> = {
        let mut v: Vec<(&str, usize)> = Vec::new();
        for p in &passages {
            match v.last_mut() {
                Some((s, n)) if *s == p.section => *n += 1,
                _ => v.push((&p.section, 1)),
            }
        }
        v
    };
    assert_eq!(
        sections,
        vec![
            ("Microneedling: Benefits And Side Effects", 2),
            ("Overview Of Microneedling", 3),
            ("Aesthetic Improvements", 3),
            ("Medical Benefits", 3),
            ("Potential Risks", 3),
            ("Recovery And Aftercare", 3),
            ("How Much Does Microneedling Typically Cost?", 1),
            ("Is Microneedling Suitable For All Skin Types?", 1),
            ("Is The Microneedling Procedure Painful?", 1),
            ("How Often Should I Get A Microneedling Treatment?", 1),
            ("Are There Any Long-Term Side Effects Of Microneedling?", 1),
            ("Microneedling: Benefits And Side Effects", 2),
        ]
    );
    // Every passage knows its title and its place.
    for (i, p) in passages.iter().enumerate() {
        assert_eq!(p.title, "Microneedling: Benefits And Side Effects");
        assert_eq!(p.ordinal as usize, i);
        assert_eq!(p.article, "microneedling");
    }
}

#[test]
fn faq_question_stays_with_its_answer() {
    let passages = split_markdown("microneedling", ARTICLE_MD, &rules());
    let faq = passages
        .iter()
        .find(|p| p.section == "How Often Should I Get A Microneedling Treatment?")
        .unwrap();
    assert!(
        faq.text
            .starts_with("How Often Should I Get A Microneedling Treatment?\nWhen considering")
    );
    assert!(faq.text.contains("4-6 weeks"));
    assert_eq!(
        faq.heading_path,
        vec![
            "Microneedling: Benefits And Side Effects",
            "Frequently Asked Questions",
            "How Often Should I Get A Microneedling Treatment?"
        ]
    );
    assert_eq!(
        faq.id,
        "microneedling#how-often-should-i-get-a-microneedling-treatment.1"
    );
}

#[test]
fn bullet_list_stays_with_its_lead_sentence() {
    let passages = split_markdown("microneedling", ARTICLE_MD, &rules());
    let p = passages
        .iter()
        .find(|p| p.text.contains("Improved texture"))
        .unwrap();
    assert!(p.text.starts_with("The primary medical benefit"));
    assert!(p.text.ends_with(
        "Here are three key benefits associated with this treatment:\n• Improved texture and tone of your skin\n• Reduced appearance of pores and wrinkles\n• Enhanced hydration levels for better moisture retention."
    ));
    assert_eq!(p.id, "microneedling#medical-benefits.2");
}

#[test]
fn source_lines_point_at_the_passage() {
    let passages = split_markdown("microneedling", ARTICLE_MD, &rules());
    let lines: Vec<&str> = ARTICLE_MD.lines().collect();
    for p in &passages {
        let line = lines[p.line.unwrap() as usize - 1];
        let first_words: String = p
            .text
            .split_whitespace()
            .take(4)
            .collect::<Vec<_>>()
            .join(" ");
        let line_words: String = line
            .trim_start_matches('#')
            .split_whitespace()
            .take(4)
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(first_words, line_words, "passage {}", p.id);
    }
}

#[test]
fn every_word_of_the_article_is_kept() {
    // The words of the user's article, typos included, all reach the passages.
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let passages = split_text("microneedling", ARTICLE_TXT, &rules());
    let mut from_passages: Vec<Vec<String>> = vec![words(&passages[0].title)];
    let mut last_question = String::new();
    for p in &passages {
        // Headings appear once, before the passages under them.
        for h in &p.heading_path[1..] {
            if !p.text.starts_with(h.as_str()) && *h != last_question {
                from_passages.push(words(h));
                last_question.clone_from(h);
            }
        }
        from_passages.push(words(&p.text));
    }
    let mut got: Vec<String> = from_passages.concat();
    got.dedup();
    let mut want = words(ARTICLE_TXT);
    want.dedup();
    assert_eq!(got, want);
    assert!(ARTICLE_MD.contains("microneeedling"), "typos are kept");
}

#[test]
fn topics_of_every_section() {
    let passages = split_markdown("microneedling", ARTICLE_MD, &rules());
    let topics_of = |section: &str| -> Vec<String> {
        passages
            .iter()
            .find(|p| p.section == section)
            .unwrap()
            .topics
            .clone()
    };
    let expect = [
        (
            "Microneedling: Benefits And Side Effects",
            vec!["overview", "benefits"],
        ),
        ("Overview Of Microneedling", vec!["overview"]),
        ("Aesthetic Improvements", vec!["benefits"]),
        ("Medical Benefits", vec!["benefits"]),
        ("Potential Risks", vec!["side-effects"]),
        ("Recovery And Aftercare", vec!["aftercare"]),
        (
            "How Much Does Microneedling Typically Cost?",
            vec!["cost", "faq"],
        ),
        (
            "Is Microneedling Suitable For All Skin Types?",
            vec!["side-effects", "faq"],
        ),
        (
            "Is The Microneedling Procedure Painful?",
            vec!["side-effects", "procedure", "faq"],
        ),
        (
            "How Often Should I Get A Microneedling Treatment?",
            vec!["aftercare", "faq"],
        ),
        (
            "Are There Any Long-Term Side Effects Of Microneedling?",
            vec!["side-effects", "faq"],
        ),
    ];
    for (section, topics) in expect {
        assert_eq!(topics_of(section), topics, "{section}");
    }
}

#[test]
fn plain_text_seed_indexes_to_the_same_sections() {
    let md = split_markdown("microneedling", ARTICLE_MD, &rules());
    let txt = split_text("microneedling", ARTICLE_TXT, &rules());
    assert_eq!(md.len(), txt.len());
    for (m, t) in md.iter().zip(&txt) {
        assert_eq!(m.id, t.id);
        assert_eq!(m.section, t.section);
        assert_eq!(m.heading_path, t.heading_path);
        // Front matter (Markdown only) adds `benefits` to the introduction.
        if m.heading_path.len() > 1 {
            assert_eq!(m.topics, t.topics, "{}", m.id);
        }
        assert_eq!(m.text, t.text, "{}", m.id);
    }
}

#[test]
fn jsonl_records_are_articles() {
    let index = NeedleIndex::in_memory().unwrap();
    let source = ContentSource::memory([(
        "corpus.jsonl",
        concat!(
            "{\"_id\": \"d1\", \"title\": \"Wing flutter\", \"text\": \"Flutter of a wing in a slipstream.\"}\n",
            "{\"_id\": \"d2\", \"title\": \"Heat\", \"text\": \"Heat conduction in slabs.\", \"topics\": [\"heat\"]}\n",
            "{broken\n"
        ),
    )]);
    let report = index.reindex(&source, &ReindexOptions::default()).unwrap();
    assert_eq!(report.added, 2);
    assert_eq!(report.issues.len(), 1);
    assert_eq!(report.issues[0].line, Some(3));
    let r = search(&index, "slipstream");
    assert_eq!(r.hits[0].passage.article, "d1");
    assert_eq!(r.hits[0].passage.title, "Wing flutter");
    let articles = index.articles().unwrap();
    assert_eq!(
        articles.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        vec!["d1", "d2"]
    );
    let topics = index.topics().unwrap();
    assert_eq!(topics.len(), 1);
    assert_eq!(
        (
            topics[0].name.as_str(),
            topics[0].label.as_str(),
            topics[0].count
        ),
        ("heat", "Heat", 1)
    );
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, text).unwrap();
}

#[test]
fn incremental_reindex_reads_only_what_changed() {
    let content = tempfile::tempdir().unwrap();
    let idx_dir = tempfile::tempdir().unwrap();
    write(content.path(), "a.md", "# A\n\nAlpha apples.\n");
    write(content.path(), "b.md", "# B\n\nBravo bananas.\n");
    write(content.path(), "sub/c.md", "# C\n\nCharlie cherries.\n");
    let source = ContentSource::Path(content.path().into());
    let index = NeedleIndex::open(idx_dir.path()).unwrap();
    let first = index.reindex(&source, &ReindexOptions::default()).unwrap();
    assert_eq!((first.added, first.files_read, first.passages), (3, 3, 3));

    // Nothing changed: zero work, no commit.
    let same = index.reindex(&source, &ReindexOptions::default()).unwrap();
    assert_eq!(
        (same.unchanged, same.files_read, same.committed),
        (3, 0, false)
    );
    assert!(!same.changed());

    // Edit one article: only it is read and replaced.
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(content.path(), "b.md", "# B\n\nBravo blueberries.\n");
    let edit = index.reindex(&source, &ReindexOptions::default()).unwrap();
    assert_eq!((edit.updated, edit.unchanged, edit.files_read), (1, 2, 1));
    assert_eq!(search(&index, "blueberries").total, 1);
    assert_eq!(search(&index, "bananas").total, 0);
    assert_eq!(index.passage_count(), 3);

    // Remove one: its passages are gone.
    fs::remove_file(content.path().join("sub/c.md")).unwrap();
    let rm = index.reindex(&source, &ReindexOptions::default()).unwrap();
    assert_eq!((rm.removed, rm.unchanged, rm.files_read), (1, 2, 0));
    assert_eq!(search(&index, "cherries").total, 0);
    assert_eq!(index.passage_count(), 2);

    // The manifest survives reopening: still nothing to do.
    drop(index);
    let index = NeedleIndex::open(idx_dir.path()).unwrap();
    let again = index.reindex(&source, &ReindexOptions::default()).unwrap();
    assert_eq!(
        (again.unchanged, again.files_read, again.committed),
        (2, 0, false)
    );
    assert_eq!(search(&index, "apples").hits[0].passage.id, "a#a.1");
}

#[test]
fn touched_but_identical_file_is_not_reindexed() {
    let content = tempfile::tempdir().unwrap();
    write(content.path(), "a.md", "# A\n\nAlpha.\n");
    let source = ContentSource::Path(content.path().into());
    let index = NeedleIndex::in_memory().unwrap();
    index.reindex(&source, &ReindexOptions::default()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(content.path(), "a.md", "# A\n\nAlpha.\n");
    let r = index.reindex(&source, &ReindexOptions::default()).unwrap();
    assert_eq!(
        (r.unchanged, r.updated, r.files_read, r.passages_added),
        (1, 0, 1, 0)
    );
}

#[test]
fn mass_removal_is_refused_unless_forced() {
    let content = tempfile::tempdir().unwrap();
    for name in ["a", "b", "c"] {
        write(
            content.path(),
            &format!("{name}.md"),
            &format!("# {name}\n\nText {name}.\n"),
        );
    }
    let index = NeedleIndex::in_memory().unwrap();
    index
        .reindex(
            &ContentSource::Path(content.path().into()),
            &ReindexOptions::default(),
        )
        .unwrap();
    let empty = tempfile::tempdir().unwrap();
    let wrong = ContentSource::Path(empty.path().into());
    let err = index
        .reindex(&wrong, &ReindexOptions::default())
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::MassRemoval {
                removing: 3,
                indexed: 3
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("force the reindex"), "{err}");
    assert_eq!(index.passage_count(), 3, "nothing was removed");

    // The refused reindex left nothing behind for the next commit: one that
    // deletes one article and adds another commits exactly that.
    let mixed = tempfile::tempdir().unwrap();
    for name in ["a", "b", "d"] {
        write(
            mixed.path(),
            &format!("{name}.md"),
            &format!("# {name}\n\nText {name}.\n"),
        );
    }
    let most = ContentSource::Path(mixed.path().into());
    let ok = index.reindex(&most, &ReindexOptions::default()).unwrap();
    assert_eq!((ok.added, ok.removed, ok.updated), (1, 1, 0));
    assert_eq!(index.passage_count(), 3);
    assert_eq!(search(&index, "text").total, 3);

    let forced = index.reindex(&wrong, &ReindexOptions::forced()).unwrap();
    assert_eq!(forced.removed, 3);
    assert_eq!(index.passage_count(), 0);
}

#[test]
fn an_article_moving_between_files_is_kept_once() {
    let content = tempfile::tempdir().unwrap();
    let record = |id: &str, text: &str| format!("{{\"_id\": \"{id}\", \"text\": \"{text}\"}}\n");
    write(
        content.path(),
        "b.jsonl",
        &(record("x", "Xylophone music.") + &record("y", "Yodel.")),
    );
    write(content.path(), "c.jsonl", &record("z", "Zither."));
    let source = ContentSource::Path(content.path().into());
    let index = NeedleIndex::in_memory().unwrap();
    index.reindex(&source, &ReindexOptions::default()).unwrap();
    assert_eq!(index.passage_count(), 3);

    // x moves to a file read before its old one, z to one read after.
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(content.path(), "a.jsonl", &record("x", "Xylophone music."));
    write(content.path(), "b.jsonl", &record("y", "Yodel."));
    fs::remove_file(content.path().join("c.jsonl")).unwrap();
    write(content.path(), "d.jsonl", &record("z", "Zither, moved."));
    let r = index.reindex(&source, &ReindexOptions::default()).unwrap();
    assert_eq!((r.added, r.updated, r.removed), (0, 2, 0), "{r:?}");
    assert_eq!(index.passage_count(), 3);
    assert_eq!(search(&index, "xylophone").total, 1);
    assert_eq!(search(&index, "zither").total, 1);
    let paths: Vec<(String, String)> = index
        .articles()
        .unwrap()
        .into_iter()
        .map(|a| (a.id, a.path))
        .collect();
    assert_eq!(
        paths,
        vec![
            ("x".to_owned(), "a.jsonl".to_owned()),
            ("y".to_owned(), "b.jsonl".to_owned()),
            ("z".to_owned(), "d.jsonl".to_owned()),
        ]
    );
}

#[test]
fn second_writer_gets_the_lock_error() {
    let dir = tempfile::tempdir().unwrap();
    let a = NeedleIndex::open(dir.path()).unwrap();
    let b = NeedleIndex::open(dir.path()).unwrap();
    a.reindex(&bundled(), &ReindexOptions::default()).unwrap();
    let err = b
        .reindex(&bundled(), &ReindexOptions::default())
        .unwrap_err();
    assert!(matches!(err, Error::Locked { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("being updated by another needle process")
    );
    // Once the first lets go, the second can write.
    a.close().unwrap();
    b.reindex(&bundled(), &ReindexOptions::forced()).unwrap();
}

#[test]
fn bad_files_are_reported_and_the_rest_indexes() {
    let content = tempfile::tempdir().unwrap();
    write(content.path(), "good.md", "# Good\n\nFine words.\n");
    fs::write(content.path().join("bin.md"), [0u8, 159, 146, 150]).unwrap();
    fs::write(content.path().join("latin1.txt"), b"caf\xe9 au lait\n").unwrap();
    write(content.path(), "empty.md", "");
    write(content.path(), "README.md", "# not an article\n");
    write(content.path(), ".needleignore", "README.md\n");
    write(content.path(), ".hidden.md", "# hidden\n\nsecret\n");
    let index = NeedleIndex::in_memory().unwrap();
    let source = ContentSource::Path(content.path().into());
    let refresh = || index.reindex(&source, &ReindexOptions::default()).unwrap();
    let issue_paths = |r: &ReindexReport| {
        let mut paths: Vec<String> = r
            .issues
            .iter()
            .map(|i| i.path.display().to_string())
            .collect();
        paths.sort();
        paths
    };
    let r = refresh();
    assert_eq!(issue_paths(&r), vec!["bin.md", "empty.md", "latin1.txt"]);
    assert!(r.issues.iter().any(|i| i.message.contains("UTF-8")));
    assert_eq!(r.added, 2, "good.md and empty.md");
    assert_eq!(search(&index, "fine").total, 1);
    assert_eq!(search(&index, "secret").total, 0);
    assert_eq!(search(&index, "article").total, 0);

    // The next refresh tries the unreadable files again, and says so again
    // (the shortcut for unchanged content applies only when every file is
    // indexed), while the indexed ones are not read.
    let again = refresh();
    assert_eq!(issue_paths(&again), vec!["bin.md", "latin1.txt"]);
    assert_eq!((again.files_read, again.committed), (0, false));

    // Once fixed, the file is indexed, and the content is whole: from then
    // on an unchanged refresh reads nothing and reports nothing.
    fs::write(content.path().join("bin.md"), "# Bin\n\nNow text.\n").unwrap();
    fs::write(content.path().join("latin1.txt"), "café au lait\n").unwrap();
    let fixed = refresh();
    assert_eq!((fixed.added, fixed.issues.len()), (2, 0));
    let quiet = refresh();
    assert_eq!(
        (quiet.files_read, quiet.unchanged, quiet.committed),
        (0, 4, false)
    );
    assert!(quiet.issues.is_empty());
}

#[test]
fn missing_content_is_an_error() {
    let index = NeedleIndex::in_memory().unwrap();
    let err = index
        .reindex(
            &ContentSource::Path("/nonexistent/needle/content".into()),
            &ReindexOptions::default(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::ContentNotFound { .. }), "{err}");
}

#[test]
fn sunscreen_finds_the_spf_30_aftercare_passage_first() {
    let index = bundled_index();
    let r = search(&index, "sunscreen");
    assert_eq!(r.total, 2);
    let top = &r.hits[0];
    assert!(top.passage.text.contains("SPF 30"), "{}", top.passage.text);
    assert_eq!(top.passage.section, "Recovery And Aftercare");
    assert_eq!(highlighted(top), vec!["sunscreen"]);
}

#[test]
fn how_often_finds_the_4_6_weeks_answer() {
    let index = bundled_index();
    let r = search(&index, "how often");
    let pos = r
        .hits
        .iter()
        .position(|h| h.passage.text.contains("4-6 weeks between treatments"));
    assert!(
        pos.is_some_and(|p| p < 3),
        "{:?}",
        r.hits.iter().map(|h| &h.passage.id).collect::<Vec<_>>()
    );
}

#[test]
fn typo_matches_and_is_highlighted() {
    let index = bundled_index();
    let r = search(&index, "hyperpigmentaton");
    assert!(r.total >= 2);
    for hit in &r.hits {
        assert!(
            highlighted(hit).contains(&"hyperpigmentation".to_owned()),
            "{}",
            hit.passage.id
        );
    }
}

#[test]
fn prefix_matches_the_last_word() {
    let index = bundled_index();
    let r = search(&index, "colla");
    assert!(r.total >= 5, "{}", r.total);
    assert!(
        highlighted(&r.hits[0])
            .iter()
            .all(|w| w.starts_with("colla"))
    );
    // With a space after it, the word is complete: no prefix expansion.
    assert_eq!(search(&index, "colla ").total, 0);
}

#[test]
fn exact_beats_stemmed_beats_prefix_beats_typo() {
    let content = ContentSource::memory([
        ("a.md", "Typo: the sessoins went well.\n"),
        ("b.md", "Prefix: sessionsabc are odd words.\n"),
        ("c.md", "Stem: one session here.\n"),
        ("d.md", "Exact: many sessions here.\n"),
    ]);
    let index = NeedleIndex::in_memory().unwrap();
    index.reindex(&content, &ReindexOptions::default()).unwrap();
    let r = search(&index, "sessions");
    let order: Vec<&str> = r.hits.iter().map(|h| h.passage.article.as_str()).collect();
    assert_eq!(order, vec!["d", "c", "b", "a"]);
}

#[test]
fn more_matched_words_rank_first() {
    let index = bundled_index();
    let r = search(&index, "ice packs sunscreen");
    assert!(r.hits[0].passage.text.contains("ice packs"));
    assert!(r.hits[0].passage.text.contains("sunscreen"));
}

#[test]
fn phrase_requires_the_words_in_order() {
    let index = bundled_index();
    let r = search(&index, "\"cold compresses\"");
    assert_eq!(r.total, 2);
    let r = search(&index, "\"compresses cold\"");
    assert_eq!(r.total, 0);
}

#[test]
fn a_phrase_in_a_long_question_is_a_bonus_not_a_requirement() {
    let index = bundled_index();
    // Short: the phrase is required, and these words are not in this order.
    assert_eq!(search(&index, "\"compresses cold\" skin").total, 0);
    // A long question that quotes words (as a pasted paragraph may) still
    // finds passages, and the one with the phrase in order comes first.
    let r = search(
        &index,
        "what should patients apply after treatment \"cold compresses\" or ice packs",
    );
    assert!(r.total > 2, "{}", r.total);
    assert!(r.hits[0].passage.text.contains("cold compresses"));
    let r = search(
        &index,
        "what should patients apply after treatment \"compresses cold\" or ice packs",
    );
    assert!(r.total > 2, "{}", r.total);
}

#[test]
fn exclusion_removes_passages() {
    let index = bundled_index();
    let with = search(&index, "sunscreen").total;
    let without = search(&index, "sunscreen -spf");
    assert_eq!(without.total, with - 1);
    assert!(without.hits.iter().all(|h| !h.passage.text.contains("SPF")));
}

#[test]
fn topic_filter_in_request_and_in_query() {
    let index = bundled_index();
    let r = index
        .search(&SearchRequest::new("skin").topic("aftercare").limit(50))
        .unwrap();
    assert!(r.total > 0);
    assert!(
        r.hits
            .iter()
            .all(|h| h.passage.topics.contains(&"aftercare".to_owned()))
    );
    let typed = search(&index, "skin topic:aftercare");
    assert_eq!(typed.total, r.total);
    assert_eq!(typed.topics, vec!["aftercare"]);
    // An unknown topic in the request is an error that lists the known ones.
    let err = index
        .search(&SearchRequest::new("skin").topic("nope"))
        .unwrap_err();
    assert!(err.to_string().contains("side-effects"), "{err}");
    // In the query it simply matches nothing.
    assert_eq!(search(&index, "skin topic:nope").total, 0);
}

#[test]
fn topic_counts_follow_the_query() {
    let index = bundled_index();
    let r = index
        .search(
            &SearchRequest::new("sunscreen")
                .topic("aftercare")
                .count_topics(true),
        )
        .unwrap();
    let counts = r.topic_counts.unwrap();
    let get = |n: &str| counts.iter().find(|t| t.name == n).unwrap().count;
    assert_eq!(get("aftercare"), 1);
    assert_eq!(get("overview"), 1);
    assert_eq!(get("cost"), 0);
    assert_eq!(counts[0].name, "benefits", "rules order");
    let all = index.topics().unwrap();
    assert!(all.iter().map(|t| t.count).sum::<u64>() > 24);
}

#[test]
fn empty_query_browses_in_article_order() {
    let index = bundled_index();
    let r = index.search(&SearchRequest::new("").limit(100)).unwrap();
    assert_eq!(r.total, 24);
    let ordinals: Vec<u32> = r.hits.iter().map(|h| h.passage.ordinal).collect();
    assert_eq!(ordinals, (0..24).collect::<Vec<_>>());
    assert!(r.hits.iter().all(|h| h.highlights.is_empty()));
    let page = index
        .search(&SearchRequest::new("  ").offset(20).limit(10))
        .unwrap();
    assert_eq!(page.hits.len(), 4);
    assert_eq!(page.hits[0].rank, 21);
    let filtered = index
        .search(&SearchRequest::new("").topic("faq").limit(100))
        .unwrap();
    assert_eq!(filtered.total, 5);
}

#[test]
fn any_input_is_a_query() {
    let index = bundled_index();
    let long = "needle ".repeat(15_000);
    for q in [
        "\"unclosed",
        "-",
        "((",
        ")",
        ":",
        "topic:",
        "AND OR NOT",
        "the of and",
        "\u{0}\u{1b}[31m",
        "日本語 😀 \u{10FFFF}",
        "*",
        "a~2",
        "\"\"",
        long.as_str(),
        "-\"x y\"",
    ] {
        let r = index.search(&SearchRequest::new(q));
        assert!(r.is_ok(), "{q:?}: {r:?}");
    }
    assert!(
        search(&index, "the of and").total > 0,
        "stop words alone still search"
    );
}

#[test]
fn limit_zero_is_rejected() {
    let index = bundled_index();
    assert!(matches!(
        index.search(&SearchRequest::new("x").limit(0)),
        Err(Error::InvalidRequest(_))
    ));
}

#[test]
fn synonyms_find_other_words_ranked_below_typed_ones() {
    let files = ContentSource::memory([
        (
            "a.md",
            "## One\n\nThe pain was mild.\n\n## Two\n\nIt did not hurt at all.\n",
        ),
        ("synonyms.toml", "groups = [[\"hurt\", \"pain\"]]\n"),
    ]);
    let index = NeedleIndex::in_memory().unwrap();
    index.reindex(&files, &ReindexOptions::default()).unwrap();
    let r = search(&index, "hurt");
    assert_eq!(r.total, 2);
    assert_eq!(r.hits[0].passage.section, "Two");
    assert_eq!(highlighted(&r.hits[1]), vec!["pain"]);
}

#[test]
fn passages_found_through_a_synonym_are_ordered_by_bm25() {
    let files = ContentSource::memory([
        (
            "a.md",
            concat!(
                "## Swelling\n\nSome discomfort and swelling may follow, with redness, warmth and tenderness for a day or two afterwards.\n\n",
                "## Is it painful?\n\nPain is mild. Most feel little pain, and numbing cream keeps the pain low.\n\n",
                "## Typed\n\nDoes it hurt? A little.\n"
            ),
        ),
        (
            "synonyms.toml",
            "groups = [[\"hurt\", \"pain\", \"painful\", \"discomfort\"]]\n",
        ),
    ]);
    let index = NeedleIndex::in_memory().unwrap();
    index.reindex(&files, &ReindexOptions::default()).unwrap();
    let r = search(&index, "hurt");
    let sections: Vec<&str> = r.hits.iter().map(|h| h.passage.section.as_str()).collect();
    // The typed word first; then, among synonym matches, the passage about
    // pain before the one that mentions discomfort once, though it comes
    // later in the article.
    assert_eq!(sections, vec!["Typed", "Is it painful?", "Swelling"]);
}

/// An index of the bundled article on disk, closed.
fn bundled_on_disk() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let index = NeedleIndex::open(dir.path()).unwrap();
    index
        .reindex(&bundled(), &ReindexOptions::default())
        .unwrap();
    index.close().unwrap();
    dir
}

/// Rewrites the index's `meta.json` as if index format `version` had
/// written it, with `edit` applied too.
fn pretend_format(dir: &Path, version: u32, edit: impl Fn(String) -> String) {
    let meta_path = dir.join("meta.json");
    let meta = fs::read_to_string(&meta_path).unwrap();
    // The payload holds `\"needle\":N`, N the format this build writes.
    let key = "\\\"needle\\\":";
    let at = meta.find(key).expect("needle's format in the payload") + key.len();
    let digits = meta[at..].chars().take_while(char::is_ascii_digit).count();
    let current = &meta[at..at + digits];
    let old = edit(meta.replace(&format!("{key}{current}"), &format!("{key}{version}")));
    assert_ne!(meta, old, "the manifest is in the payload");
    fs::write(&meta_path, old).unwrap();
}

/// Opens an index another format wrote: it is rebuilt, and the next
/// reindex fills it again.
fn reopen_rebuilt(dir: &Path, reason: &str) {
    let index = NeedleIndex::open(dir).unwrap();
    assert!(index.rebuilt().unwrap().contains(reason));
    assert_eq!(index.passage_count(), 0);
    let r = index
        .reindex(&bundled(), &ReindexOptions::default())
        .unwrap();
    assert_eq!(r.added, 1);
    assert!(r.rebuilt.is_some());
}

#[test]
fn schema_version_change_rebuilds() {
    let dir = bundled_on_disk();
    pretend_format(dir.path(), 0, |meta| meta);
    reopen_rebuilt(dir.path(), "another version");
}

/// Guards: an index a watcher used (its `.watch` directory inside, with
/// its socket) is rebuilt when another format wrote it, not refused as a
/// directory of foreign files; the watcher's directory is left in place.
/// Before, every index `needle watch` had served failed to open after an
/// upgrade of its format.
#[test]
fn an_index_a_watcher_used_is_rebuilt_in_another_format() {
    let dir = bundled_on_disk();
    fs::create_dir(dir.path().join(".watch")).unwrap();
    fs::write(dir.path().join(".watch").join("sock"), "").unwrap();
    pretend_format(dir.path(), 6, |meta| meta);
    reopen_rebuilt(dir.path(), "index format 6");
    assert!(dir.path().join(WATCH_DIR).join("sock").exists());
    // A file of that name is not a watcher's directory: foreign.
    let other = tempfile::tempdir().unwrap();
    fs::write(other.path().join(".watch"), "notes").unwrap();
    let err = NeedleIndex::open(other.path()).unwrap_err();
    assert!(matches!(err, Error::NotAnIndex { .. }), "{err}");
}

/// Guards: an index that index format 3 wrote, whose list of source files
/// was JSON, is still recognised as needle's and rebuilt, not refused as a
/// directory of foreign files.
#[test]
fn an_index_with_a_json_list_of_sources_is_rebuilt() {
    let dir = bundled_on_disk();
    let [binary] = sources_files(dir.path()).try_into().unwrap();
    let json = binary.replace(".bin", ".json");
    fs::rename(dir.path().join(&binary), dir.path().join(&json)).unwrap();
    pretend_format(dir.path(), 3, |meta| meta.replace(&binary, &json));
    reopen_rebuilt(dir.path(), "index format 3");
    // The JSON list went with the old index; the new commit wrote its own.
    let [sources] = sources_files(dir.path()).try_into().unwrap();
    assert!(sources.ends_with(".bin"), "{sources}");
}

fn sources_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".needle-sources-"))
        .collect();
    names.sort();
    names
}

#[test]
fn the_list_of_sources_lives_beside_the_index_not_in_its_metadata() {
    let content = tempfile::tempdir().unwrap();
    let idx_dir = tempfile::tempdir().unwrap();
    let article_of = |i: usize| format!("# Title {i}\n\nA paragraph about apples number {i}.\n");
    for i in 0..50 {
        write(content.path(), &format!("a{i:02}.md"), &article_of(i));
    }
    let source = ContentSource::Path(content.path().into());
    let index = NeedleIndex::open(idx_dir.path()).unwrap();
    index.reindex(&source, &ReindexOptions::default()).unwrap();
    // meta.json holds the manifest a search needs, without the file list:
    // it does not grow with the number of files.
    let meta = fs::read_to_string(idx_dir.path().join("meta.json")).unwrap();
    assert!(!meta.contains("a07.md"), "{meta}");
    assert!(meta.contains(".needle-sources-"), "{meta}");
    assert_eq!(sources_files(idx_dir.path()).len(), 1);
    assert_eq!(index.articles().unwrap().len(), 50);

    // A commit of one file of 50 writes only its change, beside the list
    // of every file; the changes of the commit before stay for readers in
    // other processes, older ones go.
    for round in 0..3 {
        std::thread::sleep(std::time::Duration::from_millis(20));
        write(
            content.path(),
            "a00.md",
            &format!("# Title 0\n\nEdited {round}.\n"),
        );
        let r = index.reindex(&source, &ReindexOptions::default()).unwrap();
        assert_eq!((r.updated, r.files_read), (1, 1));
    }
    let names = sources_files(idx_dir.path());
    let changes = names.iter().filter(|n| n.ends_with(".changes.bin")).count();
    assert_eq!((names.len(), changes), (3, 2), "{names:?}");
    let articles = index.articles().unwrap();
    assert_eq!(articles.len(), 50);
    assert_eq!(articles[0].path, "a00.md");

    // Reopened, the index finds its list: nothing to read again.
    drop(index);
    let index = NeedleIndex::open(idx_dir.path()).unwrap();
    let again = index.reindex(&source, &ReindexOptions::default()).unwrap();
    assert_eq!((again.files_read, again.committed), (0, false));
}

#[test]
fn a_missing_list_of_sources_is_damage_that_force_repairs() {
    let content = tempfile::tempdir().unwrap();
    let idx_dir = tempfile::tempdir().unwrap();
    write(content.path(), "a.md", "# A\n\nAlpha apples.\n");
    let source = ContentSource::Path(content.path().into());
    {
        let index = NeedleIndex::open(idx_dir.path()).unwrap();
        index.reindex(&source, &ReindexOptions::default()).unwrap();
        index.close().unwrap();
    }
    for name in sources_files(idx_dir.path()) {
        fs::remove_file(idx_dir.path().join(name)).unwrap();
    }
    // A temporary file left by a crash is the index's own, not foreign.
    fs::write(idx_dir.path().join(".tmpAb12Cd"), "partial").unwrap();
    let err = NeedleIndex::open(idx_dir.path()).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains(".needle-sources-"), "{message}");
    assert!(message.contains("rebuild it from the content"), "{message}");
    let index = NeedleIndex::recreate(idx_dir.path()).unwrap();
    let r = index.reindex(&source, &ReindexOptions::forced()).unwrap();
    assert_eq!(r.added, 1);
    assert_eq!(search(&index, "apples").total, 1);
    assert!(!idx_dir.path().join(".tmpAb12Cd").exists());
}

#[test]
fn damaged_index_says_how_to_recover() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = NeedleIndex::open(dir.path()).unwrap();
        index
            .reindex(&bundled(), &ReindexOptions::default())
            .unwrap();
        index.close().unwrap();
    }
    fs::write(dir.path().join("meta.json"), "{ garbage").unwrap();
    let err = NeedleIndex::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(
        err.to_string().contains("rebuild it from the content"),
        "{err}"
    );
    let index = NeedleIndex::recreate(dir.path()).unwrap();
    index
        .reindex(&bundled(), &ReindexOptions::forced())
        .unwrap();
    assert_eq!(index.passage_count(), 24);
}

/// Three pages: one about Netlify (its subject), two that mention it often.
fn hosting_docs() -> NeedleIndex {
    let files = ContentSource::memory([
        (
            "deploy/netlify/index.md",
            "---\ntitle: Host on Netlify\ndescription: Deploy your site.\ntags: [hosting]\n---\n\nConnect your repository and push.\n\n## Build settings\n\nSet the build command.\n",
        ),
        (
            "providers.md",
            "# Providers\n\nNetlify, Netlify CLI and Netlify Drop: netlify is one of many.\n\nNetlify functions and netlify forms work with netlify.\n\nAlso netlify edge and netlify redirects.\n",
        ),
        (
            "faq.md",
            "# FAQ\n\nDoes it work on netlify? Yes, netlify works.\n",
        ),
    ]);
    let index = NeedleIndex::in_memory().unwrap();
    let report = index.reindex(&files, &ReindexOptions::default()).unwrap();
    assert!(report.issues.is_empty(), "{:?}", report.issues);
    index
}

#[test]
fn the_page_whose_title_names_the_query_comes_first() {
    let index = hosting_docs();
    let r = search(&index, "netlify");
    assert_eq!(r.hits[0].passage.article, "deploy/netlify");
    assert_eq!(r.hits[0].passage.title, "Host on Netlify");
    assert_eq!(
        r.hits[0].passage.description.as_deref(),
        Some("Deploy your site.")
    );
    // The description is the page's subject too.
    let r = search(&index, "deploy site");
    assert_eq!(r.hits[0].passage.article, "deploy/netlify");
}

#[test]
fn per_article_caps_and_group_orders_by_article() {
    let index = hosting_docs();
    let all = index
        .search(&SearchRequest::new("netlify").limit(20))
        .unwrap();
    let capped = index
        .search(&SearchRequest::new("netlify").limit(20).per_article(1))
        .unwrap();
    let articles: Vec<&str> = capped
        .hits
        .iter()
        .map(|h| h.passage.article.as_str())
        .collect();
    assert_eq!(articles, vec!["deploy/netlify", "providers", "faq"]);
    assert_eq!(
        capped
            .hits
            .iter()
            .map(|h| h.article_rank)
            .collect::<Vec<_>>(),
        vec![Some(1), Some(2), Some(3)]
    );
    assert_eq!(capped.total, all.total, "the total still counts passages");
    assert!(all.hits.iter().all(|h| h.article_rank.is_none()));

    // Grouped: the second page holds the second article and its passages.
    let grouped = index
        .search(&SearchRequest::new("netlify").group(true).limit(1).offset(1))
        .unwrap();
    assert!(!grouped.hits.is_empty());
    assert!(
        grouped
            .hits
            .iter()
            .all(|h| h.passage.article == "providers")
    );
    assert!(grouped.hits.iter().all(|h| h.article_rank == Some(2)));
    assert!(grouped.hits.len() <= GROUP_PASSAGES);
    // Within an article, best first, as in the plain ranking.
    let order: Vec<&str> = all
        .hits
        .iter()
        .filter(|h| h.passage.article == "providers")
        .take(GROUP_PASSAGES)
        .map(|h| h.passage.id.as_str())
        .collect();
    let grouped_order: Vec<&str> = grouped.hits.iter().map(|h| h.passage.id.as_str()).collect();
    assert_eq!(grouped_order, order);
}

#[test]
fn the_same_match_ranks_higher_in_prose_than_in_code() {
    let listing: String = (0..12).map(|i| format!("let retries_{i} = 3;\n")).collect();
    let text = format!(
        "# Config\n\n## Code\n\n```rust\n{listing}```\n\n## Prose\n\nSet retries to three.\n"
    );
    let index = NeedleIndex::in_memory().unwrap();
    index
        .reindex(
            &ContentSource::memory([("config.md", text.as_str())]),
            &ReindexOptions::default(),
        )
        .unwrap();
    let r = index
        .search(&SearchRequest::new("retries three").limit(5))
        .unwrap();
    assert_eq!(r.hits[0].passage.section, "Prose");
    // On a page whose title names the word, its prose comes first too: the
    // page's subject lifts prose, not code.
    let page = format!("---\ntitle: Retries\n---\n\nSet retries here.\n\n```\n{listing}```\n");
    let titled = NeedleIndex::in_memory().unwrap();
    titled
        .reindex(
            &ContentSource::memory([("retries.md", page.as_str())]),
            &ReindexOptions::default(),
        )
        .unwrap();
    let r = titled
        .search(&SearchRequest::new("retries").limit(5))
        .unwrap();
    assert_eq!(r.hits[0].passage.kind, PassageKind::Text);
    assert_eq!(r.hits[1].passage.kind, PassageKind::Code);
    assert_eq!(r.hits[1].passage.title, "Retries");
    let code = index
        .search(&SearchRequest::new("retries_4").limit(5))
        .unwrap();
    assert_eq!(code.hits[0].passage.kind, PassageKind::Code);
    assert!(code.hits[0].passage.text.starts_with("let retries_0 = 3;"));
}

#[test]
fn drafts_are_indexed_only_when_asked() {
    let files = ContentSource::memory([
        (
            "post.md",
            "---\ntitle: Soon\ndraft: true\n---\nUnreleased words.\n",
        ),
        ("live.md", "# Live\n\nPublished words.\n"),
    ]);
    let index = NeedleIndex::in_memory().unwrap();
    let report = index.reindex(&files, &ReindexOptions::default()).unwrap();
    assert!(report.issues.is_empty(), "{:?}", report.issues);
    assert_eq!(search(&index, "unreleased").total, 0);
    let with_drafts = ReindexOptions::default().drafts(true);
    index.reindex(&files, &with_drafts).unwrap();
    assert_eq!(search(&index, "unreleased").total, 1);
    // Turning drafts off again takes them out.
    index.reindex(&files, &ReindexOptions::default()).unwrap();
    assert_eq!(search(&index, "unreleased").total, 0);
}

#[test]
fn explain_names_each_words_match_and_its_bm25() {
    let content = ContentSource::memory([
        ("a.md", "# Care\n\nTypo: the sessoins went well.\n"),
        ("b.md", "# Care\n\nPrefix: sessionsabc are odd words.\n"),
        ("c.md", "# Care\n\nStem: one session here.\n"),
        (
            "d.md",
            "# Sessions\n\nExact: many sessions here, and collagen.\n",
        ),
    ]);
    let index = NeedleIndex::in_memory().unwrap();
    index.reindex(&content, &ReindexOptions::default()).unwrap();
    let r = index
        .search(&SearchRequest::new("sessions").limit(10).explain(true))
        .unwrap();
    let kinds: Vec<(&str, Option<MatchKind>, bool)> = r
        .hits
        .iter()
        .map(|h| {
            let e = h.explain.as_ref().unwrap();
            assert_eq!(e.ranking, RankingKind::Tiered);
            assert_eq!(e.score.to_bits(), h.score.to_bits());
            let w = &e.words[0];
            assert_eq!(w.word, "sessions");
            // The word's parts add up to the hit's score.
            assert_eq!(w.score.to_bits(), h.score.to_bits(), "{e:?}");
            (h.passage.article.as_str(), w.matched, w.subject)
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            // The page whose title names the word: exact, and its subject.
            ("d", Some(MatchKind::Exact), true),
            ("c", Some(MatchKind::Stem), false),
            ("b", Some(MatchKind::Prefix), false),
            ("a", Some(MatchKind::Typo), false),
        ]
    );
    let typo = &r.hits[3].explain.as_ref().unwrap().words[0];
    assert_eq!(typo.term.as_deref(), Some("sessoins"));
    assert_eq!(typo.field.as_deref(), Some("text_raw"));
    let prefix = &r.hits[2].explain.as_ref().unwrap().words[0];
    assert_eq!(prefix.term.as_deref(), Some("sessionsabc"));
    // The exact match scores BM25 in the text, its heading and the title.
    let exact = &r.hits[0].explain.as_ref().unwrap().words[0];
    let fields: Vec<&str> = exact.bm25.iter().map(|s| s.field.as_str()).collect();
    assert_eq!(fields, vec!["text", "section", "title"]);
    assert!(
        exact
            .bm25
            .iter()
            .all(|s| s.term == "session" && s.score > 0.0)
    );
    // Serialised with the hit, and only when asked for.
    let json = serde_json::to_value(&r.hits[3]).unwrap();
    assert_eq!(json["explain"]["words"][0]["matched"], "typo");
    assert_eq!(json["explain"]["ranking"], "tiered");
    let plain = search(&index, "sessions");
    assert!(plain.hits.iter().all(|h| h.explain.is_none()));
    assert!(
        serde_json::to_value(&plain.hits[0])
            .unwrap()
            .get("explain")
            .is_none()
    );
}

#[test]
fn explain_counts_words_matched_and_phrases() {
    let index = bundled_index();
    let r = index
        .search(&SearchRequest::new("ice packs sunscreen").explain(true))
        .unwrap();
    let e = r.hits[0].explain.as_ref().unwrap();
    assert_eq!(e.words.len(), 3);
    assert_eq!(e.words_matched, 3);
    let tiers: f32 = e.words.iter().map(|w| w.tier).sum();
    assert_eq!(e.tier, tiers);
    let r = index
        .search(&SearchRequest::new("\"ice packs\" swelling").explain(true))
        .unwrap();
    let e = r.hits[0].explain.as_ref().unwrap();
    assert_eq!(e.phrases.len(), 1);
    assert_eq!(e.phrases[0].phrase, "ice packs");
    assert!(e.phrases[0].matched && e.phrases[0].score > 0.0, "{e:?}");
    // Browsing has nothing to explain.
    let r = index.search(&SearchRequest::new("").explain(true)).unwrap();
    assert!(r.hits.iter().all(|h| h.explain.is_none()));
}

#[test]
fn explain_lists_the_feedback_terms_of_a_long_question() {
    let index = bundled_index();
    let q = "what should i put on my skin after a microneedling session to help it heal";
    let r = index.search(&SearchRequest::new(q).explain(true)).unwrap();
    let e = r.hits[0].explain.as_ref().unwrap();
    assert_eq!(e.ranking, RankingKind::NaturalLanguage);
    assert!(!e.feedback.is_empty(), "{e:?}");
    let ranking = Ranking::default();
    assert!(
        e.feedback
            .iter()
            .all(|t| t.weight > 0.0 && t.weight <= ranking.feedback_weight)
    );
    assert!(e.feedback.iter().any(|t| t.score > 0.0));
    assert!(e.words_matched > 0);
}

#[test]
fn topic_counts_come_with_the_total_without_the_filter() {
    let index = bundled_index();
    for q in ["skin", "\"the skin\"", ""] {
        let all = index.search(&SearchRequest::new(q)).unwrap();
        let filtered = index
            .search(&SearchRequest::new(q).topic("aftercare").count_topics(true))
            .unwrap();
        assert_eq!(filtered.unfiltered_total, Some(all.total), "{q:?}");
        assert!(filtered.total < all.total, "{q:?}");
        let plain = index
            .search(&SearchRequest::new(q).topic("aftercare"))
            .unwrap();
        assert_eq!(plain.unfiltered_total, None);
        assert_eq!(plain.total, filtered.total);
        assert_eq!(plain.hits, filtered.hits, "{q:?}");
    }
}
