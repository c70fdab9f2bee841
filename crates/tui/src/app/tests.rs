//! Key handling and state changes, without a terminal: keys go through the
//! key table to actions, actions change the state, and the searches they
//! queue run in place on a real in-memory index.

use crossterm::event::{KeyCode, KeyModifiers};

use super::*;
use crate::action::{Action, ReindexSummary, SearchError};
use crate::testing::Harness;

fn generation_of(effects: &[Effect]) -> Vec<u64> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Search { generation, .. } => Some(*generation),
            Effect::Reindex => None,
        })
        .collect()
}

#[test]
fn a_new_app_queues_its_first_search() {
    let mut h = Harness::bundled(100, 30);
    // The harness ran it: every passage, in article order.
    assert_eq!(h.app.hits().len(), 24);
    assert_eq!(h.app.hits()[0].passage.ordinal, 0);
    assert!(!h.app.searching());
    assert!(h.app.take_effects().is_empty());
}

#[test]
fn typing_edits_the_query_and_searches_each_time() {
    let mut h = Harness::bundled(100, 30);
    h.app.update(Action::Insert('s'));
    h.app.update(Action::Insert('p'));
    h.app.update(Action::Insert('f'));
    assert_eq!(h.app.query, "spf");
    assert_eq!(h.app.cursor, 3);
    // One search per keystroke, newest last; the worker runs only the last.
    let effects = h.app.take_effects();
    assert_eq!(generation_of(&effects), [2, 3, 4]);
    assert!(h.app.searching());
}

#[test]
fn typed_query_finds_the_spf_passage() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("sunscreen");
    let hit = h.app.selected_hit().expect("a hit");
    assert!(hit.passage.text.contains("SPF 30"), "{}", hit.passage.text);
    assert_eq!(h.app.selected, 0);
}

#[test]
fn cursor_moves_and_edits_in_the_middle() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("skn care");
    for _ in 0..6 {
        h.press(KeyCode::Left);
    }
    assert_eq!(h.app.cursor, 2);
    h.type_text("i");
    assert_eq!(h.app.query, "skin care");
    h.press(KeyCode::End);
    assert_eq!(h.app.cursor, 9);
    h.press(KeyCode::Home);
    assert_eq!(h.app.cursor, 0);
    h.press(KeyCode::Delete);
    assert_eq!(h.app.query, "kin care");
    h.press(KeyCode::Right);
    h.press(KeyCode::Backspace);
    assert_eq!(h.app.query, "in care");
    assert_eq!(h.app.cursor, 0);
    // Backspace at the start changes nothing and searches nothing.
    h.press(KeyCode::Backspace);
    assert_eq!(h.app.query, "in care");
    assert!(h.app.take_effects().is_empty());
}

#[test]
fn cursor_moves_over_multibyte_characters() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("café日本");
    h.press(KeyCode::Left);
    h.press(KeyCode::Left);
    h.press(KeyCode::Backspace);
    assert_eq!(h.app.query, "caf日本");
    h.key(KeyCode::Right, KeyModifiers::CONTROL);
    assert_eq!(h.app.cursor, h.app.query.len());
}

#[test]
fn ctrl_w_deletes_the_word_before_the_cursor() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("wear sunscreen  ");
    h.ctrl('w');
    assert_eq!(h.app.query, "wear ");
    h.ctrl('w');
    assert_eq!(h.app.query, "");
    h.type_text("a b c");
    h.press(KeyCode::Left);
    h.press(KeyCode::Left);
    h.ctrl('w');
    assert_eq!(h.app.query, "a  c");
    assert_eq!(h.app.cursor, 2);
}

#[test]
fn ctrl_u_clears_the_query() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("sunscreen spf");
    h.ctrl('u');
    assert_eq!(h.app.query, "");
    assert_eq!(h.app.cursor, 0);
    // Back to browsing every passage.
    assert_eq!(h.app.hits().len(), 24);
}

#[test]
fn paste_inserts_text_with_newlines_as_spaces() {
    let mut h = Harness::bundled(100, 30);
    h.act(Action::Paste("side\neffects".to_owned()));
    assert_eq!(h.app.query, "side effects");
}

#[test]
fn selection_moves_and_clamps_to_the_results() {
    let mut h = Harness::bundled(100, 30);
    h.press(KeyCode::Up);
    assert_eq!(h.app.selected, 0);
    h.press(KeyCode::Down);
    h.ctrl('n');
    assert_eq!(h.app.selected, 2);
    h.ctrl('p');
    assert_eq!(h.app.selected, 1);
    for _ in 0..50 {
        h.press(KeyCode::Down);
    }
    assert_eq!(h.app.selected, 23);
    // The list scrolled to keep the selection in view.
    let capacity = h.app.areas().list_capacity();
    assert_eq!(h.app.list_offset, 24 - capacity);
}

#[test]
fn page_keys_move_by_what_the_list_shows() {
    let mut h = Harness::bundled(100, 30);
    let page = h.app.areas().list_capacity();
    assert_eq!(page, 8, "25 rows of 3-row items");
    h.press(KeyCode::PageDown);
    assert_eq!(h.app.selected, page);
    assert_eq!(h.app.list_offset, 1);
    h.press(KeyCode::PageUp);
    assert_eq!(h.app.selected, 0);
    assert_eq!(h.app.list_offset, 0);
}

#[test]
fn a_new_query_selects_the_first_result() {
    let mut h = Harness::bundled(100, 30);
    h.press(KeyCode::Down);
    h.press(KeyCode::Down);
    h.type_text("skin");
    assert_eq!(h.app.selected, 0);
    assert_eq!(h.app.list_offset, 0);
}

#[test]
fn tab_cycles_the_topics_and_wraps() {
    let mut h = Harness::bundled(100, 30);
    let names: Vec<&str> = h.app.topics.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names[..3],
        ["benefits", "side-effects", "aftercare"],
        "the index's display order"
    );
    h.press(KeyCode::Tab);
    assert_eq!(h.app.filter.as_deref(), Some("benefits"));
    assert_eq!(h.app.active_tab(), 1);
    assert!(
        h.app
            .hits()
            .iter()
            .all(|hit| hit.passage.topics.contains(&"benefits".to_owned()))
    );
    h.key(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(h.app.filter, None);
    h.key(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(
        h.app.active_tab(),
        h.app.topics.len(),
        "wrapped to the last tab"
    );
    h.press(KeyCode::Tab);
    assert_eq!(h.app.active_tab(), 0, "and back to All");
}

#[test]
fn tabs_count_the_query_in_every_topic() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("sunscreen");
    let tabs = h.app.tabs();
    assert_eq!(tabs[0].label, "All");
    assert_eq!(tabs[0].count, Some(2));
    let aftercare = tabs.iter().find(|t| t.label == "Aftercare").unwrap();
    assert_eq!(aftercare.count, Some(1));
    // Filtering keeps the All count of the whole query.
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    assert_eq!(h.app.filter.as_deref(), Some("aftercare"));
    assert_eq!(h.app.hits().len(), 1);
    assert_eq!(h.app.tabs()[0].count, Some(2));
}

#[test]
fn a_stale_search_result_is_dropped() {
    let mut h = Harness::bundled(100, 30);
    h.app.update(Action::Insert('x'));
    h.app.update(Action::Insert('y'));
    let effects = h.app.take_effects();
    let [old, new] = generation_of(&effects)[..] else {
        panic!("two searches: {effects:?}")
    };
    let answer = |query: &str| {
        crate::worker::run_search(&h.index, &SearchRequest::new(query).count_topics(true))
            .map(Box::new)
    };
    let newer = answer("sunscreen");
    let older = answer("");
    h.app.update(Action::SearchDone {
        generation: new,
        result: newer,
    });
    assert_eq!(h.app.hits().len(), 2);
    // The older search answers late: it must not replace the newer results.
    h.app.update(Action::SearchDone {
        generation: old,
        result: older.clone(),
    });
    assert_eq!(h.app.hits().len(), 2);
    assert!(!h.app.searching());
    // Nor does an answer to an older request while a newer one runs.
    h.app.update(Action::Insert('z'));
    h.app.update(Action::SearchDone {
        generation: new,
        result: older,
    });
    assert_eq!(h.app.hits().len(), 2);
    assert!(h.app.searching());
}

#[test]
fn a_refresh_keeps_the_selected_passage_selected() {
    let mut h = Harness::bundled(100, 30);
    for _ in 0..5 {
        h.press(KeyCode::Down);
    }
    let id = h.app.selected_hit().unwrap().passage.id.clone();
    // A reindex that changed the index searches again, keeping the passage.
    h.app.update(Action::ReindexStarted);
    assert!(h.app.index.busy);
    h.app.update(Action::ReindexDone(Ok(ReindexSummary {
        changed_articles: 1,
        first: false,
        committed: true,
        passages: 24,
        took_ms: 9.0,
        issues: Vec::new(),
    })));
    let effects = h.app.take_effects();
    assert_eq!(generation_of(&effects).len(), 1);
    // The passage moved to another rank in the new results.
    let Effect::Search {
        generation,
        request,
    } = &effects[0]
    else {
        panic!()
    };
    let mut out = crate::worker::run_search(&h.index, request).unwrap();
    out.results.hits.rotate_left(3);
    h.app.update(Action::SearchDone {
        generation: *generation,
        result: Ok(Box::new(out)),
    });
    assert_eq!(h.app.selected_hit().unwrap().passage.id, id);
    assert_eq!(h.app.selected, 2);
    assert_eq!(
        h.app.index.last,
        LastReindex::Changed {
            articles: 1,
            took_ms: 9.0,
            first: false
        }
    );
}

#[test]
fn a_reindex_that_changes_nothing_does_not_search_again() {
    let mut h = Harness::bundled(100, 30);
    h.ctrl('r');
    assert_eq!(h.app.index.last, LastReindex::UpToDate);
    assert!(!h.app.index.busy);
    assert!(h.app.take_effects().is_empty());
}

#[test]
fn a_reindex_error_stays_until_a_reindex_succeeds() {
    let mut h = Harness::bundled(100, 30);
    h.act(Action::ReindexDone(Err("the index is locked".to_owned())));
    assert_eq!(h.app.index.error.as_deref(), Some("the index is locked"));
    // Searching goes on with the last good index.
    h.type_text("spf");
    assert!(!h.app.hits().is_empty());
    assert!(h.app.index.error.is_some());
    h.ctrl('r');
    assert_eq!(h.app.index.error, None);
}

#[test]
fn content_issues_show_as_a_warning() {
    let mut h = Harness::bundled(100, 30);
    h.act(Action::ReindexDone(Ok(ReindexSummary {
        changed_articles: 0,
        first: false,
        committed: false,
        passages: 24,
        took_ms: 1.0,
        issues: vec!["a.md: cannot read".to_owned(), "b.md: not UTF-8".to_owned()],
    })));
    assert_eq!(
        h.app.index.warning.as_deref(),
        Some("a.md: cannot read (and 1 more)")
    );
}

#[test]
fn help_opens_with_f1_or_question_mark_on_an_empty_query() {
    let mut h = Harness::bundled(100, 30);
    h.press(KeyCode::Char('?'));
    assert!(h.app.help);
    // While it shows, typing does nothing and Esc closes it (without quitting).
    h.press(KeyCode::Char('x'));
    assert_eq!(h.app.query, "");
    h.press(KeyCode::Esc);
    assert!(!h.app.help);
    assert_eq!(h.app.outcome, None);
    // With a query, `?` is just a character; F1 still opens the help.
    h.type_text("why?");
    assert_eq!(h.app.query, "why?");
    assert!(!h.app.help);
    h.press(KeyCode::F(1));
    assert!(h.app.help);
    h.press(KeyCode::F(1));
    assert!(!h.app.help);
}

#[test]
fn help_scrolls_with_the_arrows() {
    let mut h = Harness::bundled(100, 20);
    h.press(KeyCode::F(1));
    h.press(KeyCode::Down);
    h.press(KeyCode::Down);
    assert_eq!(h.app.help_scroll, 2);
    assert_eq!(h.app.selected, 0, "the results did not move");
    h.press(KeyCode::Up);
    assert_eq!(h.app.help_scroll, 1);
}

#[test]
fn enter_selects_the_passage() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("sunscreen");
    h.press(KeyCode::Enter);
    let Some(Outcome::Selected(hit)) = &h.app.outcome else {
        panic!("no selection: {:?}", h.app.outcome)
    };
    assert!(
        hit.passage
            .text
            .starts_with("After the microneedling procedure")
    );
    assert_eq!(hit.rank, 1);
}

#[test]
fn enter_without_results_does_nothing() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("xylophone");
    assert!(h.app.hits().is_empty());
    h.press(KeyCode::Enter);
    assert_eq!(h.app.outcome, None);
}

#[test]
fn esc_and_ctrl_c_cancel() {
    let mut h = Harness::bundled(100, 30);
    h.press(KeyCode::Esc);
    assert_eq!(h.app.outcome, Some(Outcome::Cancelled));
    let mut h = Harness::bundled(100, 30);
    h.type_text("spf");
    h.ctrl('c');
    assert_eq!(h.app.outcome, Some(Outcome::Cancelled));
}

#[test]
fn match_keys_jump_between_matches_and_scroll_the_preview() {
    // A short terminal: the preview shows a few lines of a long passage.
    let mut h = Harness::bundled(90, 16);
    h.type_text("skin");
    let matches = h.app.selected_hit().unwrap().highlights.len();
    assert!(matches >= 2, "{matches}");
    assert_eq!(h.app.current_match, 0);
    h.key(KeyCode::Down, KeyModifiers::ALT);
    assert_eq!(h.app.current_match, 1);
    let preview = h.app.preview_text().unwrap();
    let line = preview.match_line(1).unwrap();
    let height = usize::from(h.app.areas().preview_body.height);
    assert!(
        (h.app.preview_scroll..h.app.preview_scroll + height).contains(&line),
        "match on line {line} shows from {}",
        h.app.preview_scroll
    );
    // Backwards from the first wraps to the last.
    h.ctrl('k');
    h.ctrl('k');
    assert_eq!(h.app.current_match, matches - 1);
}

#[test]
fn preview_scrolls_within_the_passage() {
    let mut h = Harness::bundled(90, 16);
    h.key(KeyCode::Down, KeyModifiers::SHIFT);
    h.key(KeyCode::Down, KeyModifiers::SHIFT);
    assert_eq!(h.app.preview_scroll, 2);
    for _ in 0..100 {
        h.key(KeyCode::Down, KeyModifiers::SHIFT);
    }
    let lines = h.app.preview_text().unwrap().lines.len();
    let height = usize::from(h.app.areas().preview_body.height);
    assert_eq!(h.app.preview_scroll, lines - height);
    h.key(KeyCode::PageUp, KeyModifiers::ALT);
    assert!(h.app.preview_scroll < lines - height);
    // Another result starts at the top again.
    h.press(KeyCode::Down);
    assert_eq!(h.app.preview_scroll, 0);
}

#[test]
fn mouse_clicks_select_results_and_tabs() {
    let mut h = Harness::bundled(100, 30);
    let list = h.app.areas().list_inner;
    // The third item: rows 6 to 8 of the list.
    h.act(Action::Click {
        column: list.x + 3,
        row: list.y + 7,
    });
    assert_eq!(h.app.selected, 2);
    // The wheel moves the selection over the list.
    h.act(Action::ScrollDown {
        column: list.x + 3,
        row: list.y,
    });
    assert_eq!(h.app.selected, 3);
    // A click on the Aftercare tab.
    let texts: Vec<String> = h.app.tabs().iter().map(Tab::text).collect();
    let (cells, _, _) = layout::tab_cells(&texts, 0, h.app.areas().tabs);
    let aftercare = cells
        .iter()
        .find(|c| texts[c.index].contains("Aftercare"))
        .unwrap();
    h.act(Action::Click {
        column: aftercare.x + 1,
        row: h.app.areas().tabs.y,
    });
    assert_eq!(h.app.filter.as_deref(), Some("aftercare"));
}

#[test]
fn a_topic_that_disappears_resets_the_filter() {
    let mut h = Harness::bundled(100, 30);
    h.press(KeyCode::Tab);
    h.app.update(Action::Insert('a'));
    let generation = generation_of(&h.app.take_effects())[0];
    h.app.update(Action::SearchDone {
        generation,
        result: Err(SearchError {
            message: "unknown topic".to_owned(),
            unknown_topic: true,
        }),
    });
    assert_eq!(h.app.filter, None);
    h.run();
    assert!(h.app.search_error.is_none());
}

#[test]
fn resizing_keeps_the_selection_in_view() {
    let mut h = Harness::bundled(100, 30);
    for _ in 0..7 {
        h.press(KeyCode::Down);
    }
    assert_eq!(h.app.list_offset, 0);
    h.act(Action::Resize {
        width: 60,
        height: 20,
    });
    let capacity = h.app.areas().list_capacity();
    assert!(h.app.list_offset + capacity > 7);
    assert!(h.app.list_offset <= 7);
}

#[test]
fn a_starting_query_and_topic_apply_at_once() {
    let h = Harness::with(
        crate::location::bundled(),
        100,
        30,
        "skin",
        Some("aftercare"),
    );
    assert_eq!(h.app.cursor, 4);
    assert_eq!(h.app.tabs()[h.app.active_tab()].label, "Aftercare");
    assert!(!h.app.hits().is_empty());
    assert!(
        h.app
            .hits()
            .iter()
            .all(|hit| hit.passage.topics.contains(&"aftercare".to_owned()))
    );
}
