//! Markdown articles parsed with the bundled topic rules: markup stripped,
//! lists, tables, code, HTML, front matter, drafts, titles, line numbers.

use super::*;

fn parse(text: &str) -> (Article, Vec<ContentIssue>) {
    let mut issues = Vec::new();
    let rules = TopicRules::from_toml(include_str!("../../../../../content/topics.toml")).unwrap();
    let flavor = Flavor {
        mdx: false,
        drafts: false,
    };
    let a =
        parse_markdown("doc", "doc.md", text, &rules, flavor, &mut issues).expect("not a draft");
    (a, issues)
}

fn texts(a: &Article) -> Vec<&str> {
    a.passages.iter().map(|p| p.text.as_str()).collect()
}

#[test]
fn markup_is_stripped_words_kept() {
    let (a, _) = parse("# T\n\nSome *emphasis*, `code` and a [link](http://x) here.\n");
    assert_eq!(a.passages[0].text, "Some emphasis, code and a link here.");
    assert_eq!(a.title, "T");
}

#[test]
fn nested_lists_and_tables_and_code() {
    let (a, _) = parse(
        "## S\n\nSteps:\n\n1. one\n   - inner\n2. two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nlet x = 1;\n```\n",
    );
    let texts: Vec<&str> = a.passages.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "Steps:\n• one\n  • inner\n• two",
            "a | b\n1 | 2",
            "let x = 1;"
        ]
    );
    assert_eq!(a.passages[1].line, Some(9));
}

#[test]
fn html_text_is_kept_and_bad_front_matter_reported() {
    let (a, issues) = parse("+++\ntitle = \n+++\n\n<div>\nshown\n</div>\n\nVisible.\n");
    assert_eq!(texts(&a), vec!["shown", "Visible."]);
    assert_eq!(a.passages[0].line, Some(6));
    assert_eq!(issues.len(), 1);
    assert!(issues[0].message.contains("front matter"), "{issues:?}");
    assert_eq!(issues[0].line, Some(2));
}

#[test]
fn yaml_front_matter_gives_title_description_topics_url() {
    let (a, issues) = parse(
        "---\ntitle: Host on Netlify\ndescription: One click.\ntags: [hosting]\npermalink: /docs/netlify/\nlayout: docs\n---\n\nDeploy it.\n",
    );
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(a.title, "Host on Netlify");
    assert_eq!(a.description.as_deref(), Some("One click."));
    assert_eq!(a.url.as_deref(), Some("/docs/netlify/"));
    let p = &a.passages[0];
    assert_eq!(p.text, "Deploy it.");
    assert_eq!(p.line, Some(9));
    assert_eq!(p.topics, vec!["overview", "hosting"]);
    assert_eq!(p.description.as_deref(), Some("One click."));
}

#[test]
fn invalid_yaml_is_one_warning_and_the_body_indexes() {
    let (a, issues) = parse("---\ntitle: [unclosed\n---\n# Real title\n\nBody.\n");
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(issues[0].message.contains("YAML"), "{issues:?}");
    assert_eq!(a.title, "Real title");
    assert_eq!(texts(&a), vec!["Body."]);
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let text = "---\ntitle: Soon\ndraft: true\n---\nText.\n";
    let rules = TopicRules::default();
    let mut issues = Vec::new();
    let mut flavor = Flavor {
        mdx: false,
        drafts: false,
    };
    assert!(parse_markdown("d", "d.md", text, &rules, flavor, &mut issues).is_none());
    flavor.drafts = true;
    let a = parse_markdown("d", "d.md", text, &rules, flavor, &mut issues).unwrap();
    assert_eq!(a.title, "Soon");
    assert!(issues.is_empty());
}

#[test]
fn the_title_falls_back_to_a_readable_file_name() {
    let rules = TopicRules::default();
    let flavor = Flavor {
        mdx: false,
        drafts: false,
    };
    let a = parse_markdown(
        "deploy/host-on-netlify",
        "x.md",
        "Text.\n",
        &rules,
        flavor,
        &mut Vec::new(),
    )
    .unwrap();
    assert_eq!(a.title, "Host on netlify");
}

#[test]
fn comments_scripts_and_tags_are_dropped_their_text_kept() {
    let (a, _) = parse(
        "<!-- md:version 9.0 -->\n\nSome <span class=\"x\">marked</span> word<br>here <!-- inline -->now.\n\n<script>\nvar x = 1;\n</script>\n\n<div class=\"note\">\n  <h5>Tip</h5>\n  <p>Use &amp; enjoy.</p>\n</div>\n",
    );
    assert_eq!(
        texts(&a),
        vec!["Some marked word here now.", "Tip", "Use & enjoy."]
    );
}

#[test]
fn broken_reference_links_keep_their_text_and_footnote_markers_go() {
    let (a, _) = parse(
        "See the [tags plugin][tags] and [this][].\n\nA claim.[^1]\n\n[^1]: The source.\n\n[used]: http://x\n",
    );
    assert_eq!(
        texts(&a),
        vec!["See the tags plugin and this.", "A claim.", "The source."]
    );
}

#[test]
fn short_code_joins_its_paragraph_and_long_code_stands_alone() {
    let long: String = (1..=12).map(|i| format!("line {i}\n")).collect();
    let (a, _) = parse(&format!(
        "## S\n\nAdd this:\n\n```yaml\ntheme: x\n```\n\nThe listing:\n\n```\n{long}```\n"
    ));
    assert_eq!(a.passages.len(), 3);
    assert_eq!(a.passages[0].text, "Add this:\ntheme: x");
    assert_eq!(a.passages[0].kind, crate::content::PassageKind::Text);
    assert_eq!(a.passages[1].text, "The listing:");
    assert_eq!(a.passages[2].kind, crate::content::PassageKind::Code);
    assert!(a.passages[2].text.starts_with("line 1\nline 2"));
    assert_eq!(a.passages[2].line, Some(11));
}

#[test]
fn html_paragraphs_count_lines() {
    let out = html_paragraphs("<p>one\ntwo</p>\n<p>three &#x2014; &#39;x&#39;</p>");
    assert_eq!(
        out,
        vec![
            (0, "one two".to_owned()),
            (2, "three \u{2014} 'x'".to_owned())
        ]
    );
}

#[test]
fn front_matter_sets_title_and_section_topics() {
    let (a, issues) = parse(
        "+++\ntitle = \"Guide\"\ntopics = [\"extra\"]\n[sections]\n\"Prices\" = [\"cost\"]\n+++\n\n## Prices\n\nCheap.\n\n## Risks\n\nSome.\n",
    );
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(a.title, "Guide");
    assert_eq!(a.passages[0].topics, vec!["cost", "extra"]);
    assert_eq!(a.passages[1].topics, vec!["side-effects", "extra"]);
}

#[test]
fn a_page_without_a_top_heading_takes_its_first_heading_as_title() {
    let (a, _) = parse("###### Deep\n\nText.\n\n# Later\n\nMore.\n");
    assert_eq!(a.title, "Deep");
    assert_eq!(a.passages[0].section, "Deep");
    assert_eq!(a.passages[1].heading_path, vec!["Later"]);
    // Text before any heading: the file name, made readable.
    let (a, _) = parse("Text first.\n\n## Later\n\nMore.\n");
    assert_eq!(a.title, "Doc");
}

#[test]
fn lines_map_offsets() {
    let l = Lines::new("a\nbc\n\nd");
    assert_eq!(l.line_of(0), 1);
    assert_eq!(l.line_of(2), 2);
    assert_eq!(l.line_of(5), 3);
    assert_eq!(l.line_of(6), 4);
}
