//! The event loop: four threads feed one channel that it waits on
//! (terminal input, search results and reindex reports from the worker, and
//! signals); it applies each message to the [`App`], drains whatever else is
//! waiting, hands the queued effects to the worker (through the shared
//! runner, [`effects::run_once`]) and draws one frame.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use crossterm::event::{self, Event, MouseButton, MouseEventKind};
use needle_index::NeedleIndex;

use crate::editor;

use crate::tui::action::{Action, ReindexSummary};
use crate::tui::app::{App, OpenJob, Outcome, SearchJob};
use crate::tui::effects::{self, Perform};
use crate::tui::signals;
use crate::tui::terminal::Terminal;
use crate::tui::ui;
use crate::tui::worker::Worker;
use crate::workspace::Resolved;

/// How often the spinner turns while something runs.
const TICK: Duration = Duration::from_millis(80);
/// How long the input thread waits for a key before checking whether to stop.
const INPUT_POLL: Duration = Duration::from_millis(50);

/// What the loop waits for.
pub enum Message {
    Input(Event),
    InputFailed(io::Error),
    Action(Action),
    /// A signal caught by [`signals::Watch`].
    Signal(i32),
}

/// How the loop ended.
pub enum Exit {
    /// The interface was left (Enter, Esc, Ctrl-C).
    App(Outcome),
    /// A signal that ends the process arrived (SIGTERM, SIGHUP).
    Signal(i32),
}

/// Where the interface's parts are, for the loop.
pub struct Parts<'a> {
    pub terminal: &'a mut Terminal,
    pub worker: &'a Worker,
    pub input: &'a mut Input,
    pub editor: &'a Editor,
    pub signals: &'a signals::Watch,
}

/// Runs the interface until it is left or a signal ends it: applies each
/// message to the state, hands the effects to the worker, draws a frame.
pub fn run(parts: Parts<'_>, app: &mut App, rx: &Receiver<Message>) -> Result<Exit> {
    let Parts {
        terminal,
        worker,
        input,
        editor,
        signals,
    } = parts;
    loop {
        effects::run_once(
            app,
            &mut Threaded {
                worker,
                terminal,
                input,
                editor,
            },
        )?;
        if let Some(outcome) = app.outcome.take() {
            return Ok(Exit::App(outcome));
        }
        // The terminal may have changed size without an event yet.
        let size = terminal.inner.size()?;
        if (size.width, size.height) != (app.size.width, app.size.height) {
            app.update(Action::Resize {
                width: size.width,
                height: size.height,
            });
        }
        terminal.inner.draw(|frame| ui::draw(frame, app))?;

        let first = if app.busy() {
            match rx.recv_timeout(TICK) {
                Ok(message) => Some(message),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => bail!("the interface's input stopped"),
            }
        } else {
            Some(rx.recv().context("the interface's input stopped")?)
        };
        match first {
            None => app.update(Action::Tick),
            Some(message) => {
                let mut next = Some(message);
                // Apply everything else waiting before drawing again.
                while let Some(message) = next {
                    if let Some(signal) = handle(terminal, app, message, signals)? {
                        return Ok(Exit::Signal(signal));
                    }
                    next = rx.try_recv().ok();
                }
            }
        }
    }
}

/// The effects as the terminal interface performs them: searches and
/// reindexes handed to the worker's threads (their answers come back as
/// messages), suspend done on the terminal, and the editor given the
/// terminal (with the input thread paused, so that it does not read the
/// editor's keys) until it exits.
struct Threaded<'a> {
    worker: &'a Worker,
    terminal: &'a mut Terminal,
    input: &'a mut Input,
    editor: &'a Editor,
}

/// What opening a passage needs: the index and content to find its file,
/// and the editor command.
#[derive(Debug)]
pub struct Editor {
    pub index: Arc<NeedleIndex>,
    pub content: Resolved,
    /// `$VISUAL`, else `$EDITOR` (see [`editor::editor_from_env`]).
    pub command: String,
}

impl Perform for Threaded<'_> {
    type Error = anyhow::Error;

    fn search(&mut self, job: SearchJob) -> Option<Action> {
        self.worker.search(job);
        None
    }

    fn reindex(&mut self) -> Option<Result<ReindexSummary, String>> {
        self.worker.reindex();
        None
    }

    fn suspend(&mut self) -> Result<()> {
        self.terminal.suspend()
    }

    fn open(&mut self, job: OpenJob) -> Result<Option<Action>> {
        let e = self.editor;
        let target = match editor::locate(&e.index, &e.content, &job.article, job.line) {
            Ok(target) => target,
            Err(why) => return Ok(Some(Action::Edited(Err(why)))),
        };
        self.input.pause();
        let ran = self.terminal.hand_over(|| editor::run(&e.command, &target));
        self.input.resume()?;
        // Read the edit now (the watcher would, a moment later): the state
        // keeps the passage selected when the results refresh.
        self.worker.reindex();
        Ok(Some(Action::Edited(match ran? {
            Ok(()) => Ok(format!("edited {}", target.describe())),
            Err(e) => Err(format!("{e:#}")),
        })))
    }
}

/// Applies one message; returns the signal that ends the interface, if one came.
fn handle(
    terminal: &mut Terminal,
    app: &mut App,
    message: Message,
    signals: &signals::Watch,
) -> Result<Option<i32>> {
    let action = match message {
        Message::Action(action) => Some(action),
        Message::Signal(signal) if signals::is_continue(signal) => {
            // Continued after a stop this process did not ask for (Ctrl-Z
            // has already taken the terminal back): take it again, redraw.
            terminal.resume()?;
            None
        }
        Message::Signal(signal) => return Ok(Some(signal)),
        Message::InputFailed(e) => {
            // A hangup closes the terminal, and the read may fail before
            // the SIGHUP's message arrives: exit as for the signal.
            if let Some(signal) = signals.caught() {
                return Ok(Some(signal));
            }
            return Err(e).context("reading the terminal");
        }
        Message::Input(event) => match event {
            Event::Key(key) => app.keys.action_for(key, app.key_context()),
            Event::Paste(text) => Some(Action::Paste(text)),
            Event::Resize(width, height) => Some(Action::Resize { width, height }),
            Event::Mouse(mouse) => {
                let (column, row) = (mouse.column, mouse.row);
                match mouse.kind {
                    MouseEventKind::Down(MouseButton::Left) => Some(Action::Click { column, row }),
                    MouseEventKind::ScrollUp => Some(Action::ScrollUp { column, row }),
                    MouseEventKind::ScrollDown => Some(Action::ScrollDown { column, row }),
                    _ => None,
                }
            }
            Event::FocusGained | Event::FocusLost => None,
        },
    };
    if let Some(action) = action {
        app.update(action);
    }
    Ok(None)
}

/// The thread that reads the terminal. It pauses while an editor has the
/// terminal.
pub struct Input {
    tx: Sender<Message>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Input {
    pub fn start(tx: Sender<Message>) -> Result<Input> {
        let mut input = Input {
            tx,
            stop: Arc::new(AtomicBool::new(false)),
            handle: None,
        };
        input.resume()?;
        Ok(input)
    }

    /// Stops reading the terminal (the thread ends); [`Input::resume`]
    /// starts again.
    pub fn pause(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }

    /// Reads the terminal again, on a new thread.
    pub fn resume(&mut self) -> Result<()> {
        if self.handle.is_some() {
            return Ok(());
        }
        let tx = self.tx.clone();
        let stop = Arc::new(AtomicBool::new(false));
        self.stop = Arc::clone(&stop);
        let handle = {
            let stop = Arc::clone(&stop);
            thread::Builder::new()
                .name("needle-input".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let message = match event::poll(INPUT_POLL) {
                            Ok(false) => continue,
                            Ok(true) => match event::read() {
                                Ok(event) => Message::Input(event),
                                Err(e) => Message::InputFailed(e),
                            },
                            Err(e) => Message::InputFailed(e),
                        };
                        let failed = matches!(message, Message::InputFailed(_));
                        if tx.send(message).is_err() || failed {
                            break;
                        }
                    }
                })
                .context("cannot start the input thread")?
        };
        self.handle = Some(handle);
        Ok(())
    }
}

impl Drop for Input {
    fn drop(&mut self) {
        self.pause();
    }
}
