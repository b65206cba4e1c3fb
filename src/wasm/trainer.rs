//! `Trainer`: the live classifier, a training session seen from JavaScript.

use super::gpu::GpuSteps;
use super::{error_of_kind, set, to_js};
use crate::nn;
use crate::session::{Run, TrainingSession};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A classifier trained live: the same graph ops as `Graph`, in f32, behind a loop that
/// crosses the wasm boundary once for many steps.
#[wasm_bindgen(js_name = Trainer)]
pub struct JsTrainer {
    session: TrainingSession,
}

/// A thrown `Error` saying what is wrong with a configuration, `kind` naming the rule.
fn config_error(e: nn::ConfigError) -> JsValue {
    error_of_kind(&e.to_string(), e.kind())
}

/// A configuration object from JavaScript; what does not read as one is an `Error` of
/// kind "config" naming the field.
fn config_of(value: JsValue) -> Result<nn::Config, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(nn::Config::default());
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| error_of_kind(&e.to_string(), "config"))
}

/// What `Trainer.reconfigure` did: if `restart` names fields, nothing changed and those
/// need a new `Trainer`; otherwise the change is live, weights and step count kept.
#[derive(Serialize, tsify::Tsify)]
struct Reconfiguration {
    restart: Vec<&'static str>,
    /// A different optimiser starts from zero moments.
    optimizer_reset: bool,
    /// A new noise: the same points drawn again with it.
    points_redrawn: bool,
}

/// A data point's input features and every layer's neurons there.
#[derive(Serialize, tsify::Tsify)]
struct Activations {
    inputs: Vec<f32>,
    layers: Vec<nn::LayerActivations>,
}

/// Reads the user's points from a CSV file's bytes (`x1,x2,label` a line, or `x1,x2,y` for
/// a regression; a header optional). Throws an `Error` of kind "csv" whose `line` and
/// `column` (1-based; 0 for the whole file) say where it is wrong; nothing is read half-way.
#[wasm_bindgen(js_name = readPoints, unchecked_return_type = "OwnPoints")]
pub fn read_points(
    bytes: &[u8],
    #[wasm_bindgen(unchecked_param_type = "Problem")] problem: JsValue,
) -> Result<JsValue, JsValue> {
    let problem: nn::Problem =
        serde_wasm_bindgen::from_value(problem).map_err(|e| error_of_kind(&e.to_string(), "problem"))?;
    match nn::csv::read_points(bytes, problem) {
        Ok(points) => to_js(&points),
        Err(e) => {
            let error = error_of_kind(&e.to_string(), "csv");
            set(&error, "line", e.line.into());
            set(&error, "column", e.column.into());
            Err(error)
        }
    }
}

/// Every neuron's output over a grid of the plane.
#[derive(Serialize, tsify::Tsify)]
struct NeuronOutputs {
    resolution: usize,
    /// Per layer, `resolution² × width`, row-major, top row of the plane first.
    layers: Vec<Vec<f32>>,
}

#[wasm_bindgen(js_class = Trainer)]
impl JsTrainer {
    /// Builds a trainer from a configuration object (missing fields take defaults).
    /// Throws an `Error` that says what is wrong with a bad configuration.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Partial<Config> | undefined")] config: JsValue,
    ) -> Result<JsTrainer, JsValue> {
        let session = TrainingSession::new(config_of(config)?).map_err(config_error)?;
        Ok(JsTrainer { session })
    }

    /// A trainer on the user's own points (from `readPoints`), split by the configuration's
    /// seed and test fraction; its dataset becomes "own".
    #[wasm_bindgen(js_name = withPoints)]
    pub fn with_points(
        #[wasm_bindgen(unchecked_param_type = "Partial<Config>")] config: JsValue,
        #[wasm_bindgen(unchecked_param_type = "OwnPoints")] own: JsValue,
    ) -> Result<JsTrainer, JsValue> {
        let own: nn::csv::OwnPoints =
            serde_wasm_bindgen::from_value(own).map_err(|e| error_of_kind(&e.to_string(), "data"))?;
        let trainer = nn::Trainer::with_points(config_of(config)?, own).map_err(config_error)?;
        Ok(JsTrainer {
            session: TrainingSession { trainer },
        })
    }

    /// A new run, from step 0, on exactly these points and this split (Reset after points
    /// were added or removed by hand). Throws if they do not fit the configuration.
    #[wasm_bindgen(js_name = withData)]
    pub fn with_data(
        #[wasm_bindgen(unchecked_param_type = "Partial<Config>")] config: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Dataset")] data: JsValue,
    ) -> Result<JsTrainer, JsValue> {
        let data: nn::Dataset =
            serde_wasm_bindgen::from_value(data).map_err(|e| error_of_kind(&e.to_string(), "data"))?;
        let trainer = nn::Trainer::with_dataset(config_of(config)?, data).map_err(config_error)?;
        Ok(JsTrainer {
            session: TrainingSession { trainer },
        })
    }

    /// The run as a model file's JSON text: configuration, points, weights, the
    /// optimiser's moments, the step count and where the batches stand.
    pub fn save(&self) -> String {
        self.session.trainer.save_json()
    }

    /// The run a model file saved, to train on exactly as if it had never stopped. Throws
    /// an `Error` of kind "model" saying what is wrong with a damaged or foreign file.
    pub fn load(text: &str) -> Result<JsTrainer, JsValue> {
        let trainer = nn::Trainer::load_json(text).map_err(|e| error_of_kind(&e.to_string(), "model"))?;
        Ok(JsTrainer {
            session: TrainingSession { trainer },
        })
    }

    /// The points as CSV, `x1,x2,label` with a header, each number as it reads back.
    #[wasm_bindgen(js_name = pointsCsv)]
    pub fn points_csv(&self) -> String {
        nn::csv::write_points(&self.session.trainer.data)
    }

    /// The input features at data point `point` and every layer's `z` and `h` there;
    /// throws for an index past the points.
    #[wasm_bindgen(js_name = activationsAt, unchecked_return_type = "Activations")]
    pub fn activations_at(&self, point: usize) -> Result<JsValue, JsValue> {
        match self.session.trainer.activations_at(point) {
            Some((inputs, layers)) => to_js(&Activations { inputs, layers }),
            None => Err(error_of_kind(&format!("no point {point}"), "no-point")),
        }
    }

    /// Per layer, the change `{dw, db}` the optimiser's next step would make if the
    /// gradients were the last step's.
    #[wasm_bindgen(js_name = updatePreview, unchecked_return_type = "LayerUpdate[]")]
    pub fn update_preview(&self) -> Result<JsValue, JsValue> {
        to_js(&self.session.trainer.update_preview())
    }

    /// The trainer, for the GPU's bindings.
    pub(super) fn trainer(&self) -> &nn::Trainer {
        &self.session.trainer
    }

    pub(super) fn trainer_mut(&mut self) -> &mut nn::Trainer {
        &mut self.session.trainer
    }

    /// The default configuration.
    #[wasm_bindgen(unchecked_return_type = "Required<Config>")]
    pub fn defaults() -> Result<JsValue, JsValue> {
        to_js(&nn::Config::default())
    }

    #[wasm_bindgen(getter, unchecked_return_type = "Required<Config>")]
    pub fn config(&self) -> Result<JsValue, JsValue> {
        to_js(&self.session.trainer.config)
    }

    /// Runs up to `n` training steps (forward, backward, update) and returns the last one's
    /// loss and batch accuracy; stops early, keeping the last finite weights, if the loss
    /// diverges or there are no training points.
    #[wasm_bindgen(unchecked_return_type = "Progress")]
    pub fn step(&mut self, n: usize) -> Result<JsValue, JsValue> {
        to_js(&self.session.step(n))
    }

    /// Training steps taken so far.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> usize {
        self.session.trainer.steps
    }

    /// Complete passes over the training set so far.
    #[wasm_bindgen(getter)]
    pub fn epochs(&self) -> usize {
        self.session.trainer.epochs()
    }

    /// The steps still to take until the epoch count reaches `epoch` (0 once it has), or
    /// undefined without training points.
    #[wasm_bindgen(js_name = stepsToEpoch)]
    pub fn steps_to_epoch(&self, epoch: usize) -> Option<usize> {
        self.session.trainer.steps_to_epoch(epoch)
    }

    /// Data loss and accuracy on the whole training and test sets.
    #[wasm_bindgen(unchecked_return_type = "Metrics")]
    pub fn evaluate(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.session.trainer.evaluate())
    }

    /// What the plot shows over a `res × res` grid of the plane, top row first: for two
    /// classes the probability of class 1, `res²`; for more each class's probability,
    /// `res² × classes`; for a regression the network's output, `res²`.
    pub fn grid(&mut self, res: usize) -> Vec<f32> {
        self.session.trainer.predict_grid(res.clamp(1, 512))
    }

    /// The network's output at `n` evenly spaced points of the line x2 = 0 across the view,
    /// left to right: the curve of a one-dimensional fit.
    pub fn curve(&mut self, n: usize) -> Vec<f32> {
        self.session.trainer.predict_curve(n.clamp(2, 4096))
    }

    /// Every neuron's output over a `res × res` grid, for the small heatmaps in the network.
    #[wasm_bindgen(unchecked_return_type = "NeuronOutputs")]
    pub fn neurons(&mut self, res: usize) -> Result<JsValue, JsValue> {
        let resolution = res.clamp(1, 128);
        to_js(&NeuronOutputs {
            resolution,
            layers: self.session.trainer.neuron_outputs(resolution),
        })
    }

    /// Every input feature's value over the `res × res` grid of `neurons`, from the
    /// engine's own feature functions: `res² × features`, row-major, top row first (the
    /// network's input over the grid, for the input column of the network view).
    pub fn features(&self, res: usize) -> Vec<f32> {
        self.session.trainer.grid_inputs(res.clamp(1, 128))
    }

    /// The objective and its gradient at data point `point` alone (an index into the
    /// points), with the current weights; throws for an index past them.
    #[wasm_bindgen(js_name = gradientAt, unchecked_return_type = "PointGradient")]
    pub fn gradient_at(&self, point: usize) -> Result<JsValue, JsValue> {
        match self.session.trainer.gradient_at(point) {
            Some(g) => to_js(&g),
            None => Err(error_of_kind(&format!("no point {point}"), "no-point")),
        }
    }

    /// Per hidden layer, the neurons that are dead: ReLUs at 0 on every training point.
    #[wasm_bindgen(js_name = deadNeurons, unchecked_return_type = "number[][]")]
    pub fn dead_neurons(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.session.trainer.dead_neurons())
    }

    /// Weights, biases and the gradients of the last step, per layer.
    #[wasm_bindgen(unchecked_return_type = "LayerState[]")]
    pub fn layers(&self) -> Result<JsValue, JsValue> {
        to_js(&self.session.trainer.layers())
    }

    /// The points, labels and the train/test split.
    #[wasm_bindgen(unchecked_return_type = "Dataset")]
    pub fn data(&self) -> Result<JsValue, JsValue> {
        to_js(&self.session.trainer.data)
    }

    /// Half the side of the square `[-extent, extent]²` the views show.
    #[wasm_bindgen(getter)]
    pub fn extent(&self) -> f64 {
        self.session.trainer.extent
    }

    /// Whether `finishGpuSteps` would take these steps: nothing changed the network, its
    /// data or its batches since they were drawn.
    pub fn accepts(&self, steps: &GpuSteps) -> bool {
        self.trainer().accepts(&steps.taken)
    }

    /// Takes over the result of training steps run on the GPU (`Gpu.train`): the same
    /// progress as `step`. Throws an `Error` of kind "stale" if the trainer changed since
    /// those steps were drawn.
    #[wasm_bindgen(js_name = finishGpuSteps, unchecked_return_type = "Progress")]
    pub fn finish_gpu_steps(&mut self, steps: GpuSteps) -> Result<JsValue, JsValue> {
        let run = match self.trainer_mut().take_over(steps.taken) {
            Ok(r) => Run {
                last: Some(r),
                stopped: None,
            },
            Err(stale @ nn::Stopped::Stale) => return Err(error_of_kind(&stale.to_string(), stale.kind())),
            Err(why) => Run {
                last: None,
                stopped: Some(why),
            },
        };
        to_js(&self.session.progress(&run))
    }

    /// Applies a new configuration (an object as for the constructor) to the running
    /// trainer where it can change without a new run: learning rate, optimiser, momentum,
    /// batch size, regulariser, its rate, noise. Returns `{ restart, optimizer_reset,
    /// points_redrawn }`: `restart` lists the fields that need a new trainer (then nothing
    /// was changed). Throws if the configuration is invalid.
    #[wasm_bindgen(unchecked_return_type = "Reconfiguration")]
    pub fn reconfigure(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Partial<Config>")] config: JsValue,
    ) -> Result<JsValue, JsValue> {
        let config = config_of(config)?;
        let answer = match self.trainer_mut().reconfigure(config).map_err(config_error)? {
            nn::Reconfigured::Live {
                optimizer_reset,
                points_redrawn,
            } => Reconfiguration {
                restart: Vec::new(),
                optimizer_reset,
                points_redrawn,
            },
            nn::Reconfigured::NeedsRestart(restart) => Reconfiguration {
                restart,
                optimizer_reset: false,
                points_redrawn: false,
            },
        };
        to_js(&answer)
    }

    /// Which choices go together (classes per dataset and per loss), the features and
    /// activations there are, and the largest network, so the page states no rule itself.
    #[wasm_bindgen(unchecked_return_type = "Rules")]
    pub fn rules() -> Result<JsValue, JsValue> {
        to_js(&nn::Rules::new())
    }

    /// Adds the point `(x1, x2)` with `value`, its class (a classification) or its target
    /// (a regression), to the training or the test set. Throws for a class the run does not
    /// have or a number that is not finite.
    #[wasm_bindgen(js_name = addPoint)]
    pub fn add_point(&mut self, x1: f64, x2: f64, value: f64, test: bool) -> Result<(), JsValue> {
        self.trainer_mut()
            .add_point([x1, x2], value, test)
            .map_err(config_error)
    }

    /// Whether the plot shows a curve, y over x1 (a regression on the line x2 = 0), rather
    /// than the plane.
    #[wasm_bindgen(getter, js_name = showsCurve)]
    pub fn shows_curve(&self) -> bool {
        self.session.trainer.shows_curve()
    }

    #[wasm_bindgen(js_name = clearPoints)]
    pub fn clear_points(&mut self) {
        self.session.trainer.clear_points();
    }
}
