//! Key handling and state changes, without a terminal: keys go through the
//! key table to actions, actions change the state, and the searches they
//! queue run in place on a real in-memory index.
//!
//! Long (over 600 lines) because it is one table of behaviours of one
//! state machine, sharing its harness; editing keys are in
//! `tests_editing`.

use crossterm::event::{KeyCode, KeyModifiers};
use needle_index::ContentSource;

use super::*;
use crate::tui::action::{Action, ReindexSummary, SearchError};
use crate::tui::testing::{self, Harness};

/// The generations of the new searches among some effects.
fn generation_of(effects: &[Effect]) -> Vec<u64> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Search(SearchJob::New { generation, .. }) => Some(*generation),
            Effect::Search(SearchJob::Page { .. })
            | Effect::Reindex
            | Effect::Suspend
            | Effect::Open(_) => None,
        })
        .collect()
}

/// A failed search or page, as the worker answers it.
fn failure<T>(message: &str, unknown_topic: bool) -> Result<T, SearchError> {
    Err(SearchError {
        message: message.to_owned(),
        unknown_topic,
    })
}

/// Answers the search the last actions queued with a failure.
fn fail_search(h: &mut Harness, message: &str, unknown_topic: bool) {
    let generation = generation_of(&h.app.take_effects())[0];
    h.app.update(Action::SearchDone {
        generation,
        result: failure(message, unknown_topic),
    });
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
        crate::tui::worker::run_search(&h.index, &SearchRequest::new(query).count_topics(true))
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
    h.app.update(testing::reindexed(24));
    let effects = h.app.take_effects();
    assert_eq!(generation_of(&effects).len(), 1);
    // The passage moved to another rank in the new results.
    let Effect::Search(SearchJob::New {
        generation,
        request,
    }) = &effects[0]
    else {
        panic!()
    };
    let mut out = crate::tui::worker::run_search(&h.index, request).unwrap();
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
fn ctrl_z_asks_the_event_loop_to_suspend_and_changes_nothing_else() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("spf");
    h.app.update(Action::SelectNext);
    let before = (h.app.query.clone(), h.app.cursor, h.app.selected);
    h.app.update(Action::Suspend);
    // The suspension is the event loop's to do; no search, no exit.
    assert_eq!(h.app.take_effects(), [Effect::Suspend]);
    assert_eq!((h.app.query.clone(), h.app.cursor, h.app.selected), before);
    assert_eq!(h.app.outcome, None);
    // Through the key table, with the help open too (it stays open).
    h.ctrl('z');
    assert_eq!(h.suspended, 1);
    h.press(KeyCode::F(1));
    h.ctrl('z');
    assert_eq!(h.suspended, 2);
    assert!(h.app.help);
    assert_eq!(h.app.query, "spf");
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
    h.key(KeyCode::Up, KeyModifiers::ALT);
    h.key(KeyCode::Up, KeyModifiers::ALT);
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
    fail_search(&mut h, "unknown topic", true);
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
        crate::workspace::bundled(),
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

/// An article of `n` one-paragraph passages, every one matching `collagen`
/// and in the topic `notes`.
fn notes(n: usize) -> ContentSource {
    let mut article = "# Collagen\n\n## Notes\n\n".to_owned();
    for i in 1..=n {
        article.push_str(&format!("Note {i} on collagen and skin.\n\n"));
    }
    let topics = "[[topic]]\nname = \"notes\"\nlabel = \"Notes\"\nheadings = [\"notes\"]\n";
    ContentSource::memory([("collagen.md", article.as_str()), ("topics.toml", topics)])
}

/// Results for the paging tests: two pages and part of a third.
const N: usize = 2 * PAGE + PAGE / 2 + 5;

/// [`notes`] in a 100x30 terminal (8 results show): more than a page of
/// results when `n` is more than [`PAGE`].
fn many(n: usize, query: &str) -> Harness {
    let h = Harness::with(notes(n), 100, 30, query, None);
    assert_eq!(
        h.app.results.as_ref().unwrap().total,
        n,
        "one passage a note"
    );
    h
}

/// The page requests among some effects: (generation, offset, limit).
fn pages_of(effects: &[Effect]) -> Vec<(u64, usize, usize)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Search(SearchJob::Page {
                generation,
                request,
            }) => Some((*generation, request.offset, request.limit)),
            _ => None,
        })
        .collect()
}

/// The one page request the last actions queued: (generation, offset).
fn one_page(h: &mut Harness) -> (u64, usize) {
    let [(generation, offset, _)] = pages_of(&h.app.take_effects())[..] else {
        panic!("one page asked for")
    };
    (generation, offset)
}

/// Answers a page request as the worker would.
fn answer_page(h: &Harness, generation: u64, offset: usize) -> Action {
    let request = h.app.request.clone().offset(offset).limit(PAGE);
    Action::PageDone {
        generation,
        offset,
        result: crate::tui::worker::run_page(&h.index, &request).map(Box::new),
    }
}

#[test]
fn a_search_asks_for_one_page_and_shows_the_true_total() {
    let mut h = many(N, "");
    assert_eq!(h.app.page_size(), PAGE);
    assert_eq!(h.app.hits().len(), PAGE);
    assert!(h.app.take_effects().is_empty(), "no page asked for yet");
    // The counts are the whole query's, not the page's.
    assert_eq!(h.app.tabs()[0].count, Some(N as u64));
    let screen = h.screen();
    assert!(screen.contains(&format!("{N} passages")), "{screen}");
    assert!(screen.contains(&format!(" 1/{PAGE} of {N} ")), "{screen}");
    // Typing asks for a page of the new query, with the counts.
    h.app.update(Action::Insert('c'));
    let effects = h.app.take_effects();
    let Some(Effect::Search(SearchJob::New { request, .. })) = effects.last() else {
        panic!("{effects:?}")
    };
    assert_eq!((request.limit, request.offset), (PAGE, 0));
    assert!(request.count_topics);
}

#[test]
fn moving_near_the_end_of_the_loaded_hits_asks_for_the_next_page_once() {
    let mut h = many(N, "collagen");
    let generation = h.app.generation;
    let capacity = h.app.areas().list_capacity();
    // Down to two screens before the end of the page: nothing yet.
    for _ in 0..PAGE - 2 * capacity - 1 {
        h.app.update(Action::SelectNext);
    }
    assert!(h.app.take_effects().is_empty());
    // One more: the next page, for the same query, without the counts.
    h.app.update(Action::SelectNext);
    let effects = h.app.take_effects();
    assert_eq!(pages_of(&effects), [(generation, PAGE, PAGE)]);
    let Some(Effect::Search(SearchJob::Page { request, .. })) = effects.first() else {
        panic!()
    };
    assert_eq!(request.query, "collagen");
    assert!(!request.count_topics);
    // Moving on while it loads asks for nothing more, End and the wheel
    // included.
    h.app.update(Action::SelectNext);
    h.app.update(Action::PageDown);
    h.app.update(Action::SelectLast);
    h.app.update(Action::SelectLast);
    let list = h.app.areas().list_inner;
    h.app.update(Action::ScrollDown {
        column: list.x + 1,
        row: list.y + 1,
    });
    assert!(h.app.take_effects().is_empty());
    assert_eq!(h.app.selected, PAGE - 1, "at the end of what is loaded");
    // The page answers: appended; nothing more asked for until the
    // selection nears the new end.
    h.app.update(answer_page(&h, generation, PAGE));
    assert_eq!(h.app.hits().len(), 2 * PAGE);
    assert!(h.app.take_effects().is_empty());
    // End at the end of what is loaded asks for the rest.
    h.app.update(Action::SelectLast);
    assert_eq!(
        pages_of(&h.app.take_effects()),
        [(generation, 2 * PAGE, PAGE)]
    );
    h.app.update(answer_page(&h, generation, 2 * PAGE));
    assert_eq!(h.app.hits().len(), N);
    // All loaded: no more pages.
    h.key(KeyCode::End, KeyModifiers::CONTROL);
    assert_eq!(h.app.selected, N - 1);
    assert!(h.app.take_effects().is_empty());
    let ranks: Vec<usize> = h.app.hits().iter().map(|hit| hit.rank).collect();
    assert_eq!(ranks, (1..=N).collect::<Vec<_>>(), "in order, once each");
}

#[test]
fn selection_is_kept_when_a_page_is_appended() {
    let mut h = many(N, "");
    for _ in 0..PAGE - 10 {
        h.app.update(Action::SelectNext);
    }
    h.app.update(Action::NextMatch);
    let before = (
        h.app.selected,
        h.app.list_offset,
        h.app.preview_scroll,
        h.app.selected_hit().unwrap().passage.id.clone(),
    );
    let (generation, offset) = one_page(&mut h);
    h.app.update(answer_page(&h, generation, offset));
    assert_eq!(h.app.hits().len(), 2 * PAGE);
    let after = (
        h.app.selected,
        h.app.list_offset,
        h.app.preview_scroll,
        h.app.selected_hit().unwrap().passage.id.clone(),
    );
    assert_eq!(after, before);
    // The title counts what is loaded now; the status line the total still.
    let screen = h.screen();
    assert!(
        screen.contains(&format!(" {}/{} of {N} ", PAGE - 9, 2 * PAGE)),
        "{screen}"
    );
    assert!(screen.contains(&format!("{N} passages")), "{screen}");
}

#[test]
fn a_page_for_a_stale_query_or_topic_is_ignored() {
    let mut h = many(N, "collagen");
    h.app.update(Action::SelectLast);
    let (generation, offset) = one_page(&mut h);
    // The query changes before the page answers: it is for the old query.
    h.app.update(Action::Insert('s'));
    let page = answer_page(&h, generation, offset);
    h.app.update(page.clone());
    assert_eq!(h.app.hits().len(), PAGE, "the old page, not appended");
    h.run();
    assert_eq!(h.app.query, "collagens");
    // Nor once the new search has answered.
    h.app.update(page);
    assert_eq!(h.app.hits().len(), PAGE);
    assert_eq!(h.app.selected, 0);

    // The same for a topic change.
    let mut h = many(N, "collagen");
    h.app.update(Action::SelectLast);
    let (generation, offset) = one_page(&mut h);
    h.press(KeyCode::Tab);
    let hits = h.app.hits().len();
    h.app.update(answer_page(&h, generation, offset));
    assert_eq!(h.app.hits().len(), hits);

    // And for the index before a reindex that changed it.
    let mut h = many(N, "collagen");
    h.app.update(Action::SelectLast);
    let (generation, offset) = one_page(&mut h);
    h.app.update(testing::reindexed(N as u64));
    h.app.update(answer_page(&h, generation, offset));
    assert_eq!(h.app.hits().len(), PAGE);
    // A page for the current search but another place is ignored too.
    h.run();
    let loaded = h.app.hits().len();
    h.app.update(Action::SelectLast);
    let (generation, offset) = one_page(&mut h);
    assert_eq!(offset, loaded);
    h.app.update(answer_page(&h, generation, offset + 1));
    assert_eq!(h.app.hits().len(), loaded);
    h.app.update(answer_page(&h, generation, offset));
    assert_eq!(h.app.hits().len(), N);
}

#[test]
fn a_failed_or_empty_page_is_not_appended() {
    let mut h = many(N, "");
    h.app.update(Action::SelectLast);
    let (generation, offset) = one_page(&mut h);
    h.app.update(Action::PageDone {
        generation,
        offset,
        result: failure("the index is busy", false),
    });
    assert_eq!(h.app.hits().len(), PAGE);
    assert_eq!(h.app.search_error, None, "the results still show");
    // Asked for again when the selection moves.
    h.app.update(Action::SelectLast);
    assert_eq!(
        pages_of(&h.app.take_effects()),
        [(generation, offset, PAGE)]
    );
    // No more hits after all (the index changed): asked for no more.
    let mut empty = crate::tui::worker::run_page(&h.index, &h.app.request).unwrap();
    empty.hits.clear();
    h.app.update(Action::PageDone {
        generation,
        offset,
        result: Ok(Box::new(empty)),
    });
    h.app.update(Action::SelectLast);
    assert!(h.app.take_effects().is_empty());
    assert_eq!(h.app.hits().len(), PAGE);

    // After a failed search the older results show: no page of the new
    // query goes after them.
    let mut h = many(N, "");
    h.app.update(Action::Insert('c'));
    fail_search(&mut h, "the index is busy", false);
    h.app.update(Action::SelectLast);
    assert_eq!(h.app.selected, PAGE - 1);
    assert!(h.app.take_effects().is_empty());
}

#[test]
fn page_keys_and_the_wheel_scroll_through_every_page() {
    let mut h = many(N, "collagen");
    for _ in 0..20 {
        h.press(KeyCode::PageDown);
    }
    assert_eq!(h.app.hits().len(), N);
    assert_eq!(h.app.selected, N - 1);
    h.key(KeyCode::Home, KeyModifiers::CONTROL);
    assert_eq!(h.app.selected, 0);

    let mut h = many(N, "");
    let list = h.app.areas().list_inner;
    for _ in 0..2 * PAGE - 30 {
        h.act(Action::ScrollDown {
            column: list.x + 1,
            row: list.y + 1,
        });
    }
    assert_eq!(h.app.selected, 2 * PAGE - 30);
    assert_eq!(h.app.hits().len(), 2 * PAGE);
}

#[test]
fn enter_prints_a_hit_of_a_later_page() {
    let mut h = many(N, "");
    h.key(KeyCode::End, KeyModifiers::CONTROL);
    h.press(KeyCode::Down);
    assert_eq!(h.app.selected, PAGE);
    h.press(KeyCode::Enter);
    let Some(Outcome::Selected(hit)) = &h.app.outcome else {
        panic!("no selection: {:?}", h.app.outcome)
    };
    assert_eq!(hit.rank, PAGE + 1);
    assert_eq!(
        hit.passage.text,
        format!("Note {} on collagen and skin.", PAGE + 1)
    );
}

#[test]
fn a_refresh_reloads_the_pages_loaded_and_keeps_the_selection() {
    let mut h = many(N, "");
    h.key(KeyCode::End, KeyModifiers::CONTROL);
    for _ in 0..5 {
        h.press(KeyCode::Down);
    }
    assert_eq!(h.app.hits().len(), 2 * PAGE);
    let id = h.app.selected_hit().unwrap().passage.id.clone();
    h.app.update(testing::reindexed(N as u64));
    let effects = h.app.take_effects();
    let Some(Effect::Search(SearchJob::New { request, .. })) = effects.last() else {
        panic!("{effects:?}")
    };
    assert_eq!(request.limit, 2 * PAGE);
    h.app.update(Action::ReindexStarted);
    h.app.effects = effects;
    h.run();
    assert_eq!(h.app.selected, PAGE + 4);
    assert_eq!(h.app.selected_hit().unwrap().passage.id, id);
}

#[test]
fn a_tall_list_gets_a_bigger_first_page() {
    let mut h = Harness::with(notes(300), 100, 200, "", None);
    let capacity = h.app.areas().list_capacity();
    assert!(3 * capacity > PAGE, "{capacity}");
    assert_eq!(h.app.hits().len(), 3 * capacity);
    assert!(h.app.take_effects().is_empty());
    // Growing taller than the pages loaded asks for more.
    h.act(Action::Resize {
        width: 100,
        height: 500,
    });
    assert_eq!(h.app.hits().len(), 300);
}
