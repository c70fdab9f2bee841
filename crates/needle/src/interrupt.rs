//! Ctrl-C (SIGINT) for the commands that stop on it: `needle watch`, and
//! the terminal interface when another process sends SIGINT (in raw mode
//! Ctrl-C arrives as a key). On Unix through `signal-hook`, which the
//! interface already uses for SIGTERM, SIGHUP and SIGCONT; elsewhere through
//! `ctrlc` (Windows' console control handler).

use anyhow::Result;

/// Calls `handler` on a thread of its own each time SIGINT (Ctrl-C)
/// arrives, for the rest of the process.
///
/// # Errors
/// When the handler cannot be installed.
pub fn on_interrupt(handler: impl Fn() + Send + 'static) -> Result<()> {
    imp::on_interrupt(handler)
}

#[cfg(unix)]
mod imp {
    use anyhow::{Context, Result};
    use signal_hook::consts::SIGINT;
    use signal_hook::iterator::Signals;

    pub fn on_interrupt(handler: impl Fn() + Send + 'static) -> Result<()> {
        let mut signals = Signals::new([SIGINT]).context("cannot handle Ctrl-C (SIGINT)")?;
        std::thread::Builder::new()
            .name("needle-sigint".into())
            .spawn(move || {
                for _ in signals.forever() {
                    handler();
                }
            })
            .context("cannot start the Ctrl-C thread")?;
        Ok(())
    }
}

#[cfg(not(unix))]
mod imp {
    use anyhow::{Context, Result};

    pub fn on_interrupt(handler: impl Fn() + Send + 'static) -> Result<()> {
        ctrlc::set_handler(handler).context("cannot install the Ctrl-C handler")
    }
}
