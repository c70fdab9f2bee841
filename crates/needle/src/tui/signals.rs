//! Signals: SIGTERM and SIGHUP end the interface (the terminal restored,
//! exit 128 + the signal's number), SIGCONT redraws it, and Ctrl-Z stops the
//! process with SIGTSTP. Through `signal-hook`'s safe wrappers (the
//! workspace forbids `unsafe`).

#[cfg(not(unix))]
pub use elsewhere::{Watch, is_continue, stop};
#[cfg(unix)]
pub use unix::{Watch, is_continue, stop};

/// The exit code after an ending signal: 128 + its number (the shell's
/// convention: 143 for SIGTERM, 129 for SIGHUP).
pub fn exit_code(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(u8::MAX)
}

#[cfg(unix)]
mod unix {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc::Sender;
    use std::thread;

    use anyhow::{Context, Result};
    use signal_hook::consts::{SIGCONT, SIGHUP, SIGTERM, SIGTSTP};
    use signal_hook::iterator::Signals;

    use super::exit_code;

    /// The signals that end the interface.
    const ENDING: [i32; 2] = [SIGTERM, SIGHUP];

    /// The thread that turns signals into messages for the event loop
    /// (`message` makes one of a signal's number).
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
        pub fn start<M: Send + 'static>(tx: Sender<M>, message: fn(i32) -> M) -> Result<Watch> {
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
                        let sent = tx.send(message(signal)).is_ok();
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

    /// Stops the process as Ctrl-Z does (SIGTSTP, whose default action is
    /// to stop); returns when it is continued.
    pub fn stop() {
        let _ = signal_hook::low_level::raise(SIGTSTP);
    }
}

/// Without Unix signals: no SIGTERM or SIGHUP to handle, and nothing to stop
/// the process with (Ctrl-Z redraws).
#[cfg(not(unix))]
mod elsewhere {
    use std::sync::mpsc::Sender;

    use anyhow::Result;

    #[derive(Debug)]
    pub struct Watch;

    impl Watch {
        #[allow(clippy::unnecessary_wraps, clippy::needless_pass_by_value)]
        pub fn start<M>(_tx: Sender<M>, _message: fn(i32) -> M) -> Result<Watch> {
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

    pub fn stop() {}
}

#[cfg(all(test, unix))]
mod tests {
    use super::{exit_code, is_continue};

    #[test]
    fn ending_signals_exit_128_plus_their_number() {
        assert_eq!(exit_code(signal_hook::consts::SIGTERM), 143);
        assert_eq!(exit_code(signal_hook::consts::SIGHUP), 129);
        assert!(is_continue(signal_hook::consts::SIGCONT));
        assert!(!is_continue(signal_hook::consts::SIGTERM));
    }
}
