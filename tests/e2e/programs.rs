//! Querying needle from programs: `needle get` and the batch requests of
//! `needle search --json -` (ids, per-line options, per-line errors).

use serde_json::Value;

use crate::util::Sandbox;

const CARE: &str = "# Skin care\n\nA guide to care.\n\n## Aftercare\n\nWear sunscreen with SPF 30 after every session.\n\nDrink water.\n\n## Cost\n\nA session costs about $200.\n";
const RISKS: &str =
    "# Risks\n\n## Potential Risks\n\nInfection and redness are possible side effects.\n";

pub fn sandbox() -> Sandbox {
    let s = Sandbox::new();
    s.write("care.md", CARE);
    s.write("guides/risks.md", RISKS);
    s.write(
        "topics.toml",
        "[[topic]]\nname = \"aftercare\"\nheadings = [\"aftercare\"]\n[[topic]]\nname = \"cost\"\nheadings = [\"cost\"]\n",
    );
    s
}

fn lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn get_prints_passages_with_neighbours_and_articles() {
    let s = sandbox();
    let hit = s.run(&["search", "--json", "sunscreen"]).code(0).json();
    let id = hit["hits"][0]["id"].as_str().unwrap().to_owned();

    let r = s.run(&["get", "--json", &id, "care"]);
    r.code(0);
    let got = lines(&r.stdout);
    assert_eq!(got.len(), 2, "{}", r.stdout);
    assert_eq!(got[0]["type"], "passage");
    assert_eq!(got[0]["passage"]["id"], id.as_str());
    assert_eq!(got[0]["passage"]["section"], "Aftercare");
    assert_eq!(got[0]["passage"]["kind"], "text");
    assert_eq!(got[0]["before"][0]["text"], "A guide to care.");
    assert_eq!(got[0]["after"][0]["text"], "Drink water.");
    assert_eq!(got[1]["type"], "article");
    assert_eq!(got[1]["id"], "care");
    assert_eq!(got[1]["title"], "Skin care");
    let texts: Vec<&str> = got[1]["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 4);
    assert_eq!(texts[3], "A session costs about $200.");

    let text = s.run(&["get", &id]);
    text.code(0);
    assert!(
        text.stdout.contains("> Skin care › Aftercare care:7"),
        "{}",
        text.stdout
    );
    let article = s.run(&["get", "guides/risks"]);
    article.code(0);
    assert!(article.stdout.starts_with("Risks (guides/risks)"));
    assert!(article.stdout.contains("## Potential Risks"));
}

#[test]
fn get_an_unknown_id_exits_1_and_goes_on() {
    let s = sandbox();
    let r = s.run(&["get", "--json", "nope#x.1", "care"]);
    r.code(1);
    let got = lines(&r.stdout);
    assert_eq!(got[0]["id"], "nope#x.1");
    assert!(
        got[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no passage or article")
    );
    assert_eq!(got[1]["id"], "care");
    let r = s.run(&["get", "nope"]);
    r.code(1);
    assert!(
        r.stderr
            .contains("no passage or article has the id \"nope\"")
    );
    assert!(r.stdout.is_empty());
}
