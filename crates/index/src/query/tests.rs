use super::distance::{osa_distance, prefix_distance, prefix_within};
use super::matcher::may_stem_to;
use super::parse::{Analyzers, Lexeme, MAX_WORDS, Plan, lex, parse, typo_budget};
use crate::synonyms::Synonyms;

fn plan(q: &str) -> Plan {
    parse(q, &mut Analyzers::new(), &Synonyms::default())
}

#[test]
fn lexer_reads_the_query_language() {
    assert_eq!(
        lex("a \"b c\" -d topic:Cost"),
        vec![
            Lexeme::Word("a".into()),
            Lexeme::Phrase("b c".into()),
            Lexeme::Exclude("d".into()),
            Lexeme::Topic("cost".into()),
        ]
    );
}

#[test]
fn malformed_input_is_read_leniently() {
    assert_eq!(
        lex("\"unclosed words"),
        vec![
            Lexeme::Word("unclosed".into()),
            Lexeme::Word("words".into())
        ]
    );
    assert!(lex(" - ").is_empty());
    let p = plan("((( : ] \"\" -");
    assert!(p.is_browse());
    let long = "word ".repeat(20_000);
    assert_eq!(plan(&long).words.len(), MAX_WORDS);
    let weird = plan("\u{0}\u{7}日本語 😀 \u{10FFFF} topic:");
    assert!(weird.words.iter().any(|w| w.raw == "日本語"));
}

#[test]
fn last_word_is_a_prefix_while_typing() {
    let p = plan("collagen produ");
    assert!(!p.words[0].prefix);
    assert!(p.words[1].prefix);
    assert!(!plan("collagen produ ").words[1].prefix);
    // Up to four words: a short query, typed.
    let p = plan("microneedling collagen acne produ");
    assert!(p.words[3].prefix);
    // Five words or more: a question, asked whole.
    let p = plan("does microneedling help collagen acne scars");
    assert!(p.words.iter().all(|w| !w.prefix), "{p:?}");
}

#[test]
fn stop_words_only_count_when_alone() {
    let p = plan("the often");
    assert!(!p.words[0].active);
    assert!(p.words[1].active);
    let p = plan("to the ");
    assert!(p.words.iter().all(|w| w.active));
}

#[test]
fn typo_budget_grows_with_length() {
    assert_eq!(typo_budget(4), 0);
    assert_eq!(typo_budget(5), 1);
    assert_eq!(typo_budget(9), 2);
    assert_eq!(plan("hyperpigmentaton ").words[0].typo, 2);
}

#[test]
fn edit_distances() {
    assert_eq!(osa_distance("hyperpigmentaton", "hyperpigmentation", 2), 1);
    assert_eq!(osa_distance("recieve", "receive", 2), 1);
    assert_eq!(osa_distance("abc", "abcdef", 2), 3);
    assert_eq!(prefix_distance("colagen", "collagenous"), 1);
    assert_eq!(prefix_distance("colla", "collagen"), 0);
    assert!(prefix_within("colagen", "collagenous", 1));
    assert!(!prefix_within("colagen", "col", 2));
    assert!(prefix_within("colagen", "colag", 2));
}

#[test]
fn words_start_with_most_of_their_stem() {
    let mut a = Analyzers::new();
    let words = "skies dying lying tying idly gently ugly early only singly news \
        generalizations relational conditional valencies hopefulness possibilities \
        sensibilities rationalizations hoping agreed cried capabilities organizational \
        microneedling needles treatments scarring pigmentation hyperpigmentation";
    for w in a.raw_words(words) {
        if let Some(stem) = a.stem_of(&w) {
            assert!(may_stem_to(&w, &stem), "{w} -> {stem}");
        }
    }
    assert!(!may_stem_to("treatment", "collagen"));
}

#[test]
fn a_word_standing_for_a_run_with_synonyms_is_a_frame() {
    let synonyms = Synonyms::from_toml(
        "groups = [[\"sun block\", \"sunscreen\"]]\n[one-way]\n\"how long\" = [\"weeks\", \"days\"]\n",
    )
    .unwrap();
    let frames = |q: &str| -> Vec<String> {
        parse(q, &mut Analyzers::new(), &synonyms)
            .words
            .iter()
            .filter(|w| w.frame)
            .map(|w| w.raw.clone())
            .collect()
    };
    // `how` is a stop word: `long` stands for "how long".
    assert_eq!(frames("how long does recovery take"), ["long"]);
    assert_eq!(frames("How long"), ["long"]);
    // Without the run, or with another word of its own, `long` is a word.
    assert!(frames("long recovery").is_empty());
    assert!(frames("how longer").is_empty());
    // A run of two words that both match ("sun block") is no frame.
    assert!(frames("sun block").is_empty());
}
