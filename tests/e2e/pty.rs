//! The pseudo-terminal the interface's tests run it in: the screen is read
//! with a terminal emulator (vt100), keys are typed into the pty, and
//! standard output goes to a file (the interface draws on the terminal,
//! never on stdout), so that what Enter prints and the exit code can be
//! checked.
//!
//! vt100 answers no queries, so the session answers those needle sends, as
//! a terminal would: DA1 (device attributes) always, and OSC 11 (the
//! background colour) when the test gives the terminal a background
//! ([`Session::with_background`]); without one it is a terminal that does
//! not know OSC 11, and answers DA1 alone.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

use crate::util::{USER_VARIABLES, needle_bin, user_dirs};

pub const ROWS: u16 = 30;
pub const COLS: u16 = 100;
/// How long to wait for the screen to show something, or for the exit.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// `needle ARGS` running in a 100x30 pseudo-terminal, in an empty working
/// directory (so the bundled article is used unless --content says
/// otherwise), on its own index, with stdout redirected to a file.
pub struct Session {
    pub parser: vt100::Parser,
    output: Receiver<Vec<u8>>,
    /// The pty's input: the keys typed, and the terminal's answers.
    keys: Arc<Mutex<Box<dyn Write + Send>>>,
    /// How many times needle asked for the background colour (OSC 11).
    background_queries: Arc<AtomicUsize>,
    pub child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
    stdout: PathBuf,
    pub dir: tempfile::TempDir,
}

impl Session {
    pub fn start(args: &[&str]) -> Session {
        Session::start_in(tempfile::tempdir().expect("temp dir"), args, &[])
    }

    pub fn start_in(dir: tempfile::TempDir, args: &[&str], env: &[(&str, &str)]) -> Session {
        // sh -c SCRIPT NAME OUTFILE BIN ARGS...: stdout to the file, the
        // terminal (stdin, stderr) stays the pty; exec, so that the child
        // is needle itself.
        Session::start_script(dir, "out=$1; shift; exec \"$@\" >\"$out\"", args, env)
    }

    /// `needle ARGS` started by a shell script, run as
    /// `sh -c SCRIPT sh OUTFILE NEEDLE ARGS...`.
    pub fn start_script(
        dir: tempfile::TempDir,
        script: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Session {
        Session::launch(dir, script, args, env, None)
    }

    /// As [`Session::start_script`], in a terminal that answers OSC 11
    /// with `background` (`"ffff/ffff/ffff"`: 16 bits a channel).
    pub fn with_background(
        dir: tempfile::TempDir,
        script: &str,
        args: &[&str],
        env: &[(&str, &str)],
        background: &str,
    ) -> Session {
        Session::launch(dir, script, args, env, Some(background))
    }

    fn launch(
        dir: tempfile::TempDir,
        script: &str,
        args: &[&str],
        env: &[(&str, &str)],
        background: Option<&str>,
    ) -> Session {
        let work = dir.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        let stdout = dir.path().join("stdout.txt");
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("opening a pseudo-terminal");
        let mut cmd = CommandBuilder::new("sh");
        cmd.args(["-c", script, "sh"]);
        cmd.arg(&stdout);
        cmd.arg(needle_bin());
        cmd.args(args);
        cmd.cwd(&work);
        cmd.env("NEEDLE_INDEX", dir.path().join("index"));
        cmd.env("TERM", "xterm-256color");
        // Isolated from the user's settings, history and editor.
        for name in USER_VARIABLES {
            cmd.env_remove(name);
        }
        for (name, value) in user_dirs(dir.path()) {
            cmd.env(name, value);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("starting needle");
        drop(pty.slave);

        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let keys = Arc::new(Mutex::new(pty.master.take_writer().expect("pty writer")));
        let background_queries = Arc::new(AtomicUsize::new(0));
        let (tx, output) = mpsc::channel();
        {
            let keys = Arc::clone(&keys);
            let queries = Arc::clone(&background_queries);
            let mut answers = Answers::new(background.map(str::to_owned));
            thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let (answer, asked) = answers.feed(&buf[..n]);
                    queries.fetch_add(asked, Ordering::SeqCst);
                    if !answer.is_empty() {
                        let mut keys = keys.lock().unwrap();
                        let _ = keys.write_all(&answer);
                        let _ = keys.flush();
                    }
                    if tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            });
        }
        Session {
            parser: vt100::Parser::new(
                NonZeroU16::new(ROWS).unwrap(),
                NonZeroU16::new(COLS).unwrap(),
                0,
            ),
            output,
            keys,
            background_queries,
            child,
            _master: pty.master,
            stdout,
            dir,
        }
    }

    /// Feeds what the program wrote so far to the emulator.
    pub fn pump(&mut self, wait: Duration) {
        if let Ok(bytes) = self.output.recv_timeout(wait) {
            self.parser.process(&bytes);
        }
        while let Ok(bytes) = self.output.try_recv() {
            self.parser.process(&bytes);
        }
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Waits until the screen shows `text`.
    pub fn wait_for(&mut self, text: &str) {
        let start = Instant::now();
        while !self.screen().contains(text) {
            assert!(
                start.elapsed() < TIMEOUT,
                "the screen never showed {text:?}; it shows:\n{}\nstdout: {:?}",
                self.screen(),
                std::fs::read_to_string(&self.stdout).unwrap_or_default()
            );
            if let Ok(Some(status)) = self.child.try_wait() {
                // What it wrote before exiting may still be in the pipe:
                // read it all before deciding that the text never came.
                for _ in 0..20 {
                    self.pump(Duration::from_millis(25));
                }
                if self.screen().contains(text) {
                    return;
                }
                panic!(
                    "needle exited ({status:?}) before showing {text:?}; the screen:\n{}",
                    self.screen()
                );
            }
            self.pump(Duration::from_millis(50));
        }
    }

    /// Waits until the screen no longer shows `text`.
    pub fn wait_for_gone(&mut self, text: &str) {
        let start = Instant::now();
        while self.screen().contains(text) {
            assert!(
                start.elapsed() < TIMEOUT,
                "the screen still shows {text:?}:\n{}",
                self.screen()
            );
            self.pump(Duration::from_millis(50));
        }
    }

    /// Sends a signal (`TERM`, `HUP`) to the child.
    pub fn kill(&mut self, signal: &str) {
        let pid = self.child.process_id().expect("needle's process id");
        let status = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(pid.to_string())
            .status()
            .expect("running kill");
        assert!(status.success(), "kill -{signal} {pid} failed");
    }

    /// Waits until the terminal is on the main screen (`false`) or the
    /// alternate one (`true`).
    pub fn wait_for_screen(&mut self, alternate: bool) {
        let start = Instant::now();
        while self.parser.screen().alternate_screen() != alternate {
            assert!(
                start.elapsed() < TIMEOUT,
                "the terminal never went to the {} screen; it shows:\n{}",
                if alternate { "alternate" } else { "main" },
                self.screen()
            );
            self.pump(Duration::from_millis(50));
        }
    }

    pub fn press(&mut self, bytes: &[u8]) {
        let mut keys = self.keys.lock().unwrap();
        keys.write_all(bytes).expect("typing into the pty");
        keys.flush().unwrap();
    }

    /// How many times needle asked the terminal for its background colour.
    pub fn background_queries(&self) -> usize {
        self.background_queries.load(Ordering::SeqCst)
    }

    /// Waits for the exit; its code.
    pub fn exit_code(&mut self) -> u32 {
        let start = Instant::now();
        loop {
            self.pump(Duration::from_millis(20));
            if let Some(status) = self.child.try_wait().expect("waiting for needle") {
                self.pump(Duration::from_millis(50));
                return status.exit_code();
            }
            if start.elapsed() > TIMEOUT {
                let _ = self.child.kill();
                panic!("needle did not exit; the screen:\n{}", self.screen());
            }
        }
    }

    pub fn stdout(&self) -> String {
        std::fs::read_to_string(&self.stdout).expect("reading the redirected stdout")
    }

    /// The terminal is back as it was: main screen, cursor shown, no mouse.
    pub fn assert_restored(&self) {
        let screen = self.parser.screen();
        assert!(!screen.alternate_screen(), "still on the alternate screen");
        assert!(!screen.hide_cursor(), "the cursor is still hidden");
        assert_eq!(
            screen.mouse_protocol_mode(),
            vt100::MouseProtocolMode::None,
            "the mouse is still captured"
        );
        assert!(!screen.bracketed_paste(), "bracketed paste is still on");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

/// The queries a terminal answers, found in what the program writes (they
/// may be split between reads): OSC 11 (`ESC ] 11 ; ?`, ended by BEL or
/// ST) is answered with the background colour, in the same ending, when
/// there is one; DA1 (`ESC [ c`) as a VT220 answers it.
struct Answers {
    background: Option<String>,
    osc11: usize,
    da1: usize,
    /// An OSC 11 query was read up to its `?`: its ending comes next.
    ending: bool,
}

const OSC11: &[u8] = b"\x1b]11;?";
const DA1: &[u8] = b"\x1b[c";
const DA1_ANSWER: &[u8] = b"\x1b[?62;22c";

impl Answers {
    fn new(background: Option<String>) -> Answers {
        Answers {
            background,
            osc11: 0,
            da1: 0,
            ending: false,
        }
    }

    /// The answers to the queries `bytes` completes, and how many OSC 11
    /// queries they hold.
    fn feed(&mut self, bytes: &[u8]) -> (Vec<u8>, usize) {
        let mut answer = Vec::new();
        let mut asked = 0;
        for &b in bytes {
            if self.ending {
                self.ending = false;
                asked += 1;
                if let Some(rgb) = &self.background {
                    let end: &[u8] = if b == 0x07 { b"\x07" } else { b"\x1b\\" };
                    answer.extend_from_slice(format!("\x1b]11;rgb:{rgb}").as_bytes());
                    answer.extend_from_slice(end);
                }
            }
            if step(&mut self.osc11, OSC11, b) {
                self.ending = true;
            }
            if step(&mut self.da1, DA1, b) {
                answer.extend_from_slice(DA1_ANSWER);
            }
        }
        (answer, asked)
    }
}

/// Advances a match of `pattern` (which has no ESC but its first byte) by
/// `b`; whether it is now complete.
fn step(matched: &mut usize, pattern: &[u8], b: u8) -> bool {
    *matched = if pattern[*matched] == b {
        *matched + 1
    } else {
        usize::from(b == pattern[0])
    };
    if *matched == pattern.len() {
        *matched = 0;
        return true;
    }
    false
}
