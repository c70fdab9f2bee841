//! Carrying out the effects the state queues: one runner for the event
//! loop, the test harness (`testing`) and [`Headless`](crate::Headless).
//!
//! [`App::update`] never does work itself: it queues [`Effect`]s, which
//! [`run_once`] takes and hands, one by one and in the order queued, to a
//! [`Perform`]: only the newest search job of those taken (the answers to
//! older ones would be dropped as stale, see `App::update`), and every
//! reindex and suspend. An answer that a [`Perform`] gives back at once is
//! applied to the state there and then; the effects it queues in turn wait
//! for the next round, as they do in the event loop.
//!
//! What differs between the three, and why:
//!
//! - The event loop hands searches and reindexes to the worker's threads
//!   (see `worker`), so that typing never waits for them: their answers
//!   come back later as messages on the loop's channel, and the loop runs
//!   one round per frame. Suspend gives the terminal back and stops the
//!   process; open gives the terminal to the editor until it exits, then
//!   reindexes.
//! - The test harness runs searches and reindexes in place, with fixed
//!   timings (so that snapshots do not vary), over and over until the state
//!   queues nothing more (`run_until_idle`, built for tests only): a test
//!   sees the state as the terminal shows it once the worker has answered
//!   everything. It counts suspends and records what it was asked to open
//!   (there is no terminal to give back).
//! - `Headless` runs searches in place, one round per call: the keystroke
//!   benchmark times one key's search, and a further page that its answer
//!   asks for runs on the next call, as the event loop's next round would
//!   hand it to the worker. It drops reindexes, suspends and opens: it has
//!   no content source and no terminal.
//!
//! The worker's search thread also keeps only the newest of the jobs
//! waiting for it, across rounds: a job handed on in one round can still be
//! superseded by the next round's.

use crate::tui::action::{Action, ReindexSummary};
use crate::tui::app::{App, Effect, OpenJob, SearchJob};

/// Where the effects go: what the three runners do differently.
pub trait Perform {
    /// Why suspending failed (`Infallible` where nothing can fail).
    type Error;

    /// Runs a search or a further page of one and gives its answer
    /// ([`Action::SearchDone`] or [`Action::PageDone`]), or hands it on and
    /// gives `None`: the answer arrives later, as a message.
    fn search(&mut self, job: SearchJob) -> Option<Action>;

    /// Runs an incremental reindex and gives its report, or hands it on (or
    /// drops it) and gives `None`.
    fn reindex(&mut self) -> Option<Result<ReindexSummary, String>>;

    /// Gives the terminal back and stops the process until it is
    /// continued (Ctrl-Z), or stands in for doing so.
    ///
    /// # Errors
    /// When the terminal cannot be given back or taken again.
    fn suspend(&mut self) -> Result<(), Self::Error>;

    /// Opens a passage's source file in the editor (giving it the
    /// terminal until it exits) and gives what to tell the user
    /// ([`Action::Edited`]), or drops the request and gives `None`.
    ///
    /// # Errors
    /// When the terminal cannot be given back or taken again.
    fn open(&mut self, job: OpenJob) -> Result<Option<Action>, Self::Error>;
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Effects taken from the state (0 when it had queued nothing).
    pub effects: usize,
    /// Search jobs run or handed on: 0 or 1 (only the newest one is).
    pub searches: usize,
}

/// Takes the effects queued so far and carries them out through `perform`:
/// the newest search job, every reindex and suspend, in the order queued.
/// Answers given back at once are applied to the state; what they queue
/// waits for the next round.
///
/// # Errors
/// When suspending fails; the effects after it are dropped.
pub fn run_once<P: Perform>(app: &mut App, perform: &mut P) -> Result<Round, P::Error> {
    let effects = app.take_effects();
    let newest = effects
        .iter()
        .rposition(|effect| matches!(effect, Effect::Search(_)));
    let mut round = Round {
        effects: effects.len(),
        searches: 0,
    };
    for (i, effect) in effects.into_iter().enumerate() {
        match effect {
            Effect::Search(job) => {
                // Older jobs are stale: their answers would be dropped.
                if Some(i) != newest {
                    continue;
                }
                round.searches += 1;
                if let Some(answer) = perform.search(job) {
                    app.update(answer);
                }
            }
            Effect::Reindex => {
                if let Some(report) = perform.reindex() {
                    // As the worker's reindex thread reports it.
                    app.update(Action::ReindexStarted);
                    app.update(Action::ReindexDone(report));
                }
            }
            Effect::Suspend => perform.suspend()?,
            Effect::Open(job) => {
                if let Some(answer) = perform.open(job)? {
                    app.update(answer);
                }
            }
        }
    }
    Ok(round)
}

/// Runs rounds until the state queues nothing more. Meant for a [`Perform`]
/// that answers at once; with one that hands the work on, the state queues
/// nothing until the answers arrive, so this returns after one round. Only
/// the test harness needs it.
///
/// # Errors
/// When suspending fails.
#[cfg(test)]
pub fn run_until_idle<P: Perform>(app: &mut App, perform: &mut P) -> Result<(), P::Error> {
    while run_once(app, perform)?.effects > 0 {}
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;
    use crate::tui::app::Options;
    use crate::tui::theme::Theme;

    /// Records what it is handed, in order, and answers nothing.
    #[derive(Default)]
    struct Record(Vec<String>);

    impl Perform for Record {
        type Error = Infallible;

        fn search(&mut self, job: SearchJob) -> Option<Action> {
            let generation = match job {
                SearchJob::New { generation, .. } | SearchJob::Page { generation, .. } => {
                    generation
                }
            };
            self.0.push(format!("search {generation}"));
            None
        }

        fn reindex(&mut self) -> Option<Result<ReindexSummary, String>> {
            self.0.push("reindex".to_owned());
            None
        }

        fn suspend(&mut self) -> Result<(), Infallible> {
            self.0.push("suspend".to_owned());
            Ok(())
        }

        fn open(&mut self, job: OpenJob) -> Result<Option<Action>, Infallible> {
            self.0.push(format!("open {}", job.passage));
            Ok(None)
        }
    }

    fn app() -> App {
        App::new(Options {
            query: String::new(),
            topic: None,
            theme: Theme::colored(),
            source: "test".to_owned(),
            passages: 0,
            width: 100,
            height: 30,
            per_article: None,
            keys: crate::tui::keys::KeyMap::default(),
            mouse: true,
            history: Vec::new(),
        })
    }

    /// Guards that only the newest search of a round runs, in its place
    /// among the other effects, and that nothing is left queued.
    #[test]
    fn a_round_runs_the_newest_search_and_every_other_effect_in_order() {
        let mut app = app();
        app.update(Action::Reindex);
        app.update(Action::Insert('a'));
        app.update(Action::Suspend);
        let mut record = Record::default();
        let Ok(round) = run_once(&mut app, &mut record);
        assert_eq!(record.0, ["reindex", "search 2", "suspend"]);
        assert_eq!(
            round,
            Round {
                effects: 4,
                searches: 1
            }
        );
        let Ok(round) = run_once(&mut app, &mut record);
        assert_eq!(round, Round::default());
    }
}
