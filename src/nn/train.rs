//! Training a classifier: a configuration, a dataset, a network on the graph, and the loop
//! the lecture describes (forward, backward, step, over and over) on seeded mini-batches.
//!
//! The training graph is built once for the batch size; each step copies a batch into its
//! input, so a warm step allocates nothing.

use super::config::{Config, ConfigError, Problem};
use super::csv::OwnPoints;
use super::data::{self, Dataset, DatasetKind};
use super::infer::{Inference, Keep};
use super::mlp::{self, Activation, Architecture, LayerParams, Loss, Net, Regularization};
use super::optim::Optimizer;
use super::rng::Rng;
use crate::graph::NodeId;
use crate::tensor::fast_tanh;
use serde::Serialize;

mod device;
mod model;
pub use device::{StepsJob, StepsTaken, Ticket, TrainState, TrainingDevice};
pub use model::{ModelError, ModelFile, FORMAT as MODEL_FORMAT, VERSION as MODEL_VERSION};

/// What `Trainer::reconfigure` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reconfigured {
    /// Applied to the running trainer: the weights and the step count are kept.
    Live {
        /// A different optimiser starts from zero moments (and Adam's step count from 0).
        optimizer_reset: bool,
        /// The points were drawn again (same seed, new noise).
        points_redrawn: bool,
    },
    /// Nothing was changed: these fields need a new run (`Trainer::new`).
    NeedsRestart(Vec<&'static str>),
}

/// Loss and accuracy of one training step, on its batch, before the update.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StepResult {
    pub step: usize,
    pub loss: f64,
    pub accuracy: f64,
}

/// Data loss (without the regulariser) and accuracy on the training and test sets.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Metrics {
    pub train_loss: f64,
    /// NaN for a regression, as the R² and RMSE are for a classification.
    pub train_accuracy: f64,
    pub test_loss: f64,
    pub test_accuracy: f64,
    /// A regression's root mean squared error, `√(mean (s − y)²)`.
    pub train_rmse: f64,
    pub test_rmse: f64,
    /// A regression's coefficient of determination, `1 − Σ(s − y)² / Σ(y − ȳ)²`: 1 for a
    /// perfect fit, 0 for predicting the mean.
    pub train_r2: f64,
    pub test_r2: f64,
}

/// Why `data` (checked on its own) cannot go with `config`: targets for a classification,
/// classes for a regression, or another number of classes.
pub(crate) fn data_fits(config: &Config, data: &Dataset) -> Result<(), String> {
    match config.problem {
        Problem::Regression if !data.is_regression() => {
            Err("they have classes, and a regression needs targets".into())
        }
        Problem::Classification if data.is_regression() => {
            Err("they have targets, and a classification needs classes".into())
        }
        Problem::Classification if data.classes != config.classes => Err(format!(
            "they have {} classes and the configuration {}",
            data.classes, config.classes
        )),
        _ => Ok(()),
    }
}

/// The fraction of `indices` whose class the `logits` predict; NaN for a regression.
pub(crate) fn accuracy_of(logits: &[f32], outputs: usize, data: &Dataset, indices: &[usize]) -> f64 {
    if data.is_regression() {
        return f64::NAN;
    }
    let correct = mlp::predictions(logits, outputs)
        .zip(indices)
        .filter(|&(p, &i)| p == data.labels[i])
        .count();
    correct as f64 / indices.len().max(1) as f64
}

/// How well a regression's outputs `s` fit `targets`: RMSE and R² (NaN for no points).
fn fit(outputs: &[f32], targets: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = outputs.len() as f64;
    let mean = targets.clone().sum::<f64>() / n;
    let (sse, sst) = outputs.iter().zip(targets).fold((0.0, 0.0), |(e, t), (&s, y)| {
        (e + (s as f64 - y).powi(2), t + (y - mean).powi(2))
    });
    ((sse / n).sqrt(), 1.0 - sse / sst)
}

/// Why a training step did not happen.
#[derive(Clone, Debug, PartialEq)]
pub enum Stopped {
    /// The loss stopped being a finite number at `step`; the weights are those of the last
    /// finite loss.
    Diverged { step: usize, loss: f64 },
    /// There are no training points (all were cleared).
    NoTrainingPoints,
    /// Steps taken on another device were not taken over: the trainer changed after they
    /// were handed out (see [`Trainer::take_over`]). The weights are unchanged.
    Stale,
}

impl Stopped {
    /// A stable name for the reason, for code that branches on it.
    pub fn kind(&self) -> &'static str {
        match self {
            Stopped::Diverged { .. } => "diverged",
            Stopped::NoTrainingPoints => "no-training-points",
            Stopped::Stale => "stale",
        }
    }
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stopped::Diverged { step, loss } => write!(
                f,
                "training stopped at step {step}: the loss became {loss} (is the learning rate too high?); \
                 the weights are those of the last finite loss"
            ),
            Stopped::NoTrainingPoints => {
                write!(f, "there are no training points: add some or regenerate the data")
            }
            Stopped::Stale => write!(
                f,
                "training steps were not taken over: the network or its data changed after they were \
                 handed out; the weights are unchanged"
            ),
        }
    }
}

#[derive(Clone, Copy)]
enum Split {
    Train,
    Test,
}

pub struct Trainer {
    pub config: Config,
    pub data: Dataset,
    pub arch: Architecture,
    /// The features of every point, `points × features`, row-major.
    inputs: Vec<f32>,
    net: Net<f32>,
    params: Vec<NodeId>,
    optimizer: Optimizer<f32>,
    rng: Rng,
    /// Training points in the order mini-batches are drawn; reshuffled each epoch.
    order: Vec<usize>,
    cursor: usize,
    pub steps: usize,
    /// Training points used so far, for the epoch count.
    seen: usize,
    batch: Vec<usize>,
    batch_x: Vec<f32>,
    batch_y: Vec<f32>,
    /// The parameters that gave the last finite loss, restored if training diverges.
    last_good: Vec<Vec<f32>>,
    /// Networks over fixed sets of points (train, test), sharing the weights.
    evaluators: Vec<(Vec<usize>, Net<f32>)>,
    /// The features over square grids of the plane, by resolution, for the heatmaps.
    grid_features: Vec<(usize, Vec<f32>)>,
    /// The views' forward passes (heatmaps, curves): no graph, buffers kept.
    inference: Inference,
    /// Half the side of the square of the plane that views show: `[-extent, extent]²`.
    pub extent: f64,
    /// Changes whenever the weights, the optimiser's state, the data or the batches drawn
    /// change, so that steps handed to another device before cannot be taken over after.
    stamp: u64,
}

/// Class probabilities from logits, `rows × classes`: softmax of K logits; one logit `s`
/// becomes `[1 − p, p]` with `p = σ(s)` for the logistic loss and `(s + 1) / 2` clipped to
/// [0, 1] for hinge and squared error, whose targets are ±1.
pub fn probabilities(loss: Loss, classes: usize, logits: &[f32]) -> Vec<f32> {
    let mut out = Vec::with_capacity(logits.len() * 2);
    if loss == Loss::SoftmaxCrossEntropy {
        for row in logits.chunks_exact(classes) {
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let total: f32 = row.iter().map(|&z| (z - max).exp()).sum();
            out.extend(row.iter().map(|&z| (z - max).exp() / total));
        }
    } else {
        for &s in logits {
            let p = match loss {
                Loss::Logistic => 1.0 / (1.0 + (-s).exp()),
                _ => ((s + 1.0) / 2.0).clamp(0.0, 1.0),
            };
            out.extend([1.0 - p, p]);
        }
    }
    out
}

/// What the views draw from the network's outputs over points: for two classes the
/// probability of class 1 at each point (class 0's is one minus it: half the values to
/// make and hand to the page), for more each class's (`rows × classes`, as `probabilities`
/// defines them), and for a regression the output itself. The logistic's σ(s) is
/// ½ + ½·tanh(s/2) by the views' `fast_tanh` (within 5e-7; `exp` is a call per point),
/// which the compiler vectorises.
pub fn view_values(config: &Config, logits: &[f32]) -> Vec<f32> {
    match (config.problem, config.loss) {
        (Problem::Regression, _) => logits.to_vec(),
        (Problem::Classification, Loss::Logistic) => {
            logits.iter().map(|&s| 0.5 + 0.5 * fast_tanh(0.5 * s)).collect()
        }
        (Problem::Classification, loss) => {
            let p = probabilities(loss, config.classes, logits);
            if config.classes == 2 {
                p.into_iter().skip(1).step_by(2).collect()
            } else {
                p
            }
        }
    }
}

/// A seed for the weights or the batches: `seed` itself when `init_seed` is 0 (every run
/// as it always was), else mixed with it (the golden ratio's odd multiplier spreads
/// neighbouring init seeds far apart).
fn with_init(seed: u64, init_seed: u64) -> u64 {
    seed ^ init_seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The objective and its gradient at one point (see [`Trainer::gradient_at`]).
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, Serialize)]
pub struct PointGradient {
    pub loss: f64,
    pub layers: Vec<LayerGradient>,
}

/// `∂L/∂W` (inputs × outputs, row-major) and `∂L/∂b` of one layer.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, Serialize)]
pub struct LayerGradient {
    pub w_grad: Vec<f32>,
    pub b_grad: Vec<f32>,
}

/// The change of one layer's weights (inputs × outputs, row-major) and biases.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, Serialize)]
pub struct LayerUpdate {
    pub dw: Vec<f32>,
    pub db: Vec<f32>,
}

/// One layer's neurons at one point: `z = h·W + b` before the activation, and its output.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, Serialize)]
pub struct LayerActivations {
    pub z: Vec<f32>,
    pub h: Vec<f32>,
}

/// The weights of one layer and the gradients of the last step.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, Serialize)]
pub struct LayerState {
    pub inputs: usize,
    pub outputs: usize,
    /// `inputs × outputs`, row-major: `w[i * outputs + j]` connects input `i` to neuron `j`.
    pub w: Vec<f32>,
    pub w_grad: Vec<f32>,
    pub b: Vec<f32>,
    pub b_grad: Vec<f32>,
}

impl Trainer {
    /// A trainer for `config` (normalised: see [`Config::normalized`]), on data drawn from
    /// its seed.
    pub fn new(config: Config) -> Result<Trainer, ConfigError> {
        let config = config.normalized()?;
        if config.dataset == DatasetKind::Own {
            return Err(ConfigError::OwnPoints);
        }
        let c = &config;
        let data = data::generate(c.dataset, c.classes, c.points, c.noise, c.test_fraction, c.seed);
        Trainer::from_step_zero(config, data)
    }

    /// A trainer on the user's own points (see `nn::csv`), split into training and test
    /// sets by the configuration's seed and test fraction; the configuration's dataset
    /// becomes `Own` and its point count theirs.
    pub fn with_points(config: Config, own: OwnPoints) -> Result<Trainer, ConfigError> {
        let config = Config {
            dataset: DatasetKind::Own,
            points: own.points.len(),
            ..config
        }
        .normalized()?;
        let c = &config;
        let data = data::own(
            own.points,
            own.labels,
            own.targets,
            own.classes,
            c.test_fraction,
            c.seed,
        );
        Trainer::with_dataset(config, data)
    }

    /// A new run on exactly these points and this split (the page's Reset after points
    /// were added or removed by hand): what `Trainer::new` would do on them.
    pub fn with_dataset(config: Config, data: Dataset) -> Result<Trainer, ConfigError> {
        let config = config.normalized()?;
        data.check().map_err(ConfigError::Data)?;
        data_fits(&config, &data).map_err(ConfigError::Data)?;
        Trainer::from_step_zero(config, data)
    }

    /// A run at step 0: the initial weights drawn from the seeds.
    fn from_step_zero(config: Config, data: Dataset) -> Result<Trainer, ConfigError> {
        let arch = config.architecture();
        let params = mlp::init(&arch, with_init(config.seed.wrapping_add(1), config.init_seed));
        Trainer::with_data(config, data, &params)
    }

    /// A trainer on the given data and initial parameters.
    pub fn with_data(config: Config, data: Dataset, params: &[LayerParams]) -> Result<Trainer, ConfigError> {
        let arch = config.architecture();
        let batch = config.batch_size.min(data.train.len()).max(1);
        let net = Net::<f32>::build(
            &arch,
            params,
            batch,
            config.loss,
            config.regularization,
            config.lambda,
        )?;
        let param_ids: Vec<NodeId> = net.params.iter().flat_map(|&(w, b)| [w, b]).collect();
        let optimizer = Optimizer::new(config.optimizer, config.momentum, &net.graph);
        let last_good = param_ids.iter().map(|&id| net.graph.value(id).to_vec()).collect();
        let mut trainer = Trainer {
            inputs: Vec::new(),
            order: data.train.clone(),
            rng: Rng::new(with_init(config.seed.wrapping_add(2), config.init_seed)),
            cursor: 0,
            steps: 0,
            seen: 0,
            batch: Vec::with_capacity(batch),
            batch_x: Vec::with_capacity(batch * arch.inputs),
            batch_y: Vec::with_capacity(batch),
            last_good,
            evaluators: Vec::new(),
            grid_features: Vec::new(),
            inference: Inference::default(),
            extent: 1.0,
            stamp: device::fresh_stamp(),
            params: param_ids,
            optimizer,
            net,
            arch,
            data,
            config,
        };
        trainer.compute_inputs();
        trainer.shuffle();
        Ok(trainer)
    }

    /// The data's reach, with a margin, so every point is inside the views.
    fn compute_extent(&mut self) {
        let reach = self
            .data
            .points
            .iter()
            .flat_map(|p| [p[0].abs(), p[1].abs()])
            .fold(0.0, f64::max);
        self.extent = (1.15 * reach).max(1.0);
    }

    fn compute_inputs(&mut self) {
        self.compute_extent();
        let features = &self.config.features;
        self.inputs = self
            .data
            .points
            .iter()
            .flat_map(|&p| features.iter().map(move |f| f.of(p) as f32))
            .collect();
    }

    fn shuffle(&mut self) {
        if self.config.batch_size < self.order.len() {
            self.rng.shuffle(&mut self.order);
        }
        self.cursor = 0;
    }

    /// The next mini-batch: consecutive points of the shuffled order, reshuffled when an
    /// epoch is used up; the whole training set when the batch is at least that large.
    fn next_batch(&mut self) {
        let size = self.net.graph.node(self.net.x).shape.rows().min(self.order.len());
        if self.cursor + size > self.order.len() {
            self.shuffle();
        }
        self.batch.clear();
        self.batch
            .extend_from_slice(&self.order[self.cursor..self.cursor + size]);
        self.cursor += size;
    }

    /// Copies points into a net's input and target.
    fn load(
        net: &mut Net<f32>,
        inputs: &[f32],
        data: &Dataset,
        loss: Loss,
        indices: &[usize],
        x: &mut Vec<f32>,
        y: &mut Vec<f32>,
    ) {
        let f = net.graph.node(net.x).shape.cols();
        x.clear();
        y.clear();
        for &i in indices {
            x.extend_from_slice(&inputs[i * f..(i + 1) * f]);
            if data.is_regression() {
                y.push(data.targets[i] as f32);
                continue;
            }
            let label = data.labels[i];
            y.push(match loss {
                Loss::SoftmaxCrossEntropy => label as f32,
                _ => {
                    if label == 1 {
                        1.0
                    } else {
                        -1.0
                    }
                }
            });
        }
        // Shapes were fixed when the net was built for this many points.
        let _ = net.graph.set_value(net.x, x);
        let _ = net.graph.set_value(net.target, y);
    }

    fn accuracy(net: &Net<f32>, data: &Dataset, indices: &[usize]) -> f64 {
        let outputs = net.graph.node(net.logits()).shape.cols();
        accuracy_of(net.graph.value(net.logits()), outputs, data, indices)
    }

    /// Points in each mini-batch: the configured size, or every training point if fewer.
    fn batch_size(&self) -> usize {
        self.config.batch_size.min(self.order.len())
    }

    /// Draws the next mini-batch and copies it into the training net's input and target;
    /// returns them (`batch × features` inputs, one target per point).
    fn draw_batch(&mut self) -> Result<(&[f32], &[f32]), Stopped> {
        if self.order.is_empty() {
            return Err(Stopped::NoTrainingPoints);
        }
        let batch = self.batch_size();
        if batch != self.net.graph.node(self.net.x).shape.rows() {
            self.rebuild_net(batch);
        }
        self.next_batch();
        Self::load(
            &mut self.net,
            &self.inputs,
            &self.data,
            self.config.loss,
            &self.batch,
            &mut self.batch_x,
            &mut self.batch_y,
        );
        Ok((&self.batch_x, &self.batch_y))
    }

    /// One step: forward on a mini-batch, backward, update. If the loss is not finite the
    /// weights go back to the last ones that gave a finite loss, and training stops.
    pub fn step(&mut self) -> Result<StepResult, Stopped> {
        self.stamp = device::fresh_stamp();
        self.draw_batch()?;
        self.net.graph.forward();
        let loss = self.net.graph.value(self.net.loss)[0] as f64;
        if !loss.is_finite() {
            return Err(self.diverged(loss));
        }
        for (&id, good) in self.params.iter().zip(&mut self.last_good) {
            good.copy_from_slice(self.net.graph.value(id));
        }
        let accuracy = Self::accuracy(&self.net, &self.data, &self.batch);
        self.net.graph.backward(self.net.loss);
        self.optimizer
            .step(&mut self.net.graph, &self.params, self.config.learning_rate);
        self.steps += 1;
        self.seen += self.batch.len();
        Ok(StepResult {
            step: self.steps,
            loss,
            accuracy,
        })
    }

    /// Puts back the last weights that gave a finite loss and forgets the optimiser's moments.
    fn diverged(&mut self, loss: f64) -> Stopped {
        for (&id, good) in self.params.iter().zip(&self.last_good) {
            let _ = self.net.graph.set_value(id, good);
        }
        self.optimizer.reset();
        self.net.graph.forward();
        Stopped::Diverged {
            step: self.steps + 1,
            loss,
        }
    }

    /// The regulariser's value for these parameters (`W1, b1, W2, b2, …`).
    fn regularizer(&self, params: &[Vec<f32>]) -> f64 {
        let lambda = self.config.lambda;
        let weights = params.iter().step_by(2).flatten().map(|&w| w as f64);
        match self.config.regularization {
            Regularization::None => 0.0,
            Regularization::L1 => lambda * weights.map(f64::abs).sum::<f64>(),
            Regularization::L2 => lambda / 2.0 * weights.map(|w| w * w).sum::<f64>(),
        }
    }

    /// Rebuilds the training net around the current weights and gradients, for a new
    /// batch size or regulariser (both are part of its graph).
    fn rebuild_net(&mut self, batch: usize) {
        let params = self.net.params_f64();
        let built = Net::<f32>::build(
            &self.arch,
            &params,
            batch,
            self.config.loss,
            self.config.regularization,
            self.config.lambda,
        );
        if let Ok(mut net) = built {
            // Same architecture: the parameters are the same nodes in the same order.
            for &id in &self.params {
                let _ = net.graph.set_grad(id, self.net.graph.grad(id));
            }
            self.net = net;
        }
    }

    /// Changes the configuration while training goes on, where that needs neither new data
    /// nor a new network: learning rate, optimiser and momentum, batch size, regulariser and
    /// its rate, and the noise (the same points drawn again with the new noise). Weights
    /// and step count are kept; a different optimiser starts from zero moments, a new
    /// momentum keeps the velocity. If any other field differs, nothing changes and the
    /// answer names those fields.
    pub fn reconfigure(&mut self, next: Config) -> Result<Reconfigured, ConfigError> {
        let next = next.normalized()?;
        let restarts = self.config.restarts(&next);
        if !restarts.is_empty() {
            return Ok(Reconfigured::NeedsRestart(restarts));
        }
        let old = std::mem::replace(&mut self.config, next);
        // Steps handed to another device ran with the old settings: they cannot be taken over.
        self.stamp = device::fresh_stamp();
        let optimizer_reset = old.optimizer != self.config.optimizer;
        if optimizer_reset {
            self.optimizer = Optimizer::new(self.config.optimizer, self.config.momentum, &self.net.graph);
        } else {
            self.optimizer.momentum = self.config.momentum;
        }
        if (old.regularization, old.lambda) != (self.config.regularization, self.config.lambda) {
            self.rebuild_net(self.net.graph.node(self.net.x).shape.rows());
        }
        // A new batch size takes effect at the next draw (`draw_batch` resizes the net).
        let points_redrawn = old.noise != self.config.noise && self.config.dataset != DatasetKind::Own;
        if points_redrawn {
            let c = &self.config;
            self.data = data::generate(c.dataset, c.classes, c.points, c.noise, c.test_fraction, c.seed);
            self.order = self.data.train.clone();
            self.data_changed();
        }
        Ok(Reconfigured::Live {
            optimizer_reset,
            points_redrawn,
        })
    }

    /// The steps still to take until `epochs()` reaches `epoch` (0 once it has; `None`
    /// without training points): each step uses a batch of the current size, so this is
    /// exact until the batch size or the points change.
    pub fn steps_to_epoch(&self, epoch: usize) -> Option<usize> {
        let n = self.order.len();
        if n == 0 {
            return None;
        }
        Some(
            (epoch * n)
                .saturating_sub(self.seen)
                .div_ceil(self.batch_size().max(1)),
        )
    }

    /// Complete passes over the training set so far (points used ÷ training points).
    pub fn epochs(&self) -> usize {
        self.seen / self.order.len().max(1)
    }

    /// The indices of the last mini-batch.
    pub fn last_batch(&self) -> &[usize] {
        &self.batch
    }

    /// Data loss and accuracy on the whole training and test sets, with the current weights.
    pub fn evaluate(&mut self) -> Metrics {
        let (train_loss, train_accuracy, (train_rmse, train_r2)) = self.evaluate_on(Split::Train);
        let (test_loss, test_accuracy, (test_rmse, test_r2)) = self.evaluate_on(Split::Test);
        Metrics {
            train_loss,
            train_accuracy,
            test_loss,
            test_accuracy,
            train_rmse,
            test_rmse,
            train_r2,
            test_r2,
        }
    }

    /// Loss, accuracy, and (RMSE, R²) on `split`: NaN where they do not apply.
    fn evaluate_on(&mut self, split: Split) -> (f64, f64, (f64, f64)) {
        const NONE: f64 = f64::NAN;
        let Some(k) = self.evaluator(split) else {
            return (NONE, NONE, (NONE, NONE));
        };
        let (indices, net) = &self.evaluators[k];
        let loss = net.graph.value(net.data_loss)[0] as f64;
        let regression = if self.data.is_regression() {
            fit(
                net.graph.value(net.logits()),
                indices.iter().map(|&i| self.data.targets[i]),
            )
        } else {
            (NONE, NONE)
        };
        (loss, Self::accuracy(net, &self.data, indices), regression)
    }

    /// The hidden neurons that are dead: a ReLU whose output is 0 for every training point,
    /// so no gradient flows through it and it cannot learn back (the lecture's warning about
    /// gradients that do not flow). Per hidden layer, the indices of its dead neurons; empty
    /// for layers of other activations, and for all when there are no training points.
    pub fn dead_neurons(&mut self) -> Vec<Vec<usize>> {
        let hidden = self.arch.hidden.len();
        let relu: Vec<bool> = (0..hidden)
            .map(|l| self.arch.activation(l) == Activation::Relu)
            .collect();
        let Some(k) = self.evaluator(Split::Train) else {
            return vec![Vec::new(); hidden];
        };
        let net = &self.evaluators[k].1;
        (0..hidden)
            .map(|l| {
                if !relu[l] {
                    return Vec::new();
                }
                let out = net.graph.value(net.layers[l]);
                let width = net.graph.node(net.layers[l]).shape.cols().max(1);
                (0..width)
                    .filter(|&j| out.iter().skip(j).step_by(width).all(|&v| v == 0.0))
                    .collect()
            })
            .collect()
    }

    /// The gradient of the training objective (the data loss plus the regulariser) at one
    /// data point, with the current weights: what a batch of just that point would give.
    /// The network opened as a program computes the same, node by node. `None` for an
    /// index past the points.
    pub fn gradient_at(&self, point: usize) -> Option<PointGradient> {
        if point >= self.data.points.len() {
            return None;
        }
        let mut net = self.net_at(point, true)?;
        net.graph.backward(net.loss);
        let g = &net.graph;
        Some(PointGradient {
            loss: g.value(net.loss)[0] as f64,
            layers: net
                .params
                .iter()
                .map(|&(w, b)| LayerGradient {
                    w_grad: g.grad(w).to_vec(),
                    b_grad: g.grad(b).to_vec(),
                })
                .collect(),
        })
    }

    /// A network over data point `point` alone with the current weights, its forward pass
    /// done: the training objective's (the regulariser too) or the data loss's alone.
    fn net_at(&self, point: usize, regularized: bool) -> Option<Net<f32>> {
        let c = &self.config;
        let (reg, lambda) = if regularized {
            (c.regularization, c.lambda)
        } else {
            (Regularization::None, 0.0)
        };
        let mut net = Net::<f32>::build(&self.arch, &self.net.params_f64(), 1, c.loss, reg, lambda).ok()?;
        let (mut x, mut y) = (Vec::new(), Vec::new());
        Self::load(
            &mut net,
            &self.inputs,
            &self.data,
            c.loss,
            &[point],
            &mut x,
            &mut y,
        );
        net.graph.forward();
        Some(net)
    }

    /// The network's input features at data point `point`, and every layer's neurons there,
    /// with the current weights (for a neuron's formula with the numbers plugged in);
    /// `None` for an index past the points.
    pub fn activations_at(&self, point: usize) -> Option<(Vec<f32>, Vec<LayerActivations>)> {
        if point >= self.data.points.len() {
            return None;
        }
        let net = self.net_at(point, false)?;
        let g = &net.graph;
        let layers = (net.pre_activations.iter().zip(&net.layers))
            .map(|(&z, &h)| LayerActivations {
                z: g.value(z).to_vec(),
                h: g.value(h).to_vec(),
            })
            .collect();
        Some((g.value(net.x).to_vec(), layers))
    }

    /// The change the optimiser's next step would make to each weight and bias if the
    /// gradients were those of the last step: per layer, `(ΔW, Δb)` shaped as the weights.
    pub fn update_preview(&self) -> Vec<LayerUpdate> {
        let deltas = self
            .optimizer
            .preview(&self.net.graph, &self.params, self.config.learning_rate);
        deltas
            .chunks_exact(2)
            .map(|wb| LayerUpdate {
                dw: wb[0].clone(),
                db: wb[1].clone(),
            })
            .collect()
    }

    /// The index into `evaluators` of a network over exactly the points of `split`, built
    /// on first use and kept, with the current weights and a forward pass done; `None` when
    /// the split has no points.
    fn evaluator(&mut self, split: Split) -> Option<usize> {
        let indices = match split {
            Split::Train => &self.data.train,
            Split::Test => &self.data.test,
        };
        if indices.is_empty() {
            return None;
        }
        // A network over exactly these points, built on first use and kept.
        let k = match self.evaluators.iter().position(|(ix, _)| ix == indices) {
            Some(k) => k,
            None => {
                let net = Net::<f32>::build(
                    &self.arch,
                    &self.net.params_f64(),
                    indices.len(),
                    self.config.loss,
                    Regularization::None,
                    0.0,
                );
                let Ok(mut net) = net else {
                    return None;
                };
                let (mut x, mut y) = (Vec::new(), Vec::new());
                Self::load(
                    &mut net,
                    &self.inputs,
                    &self.data,
                    self.config.loss,
                    indices,
                    &mut x,
                    &mut y,
                );
                self.evaluators.push((indices.clone(), net));
                self.evaluators.len() - 1
            }
        };
        let net = &mut self.evaluators[k].1;
        net.copy_params_from(&self.net);
        net.graph.forward();
        Some(k)
    }

    /// The centre of cell `(row, col)` of a `res × res` grid over the view, top row first.
    pub fn grid_point(&self, res: usize, row: usize, col: usize) -> [f64; 2] {
        let step = 2.0 * self.extent / res as f64;
        [
            -self.extent + (col as f64 + 0.5) * step,
            self.extent - (row as f64 + 0.5) * step,
        ]
    }

    /// The features of the centre of every cell of a `res × res` grid, top row first:
    /// `res² × features`, the input of a forward pass over the grid.
    pub fn grid_inputs(&self, res: usize) -> Vec<f32> {
        (0..res * res)
            .flat_map(|c| {
                let p = self.grid_point(res, c / res, c % res);
                self.config.features.iter().map(move |f| f.of(p) as f32)
            })
            .collect()
    }

    /// A forward pass over a `res × res` grid of the plane with the current weights, every
    /// layer's output kept if the neuron views need them.
    fn grid(&mut self, res: usize, keep: Keep) -> &Inference {
        let k = match self.grid_features.iter().position(|(r, _)| *r == res) {
            Some(k) => k,
            None => {
                let inputs = self.grid_inputs(res);
                self.grid_features.push((res, inputs));
                self.grid_features.len() - 1
            }
        };
        let net = &self.net;
        self.inference.run(
            &self.arch,
            |l| net.layer(l),
            &self.grid_features[k].1,
            res * res,
            keep,
        );
        &self.inference
    }

    /// What the plot shows at each cell of a `res × res` grid (top row first), as
    /// [`view_values`] gives it: class 1's probability for two classes, each class's for
    /// more, a regression's output.
    pub fn predict_grid(&mut self, res: usize) -> Vec<f32> {
        self.grid(res, Keep::Output);
        view_values(&self.config, self.inference.logits())
    }

    /// The network's output at `n` evenly spaced points of the line x2 = 0 across the
    /// view, left to right: the curve of a one-dimensional fit.
    pub fn predict_curve(&mut self, n: usize) -> Vec<f32> {
        let step = 2.0 * self.extent / (n.max(2) - 1) as f64;
        let features = &self.config.features;
        let inputs: Vec<f32> = (0..n)
            .flat_map(|k| {
                let p = [-self.extent + k as f64 * step, 0.0];
                features.iter().map(move |f| f.of(p) as f32)
            })
            .collect();
        let net = &self.net;
        self.inference
            .run(&self.arch, |l| net.layer(l), &inputs, n, Keep::Output);
        self.inference.logits().to_vec()
    }

    /// Every neuron's output over a `res × res` grid: per layer, `res² × width` row-major.
    pub fn neuron_outputs(&mut self, res: usize) -> Vec<Vec<f32>> {
        self.grid(res, Keep::Layers).layers().to_vec()
    }

    /// Weights, biases and the gradients of the last step, layer by layer.
    pub fn layers(&self) -> Vec<LayerState> {
        let g = &self.net.graph;
        self.net
            .params
            .iter()
            .map(|&(w, b)| {
                let shape = g.node(w).shape;
                LayerState {
                    inputs: shape.rows(),
                    outputs: shape.cols(),
                    w: g.value(w).to_vec(),
                    w_grad: g.grad(w).to_vec(),
                    b: g.value(b).to_vec(),
                    b_grad: g.grad(b).to_vec(),
                }
            })
            .collect()
    }

    /// Adds a point (to the training set, or the test set) with its `value`: a class index
    /// for a classification, the target `y` for a regression.
    pub fn add_point(&mut self, point: [f64; 2], value: f64, test: bool) -> Result<(), ConfigError> {
        let finite = point.iter().all(|v| v.is_finite()) && value.is_finite();
        if self.data.is_regression() {
            if !finite {
                return Err(ConfigError::TargetPoint);
            }
            self.data.targets.push(value);
        } else {
            let classes = self.config.classes;
            if !finite || value.fract() != 0.0 || !(0.0..classes as f64).contains(&value) {
                return Err(ConfigError::Point { classes });
            }
            self.data.labels.push(value as usize);
        }
        let i = self.data.points.len();
        self.data.points.push(point);
        if test {
            self.data.test.push(i);
        } else {
            self.data.train.push(i);
            self.order.push(i);
        }
        self.data_changed();
        Ok(())
    }

    /// Whether the plot shows a curve, y over x1, rather than the plane: a regression whose
    /// points all lie on x2 = 0 (a fit of y = f(x1), drawn or loaded).
    pub fn shows_curve(&self) -> bool {
        let on_line = |d: &Dataset| !d.points.is_empty() && d.points.iter().all(|p| p[1] == 0.0);
        self.data.is_regression() && (self.config.dataset.is_curve() || on_line(&self.data))
    }

    /// Removes every point; training waits until some are added.
    pub fn clear_points(&mut self) {
        self.data.points.clear();
        self.data.labels.clear();
        self.data.targets.clear();
        self.data.train.clear();
        self.data.test.clear();
        self.order.clear();
        self.data_changed();
    }

    fn data_changed(&mut self) {
        self.stamp = device::fresh_stamp();
        self.compute_inputs();
        self.evaluators.clear();
        self.grid_features.clear();
        self.shuffle();
    }

    /// Current weights, layer by layer.
    pub fn params(&self) -> Vec<LayerParams> {
        self.net.params_f64()
    }
}
