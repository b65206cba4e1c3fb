//! A training run as the page and the CLI drive it: built from a configuration that is
//! normalised and checked once, stepped many steps per call with the stop rules, and
//! reported in one shape.

use crate::nn::{Config, ConfigError, StepResult, Stopped, Trainer};
use serde::Serialize;

/// A run of `nn::Trainer`. The trainer is public: views read its data, weights and
/// metrics directly; what changes the run goes through here or through the trainer's own
/// checked methods (`reconfigure`, `add_point`, `take_over`).
pub struct TrainingSession {
    pub trainer: Trainer,
}

/// Where training stands after a call: the steps and epochs so far, the last step's loss
/// and accuracy on its batch (before its update; NaN if no step was taken), and why
/// training stopped, if it did.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Progress {
    pub step: usize,
    pub epoch: usize,
    pub loss: f64,
    pub accuracy: f64,
    /// Why training stopped, in words: divergence (weights kept), no data, stale steps.
    pub stopped: Option<String>,
    /// The same as a stable name to branch on: "diverged", "no-training-points", "stale".
    pub stopped_kind: Option<&'static str>,
}

/// What [`TrainingSession::run`] did: the last step taken, and why it stopped early.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub last: Option<StepResult>,
    pub stopped: Option<Stopped>,
}

impl TrainingSession {
    /// A run of `config`, normalised (one activation per hidden layer) and validated.
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        Ok(TrainingSession {
            trainer: Trainer::new(config)?,
        })
    }

    /// Up to `n` steps (forward, backward, update), telling `each` about every one (with
    /// the trainer, to evaluate or record it between steps). It
    /// stops early at the first step that cannot be taken: the loss is not finite (the
    /// weights go back to the last finite loss's) or there are no training points.
    /// An error from `each` (a closed pipe, say) ends the run and is returned.
    pub fn run<E>(
        &mut self,
        n: usize,
        mut each: impl FnMut(&mut Trainer, &StepResult) -> Result<(), E>,
    ) -> Result<Run, E> {
        let mut last = None;
        for _ in 0..n {
            match self.trainer.step() {
                Ok(r) => {
                    each(&mut self.trainer, &r)?;
                    last = Some(r);
                }
                Err(why) => {
                    return Ok(Run {
                        last,
                        stopped: Some(why),
                    })
                }
            }
        }
        Ok(Run { last, stopped: None })
    }

    /// Up to `n` steps, many per call from the page: the progress after them.
    pub fn step(&mut self, n: usize) -> Progress {
        let run = self.run(n, |_, _| Ok::<(), std::convert::Infallible>(()));
        match run {
            Ok(run) => self.progress(&run),
            Err(never) => match never {},
        }
    }

    /// The progress after `run` (or after steps taken over from another device).
    pub fn progress(&self, run: &Run) -> Progress {
        Progress {
            step: self.trainer.steps,
            epoch: self.trainer.epochs(),
            loss: run.last.map_or(f64::NAN, |r| r.loss),
            accuracy: run.last.map_or(f64::NAN, |r| r.accuracy),
            stopped: run.stopped.as_ref().map(Stopped::to_string),
            stopped_kind: run.stopped.as_ref().map(Stopped::kind),
        }
    }
}
