//! Training steps taken on another device. The trainer hands the device a [`StepsJob`]: the
//! network, where the steps start, and the batch of each step, drawn here as
//! [`Trainer::step`] would draw it. The device hands back [`StepsTaken`], which the trainer
//! takes over only if nothing changed meanwhile. Until then the trainer's own state is the
//! truth, so a device that fails, or is lost, loses nothing.

use super::{Config, StepResult, Stopped, Trainer};
use crate::nn::mlp::Architecture;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};

/// Another device that takes training steps for a [`Trainer`] (see [`Trainer::train_on`]).
pub trait TrainingDevice {
    /// The steps once started: for a device that works asynchronously, what gives
    /// [`StepsTaken`] when it is done.
    type Started;

    /// Starts the job's steps, drawing each step's batch from the job, in order.
    fn start(&self, job: StepsJob<'_>) -> Self::Started;
}

/// What training steps start from and leave behind, per parameter in the order
/// `W1, b1, W2, b2, …`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrainState {
    pub params: Vec<Vec<f32>>,
    /// The optimiser's first and second moments, and its step count.
    pub m: Vec<Vec<f32>>,
    pub v: Vec<Vec<f32>>,
    pub t: i32,
}

/// Which job steps answer. Only the steps of a trainer's latest job, with nothing changed
/// since it was handed out, can be taken over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket {
    stamp: u64,
    steps: NonZeroUsize,
}

/// `steps` training steps for another device to take from the trainer's current state.
pub struct StepsJob<'a> {
    trainer: &'a mut Trainer,
    start: TrainState,
    ticket: Ticket,
}

impl StepsJob<'_> {
    pub fn steps(&self) -> usize {
        self.ticket.steps.get()
    }

    /// The loss, the optimiser and its settings, and the regulariser.
    pub fn config(&self) -> &Config {
        &self.trainer.config
    }

    pub fn architecture(&self) -> &Architecture {
        &self.trainer.arch
    }

    /// Points in each batch.
    pub fn batch_size(&self) -> usize {
        self.trainer.batch_size()
    }

    /// Where the steps start.
    pub fn start(&self) -> &TrainState {
        &self.start
    }

    /// The next step's batch: `batch × features` inputs and one target per point.
    pub fn next_batch(&mut self) -> (&[f32], &[f32]) {
        // `train_on` checked that there are training points, and the job holds the trainer
        // until the device has drawn its batches, so the draw cannot fail.
        self.trainer.draw_batch().unwrap_or_default()
    }

    /// What the steps' result must carry, in [`StepsTaken::ticket`].
    pub fn ticket(&self) -> Ticket {
        self.ticket
    }
}

/// What another device hands back after a [`StepsJob`], for [`Trainer::take_over`].
#[derive(Clone, Debug)]
pub struct StepsTaken {
    /// The job's, from [`StepsJob::ticket`].
    pub ticket: Ticket,
    /// After the last step.
    pub state: TrainState,
    /// The last step's gradients (regulariser included) and the parameters before its
    /// update, per parameter.
    pub grads: Vec<Vec<f32>>,
    pub previous: Vec<Vec<f32>>,
    /// The last step's logits and each point's data loss, on its batch before its update.
    pub logits: Vec<f32>,
    pub point_losses: Vec<f32>,
}

/// A stamp no state of any trainer has had before. Unique across trainers, so steps
/// handed out by one trainer are never taken over by another.
pub(super) fn fresh_stamp() -> u64 {
    static LAST: AtomicU64 = AtomicU64::new(0);
    LAST.fetch_add(1, Ordering::Relaxed) + 1
}

impl Trainer {
    /// Where steps taken elsewhere start: parameters, optimiser moments and step count.
    fn state(&self) -> TrainState {
        let g = &self.net.graph;
        let (m, v, t) = self.optimizer.moments();
        TrainState {
            params: self.params.iter().map(|&id| g.value(id).to_vec()).collect(),
            m: m.to_vec(),
            v: v.to_vec(),
            t,
        }
    }

    /// Hands `steps` training steps to `device`, from the current state, on the batches
    /// [`Trainer::step`] would draw, and returns what the device started: its result goes
    /// to [`Trainer::take_over`]. Without training points nothing is handed over.
    pub fn train_on<D: TrainingDevice + ?Sized>(
        &mut self,
        device: &D,
        steps: NonZeroUsize,
    ) -> Result<D::Started, Stopped> {
        if self.order.is_empty() {
            return Err(Stopped::NoTrainingPoints);
        }
        // The job draws batches: steps handed out before can no longer be taken over.
        self.stamp = fresh_stamp();
        let job = StepsJob {
            start: self.state(),
            ticket: Ticket {
                stamp: self.stamp,
                steps,
            },
            trainer: self,
        };
        Ok(device.start(job))
    }

    /// Whether [`Trainer::take_over`] would take these steps: they answer this trainer's
    /// latest job, nothing changed since it was handed out, and they fit the network.
    pub fn accepts(&self, taken: &StepsTaken) -> bool {
        let g = &self.net.graph;
        let fits = |values: &[Vec<f32>]| {
            values.len() == self.params.len()
                && values
                    .iter()
                    .zip(&self.params)
                    .all(|(v, &id)| v.len() == g.value(id).len())
        };
        let s = &taken.state;
        taken.ticket.stamp == self.stamp
            && [&s.params, &s.m, &s.v, &taken.grads, &taken.previous]
                .iter()
                .all(|v| fits(v))
            && taken.point_losses.len() == self.batch.len()
            && taken.logits.len() == self.batch.len() * self.arch.outputs
    }

    /// Takes over the steps of this trainer's latest job and reports the last one, as
    /// [`Trainer::step`] does. If its loss is not finite, or a weight is not (another
    /// device need not carry NaN through max or clamp), the weights go back to the last
    /// ones known to give a finite loss, from before these steps. Steps it does not
    /// [accept](Trainer::accepts) change nothing.
    pub fn take_over(&mut self, taken: StepsTaken) -> Result<StepResult, Stopped> {
        if !self.accepts(&taken) {
            return Err(Stopped::Stale);
        }
        self.stamp = fresh_stamp(); // these steps are used up, whatever follows
        let StepsTaken {
            ticket,
            state,
            grads,
            previous,
            logits,
            point_losses,
        } = taken;
        let n = point_losses.len().max(1) as f64;
        let data_loss = point_losses.iter().map(|&l| l as f64).sum::<f64>() / n;
        let loss = data_loss + self.regularizer(&previous);
        let finite = state.params.iter().flatten().all(|w| w.is_finite());
        if !loss.is_finite() || !finite {
            return Err(self.diverged(if finite { loss } else { f64::NAN }));
        }
        let g = &mut self.net.graph;
        for (i, &id) in self.params.iter().enumerate() {
            // Same network, same shapes (accepted above): these cannot fail.
            let _ = g.set_value(id, &state.params[i]);
            let _ = g.set_grad(id, &grads[i]);
            self.last_good[i].copy_from_slice(&previous[i]);
        }
        self.optimizer.set_moments(&state.m, &state.v, state.t);
        let accuracy = super::accuracy_of(&logits, self.arch.outputs, &self.data, &self.batch);
        let steps = ticket.steps.get();
        self.steps += steps;
        self.seen += steps * self.batch.len();
        Ok(StepResult {
            step: self.steps,
            loss,
            accuracy,
        })
    }
}
