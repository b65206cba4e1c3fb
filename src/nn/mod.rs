//! Neural networks on the engine: datasets, multi-layer perceptrons, losses, optimisers
//! and the training loop. An MLP is just a bigger graph of the same ops.

pub mod config;
pub mod csv;
pub mod data;
pub mod infer;
pub mod mlp;
pub mod optim;
pub mod rng;
pub mod train;

pub use config::{
    Config, ConfigError, Problem, Rules, DEFAULT_ACTIVATION, MAX_LAYERS, MAX_POINTS, MAX_WIDTH,
};
pub use data::{Dataset, DatasetKind, Feature};
pub use mlp::{Activation, Architecture, LayerParams, Loss, Net, Regularization};
pub use optim::{AdamConstants, Optimizer, OptimizerKind, ADAM};
pub use train::{
    probabilities, view_values, LayerActivations, LayerGradient, LayerState, LayerUpdate, Metrics,
    ModelError, ModelFile, PointGradient, Reconfigured, StepResult, StepsJob, StepsTaken, Stopped, Ticket,
    TrainState, Trainer, TrainingDevice,
};
