//! The terminal while the interface runs: where it draws (standard error,
//! or `/dev/tty` when standard error is redirected), taking it (raw mode,
//! alternate screen, mouse unless `--no-mouse`, bracketed paste), and
//! putting it back as it was on every way out: dropping the [`Terminal`], a
//! panic (the panic hook), Ctrl-Z (suspended, then taken again when the
//! shell continues the process), and an editor (Ctrl-O: given the terminal,
//! then taken again when it exits).

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::backend::CrosstermBackend;

use crate::tui::signals;

/// Where the interface draws: standard error when it is a terminal, else
/// the controlling terminal.
#[derive(Debug)]
pub enum TtyOut {
    Stderr(io::Stderr),
    Tty(File),
}

impl TtyOut {
    pub fn open() -> Result<TtyOut> {
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
pub struct Terminal {
    pub inner: ratatui::Terminal<CrosstermBackend<TtyOut>>,
    /// Whether the interface takes the mouse.
    mouse: bool,
}

impl Terminal {
    /// Takes the terminal; with `mouse`, its clicks and wheel too (which
    /// leaves the terminal's own text selection to Shift-drag).
    pub fn enter(mut out: TtyOut, mouse: bool) -> Result<Terminal> {
        install_panic_hook();
        take(&mut out, mouse)?;
        match ratatui::Terminal::new(CrosstermBackend::new(out)) {
            Ok(inner) => Ok(Terminal { inner, mouse }),
            Err(e) => {
                restore();
                Err(e).context("cannot set up the terminal")
            }
        }
    }

    /// Ctrl-Z: puts the terminal back, stops the process until the shell
    /// continues it, then takes the terminal again and redraws.
    pub fn suspend(&mut self) -> Result<()> {
        let _ = self.inner.show_cursor();
        restore();
        // Returns once the process is continued (or at once if the stop was
        // refused: an orphaned process group has no shell to continue it).
        signals::stop();
        self.resume()
    }

    /// Gives the terminal to `run` (an editor) as it was before the
    /// interface took it, and takes it again when `run` returns.
    ///
    /// # Errors
    /// When the terminal cannot be taken again (`run`'s own outcome is
    /// returned otherwise).
    pub fn hand_over<R>(&mut self, run: impl FnOnce() -> R) -> Result<R> {
        let _ = self.inner.show_cursor();
        restore();
        let out = run();
        self.resume()?;
        Ok(out)
    }

    /// Takes the terminal again after a stop, and redraws all of the next
    /// frame: while the process was stopped the screen was someone else's.
    pub fn resume(&mut self) -> Result<()> {
        // A shell resets the terminal's modes when a job stops; crossterm
        // would think raw mode is still on, so leave it first.
        if ACTIVE.swap(false, Ordering::SeqCst) {
            let _ = disable_raw_mode();
        }
        take(self.inner.backend_mut(), self.mouse)?;
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
/// (when `mouse`) and bracketed paste. On failure, puts it back.
fn take(out: &mut impl Write, mouse: bool) -> Result<()> {
    enable_raw_mode().context("cannot put the terminal in raw mode")?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut entered = execute!(out, EnterAlternateScreen, EnableBracketedPaste);
    if mouse && entered.is_ok() {
        entered = execute!(out, EnableMouseCapture);
    }
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
