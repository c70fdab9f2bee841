//! The terminal interface: owns the terminal and runs the event loop.
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
//! search results and reindex reports (see [`crate::worker`]), and signals.
//! The loop applies each message to the [`App`], drains whatever else is
//! waiting, hands the queued effects to the worker and draws one frame. So
//! typing never waits for a search, and a burst of keys is drawn once.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Once};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event, MouseButton, MouseEventKind,
};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use needle_index::{NeedleIndex, SearchRequest};
use ratatui::backend::CrosstermBackend;

use crate::action::Action;
use crate::app::{App, Effect, Options, Outcome};
use crate::cli::{Output, TuiArgs};
use crate::commands::{open_index, refresh};
use crate::keys;
use crate::location::Resolved;
use crate::output::{JsonHit, json_line};
use crate::theme::Theme;
use crate::ui;
use crate::worker::{Notify, Worker};

/// The exit code of quitting without a choice (as a shell reports Ctrl-C).
pub const CANCELLED: u8 = 130;

/// How often the spinner turns while something runs.
const TICK: Duration = Duration::from_millis(80);
/// How long the input thread waits for a key before checking whether to stop.
const INPUT_POLL: Duration = Duration::from_millis(50);

/// Runs the interface on `content`: 0 after Enter (the passage printed on
/// stdout), 130 after Esc or Ctrl-C (nothing printed), 128 + the signal's
/// number after SIGTERM (143) or SIGHUP (129), nothing printed.
pub fn run(content: &Resolved, args: &TuiArgs) -> Result<ExitCode> {
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
    let watch = content
        .watch
        .clone()
        .map(|path| (path, content.index_dir.clone()));
    let worker = Worker::start(Arc::clone(&index), content.source.clone(), watch, &notify)?;
    // Bring the index up to date in the background: the first frame shows
    // the index as it is, and refreshes when the reindex commits.
    worker.reindex();

    let mut terminal = Terminal::enter(out)?;
    let size = terminal.inner.size()?;
    let mut app = App::new(Options {
        query: args.query.clone().unwrap_or_default(),
        topic,
        theme: Theme::from_env(),
        source: content.label.clone(),
        passages: index.passage_count(),
        width: size.width,
        height: size.height,
    });
    // Ctrl-C arrives as a key in raw mode; a SIGINT sent by another
    // process (kill -INT) quits the same way, restoring the terminal. Once
    // the interface has ended (the channel closed), it exits at once.
    {
        let tx = tx.clone();
        let _ = ctrlc::set_handler(move || {
            if tx.send(Message::Action(Action::Quit)).is_err() {
                std::process::exit(i32::from(CANCELLED));
            }
        });
    }
    let signals = signals::Watch::start(tx.clone())?;
    let input = Input::start(tx)?;
    let exit = event_loop(&mut terminal, &mut app, &worker, &rx, &signals);
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

/// What the loop waits for.
enum Message {
    Input(Event),
    InputFailed(io::Error),
    Action(Action),
    /// A signal caught by [`signals::Watch`].
    Signal(i32),
}

/// How the loop ended.
enum Exit {
    /// The interface was left (Enter, Esc, Ctrl-C).
    App(Outcome),
    /// A signal that ends the process arrived (SIGTERM, SIGHUP).
    Signal(i32),
}

fn event_loop(
    terminal: &mut Terminal,
    app: &mut App,
    worker: &Worker,
    rx: &Receiver<Message>,
    signals: &signals::Watch,
) -> Result<Exit> {
    loop {
        for effect in app.take_effects() {
            match effect {
                Effect::Search(job) => worker.search(job),
                Effect::Reindex => worker.reindex(),
                Effect::Suspend => terminal.suspend()?,
            }
        }
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
            Event::Key(key) => keys::action_for(key, app.key_context()),
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

/// Where the interface draws: standard error when it is a terminal, else
/// the controlling terminal.
#[derive(Debug)]
enum TtyOut {
    Stderr(io::Stderr),
    Tty(File),
}

impl TtyOut {
    fn open() -> Result<TtyOut> {
        if io::stderr().is_terminal() {
            return Ok(TtyOut::Stderr(io::stderr()));
        }
        File::options()
            .write(true)
            .open("/dev/tty")
            .map(TtyOut::Tty)
            .context(
                "the interface needs a terminal: run it in one, or search from scripts with `needle search`",
            )
    }
}

impl Write for TtyOut {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            TtyOut::Stderr(e) => e.write(buf),
            TtyOut::Tty(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            TtyOut::Stderr(e) => e.flush(),
            TtyOut::Tty(f) => f.flush(),
        }
    }
}

/// Whether the terminal is in the interface's modes (raw, alternate screen).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// The terminal while the interface runs; dropping it restores the terminal.
struct Terminal {
    inner: ratatui::Terminal<CrosstermBackend<TtyOut>>,
}

impl Terminal {
    fn enter(mut out: TtyOut) -> Result<Terminal> {
        install_panic_hook();
        take(&mut out)?;
        match ratatui::Terminal::new(CrosstermBackend::new(out)) {
            Ok(inner) => Ok(Terminal { inner }),
            Err(e) => {
                restore();
                Err(e).context("cannot set up the terminal")
            }
        }
    }

    /// Ctrl-Z: puts the terminal back, stops the process until the shell
    /// continues it, then takes the terminal again and redraws.
    fn suspend(&mut self) -> Result<()> {
        let _ = self.inner.show_cursor();
        restore();
        // Returns once the process is continued (or at once if the stop was
        // refused: an orphaned process group has no shell to continue it).
        signals::stop();
        self.resume()
    }

    /// Takes the terminal again after a stop, and redraws all of the next
    /// frame: while the process was stopped the screen was someone else's.
    fn resume(&mut self) -> Result<()> {
        // A shell resets the terminal's modes when a job stops; crossterm
        // would think raw mode is still on, so leave it first.
        if ACTIVE.swap(false, Ordering::SeqCst) {
            let _ = disable_raw_mode();
        }
        take(self.inner.backend_mut())?;
        execute!(self.inner.backend_mut(), Clear(ClearType::All))
            .context("cannot redraw the terminal after a stop")?;
        // Forget the last frame, so that the next draw writes every cell: a
        // swap resets the buffer it leaves, so two reset both. (ratatui's
        // `clear` would do it too, but first asks the terminal where its
        // cursor is, racing the input thread for the answer.)
        self.inner.swap_buffers();
        self.inner.swap_buffers();
        Ok(())
    }
}

/// Puts the terminal in the interface's modes: raw, alternate screen, mouse
/// and bracketed paste. On failure, puts it back.
fn take(out: &mut impl Write) -> Result<()> {
    enable_raw_mode().context("cannot put the terminal in raw mode")?;
    ACTIVE.store(true, Ordering::SeqCst);
    let entered = execute!(
        out,
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    );
    if let Err(e) = entered {
        restore();
        return Err(e).context("cannot set up the terminal");
    }
    Ok(())
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.inner.show_cursor();
        restore();
    }
}

/// Puts the terminal back: cooked mode, main screen, no mouse, cursor shown.
/// Does nothing when it is not in the interface's modes (so it is safe to
/// call twice, and from the panic hook).
fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = disable_raw_mode();
    if let Ok(mut out) = TtyOut::open() {
        let _ = execute!(
            out,
            DisableBracketedPaste,
            DisableMouseCapture,
            LeaveAlternateScreen,
            crossterm::cursor::Show
        );
    }
}

/// Restores the terminal before a panic's message prints, so that it shows.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// The thread that reads the terminal.
struct Input {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Input {
    fn start(tx: Sender<Message>) -> Result<Input> {
        let stop = Arc::new(AtomicBool::new(false));
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
        Ok(Input {
            stop,
            handle: Some(handle),
        })
    }
}

impl Drop for Input {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// The exit code after an ending signal: 128 + its number (the shell's
/// convention: 143 for SIGTERM, 129 for SIGHUP).
pub(crate) fn signal_exit_code(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(u8::MAX)
}

/// Signals: SIGTERM and SIGHUP end the interface (the terminal restored,
/// exit 128 + the signal's number), SIGCONT redraws it, and Ctrl-Z stops the
/// process with SIGTSTP. Through `signal-hook`'s safe wrappers (the
/// workspace forbids `unsafe`).
#[cfg(unix)]
mod signals {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc::Sender;
    use std::thread;

    use anyhow::{Context, Result};
    use signal_hook::consts::{SIGCONT, SIGHUP, SIGTERM, SIGTSTP};
    use signal_hook::iterator::Signals;

    use super::Message;

    /// The signals that end the interface.
    const ENDING: [i32; 2] = [SIGTERM, SIGHUP];

    /// The thread that turns signals into messages for the event loop.
    ///
    /// It lives as long as the process: once the loop's receiver is gone
    /// (the interface has ended and the terminal is restored), a SIGTERM or
    /// SIGHUP exits at once with 128 + its number, as the process would have
    /// without a handler, instead of being lost.
    #[derive(Debug)]
    pub struct Watch {
        /// The last ending signal caught, set in the handler itself (so it
        /// is set before the terminal read that a hangup breaks fails).
        caught: Arc<AtomicUsize>,
    }

    impl Watch {
        pub fn start(tx: Sender<Message>) -> Result<Watch> {
            let caught = Arc::new(AtomicUsize::new(0));
            for signal in ENDING {
                let number = usize::try_from(signal).unwrap_or(0);
                signal_hook::flag::register_usize(signal, Arc::clone(&caught), number)
                    .context("cannot handle SIGTERM and SIGHUP")?;
            }
            let mut signals = Signals::new([SIGTERM, SIGHUP, SIGCONT])
                .context("cannot handle SIGTERM, SIGHUP and SIGCONT")?;
            thread::Builder::new()
                .name("needle-signals".into())
                .spawn(move || {
                    for signal in signals.forever() {
                        let sent = tx.send(Message::Signal(signal)).is_ok();
                        if !sent && ENDING.contains(&signal) {
                            std::process::exit(i32::from(exit_code(signal)));
                        }
                    }
                })
                .context("cannot start the signal thread")?;
            Ok(Watch { caught })
        }

        /// The ending signal caught, if one was.
        pub fn caught(&self) -> Option<i32> {
            match self.caught.load(Ordering::SeqCst) {
                0 => None,
                n => i32::try_from(n).ok(),
            }
        }
    }

    /// Whether `signal` is SIGCONT (the process was continued).
    pub fn is_continue(signal: i32) -> bool {
        signal == SIGCONT
    }

    pub(crate) use super::signal_exit_code as exit_code;

    /// Stops the process as Ctrl-Z does (SIGTSTP, whose default action is
    /// to stop); returns when it is continued.
    pub fn stop() {
        let _ = signal_hook::low_level::raise(SIGTSTP);
    }
}

/// Without Unix signals: no SIGTERM or SIGHUP to handle, and nothing to stop
/// the process with (Ctrl-Z redraws).
#[cfg(not(unix))]
mod signals {
    use std::sync::mpsc::Sender;

    use anyhow::Result;

    use super::Message;

    #[derive(Debug)]
    pub struct Watch;

    impl Watch {
        #[allow(clippy::unnecessary_wraps, clippy::needless_pass_by_value)]
        pub fn start(_tx: Sender<Message>) -> Result<Watch> {
            Ok(Watch)
        }

        #[allow(clippy::unused_self)]
        pub fn caught(&self) -> Option<i32> {
            None
        }
    }

    pub fn is_continue(_signal: i32) -> bool {
        false
    }

    pub(crate) use super::signal_exit_code as exit_code;

    pub fn stop() {}
}

#[cfg(all(test, unix))]
mod tests {
    use super::signals;

    #[test]
    fn ending_signals_exit_128_plus_their_number() {
        assert_eq!(signals::exit_code(signal_hook::consts::SIGTERM), 143);
        assert_eq!(signals::exit_code(signal_hook::consts::SIGHUP), 129);
        assert!(signals::is_continue(signal_hook::consts::SIGCONT));
        assert!(!signals::is_continue(signal_hook::consts::SIGTERM));
    }
}
