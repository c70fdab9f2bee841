//! The terminal interface: owns the terminal and runs the event loop.
//!
//! Split by role: `action` (what can happen: an enum), `app` (the state
//! and how each action changes it), `keys` (the key table: which keys do
//! what) and `help` (the help it generates), `layout` (where each panel
//! goes), `ui` (pure drawing, one module per panel), `worker` (searches and
//! reindexes off the UI thread), `effects` (the one runner that carries out
//! what the state queues, for the event loop, the tests and [`Headless`]),
//! `terminal` (takes the terminal and puts it back), `background` (whether
//! the terminal's background is light, for `--theme auto`), `signals`, and
//! `event_loop`. [`Headless`] runs the same state, key table, effect runner
//! and drawing without a terminal.
//!
//! The interface draws on standard error (or on `/dev/tty` when standard
//! error is redirected), never on standard output: standard output carries
//! only the passage chosen with Enter, so `needle > answer.txt` works. The
//! terminal is put back as it was on every way out: a normal return, an
//! error (the [`Terminal`] guard's `Drop`), a panic (a panic hook that
//! restores it before the message prints), SIGINT (as Esc: exit 130), and
//! SIGTERM or SIGHUP (exit 128 + the signal's number: 143, 129).
//!
//! Ctrl-Z suspends: the terminal is put back, the process stops with
//! SIGTSTP (as other programs do on Ctrl-Z), and when the shell continues
//! it (`fg`, SIGCONT) the interface takes the terminal again and redraws all
//! of it. A SIGCONT after any other stop (`kill -STOP`) redraws too.
//!
//! Four threads feed one channel that the loop waits on: terminal input,
//! search results and reindex reports (see [`worker`]), and signals.
//! The loop applies each message to the [`App`], drains whatever else is
//! waiting, hands the queued effects to the worker and draws one frame. So
//! typing never waits for a search, and a burst of keys is drawn once.

mod action;
mod app;
mod args;
mod background;
mod effects;
mod event_loop;
mod headless;
mod help;
mod keyname;
mod keys;
mod layout;
mod signals;
mod terminal;
#[cfg(test)]
mod testing;
mod text;
mod theme;
mod ui;
mod worker;

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::{Arc, mpsc};

use anyhow::{Result, bail};
use needle_index::{NeedleIndex, SearchRequest};

pub use crate::tui::args::TuiArgs;
pub use crate::tui::background::Background;
pub use crate::tui::headless::Headless;
pub use crate::tui::keys::{KeyMap, labels as key_labels};
pub use crate::tui::theme::Theme;

use crate::editor::editor_from_env;
use crate::history::History;
use crate::json::{JsonHit, json_line};
use crate::tui::action::Action;
use crate::tui::app::{App, Options, Outcome};
use crate::tui::args::Output;
use crate::tui::event_loop::{Editor, Exit, Input, Message, Parts};
use crate::tui::terminal::{Terminal, TtyOut};
use crate::tui::worker::{Notify, Worker};
use crate::watcher::WatchSpec;
use crate::workspace::{Resolved, open_index, refresh};

/// The exit code of quitting without a choice (as a shell reports Ctrl-C).
pub const CANCELLED: u8 = 130;

/// How the interface looks and behaves, from the settings (flags, the
/// environment, the config file: see `cli::settings`).
#[derive(Debug, Clone)]
pub struct Prefs {
    pub theme: Theme,
    /// Take the mouse (`--no-mouse` leaves it to the terminal).
    pub mouse: bool,
    pub keys: KeyMap,
    /// The query history; `None` when it is off.
    pub history: Option<History>,
    /// Start with at most this many passages per article.
    pub per_article: Option<u32>,
}

/// Runs the interface on `content`: 0 after Enter (the passage printed on
/// stdout, its query added to the history), 130 after Esc or Ctrl-C
/// (nothing printed), 128 + the signal's number after SIGTERM (143) or
/// SIGHUP (129), nothing printed.
pub fn run(content: &Resolved, args: &TuiArgs, prefs: &Prefs) -> Result<ExitCode> {
    // Everything that can fail with a message is done before the screen
    // changes, so that the message shows.
    let out = TtyOut::open()?;
    let index = Arc::new(open_index(&content.index_dir, false)?);
    let topic = match &args.topic {
        Some(t) => Some(check_topic(&index, content, t)?),
        None => None,
    };

    let (tx, rx) = mpsc::channel();
    let notify: Notify = {
        let tx = tx.clone();
        Arc::new(move |action| {
            let _ = tx.send(Message::Action(action));
        })
    };
    let watch = WatchSpec::of(content);
    let worker = Worker::start(
        Arc::clone(&index),
        content.source.clone(),
        content.reindex_options(),
        watch,
        &notify,
    )?;
    // Bring the index up to date in the background: the first frame shows
    // the index as it is, and refreshes when the reindex commits.
    worker.reindex();

    let history = prefs
        .history
        .as_ref()
        .map(History::load)
        .unwrap_or_default();
    let mut terminal = Terminal::enter(out, prefs.mouse)?;
    let size = terminal.inner.size()?;
    let mut app = App::new(Options {
        query: args.query.clone().unwrap_or_default(),
        topic,
        theme: prefs.theme,
        source: content.label.clone(),
        passages: index.passage_count(),
        width: size.width,
        height: size.height,
        per_article: prefs.per_article.map(|n| n as usize),
        keys: prefs.keys.clone(),
        mouse: prefs.mouse,
        history,
    });
    // Ctrl-C arrives as a key in raw mode; a SIGINT sent by another
    // process (kill -INT) quits the same way, restoring the terminal. Once
    // the interface has ended (the channel closed), it exits at once.
    {
        let tx = tx.clone();
        let _ = crate::interrupt::on_interrupt(move || {
            if tx.send(Message::Action(Action::Quit)).is_err() {
                std::process::exit(i32::from(CANCELLED));
            }
        });
    }
    let signals = signals::Watch::start(tx.clone(), Message::Signal)?;
    let mut input = Input::start(tx)?;
    let editor = Editor {
        index: Arc::clone(&index),
        content: content.clone(),
        command: editor_from_env(),
    };
    let parts = Parts {
        terminal: &mut terminal,
        worker: &worker,
        input: &mut input,
        editor: &editor,
        signals: &signals,
    };
    let exit = event_loop::run(parts, &mut app, &rx);
    drop(input);
    drop(terminal);
    // From here on a SIGTERM or SIGHUP exits at once (see `signals`).
    drop(rx);
    let outcome = match exit? {
        Exit::Signal(signal) => {
            // Nothing to print; the index commits atomically, so there is
            // nothing to wait for either.
            return Ok(ExitCode::from(signals::exit_code(signal)));
        }
        Exit::App(outcome) => outcome,
    };

    // Let the index finish its merges before exiting, unless a reindex is
    // still running: then exit now (commits are atomic, nothing is lost).
    let reindexing = worker.reindexing();
    drop(worker);
    if !reindexing {
        let _ = index.close();
    }

    match outcome {
        Outcome::Selected(hit) => {
            if let Some(history) = &prefs.history
                && let Err(e) = history.add(&app.query)
            {
                eprintln!(
                    "needle: warning: the query was not added to the history ({}): {e}",
                    history.path.display()
                );
            }
            let mut stdout = io::stdout().lock();
            match args.output {
                Output::Text => {
                    stdout.write_all(hit.passage.text.as_bytes())?;
                    stdout.write_all(b"\n")?;
                }
                Output::Json => json_line(&mut stdout, &JsonHit::from(&*hit))?,
            }
            stdout.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Cancelled => Ok(ExitCode::from(CANCELLED)),
    }
}

/// The topic name for `--topic`, which may also be given by its label
/// (`"Side effects"`). An unknown topic is an error that lists the known ones.
fn check_topic(index: &NeedleIndex, content: &Resolved, wanted: &str) -> Result<String> {
    let norm = |s: &str| s.trim().to_lowercase().replace([' ', '_'], "-");
    let find = |index: &NeedleIndex| -> Result<(Option<String>, Vec<String>)> {
        let request = SearchRequest::new("").limit(1).count_topics(true);
        let topics = index.search(&request)?.topic_counts.unwrap_or_default();
        let found = topics
            .iter()
            .find(|t| norm(&t.name) == norm(wanted) || norm(&t.label) == norm(wanted))
            .map(|t| t.name.clone());
        Ok((found, topics.into_iter().map(|t| t.name).collect()))
    };
    if let (Some(name), _) = find(index)? {
        return Ok(name);
    }
    // The index may be new, or behind the content.
    refresh(index, content)?;
    match find(index)? {
        (Some(name), _) => Ok(name),
        (None, known) if known.is_empty() => {
            bail!("unknown topic {wanted:?}: the content has no topics")
        }
        (None, known) => bail!(
            "unknown topic {wanted:?}: known topics are {}",
            known.join(", ")
        ),
    }
}
