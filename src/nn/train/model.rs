//! A run saved as a file, to be loaded back and trained on: the configuration (and so the
//! architecture), the points, the weights, the optimiser's moments, the step count and
//! where the batches stand. Loading a file and training on gives the same weights, bit for
//! bit, as never having stopped.
//!
//! A file is untrusted input: everything in it is checked against everything else (the
//! weights against the architecture, the moments against the weights, the batches against
//! the points) before a trainer is built from it, so a damaged file is refused whole.

use super::{device, Trainer};
use crate::nn::config::{Config, ConfigError};
use crate::nn::data::Dataset;
use crate::nn::mlp::LayerParams;
use crate::nn::rng::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What the file says it is, and the version of its layout.
pub const FORMAT: &str = "gradscope-model";
pub const VERSION: u32 = 1;

/// The file's contents. Weights and moments are f32, as trained: they read back exactly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    pub format: String,
    pub version: u32,
    pub config: Config,
    /// Training steps taken.
    pub steps: usize,
    /// Training points used so far, for the epoch count.
    pub seen: usize,
    /// Per layer, `W` (inputs × outputs, row-major) and `b`.
    pub layers: Vec<SavedLayer>,
    pub optimizer: SavedOptimizer,
    pub batches: SavedBatches,
    pub data: Dataset,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedLayer {
    pub w: Vec<f32>,
    pub b: Vec<f32>,
}

/// The optimiser's first and second moments, per parameter (`W1, b1, W2, …`), and its
/// step count (Adam's bias correction).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedOptimizer {
    pub t: i32,
    pub m: Vec<Vec<f32>>,
    pub v: Vec<Vec<f32>>,
}

/// Where the mini-batches stand: the generator's state (16 hex digits: JSON numbers lose
/// bits past 2⁵³ in JavaScript), this epoch's order of the training points, and how far
/// through it the batches are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedBatches {
    pub rng: String,
    pub order: Vec<usize>,
    pub cursor: usize,
}

/// Why a file cannot be loaded, in words a user can act on.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelError(pub String);

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Trainer {
    /// The run as a file's contents.
    pub fn save(&self) -> ModelFile {
        let (m, v, t) = self.optimizer.moments();
        let g = &self.net.graph;
        ModelFile {
            format: FORMAT.into(),
            version: VERSION,
            config: self.config.clone(),
            steps: self.steps,
            seen: self.seen,
            layers: (self.net.params.iter())
                .map(|&(w, b)| SavedLayer {
                    w: g.value(w).to_vec(),
                    b: g.value(b).to_vec(),
                })
                .collect(),
            optimizer: SavedOptimizer {
                t,
                m: m.to_vec(),
                v: v.to_vec(),
            },
            batches: SavedBatches {
                rng: format!("{:016x}", self.rng.state()),
                order: self.order.clone(),
                cursor: self.cursor,
            },
            data: self.data.clone(),
        }
    }

    /// The run as JSON text.
    pub fn save_json(&self) -> String {
        // Every number in a saved run is finite (a diverged step is rolled back), and the
        // types serialise without fail.
        serde_json::to_string(&self.save()).unwrap_or_default()
    }

    /// A trainer that goes on where the saved one stopped; `text` is a file's JSON.
    pub fn load_json(text: &str) -> Result<Trainer, ModelError> {
        let not_model = |why: String| ModelError(format!("this is not a gradscope model file: {why}"));
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| not_model(format!("{e}")))?;
        // The format and version first, so a file of another kind or version says so,
        // rather than naming the first field this version does not know.
        match value.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            Some(other) => return Err(not_model(format!("its format is '{other}', not '{FORMAT}'"))),
            None => return Err(not_model(format!("it has no \"format\": \"{FORMAT}\" field"))),
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == VERSION as u64 => {}
            Some(v) => {
                return Err(ModelError(format!(
                    "the model file is version {v}; this gradscope reads version {VERSION}"
                )))
            }
            None => return Err(not_model("it has no version number".into())),
        }
        let file: ModelFile = serde_json::from_value(value)
            .map_err(|e| ModelError(format!("the model file is damaged: {e}")))?;
        Trainer::from_model(file)
    }

    /// A trainer from a file's contents, each part checked against the others.
    pub fn from_model(file: ModelFile) -> Result<Trainer, ModelError> {
        let damaged = |why: String| ModelError(format!("the model file is damaged: {why}"));
        let config = (file.config.clone().normalized())
            .map_err(|e| ModelError(format!("the model's configuration cannot be trained here: {e}")))?;
        file.data
            .check()
            .map_err(|e| damaged(format!("its points: {e}")))?;
        super::data_fits(&config, &file.data)
            .map_err(|e| damaged(format!("its points do not fit its configuration: {e}")))?;
        let arch = config.architecture();
        let shapes = arch.layers();
        if file.layers.len() != shapes.len() {
            return Err(damaged(format!(
                "{} layers of weights for a network of {}",
                file.layers.len(),
                shapes.len()
            )));
        }
        for (l, (layer, &(inputs, outputs))) in file.layers.iter().zip(&shapes).enumerate() {
            if layer.w.len() != inputs * outputs || layer.b.len() != outputs {
                return Err(damaged(format!(
                    "layer {} has {} weights and {} biases; its {inputs} inputs and {outputs} outputs need {} and {outputs}",
                    l + 1,
                    layer.w.len(),
                    layer.b.len(),
                    inputs * outputs
                )));
            }
        }
        let sizes: Vec<usize> = file.layers.iter().flat_map(|l| [l.w.len(), l.b.len()]).collect();
        let fits = |moments: &[Vec<f32>]| {
            moments.len() == sizes.len() && moments.iter().zip(&sizes).all(|(m, &n)| m.len() == n)
        };
        let o = &file.optimizer;
        if !fits(&o.m) || !fits(&o.v) || o.t < 0 {
            return Err(damaged("the optimiser's moments do not fit the weights".into()));
        }
        let finite = |x: &[f32]| x.iter().all(|v| v.is_finite());
        let numbers = file
            .layers
            .iter()
            .flat_map(|l| [&l.w, &l.b])
            .chain(&o.m)
            .chain(&o.v);
        if !numbers.into_iter().all(|x| finite(x)) {
            return Err(damaged("a weight or moment is not a finite number".into()));
        }
        let b = &file.batches;
        let rng = u64::from_str_radix(&b.rng, 16)
            .ok()
            .filter(|_| b.rng.len() == 16)
            .ok_or_else(|| {
                damaged(format!(
                    "the batches' generator state '{}' is not 16 hex digits",
                    b.rng
                ))
            })?;
        let mut order = b.order.clone();
        let mut train = file.data.train.clone();
        order.sort_unstable();
        train.sort_unstable();
        if order != train || b.cursor > b.order.len() {
            return Err(damaged("the batches do not go over the training points".into()));
        }
        let params: Vec<LayerParams> = (file.layers.iter())
            .map(|l| LayerParams {
                w: l.w.iter().map(|&v| v as f64).collect(),
                b: l.b.iter().map(|&v| v as f64).collect(),
            })
            .collect();
        let mut trainer = Trainer::with_data(config, file.data, &params)
            .map_err(|e: ConfigError| damaged(e.to_string()))?;
        trainer.optimizer.set_moments(&o.m, &o.v, o.t);
        trainer.steps = file.steps;
        trainer.seen = file.seen;
        trainer.rng = Rng::new(rng);
        trainer.order = file.batches.order;
        trainer.cursor = file.batches.cursor;
        trainer.stamp = device::fresh_stamp();
        Ok(trainer)
    }
}
