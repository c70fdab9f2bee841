//! Rendering into ratatui's `TestBackend`, compared with `insta` snapshots
//! (under `src/tui/snapshots/`). Each state is built with a real in-memory index
//! and searched in place; timings are fixed by the harness.

use crossterm::event::{KeyCode, KeyModifiers};
use needle_index::ContentSource;
use ratatui::style::{Color, Modifier};

use crate::tui::action::Action;
use crate::tui::testing::{self, Harness};
use crate::tui::theme::Theme;

macro_rules! snapshot {
    ($name:expr, $harness:expr) => {
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!($name, $harness.screen());
        })
    };
}

/// An article with wide characters (CJK, emoji) and a very long word.
const WIDE: &str = "# 日本語のスキンケア 🌸

## アフターケア Aftercare 🧴

施術の後は日焼け止め sunscreen を毎日使ってください。SPF 30 以上 ☀️ がおすすめです。Wear sunscreen 🧴 every day, even when it is cloudy ☁️, and reapply it after swimming 🏊.

Supercalifragilisticexpialidocious-sunscreen-application-instructions-that-never-end-and-must-wrap and then normal words.

## 費用 Cost 💴

一回の施術は約 ¥20,000 です。Prices vary by clinic 💸.
";

const WIDE_TOPICS: &str = "[[topic]]
name = \"aftercare\"
label = \"アフターケア\"
headings = [\"aftercare\"]

[[topic]]
name = \"cost\"
label = \"Cost 💴\"
headings = [\"cost\"]
";

#[test]
fn search_with_preview_beside_100x30() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("sunscreen");
    snapshot!("search_beside_100x30", h);
}

#[test]
fn search_stacked_60x20() {
    let mut h = Harness::bundled(60, 20);
    h.type_text("sunscreen");
    snapshot!("search_stacked_60x20", h);
}

#[test]
fn short_terminal_has_no_preview_100x12() {
    let h = Harness::query(100, 12, "risk");
    snapshot!("search_list_only_100x12", h);
}

#[test]
fn too_small_30x8() {
    let h = Harness::bundled(30, 8);
    snapshot!("too_small_30x8", h);
}

#[test]
fn empty_query_browses_every_passage() {
    let h = Harness::bundled(100, 30);
    snapshot!("browse_empty_query_100x30", h);
}

#[test]
fn no_results() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("xylophone");
    snapshot!("no_results_100x30", h);
}

#[test]
fn filter_active_aftercare_tab() {
    let mut h = Harness::bundled(100, 30);
    for _ in 0..3 {
        h.press(KeyCode::Tab);
    }
    assert_eq!(h.app.filter.as_deref(), Some("aftercare"));
    snapshot!("filter_aftercare_100x30", h);
}

#[test]
fn filter_without_matches_says_where_they_are() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("sunscreen");
    h.press(KeyCode::Tab);
    snapshot!("filter_no_results_100x30", h);
}

#[test]
fn help_overlay() {
    let mut h = Harness::bundled(100, 30);
    h.press(KeyCode::F(1));
    snapshot!("help_100x30", h);
}

/// Guards that the help leaves out the mouse when the interface does not
/// take it (`--no-mouse`, `mouse = false`): the clicks and the wheel are
/// the terminal's then.
#[test]
fn help_overlay_without_the_mouse_leaves_it_out() {
    let mut h = Harness::bundled(100, 30);
    h.press(KeyCode::F(1));
    assert!(h.screen().contains("Mouse"), "{}", h.screen());
    let mut h = Harness::bundled(100, 30);
    h.app.mouse = false;
    h.press(KeyCode::F(1));
    let screen = h.screen();
    assert!(!screen.contains("Mouse"), "{screen}");
    assert!(!screen.contains("click"), "{screen}");
    assert!(screen.contains("Query language"), "{screen}");
    snapshot!("help_no_mouse_100x30", h);
}

#[test]
fn wide_characters() {
    let source = ContentSource::memory([("wide.md", WIDE), ("topics.toml", WIDE_TOPICS)]);
    let h = Harness::with(source, 100, 30, "sunscreen", None);
    assert!(!h.app.hits().is_empty());
    snapshot!("wide_characters_100x30", h);
}

#[test]
fn wide_characters_stacked() {
    let source = ContentSource::memory([("wide.md", WIDE), ("topics.toml", WIDE_TOPICS)]);
    let h = Harness::with(source, 47, 22, "sunscreen", None);
    snapshot!("wide_characters_47x22", h);
}

#[test]
fn status_line_after_a_reindex_and_after_an_error() {
    let mut h = Harness::query(100, 30, "spf");
    h.act(testing::reindexed(24));
    let screen = h.screen();
    let status = screen.lines().last().unwrap();
    assert!(status.contains("✓ reindexed 1 article, 9.0 ms"), "{status}");
    h.act(Action::ReindexDone(Err(
        "the index is being updated by another needle process".to_owned(),
    )));
    let screen = h.screen();
    let status = screen.lines().last().unwrap();
    assert!(
        status.contains("✗ reindex failed: the index is being"),
        "{status}"
    );
}

#[test]
fn the_second_match_is_current_after_alt_down() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("sunscreen");
    h.key(KeyCode::Down, KeyModifiers::ALT);
    let screen = h.screen();
    assert!(screen.contains("match 2/2"), "{screen}");
}

#[test]
fn selected_row_and_matches_are_marked_without_colour() {
    let mut h = Harness::bundled(100, 30);
    h.app.theme = Theme::mono();
    h.type_text("sunscreen");
    let terminal = h.draw();
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert_eq!(cell.fg, Color::Reset, "no colour under NO_COLOR: {cell:?}");
        assert_eq!(cell.bg, Color::Reset, "no colour under NO_COLOR: {cell:?}");
    }
    // The gutter marks the selection, and matches are reversed.
    let list = h.app.areas().list_inner;
    assert_eq!(buffer[(list.x, list.y)].symbol(), "▌");
    let screen = h.screen();
    let row = screen.lines().nth(usize::from(list.y) + 1).unwrap();
    let col = row.find("sunscreen").expect("the snippet shows the match");
    let x = u16::try_from(row[..col].chars().count() - 1).unwrap();
    let cell = &buffer[(x, list.y + 1)];
    assert!(cell.modifier.contains(Modifier::REVERSED), "{cell:?}");
}

#[test]
fn matches_are_highlighted_in_colour() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("sunscreen");
    let terminal = h.draw();
    let buffer = terminal.backend().buffer();
    let highlighted = buffer
        .content()
        .iter()
        .filter(|c| c.bg == Color::Yellow || c.bg == Color::LightMagenta)
        .count();
    // "sunscreen" twice and "SPF" once in the list, and both in the preview.
    assert!(highlighted >= 9 * 2 + 3, "{highlighted}");
}

#[test]
fn drawing_never_panics_at_any_size() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("skin");
    for help in [false, true] {
        h.app.help = help;
        for width in (0..=130).step_by(7) {
            for height in 0..=40 {
                h.app.update(Action::Resize { width, height });
                let _ = h.draw();
            }
        }
    }
}

/// A documentation folder: pages with front matter, one of them a long code
/// listing, so that hits come from several articles.
fn docs_folder() -> ContentSource {
    let listing: String = (1..=12)
        .map(|i| format!("deploy --site netlify --step {i}\n"))
        .collect();
    let netlify = format!(
        "---\ntitle: Host on Netlify\ndescription: Deploy your site with one click.\n---\n\nConnect your repository to Netlify and push.\n\n## Script\n\n```sh\n{listing}```\n"
    );
    ContentSource::memory([
        ("hosting/netlify.md".to_owned(), netlify),
        (
            "providers.md".to_owned(),
            "# Providers\n\nNetlify, Vercel and Pages all host static sites; netlify is one of many.\n\nNetlify also runs functions.\n".to_owned(),
        ),
    ])
}

#[test]
fn hits_from_several_articles_say_which_and_code_is_badged() {
    let mut h = Harness::with(docs_folder(), 100, 30, "netlify", None);
    assert!(h.app.several_articles());
    let screen = h.screen();
    assert!(screen.contains("Host on Netlify › Script"), "{screen}");
    assert!(screen.contains(" CODE "), "{screen}");
    snapshot!("several_articles_100x30", h);
    // Ctrl-G: one passage per article.
    h.ctrl('g');
    let articles: Vec<&str> = h
        .app
        .hits()
        .iter()
        .map(|hit| hit.passage.article.as_str())
        .collect();
    assert_eq!(articles, vec!["hosting/netlify", "providers"]);
    h.ctrl('g');
    assert!(h.app.hits().len() > 2);
}

/// Guards that the help shows the keys in effect: a key the config file
/// rebinds shows on its new action, and an unbound action is left out.
#[test]
fn help_overlay_shows_the_keys_as_the_config_file_rebinds_them() {
    use std::path::PathBuf;

    use crate::config::{KeySetting, Located, Place};
    use crate::tui::keys::KeyMap;

    let place = Place {
        path: PathBuf::from("config.toml"),
        line: 1,
        column: 1,
    };
    let setting = |action: &str, keys: &[&str]| KeySetting {
        action: Located::at(action.to_owned(), &place),
        keys: keys
            .iter()
            .map(|k| Located::at((*k).to_owned(), &place))
            .collect(),
    };
    let (keys, warnings) = KeyMap::from_config(&[
        setting("open", &["ctrl-e"]),
        setting("reindex", &[]),
        setting("accept", &["enter", "alt-enter"]),
    ])
    .unwrap();
    assert!(warnings.is_empty());
    let mut h = Harness::bundled(100, 40);
    h.app.keys = keys;
    h.press(KeyCode::F(1));
    let screen = h.screen();
    assert!(!screen.contains("reindex now"), "{screen}");
    assert!(screen.contains("Enter Alt-Enter"), "{screen}");
    snapshot!("help_rebound_100x40", h);
}

/// The light palette: the screen as text, and every style run (a
/// snapshot), and no text in the colours that do not read on white.
#[test]
fn the_light_theme_reads_on_a_light_background() {
    let mut h = Harness::bundled(100, 30);
    h.app.theme = Theme::light();
    h.type_text("sunscreen");
    let terminal = h.draw();
    let buffer = terminal.backend().buffer();
    let unreadable = [
        Color::Yellow,
        Color::LightYellow,
        Color::LightGreen,
        Color::LightMagenta,
        Color::LightCyan,
        Color::Cyan,
        Color::White,
        Color::Gray,
    ];
    for cell in buffer.content() {
        if cell.symbol().trim().is_empty() {
            continue;
        }
        assert!(
            !(cell.bg == Color::Reset && unreadable.contains(&cell.fg)),
            "text in {:?} on the terminal's light background: {cell:?}",
            cell.fg
        );
    }
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_debug_snapshot!("search_light_100x30", buffer);
    });
}
