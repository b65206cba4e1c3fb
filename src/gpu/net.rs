//! A network on the GPU: the forward pass over many points (the heatmap) and whole training
//! steps, with every layer's activations and gradients kept on the GPU between kernels.
//! Only the network's output, or the parameters at the end of a run of steps, come back.
//!
//! One training step, for layers `l = 1..L` with `h₀ = x`:
//!   forward   h_l = act_l(h_{l−1}·W_l + b_l)                  (matmul, bias epilogue)
//!   loss      dz_L = ∂(mean loss)/∂h_L                         (loss.wgsl)
//!   backward  ∂W_l = h_{l−1}ᵀ·dz_l                            (matmul with strides, split along the batch)
//!             ∂b_l = 1ᵀ·dz_l                                  (column sums)
//!             dz_{l−1} = (dz_l·W_lᵀ) ⊙ act'_{l−1}(h_{l−1})   (matmul, gradient epilogue)
//!   update    W ← W − lr·(∂W + regulariser's gradient), …     (optimizer.wgsl)

use super::codes::{declarations, KernelCode, LossCode, OptimizerCode, RegularizationCode};
use super::{groups, BufferId, Epilogue, Gpu, GpuError, Operand, Pending, Product, ReadBack};
use crate::nn::{
    Activation, Loss, OptimizerKind, Regularization, StepsJob, StepsTaken, Ticket, TrainState, Trainer,
    TrainingDevice, ADAM,
};
use bytemuck::{Pod, Zeroable};
use std::future::Future;
use std::rc::Rc;
use web_sys::GpuBuffer;

pub(super) fn loss_source() -> String {
    format!("{}{}", declarations::<LossCode>(), include_str!("loss.wgsl"))
}

pub(super) fn optimizer_source() -> String {
    let codes = declarations::<OptimizerCode>() + &declarations::<RegularizationCode>();
    format!("{codes}{}", include_str!("optimizer.wgsl"))
}

impl Gpu {
    /// The network's output (logits) for `rows` inputs, with the trainer's current weights.
    /// The work is submitted now; the future resolves when it is read back.
    pub fn forward(
        self: &Rc<Self>,
        trainer: &Trainer,
        x: &[f32],
        rows: usize,
    ) -> Result<impl Future<Output = Result<Vec<f32>, GpuError>> + 'static, GpuError> {
        let layers = trainer.layers();
        let inputs = trainer.arch.inputs;
        let widest = layers.iter().map(|l| l.outputs).max().unwrap_or(1).max(inputs);
        super::checked_len(rows, widest)?; // the widest matrix of the pass
        if x.len() != rows * inputs {
            return Err(GpuError::Shape {
                operand: "the points",
                rows,
                cols: inputs,
                values: x.len(),
            });
        }
        let read = self.record_and_read(|encoder| {
            let pass = encoder.begin_compute_pass();
            let mut h = self.upload(BufferId::ForwardX, x)?;
            for (l, layer) in layers.iter().enumerate() {
                // One buffer per layer: a buffer is never replaced while a recorded pass uses it.
                let out = self.scratch(BufferId::ForwardOutput(l), rows * layer.outputs)?;
                let w = self.upload(BufferId::ForwardWeights(l), &layer.w)?;
                let b = self.upload(BufferId::ForwardBias(l), &layer.b)?;
                let (a, w) = (Operand::rows(&h, layer.inputs), Operand::rows(&w, layer.outputs));
                let shape = [rows, layer.inputs, layer.outputs];
                let epilogue = Epilogue::bias(trainer.arch.activation(l));
                self.encode_matmul(&pass, Product::Forward(l), a, w, &b, &out, shape, epilogue)?;
                h = out;
            }
            pass.end();
            Ok(vec![(h, rows * trainer.arch.outputs)])
        })?;
        Ok(async move { Ok(read.wait().await?.remove(0)) })
    }
}

/// The GPU takes training steps for a trainer with every layer's activations and gradients
/// kept on the GPU between kernels, and reads back only what the trainer needs at the end.
impl TrainingDevice for Rc<Gpu> {
    type Started = Training;

    /// Records and submits the job's steps now; `Training::wait` reads their result back.
    /// Nothing borrows the trainer while the GPU works, so the page can draw meanwhile.
    fn start(&self, mut job: StepsJob<'_>) -> Training {
        let plan = Plan::of(&job);
        let (steps, t) = (job.steps(), job.start().t);
        // Each step's batch and settings are written just before the step is submitted: the
        // queue applies writes and submissions in the order they are made.
        self.watch();
        let submitted = (|| -> Result<ReadBack, GpuError> {
            plan.load(self, job.start())?;
            for s in 1..steps {
                let (x, y) = job.next_batch();
                let encoder = plan.record_step(self, x, y, t + s as i32, false)?;
                self.queue.submit(&[encoder.finish()]);
            }
            // The last step also copies out what the trainer takes over.
            let (x, y) = job.next_batch();
            let encoder = plan.record_step(self, x, y, t + steps as i32, true)?;
            let back = plan.copy_out(self, &encoder)?;
            self.queue.submit(&[encoder.finish()]);
            Ok(back)
        })();
        let errors = self.errors(); // on every path: the scopes must be closed
        Training {
            read: submitted.map(|back| Pending {
                gpu: Rc::clone(self),
                errors,
                back,
            }),
            plan,
            ticket: job.ticket(),
            t: t + steps as i32,
        }
    }
}

/// Training steps submitted to the GPU, on their way back.
pub struct Training {
    read: Result<Pending, GpuError>,
    plan: Plan,
    ticket: Ticket,
    /// The optimiser's step count after them.
    t: i32,
}

impl Training {
    /// What the steps produced, for `Trainer::take_over`.
    pub async fn wait(self) -> Result<StepsTaken, GpuError> {
        let out = self.read?.wait().await?;
        Ok(self.plan.parse(out, self.ticket, self.t))
    }
}

/// The shapes and settings of a training run on the GPU.
struct Plan {
    /// `(fan_in, fan_out, activation)` per layer.
    layers: Vec<(usize, usize, Activation)>,
    batch: usize,
    loss: Loss,
    optimizer: OptimizerKind,
    regularization: Regularization,
    lr: f32,
    mu: f32,
    lambda: f32,
}

/// loss.wgsl's `LossDims`, field for field.
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct LossDims {
    rows: u32,
    outputs: u32,
    loss: u32,
    pad: u32,
}

/// optimizer.wgsl's `Update`, field for field: the same for every step.
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Update {
    len: u32,
    optimizer: u32,
    regularization: u32,
    pad: u32,
    lr: f32,
    mu: f32,
    lambda: f32,
    b1: f32,
    b2: f32,
    one_minus_b1: f32,
    one_minus_b2: f32,
    epsilon: f32,
}

/// optimizer.wgsl's `Step`: Adam's bias corrections at this step.
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Step {
    c1: f32,
    c2: f32,
    pad: [f32; 2],
}

impl Plan {
    /// The plan for `job`'s network and batches.
    fn of(job: &StepsJob<'_>) -> Plan {
        let (c, arch) = (job.config(), job.architecture());
        Plan {
            layers: (arch.layers().into_iter().enumerate())
                .map(|(l, (i, o))| (i, o, arch.activation(l)))
                .collect(),
            batch: job.batch_size(),
            loss: c.loss,
            optimizer: c.optimizer,
            regularization: if c.lambda == 0.0 {
                Regularization::None
            } else {
                c.regularization
            },
            lr: c.learning_rate as f32,
            mu: c.momentum as f32,
            lambda: c.lambda as f32,
        }
    }

    fn sizes(&self) -> impl Iterator<Item = usize> + '_ {
        self.layers.iter().flat_map(|&(i, o, _)| [i * o, o])
    }

    fn outputs(&self) -> usize {
        self.layers.last().map_or(1, |l| l.1)
    }

    /// Uploads parameters and optimiser moments: the trainer's state is the truth, so a
    /// lost device or a switch of backend loses nothing.
    fn load(&self, gpu: &Gpu, state: &TrainState) -> Result<(), GpuError> {
        for i in 0..state.params.len() {
            gpu.upload(BufferId::Param(i), &state.params[i])?;
            gpu.upload(BufferId::FirstMoment(i), &state.m[i])?;
            gpu.upload(BufferId::SecondMoment(i), &state.v[i])?;
        }
        Ok(())
    }

    /// Records one step on batch `(x, y)`; `t` is the optimiser's step count after it. The
    /// last step also keeps the parameters it started from, for the trainer's divergence
    /// check and the loss's regulariser term.
    fn record_step(
        &self,
        gpu: &Gpu,
        x: &[f32],
        y: &[f32],
        t: i32,
        last: bool,
    ) -> Result<web_sys::GpuCommandEncoder, GpuError> {
        let (batch, n_layers) = (self.batch, self.layers.len());
        let encoder = gpu.encoder();
        let pass = encoder.begin_compute_pass();
        let buf = |id, floats| gpu.scratch(id, floats);
        let params: Vec<GpuBuffer> = self
            .sizes()
            .enumerate()
            .map(|(i, n)| buf(BufferId::Param(i), n))
            .collect::<Result<_, _>>()?;
        // forward, loss, backward: one compute pass (WebGPU orders its dispatches)
        let mut h = gpu.upload(BufferId::BatchX, x)?;
        let mut hs = vec![h.clone()];
        for (l, &(fan_in, fan_out, act)) in self.layers.iter().enumerate() {
            let out = buf(BufferId::Activations(l), batch * fan_out)?;
            let (a, w) = (Operand::rows(&h, fan_in), Operand::rows(&params[2 * l], fan_out));
            let epilogue = Epilogue::bias(act);
            gpu.encode_matmul(
                &pass,
                Product::TrainForward(l),
                a,
                w,
                &params[2 * l + 1],
                &out,
                [batch, fan_in, fan_out],
                epilogue,
            )?;
            hs.push(out.clone());
            h = out;
        }
        // loss and its gradient with respect to the logits
        let outputs = self.outputs();
        let labels = gpu.upload(BufferId::BatchY, y)?;
        let mut dz = buf(BufferId::Delta(n_layers - 1), batch * outputs)?;
        let point_losses = buf(BufferId::PointLosses, batch)?;
        let dims = LossDims {
            rows: batch as u32,
            outputs: outputs as u32,
            loss: LossCode::from(self.loss).code(),
            pad: 0,
        };
        let dims = gpu.uniform(BufferId::LossDims, &dims)?;
        gpu.dispatch(
            &pass,
            &gpu.loss,
            &[&h, &labels, &dz, &point_losses, &dims],
            groups(batch),
        );
        // backward, last layer first
        let unread = buf(BufferId::Unread, 1)?;
        let grads: Vec<GpuBuffer> = self
            .sizes()
            .enumerate()
            .map(|(i, n)| buf(BufferId::Grad(i), n))
            .collect::<Result<_, _>>()?;
        for (l, &(fan_in, fan_out, _)) in self.layers.iter().enumerate().rev() {
            let (h_in, dz_op) = (Operand::transposed(&hs[l], fan_in), Operand::rows(&dz, fan_out));
            gpu.encode_matmul(
                &pass,
                Product::WeightGrad(l),
                h_in,
                dz_op,
                &unread,
                &grads[2 * l],
                [fan_in, batch, fan_out],
                Epilogue::Partial,
            )?;
            gpu.encode_column_sums(
                &pass,
                Product::BiasGrad(l),
                &dz,
                &grads[2 * l + 1],
                [batch, fan_out],
            )?;
            if l > 0 {
                let below = buf(BufferId::Delta(l - 1), batch * fan_in)?;
                let w_t = Operand::transposed(&params[2 * l], fan_out);
                let epilogue = Epilogue::times_grad(self.layers[l - 1].2);
                gpu.encode_matmul(
                    &pass,
                    Product::InputGrad(l),
                    dz_op,
                    w_t,
                    &hs[l],
                    &below,
                    [batch, fan_out, fan_in],
                    epilogue,
                )?;
                dz = below;
            }
        }
        pass.end();
        if last {
            for (i, n) in self.sizes().enumerate() {
                let keep = buf(BufferId::Previous(i), n)?;
                encoder.copy_buffer_to_buffer_with_f64_and_f64_and_f64(
                    &params[i],
                    0.0,
                    &keep,
                    0.0,
                    (n * 4) as f64,
                )?;
            }
        }
        // update: a second pass, after the copies
        let pass = encoder.begin_compute_pass();
        let optimizer = OptimizerCode::from(self.optimizer).code();
        // Adam's constants and bias corrections in f32, as the CPU's optimiser has them.
        let adam = ADAM.of::<f32>();
        let (c1, c2) = adam.corrections(t);
        let step = gpu.uniform(
            BufferId::Step,
            &Step {
                c1,
                c2,
                pad: [0.0; 2],
            },
        )?;
        for (i, n) in self.sizes().enumerate() {
            // Only weights (even i) are regularised.
            let regularization = match i % 2 {
                0 => RegularizationCode::from(self.regularization),
                _ => RegularizationCode::NoRegularization,
            };
            let update = Update {
                len: n as u32,
                optimizer,
                regularization: regularization.code(),
                pad: 0,
                lr: self.lr,
                mu: self.mu,
                lambda: self.lambda,
                b1: adam.beta1,
                b2: adam.beta2,
                one_minus_b1: 1.0 - adam.beta1,
                one_minus_b2: 1.0 - adam.beta2,
                epsilon: adam.epsilon,
            };
            let u = gpu.uniform(BufferId::Update(i), &update)?;
            let (m1, m2) = (
                buf(BufferId::FirstMoment(i), n)?,
                buf(BufferId::SecondMoment(i), n)?,
            );
            gpu.dispatch(
                &pass,
                &gpu.update,
                &[&params[i], &grads[i], &m1, &m2, &u, &step],
                groups(n),
            );
        }
        pass.end();
        Ok(encoder)
    }

    /// Records the copies of what the trainer needs back: every parameter, its gradient,
    /// its value before the last update and its moments, then the last logits and losses.
    fn copy_out(&self, gpu: &Gpu, encoder: &web_sys::GpuCommandEncoder) -> Result<ReadBack, GpuError> {
        let sizes: Vec<usize> = self.sizes().collect();
        let ids = [
            BufferId::Param,
            BufferId::Grad,
            BufferId::Previous,
            BufferId::FirstMoment,
            BufferId::SecondMoment,
        ];
        let mut buffers = Vec::new();
        for id in ids {
            for (i, &n) in sizes.iter().enumerate() {
                buffers.push((gpu.scratch(id(i), n)?, n));
            }
        }
        let logits = self.batch * self.outputs();
        buffers.push((
            gpu.scratch(BufferId::Activations(self.layers.len() - 1), logits)?,
            logits,
        ));
        buffers.push((gpu.scratch(BufferId::PointLosses, self.batch)?, self.batch));
        let sources: Vec<(&GpuBuffer, usize)> = buffers.iter().map(|(b, n)| (b, *n)).collect();
        gpu.copy_out(encoder, &sources)
    }

    /// Splits what `copy_out` copied into what the trainer takes over.
    fn parse(&self, mut out: Vec<Vec<f32>>, ticket: Ticket, t: i32) -> StepsTaken {
        let point_losses = out.pop().unwrap_or_default();
        let logits = out.pop().unwrap_or_default();
        let mut parts = out.chunks(self.layers.len() * 2).map(|c| c.to_vec());
        let mut next = || parts.next().unwrap_or_default();
        let (params, grads, previous, m, v) = (next(), next(), next(), next(), next());
        // Each part has the length `copy_out` asked for; the trainer checks them all again.
        StepsTaken {
            ticket,
            state: TrainState { params, m, v, t },
            grads,
            previous,
            logits,
            point_losses,
        }
    }
}
