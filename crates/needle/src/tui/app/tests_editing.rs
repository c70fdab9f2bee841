//! The query line's readline keys (cut and paste back), the history of
//! queries, and opening a passage in the editor, through the key table on
//! a real in-memory index.

use crossterm::event::{KeyCode, KeyModifiers};

use crate::tui::testing::Harness;

fn alt(h: &mut Harness, c: char) {
    h.key(KeyCode::Char(c), KeyModifiers::ALT);
}

fn ctrl_key(h: &mut Harness, code: KeyCode) {
    h.key(code, KeyModifiers::CONTROL);
}

#[test]
fn ctrl_b_and_ctrl_f_move_and_ctrl_d_deletes_under_the_cursor() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("sunscreen");
    h.ctrl('b');
    h.ctrl('b');
    assert_eq!(h.app.cursor, 7);
    h.ctrl('f');
    assert_eq!(h.app.cursor, 8);
    h.ctrl('d');
    assert_eq!(h.app.query, "sunscree");
    // At the end there is nothing under the cursor.
    h.ctrl('d');
    assert_eq!(h.app.query, "sunscree");
}

#[test]
fn ctrl_k_cuts_to_the_end_and_ctrl_y_pastes_it_back() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("cold compresses ice");
    h.ctrl('a');
    h.key(KeyCode::Char('f'), KeyModifiers::ALT);
    assert_eq!(h.app.cursor, 4);
    h.ctrl('k');
    assert_eq!(h.app.query, "cold");
    assert_eq!(h.app.killed, " compresses ice");
    h.ctrl('a');
    h.ctrl('y');
    assert_eq!(h.app.query, " compresses icecold");
    assert_eq!(h.app.cursor, " compresses ice".len());
}

#[test]
fn alt_d_cuts_the_word_after_and_ctrl_w_and_ctrl_u_cut_before() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("cold compresses ice");
    h.ctrl('a');
    alt(&mut h, 'd');
    assert_eq!(h.app.query, " compresses ice");
    assert_eq!(h.app.killed, "cold");
    h.ctrl('e');
    h.ctrl('w');
    assert_eq!(h.app.query, " compresses ");
    assert_eq!(h.app.killed, "ice");
    h.ctrl('u');
    assert_eq!(h.app.query, "");
    assert_eq!(h.app.killed, " compresses ");
    h.ctrl('y');
    assert_eq!(h.app.query, " compresses ");
    // Nothing to cut leaves what was cut before.
    h.ctrl('k');
    assert_eq!(h.app.killed, " compresses ");
}

#[test]
fn ctrl_up_and_down_walk_the_history_and_come_back_to_the_typed_query() {
    let mut h = Harness::bundled(100, 30);
    h.app.history = vec!["redness".to_owned(), "spf".to_owned()];
    h.type_text("sun");
    ctrl_key(&mut h, KeyCode::Up);
    assert_eq!(h.app.query, "spf");
    assert_eq!(h.app.cursor, 3);
    ctrl_key(&mut h, KeyCode::Up);
    assert_eq!(h.app.query, "redness");
    // The oldest entry is as far as it goes.
    ctrl_key(&mut h, KeyCode::Up);
    assert_eq!(h.app.query, "redness");
    ctrl_key(&mut h, KeyCode::Down);
    assert_eq!(h.app.query, "spf");
    assert!(
        h.app.hits()[0].passage.text.contains("SPF"),
        "the recalled query searched"
    );
    ctrl_key(&mut h, KeyCode::Down);
    assert_eq!(h.app.query, "sun", "past the newest: the typed query");
    assert_eq!(h.app.history_at, None);
    ctrl_key(&mut h, KeyCode::Down);
    assert_eq!(h.app.query, "sun");
    // Alt-p and Alt-n do the same.
    alt(&mut h, 'p');
    assert_eq!(h.app.query, "spf");
    alt(&mut h, 'n');
    assert_eq!(h.app.query, "sun");
}

#[test]
fn an_empty_history_leaves_the_query_alone() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("sun");
    ctrl_key(&mut h, KeyCode::Up);
    assert_eq!(h.app.query, "sun");
}

#[test]
fn ctrl_o_asks_to_open_the_selected_passage_at_its_line() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("sunscreen");
    let hit = h.app.selected_hit().unwrap().passage.clone();
    h.ctrl('o');
    assert_eq!(h.opened.len(), 1);
    let job = &h.opened[0];
    assert_eq!(job.passage, hit.id);
    assert_eq!(job.article, "microneedling");
    assert_eq!(job.line, hit.line);
    assert!(job.line.is_some());
    // What the editor's return says shows until the next key.
    assert_eq!(h.app.notice, Some(Ok("edited microneedling".to_owned())));
    assert!(
        h.screen().contains("edited microneedling"),
        "{}",
        h.screen()
    );
    h.press(KeyCode::Down);
    assert_eq!(h.app.notice, None);
}

#[test]
fn ctrl_o_with_no_result_does_nothing() {
    let mut h = Harness::bundled(100, 30);
    h.type_text("zzzzqqq");
    assert!(h.app.selected_hit().is_none());
    h.ctrl('o');
    assert!(h.opened.is_empty());
}
