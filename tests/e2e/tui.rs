//! The terminal interface in a real pseudo-terminal (see `pty`): what Enter
//! prints, the exit codes, signals, Ctrl-Z, the history and the editor.

use std::path::Path;

use crate::pty::{COLS, ROWS, Session};

const ENTER: &[u8] = b"\r";
const ESC: &[u8] = b"\x1b";
const CTRL_Z: &[u8] = b"\x1a";
const CTRL_END: &[u8] = b"\x1b[1;5F";
const CTRL_UP: &[u8] = b"\x1b[1;5A";
const CTRL_O: &[u8] = b"\x0f";

#[test]
fn tui_enter_prints_the_selected_passage_and_exits_0() {
    let mut s = Session::start(&[]);
    // The first frame, then the results of the empty query (every passage).
    s.wait_for("Results");
    s.wait_for("1/24");
    s.press(b"sunscreen");
    s.wait_for("SPF 30");
    s.wait_for("1/2 ");
    s.press(ENTER);
    assert_eq!(s.exit_code(), 0, "the screen:\n{}", s.screen());
    let out = s.stdout();
    assert!(
        out.starts_with("After the microneedling procedure"),
        "stdout: {out:?}"
    );
    assert!(out.contains("SPF 30"), "stdout: {out:?}");
    assert!(out.ends_with(".\n"), "one passage and a newline: {out:?}");
    s.assert_restored();
}

#[test]
fn tui_esc_exits_130_and_prints_nothing() {
    let mut s = Session::start(&[]);
    s.wait_for("Results");
    s.wait_for("1/24");
    s.press(ESC);
    assert_eq!(s.exit_code(), 130, "the screen:\n{}", s.screen());
    assert_eq!(s.stdout(), "");
    s.assert_restored();
}

#[test]
fn tui_sigterm_sighup_and_sigint_restore_the_terminal_and_exit_128_plus_the_signal() {
    // SIGINT from another process quits as Esc does: 130.
    for (signal, code) in [("TERM", 143), ("HUP", 129), ("INT", 130)] {
        let mut s = Session::start(&[]);
        s.wait_for("Results");
        s.wait_for("1/24");
        s.press(b"sun");
        s.wait_for("SPF 30");
        s.kill(signal);
        assert_eq!(
            s.exit_code(),
            code,
            "SIG{signal}; the screen:\n{}",
            s.screen()
        );
        assert_eq!(s.stdout(), "", "SIG{signal} prints nothing");
        s.assert_restored();
    }
}

#[test]
fn tui_ctrl_z_suspends_and_fg_resumes() {
    // A shell with job control, so that Ctrl-Z stops needle and `fg`
    // continues it (without one, nobody could continue it); it waits for a
    // line before `fg`, so that the stopped state can be seen.
    let script = "set -m; out=$1; shift; \
                  \"$@\" >\"$out\"; echo \"stopped with $?\"; read -r line; \
                  fg >/dev/null; code=$?; echo \"exited with $code\"; exit $code";
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start_script(dir, script, &[], &[]);
    s.wait_for("Results");
    s.wait_for("1/24");
    s.press(b"sun");
    s.wait_for("SPF 30");
    s.press(CTRL_Z);
    // The terminal is back as it was, and the shell has the job stopped
    // (128 + SIGTSTP).
    s.wait_for_screen(false);
    s.wait_for("stopped with 148");
    s.assert_restored();
    // `fg` continues it: the interface takes the terminal again and redraws
    // it all, with the query as it was.
    s.press(ENTER);
    s.wait_for_screen(true);
    s.wait_for("SPF 30");
    s.wait_for("❯ sun");
    s.press(b"screen");
    s.wait_for("1/2 ");
    s.press(ESC);
    s.wait_for("exited with 130");
    assert_eq!(s.exit_code(), 130, "the screen:\n{}", s.screen());
    assert_eq!(s.stdout(), "");
    s.assert_restored();
}

#[test]
fn tui_output_json_prints_the_hit_as_search_json_does() {
    let mut s = Session::start(&["--output", "json", "--query", "sunscreen"]);
    s.wait_for("SPF 30");
    s.press(ENTER);
    assert_eq!(s.exit_code(), 0, "the screen:\n{}", s.screen());
    let printed: serde_json::Value =
        serde_json::from_str(s.stdout().trim_end()).expect("one JSON object");

    let index = s.dir.path().join("index");
    let search = crate::util::needle_command()
        .args(["search", "--json", "sunscreen"])
        .current_dir(s.dir.path().join("work"))
        .env("NEEDLE_INDEX", &index)
        .output()
        .expect("running needle search");
    let results: serde_json::Value = serde_json::from_slice(&search.stdout).unwrap();
    assert_eq!(printed, results["hits"][0]);
}

#[test]
fn tui_topic_flag_filters_and_an_unknown_topic_exits_2() {
    let mut s = Session::start(&["tui", "--topic", "aftercare"]);
    s.wait_for("in Aftercare");
    s.wait_for("1/4 ");
    s.press(ESC);
    assert_eq!(s.exit_code(), 130);

    let mut s = Session::start(&["--topic", "nope"]);
    assert_eq!(s.exit_code(), 2);
    assert!(
        s.screen().contains("known topics are benefits"),
        "{}",
        s.screen()
    );
}

#[test]
fn tui_reindexes_when_the_content_changes() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    write(
        &content.join("care.md"),
        "# Care\n\n## Aftercare\n\nWear sunscreen every day.\n",
    );
    let content_arg = content.to_str().unwrap().to_owned();
    let mut s = Session::start_in(dir, &["--content", &content_arg], &[]);
    s.wait_for("Wear sunscreen every day");
    s.press(b"hat");
    s.wait_for("No passages match");
    write(
        &content.join("care.md"),
        "# Care\n\n## Aftercare\n\nWear sunscreen every day.\n\nAnd a wide-brimmed hat.\n",
    );
    // The watcher reindexes and the results refresh, without a key.
    s.wait_for("reindexed 1 article");
    s.wait_for("And a wide-brimmed hat.");
    s.press(ENTER);
    assert_eq!(s.exit_code(), 0);
    assert_eq!(s.stdout(), "And a wide-brimmed hat.\n");
}

#[test]
fn tui_loads_more_results_as_the_selection_nears_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    let mut article = "# Notes\n\n## Collagen\n\n".to_owned();
    for i in 1..=65 {
        article.push_str(&format!("Note {i} on collagen.\n\n"));
    }
    write(&content.join("notes.md"), &article);
    let content_arg = content.to_str().unwrap().to_owned();
    let mut s = Session::start_in(dir, &["--content", &content_arg], &[]);
    // A first page (three screens of 8) of the 65 passages; the counts
    // are the whole query's.
    s.wait_for("1/24 of 65");
    s.wait_for("65 passages");
    // Ctrl-End selects the last hit loaded, and the next page loads.
    s.press(CTRL_END);
    s.wait_for("24/48 of 65");
    s.press(CTRL_END);
    s.wait_for("48/65");
    s.press(CTRL_END);
    s.wait_for("65/65");
    s.press(ENTER);
    assert_eq!(s.exit_code(), 0, "the screen:\n{}", s.screen());
    assert_eq!(s.stdout(), "Note 65 on collagen.\n");
}

#[test]
fn tui_no_color_draws_without_colours() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start_in(dir, &["--query", "sunscreen"], &[("NO_COLOR", "1")]);
    s.wait_for("SPF 30");
    let screen = s.parser.screen();
    for row in 0..ROWS {
        for col in 0..COLS {
            let cell = screen.cell(row, col).unwrap();
            assert_eq!(cell.fgcolor(), vt100::Color::Default, "({row}, {col})");
            assert_eq!(cell.bgcolor(), vt100::Color::Default, "({row}, {col})");
        }
    }
    // Matches still stand out: in reverse video (below the query line).
    let (row, col) = find(&s.screen(), "sunscreen", 2).expect("a match in the results");
    assert!(screen.cell(row, col).unwrap().inverse());
    s.press(ESC);
    assert_eq!(s.exit_code(), 130);
}

/// Guards the query history: Ctrl-↑ walks back through the queries chosen
/// before (as fzf's `--history` does), Enter adds the query to the file;
/// `--no-history` neither reads nor writes it, and mouse capture is off
/// with `--no-mouse` (and the help says nothing of the mouse).
#[test]
fn tui_history_walks_back_with_ctrl_up_and_enter_adds_the_query() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("state/needle/history");
    std::fs::create_dir_all(history.parent().unwrap()).unwrap();
    write(&history, "redness\nsunscreen\n");
    let history_path = history.clone();
    let mut s = Session::start_in(dir, &[], &[]);
    s.wait_for("1/24");
    assert_ne!(
        s.parser.screen().mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "the mouse is captured by default"
    );
    s.press(CTRL_UP);
    s.wait_for("❯ sunscreen");
    s.wait_for("1/2 ");
    s.press(CTRL_UP);
    s.wait_for("❯ redness");
    s.press(ENTER);
    assert_eq!(s.exit_code(), 0, "the screen:\n{}", s.screen());
    assert!(s.stdout().contains("redness"), "{}", s.stdout());
    assert_eq!(
        std::fs::read_to_string(&history_path).unwrap(),
        "redness\nsunscreen\nredness\n"
    );

    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("state/needle/history");
    std::fs::create_dir_all(history.parent().unwrap()).unwrap();
    write(&history, "redness\n");
    let history_path = history.clone();
    let mut s = Session::start_in(dir, &["--no-history", "--no-mouse"], &[]);
    s.wait_for("1/24");
    assert_eq!(
        s.parser.screen().mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "--no-mouse leaves the mouse to the terminal"
    );
    // The help leaves the mouse out then.
    s.press(b"\x1bOP");
    s.wait_for("Query language");
    assert!(!s.screen().contains("Mouse"), "{}", s.screen());
    s.press(ESC);
    // Esc read alone, not with the next key as Alt-[.
    s.wait_for_gone("Query language");
    s.press(CTRL_UP);
    s.press(b"spf");
    s.wait_for("❯ spf");
    s.press(ENTER);
    assert_eq!(s.exit_code(), 0, "the screen:\n{}", s.screen());
    assert_eq!(std::fs::read_to_string(&history_path).unwrap(), "redness\n");
}

/// Guards Ctrl-O: the editor (a script named `vim`, so it gets `+LINE
/// FILE`) runs on the selected passage's file at its line, the interface
/// takes the terminal back, the reindex picks up the edit and the same
/// passage stays selected; a JSON Lines record says it has no file.
#[test]
fn tui_ctrl_o_opens_the_editor_at_the_line_and_shows_the_edit() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    write(
        &content.join("care.md"),
        "# Care\n\n## Aftercare\n\nWear sunscreen every day.\n\n## Diet\n\nDrink water.\n",
    );
    write(
        &content.join("faq.jsonl"),
        "{\"_id\": \"faq\", \"title\": \"FAQ\", \"text\": \"Zinc oxide blocks the sun.\"}\n",
    );
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let args_file = dir.path().join("editor-args.txt");
    let editor = bin.join("vim");
    write(
        &editor,
        &format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n\
             printf '# Care\\n\\n## Aftercare\\n\\nWear sunscreen every day, and a hat.\\n\\n## Diet\\n\\nDrink water.\\n' > \"$2\"\n",
            args_file.display()
        ),
    );
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    let content_arg = content.to_str().unwrap().to_owned();
    let editor_arg = editor.to_str().unwrap().to_owned();
    let mut s = Session::start_in(
        dir,
        &["--content", &content_arg],
        &[("EDITOR", editor_arg.as_str())],
    );
    s.wait_for("Drink water.");
    s.press(b"zinc");
    s.wait_for("1/1 ");
    s.press(CTRL_O);
    s.wait_for("no file to edit: faq is a JSON Lines record");
    s.press(b"\x15sunscreen");
    s.wait_for("Wear sunscreen every day.");
    s.press(CTRL_O);
    s.wait_for("✓ edited");
    s.wait_for("every day, and a hat.");
    assert_eq!(
        std::fs::read_to_string(&args_file).unwrap(),
        format!("+5\n{}\n", content.join("care.md").display())
    );
    s.press(ENTER);
    assert_eq!(s.exit_code(), 0, "the screen:\n{}", s.screen());
    assert_eq!(s.stdout(), "Wear sunscreen every day, and a hat.\n");
    s.assert_restored();
}

/// The row and column of the first `text` on a screen from row `from`
/// (one-cell characters).
fn find(screen: &str, text: &str, from: usize) -> Option<(u16, u16)> {
    screen
        .lines()
        .enumerate()
        .skip(from)
        .find_map(|(row, line)| {
            line.find(text).map(|at| {
                let col = line[..at].chars().count();
                (u16::try_from(row).unwrap(), u16::try_from(col).unwrap())
            })
        })
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}
