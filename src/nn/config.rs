//! What defines a training run: the configuration, its limits and its rules (which
//! datasets and losses allow which class counts), as data for the page, and why a
//! configuration is refused, as a typed error.

use super::data::{self, DatasetKind, Feature};
use super::mlp::{Activation, Architecture, Loss, Regularization};
use super::optim::OptimizerKind;
use crate::graph::GraphError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What the network learns: a class for each point, or a number.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    #[default]
    Classification,
    /// One real output fitted to each point's target by squared error (the lecture's "two
    /// layers can represent any continuous function", seen as a curve being approximated).
    Regression,
}

/// Everything that defines a training run. Missing fields take their defaults.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub problem: Problem,
    pub dataset: DatasetKind,
    /// Classes of a classification (a regression has none: ignored there).
    pub classes: usize,
    pub points: usize,
    pub noise: f64,
    /// Fraction of the points held out for testing.
    pub test_fraction: f64,
    pub features: Vec<Feature>,
    /// Widths of the hidden layers.
    pub hidden: Vec<usize>,
    /// One per hidden layer; the output layer is always linear (it gives logits).
    pub activations: Vec<Activation>,
    pub loss: Loss,
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    /// μ for the momentum optimiser.
    pub momentum: f64,
    pub batch_size: usize,
    pub regularization: Regularization,
    pub lambda: f64,
    /// Draws the points, the initial weights and the order of the batches.
    pub seed: u64,
    /// Draws the initial weights and the batches anew from the same points: the page's
    /// "new initialisation". 0, the default, is the run `seed` alone has always given.
    pub init_seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            problem: Problem::Classification,
            dataset: DatasetKind::Moons,
            classes: 2,
            points: 300,
            noise: 0.1,
            test_fraction: 0.3,
            features: vec![Feature::X1, Feature::X2],
            hidden: vec![8, 8],
            activations: vec![Activation::Tanh, Activation::Tanh],
            loss: Loss::Logistic,
            optimizer: OptimizerKind::Adam,
            learning_rate: 0.03,
            momentum: 0.9,
            batch_size: 32,
            regularization: Regularization::None,
            lambda: 0.0,
            seed: 1,
            init_seed: 0,
        }
    }
}

/// The loss a regression is trained with: squared error.
pub const REGRESSION_LOSS: Loss = Loss::Mse;

/// The largest network and dataset a run may have.
pub const MAX_LAYERS: usize = 8;
pub const MAX_WIDTH: usize = 64;
pub const MAX_POINTS: usize = 5000;
pub const MAX_NOISE: f64 = 10.0;
pub const MAX_TEST_FRACTION: f64 = 0.9;
/// A hidden layer's activation when the configuration names none for it.
pub const DEFAULT_ACTIVATION: Activation = Activation::Tanh;

impl Config {
    /// Why this configuration cannot be trained: the first rule it breaks.
    pub fn validate(&self) -> Result<(), ConfigError> {
        use ConfigError::*;
        if !self.dataset.poses(self.problem) {
            return Err(DatasetProblem(self.dataset, self.problem));
        }
        match self.problem {
            Problem::Classification => {
                if !self.dataset.supports(self.classes) {
                    return Err(DatasetClasses(self.dataset, self.classes));
                }
                if !self.loss.supports(self.classes) {
                    return Err(LossClasses(self.loss, self.classes));
                }
            }
            Problem::Regression if self.loss != REGRESSION_LOSS => return Err(RegressionLoss(self.loss)),
            Problem::Regression => {}
        }
        if !(2..=MAX_POINTS).contains(&self.points) {
            return Err(Points(self.points));
        }
        if self.features.is_empty() {
            return Err(NoFeatures);
        }
        if let Some(i) = (1..self.features.len()).find(|&i| self.features[..i].contains(&self.features[i])) {
            return Err(DuplicateFeature(self.features[i]));
        }
        if self.hidden.len() > MAX_LAYERS || self.hidden.iter().any(|&w| w == 0 || w > MAX_WIDTH) {
            return Err(NetworkSize);
        }
        if self.batch_size == 0 {
            return Err(BatchSize);
        }
        for (name, x) in [
            ("noise", self.noise),
            ("test fraction", self.test_fraction),
            ("learning rate", self.learning_rate),
            ("momentum", self.momentum),
            ("regularisation rate", self.lambda),
        ] {
            if !x.is_finite() || x < 0.0 {
                return Err(Negative(name));
            }
        }
        // μ ≥ 1 lets the velocity grow without bound.
        if self.momentum >= 1.0 {
            return Err(Momentum);
        }
        if self.noise > MAX_NOISE {
            return Err(Noise);
        }
        if self.test_fraction > MAX_TEST_FRACTION {
            return Err(TestFraction);
        }
        Ok(())
    }

    /// The configuration as a run records and uses it, validated: exactly one activation
    /// per hidden layer, as the network reads them (see [`Config::architecture`]), so the
    /// record says what the network is. Extra ones belong to no layer (the defaults' two
    /// with `hidden: [3]`) and are dropped; missing ones are tanh.
    pub fn normalized(mut self) -> Result<Config, ConfigError> {
        self.validate()?;
        self.activations = self.architecture().activations;
        Ok(self)
    }

    /// The fields that differ in `next` and need a new run (new data or a new network);
    /// the others can change while training goes on (`Trainer::reconfigure`).
    pub fn restarts(&self, next: &Config) -> Vec<&'static str> {
        // Taken apart field by field, so that a new field must be sorted in here.
        let Config {
            problem,
            dataset,
            classes,
            points,
            noise: _,
            test_fraction,
            features,
            hidden,
            activations: _,
            loss,
            optimizer: _,
            learning_rate: _,
            momentum: _,
            batch_size: _,
            regularization: _,
            lambda: _,
            seed,
            init_seed,
        } = next;
        // Activations are compared as the network reads them (tanh where the list is short).
        let activations = self.architecture().activations != next.architecture().activations;
        [
            ("problem", *problem != self.problem),
            ("dataset", *dataset != self.dataset),
            ("classes", *classes != self.classes),
            ("points", *points != self.points),
            ("test_fraction", *test_fraction != self.test_fraction),
            ("features", *features != self.features),
            ("hidden", *hidden != self.hidden),
            ("activations", activations),
            ("loss", *loss != self.loss),
            ("seed", *seed != self.seed),
            ("init_seed", *init_seed != self.init_seed),
        ]
        .into_iter()
        .filter_map(|(name, differs)| differs.then_some(name))
        .collect()
    }

    pub fn architecture(&self) -> Architecture {
        Architecture {
            inputs: self.features.len(),
            hidden: self.hidden.clone(),
            activations: (0..self.hidden.len())
                .map(|l| self.activations.get(l).copied().unwrap_or(DEFAULT_ACTIVATION))
                .collect(),
            outputs: match self.problem {
                Problem::Classification => self.loss.outputs(self.classes),
                Problem::Regression => 1,
            },
        }
    }
}

/// Which choices go together, as data for the page, so that it states no rule of its
/// own: the class counts each dataset and each loss allow (`Config::validate` checks
/// exactly these), the features and activations there are, and the largest network.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, Serialize)]
pub struct Rules {
    /// The class counts of each classification dataset (none for a regression's).
    pub datasets: Vec<Allowed<DatasetKind>>,
    /// The datasets of each problem (`own` is in both), and the loss of a regression.
    pub problems: Vec<Posed>,
    pub regression_loss: Loss,
    pub losses: Vec<Allowed<Loss>>,
    /// Every input feature, with its name as a person reads it (`x1²`).
    pub features: Vec<Labelled<Feature>>,
    /// Every activation, the default first.
    pub activations: Vec<Activation>,
    /// What a hidden layer gets when the configuration names no activation for it.
    pub default_activation: Activation,
    pub max_layers: usize,
    pub max_width: usize,
    pub max_points: usize,
    pub max_noise: f64,
    /// The largest fraction of the points held out for testing.
    pub max_test_fraction: f64,
}

#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, Serialize)]
pub struct Labelled<T> {
    pub name: T,
    pub label: &'static str,
}

#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, Serialize)]
pub struct Posed {
    pub problem: Problem,
    pub datasets: Vec<DatasetKind>,
}

#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, Serialize)]
pub struct Allowed<T> {
    pub name: T,
    pub classes: Vec<usize>,
}

impl Rules {
    pub fn new() -> Rules {
        let classes =
            |supports: &dyn Fn(usize) -> bool| (2..=data::MAX_CLASSES).filter(|&k| supports(k)).collect();
        Rules {
            datasets: (DatasetKind::ALL.into_iter())
                .map(|name| Allowed {
                    name,
                    classes: classes(&|k| name.poses(Problem::Classification) && name.supports(k)),
                })
                .collect(),
            problems: [Problem::Classification, Problem::Regression]
                .into_iter()
                .map(|problem| Posed {
                    problem,
                    datasets: DatasetKind::ALL
                        .into_iter()
                        .filter(|d| d.poses(problem))
                        .collect(),
                })
                .collect(),
            regression_loss: REGRESSION_LOSS,
            losses: (Loss::ALL.into_iter())
                .map(|name| Allowed {
                    name,
                    classes: classes(&|k| name.supports(k)),
                })
                .collect(),
            features: (Feature::ALL.into_iter())
                .map(|name| Labelled {
                    name,
                    label: name.name(),
                })
                .collect(),
            activations: Activation::ALL.to_vec(),
            default_activation: DEFAULT_ACTIVATION,
            max_layers: MAX_LAYERS,
            max_width: MAX_WIDTH,
            max_points: MAX_POINTS,
            max_noise: MAX_NOISE,
            max_test_fraction: MAX_TEST_FRACTION,
        }
    }
}

impl Default for Rules {
    fn default() -> Self {
        Rules::new()
    }
}

/// Why a configuration cannot be trained, or a point not added. `kind` is stable, for
/// code that branches on it; `Display` says it in words a user can act on.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigError {
    /// A dataset of the other problem (moons for a regression).
    DatasetProblem(DatasetKind, Problem),
    /// A regression with a loss other than squared error.
    RegressionLoss(Loss),
    DatasetClasses(DatasetKind, usize),
    LossClasses(Loss, usize),
    Points(usize),
    NoFeatures,
    DuplicateFeature(Feature),
    NetworkSize,
    BatchSize,
    /// The field, in words, that must be a non-negative number.
    Negative(&'static str),
    Momentum,
    Noise,
    TestFraction,
    /// A point added by hand with a class the run does not have, or not finite.
    Point {
        classes: usize,
    },
    /// A point added by hand to a regression whose coordinates or target are not finite.
    TargetPoint,
    /// Initial parameters that do not fit the network (`Trainer::with_data`).
    Parameters(GraphError),
    /// The user's own points are not in the configuration: they come with it
    /// (`Trainer::with_points`).
    OwnPoints,
    /// Points given with the configuration that cannot be trained on, and why.
    Data(String),
}

impl ConfigError {
    pub fn kind(&self) -> &'static str {
        use ConfigError::*;
        match self {
            DatasetProblem(..) => "dataset-problem",
            RegressionLoss(_) => "regression-loss",
            DatasetClasses(..) => "dataset-classes",
            LossClasses(..) => "loss-classes",
            Points(_) => "points",
            NoFeatures => "no-features",
            DuplicateFeature(_) => "duplicate-feature",
            NetworkSize => "network-size",
            BatchSize => "batch-size",
            Negative(_) => "negative",
            Momentum => "momentum",
            Noise => "noise",
            TestFraction => "test-fraction",
            Point { .. } | TargetPoint => "point",
            Parameters(_) => "parameters",
            OwnPoints => "own-points",
            Data(_) => "data",
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ConfigError::*;
        match self {
            DatasetProblem(dataset, problem) => write!(
                f,
                "{} is not a {} dataset",
                format!("{dataset:?}").to_lowercase(),
                format!("{problem:?}").to_lowercase()
            ),
            RegressionLoss(_) => write!(f, "a regression is trained with the squared error (mse) loss"),
            DatasetClasses(dataset, classes) => {
                write!(
                    f,
                    "{} has no {classes}-class version",
                    format!("{dataset:?}").to_lowercase()
                )
            }
            LossClasses(_, classes) => write!(f, "{classes} classes need the softmax cross-entropy loss"),
            Points(_) => write!(f, "the number of points must be between 2 and {MAX_POINTS}"),
            NoFeatures => write!(f, "choose at least one input feature"),
            DuplicateFeature(_) => write!(f, "each input feature can be chosen once"),
            NetworkSize => write!(f, "up to {MAX_LAYERS} hidden layers of 1 to {MAX_WIDTH} neurons"),
            BatchSize => write!(f, "the batch size must be at least 1"),
            Negative(name) => write!(f, "the {name} must be a non-negative number"),
            Momentum => write!(f, "the momentum must be below 1"),
            Noise => write!(f, "the noise must be at most {MAX_NOISE}"),
            TestFraction => write!(
                f,
                "at most {}% of the points can be test points",
                MAX_TEST_FRACTION * 100.0
            ),
            Point { classes } => write!(f, "a point needs finite coordinates and a class below {classes}"),
            TargetPoint => write!(f, "a point needs finite coordinates and a finite target"),
            Parameters(e) => write!(f, "the parameters do not fit the network: {e}"),
            OwnPoints => write!(
                f,
                "your own points are not part of a configuration: load them from a file"
            ),
            Data(why) => write!(f, "these points cannot be trained on: {why}"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl From<GraphError> for ConfigError {
    fn from(e: GraphError) -> Self {
        ConfigError::Parameters(e)
    }
}
