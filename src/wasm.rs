//! The JavaScript API: thin `#[wasm_bindgen]` wrappers over the engine, which knows nothing
//! of JavaScript. Everything a user can pass in is checked here and comes back as a thrown
//! `Error`, never a panic.
//!
//! - `Expression`: text to graph, evaluated at variable values, with the node and edge list,
//!   a layout, forward-mode tangents and a finite-difference check. What the page uses.
//! - `Graph`: build a graph by hand from the console: leaves, every op, `forward`,
//!   `backward`, `step`.

use crate::expr::ExprError;
use crate::gpu;
use crate::graph::{self, NodeId};
use crate::nn;
use crate::ops::{Axis, Binary, Unary};
use crate::report;
use crate::session::{self, ExpressionSession, SessionError};
use crate::tensor::{Shape, Tensor};
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn start() {
    // Only a bug in gradscope could panic; if one does, the console shows where.
    console_error_panic_hook::set_once();
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
// Everything the page receives is declared from its Rust type (tsify); only the thrown
// parse error, an `Error` with more fields, is written here.
/** What a parse error carries besides its message: the byte span of the bad text, and
 * of the text it refers to (the '(' a missing ')' would close). */
export interface ParseError extends Error {
  kind: "parse";
  start: number;
  end: number;
  related?: { start: number; end: number };
}
"#;

/// JS values from serde types: plain objects (maps too), NaN and infinities as numbers,
/// and `None` as `undefined`, as the generated declarations (`T | undefined`) say.
fn to_js<T: Serialize>(x: &T) -> Result<JsValue, JsError> {
    x.serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true))
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Sets `key` on a fresh object; that cannot fail.
fn set(target: &JsValue, key: &str, value: JsValue) {
    let _ = js_sys::Reflect::set(target, &key.into(), &value);
}

/// A thrown `ParseError` with the span of the bad text as `start` and `end`, the span it
/// refers to as `related`, and `kind: "parse"`.
fn parse_error(e: &ExprError) -> JsValue {
    let error = js_sys::Error::new(&e.message);
    error.set_name("ParseError");
    set(&error, "kind", "parse".into());
    set(&error, "start", (e.start as f64).into());
    set(&error, "end", (e.end as f64).into());
    if let Some((start, end)) = e.related {
        let related = js_sys::Object::new();
        set(&related, "start", (start as f64).into());
        set(&related, "end", (end as f64).into());
        set(&error, "related", related.into());
    }
    error.into()
}

/// A thrown `Error` whose `kind` names the variant, so the page branches on it rather than
/// on the message's words.
fn session_error(e: SessionError) -> JsValue {
    if let SessionError::Parse(e) = &e {
        return parse_error(e);
    }
    let error = js_sys::Error::new(&e.to_string());
    set(&error, "kind", e.kind().into());
    error.into()
}

// ---- Expression ---------------------------------------------------------------------------

/// A parsed expression and its graph: the page's handle on an [`ExpressionSession`].
#[wasm_bindgen]
pub struct Expression {
    session: ExpressionSession,
}

#[wasm_bindgen]
impl Expression {
    /// Parses `source`. Throws a `ParseError` (with `start`, `end`) for bad text.
    #[wasm_bindgen(constructor)]
    pub fn new(source: &str) -> Result<Expression, JsValue> {
        let session = ExpressionSession::new(source).map_err(|e| parse_error(&e))?;
        Ok(Expression { session })
    }

    #[wasm_bindgen(getter)]
    pub fn source(&self) -> String {
        self.session.expression().source.clone()
    }

    /// The variables, in order of first appearance.
    #[wasm_bindgen(getter)]
    pub fn variables(&self) -> Vec<String> {
        self.session.variables().map(String::from).collect()
    }

    /// Sets the variables to `values` (in order), runs the forward and backward passes
    /// and returns every node with its value, gradient and edges.
    #[wasm_bindgen(unchecked_return_type = "Evaluation")]
    pub fn evaluate(&mut self, values: &[f64]) -> Result<JsValue, JsValue> {
        let evaluation = self.session.evaluate(values).map_err(session_error)?;
        Ok(to_js(&evaluation)?)
    }

    /// One step of gradient descent on the variables, `x ← x − lr · ∂f/∂x`, with the
    /// gradient of the last `evaluate`; returns the new values (call `evaluate` with them).
    pub fn descend(&self, lr: f64) -> Result<Vec<f64>, JsValue> {
        self.session.descend(lr).map_err(session_error)
    }

    /// Node positions and edge paths for drawing, left to right.
    #[wasm_bindgen(unchecked_return_type = "Layout")]
    pub fn layout(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.layout())
    }

    /// Forward mode: seeds variable `variable` with tangent 1 and returns the tangent of
    /// every node (the derivative of each node with respect to that one variable).
    pub fn tangents(&mut self, variable: usize) -> Result<Vec<f64>, JsValue> {
        self.session.tangents(variable).map_err(session_error)
    }

    /// Autodiff next to central finite differences, one row per variable, at the values
    /// of the last `evaluate`.
    #[wasm_bindgen(unchecked_return_type = "VariableCheck[]")]
    pub fn gradcheck(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.session.gradcheck())
    }
}

// ---- Graph ----------------------------------------------------------------------------------

/// A computation graph built by hand, in f64. Node ids are numbers.
///
/// ```js
/// const g = new Graph();
/// const x1 = g.input("x1", 2), x2 = g.input("x2", 5);
/// const f = g.sub(g.add(g.ln(x1), g.mul(x1, x2)), g.sin(x2));
/// g.backward(f);
/// g.value(f)[0];  // 11.652…
/// g.grad(x1)[0];  // 5.5
/// ```
#[wasm_bindgen(js_name = Graph)]
pub struct JsGraph {
    graph: graph::Graph<f64>,
}

impl Default for JsGraph {
    fn default() -> Self {
        Self::new()
    }
}

impl JsGraph {
    fn id(&self, id: u32) -> Result<NodeId, JsError> {
        self.graph.id(id as usize).ok_or_else(|| {
            JsError::new(&format!(
                "no node {id} in this graph (it has {} nodes)",
                self.graph.len()
            ))
        })
    }

    fn tensor(shape: &[usize], data: Vec<f64>) -> Result<Tensor<f64>, JsError> {
        let shape =
            Shape::from_dims(shape).ok_or_else(|| JsError::new("a tensor has at most 2 dimensions"))?;
        let len = data.len();
        Tensor::new(shape, data)
            .ok_or_else(|| JsError::new(&format!("shape {shape} needs {} values, got {len}", shape.len())))
    }

    fn unary(&mut self, op: Unary, x: u32) -> Result<u32, JsError> {
        let x = self.id(x)?;
        Ok(self.graph.unary(op, x).0)
    }

    fn binary(&mut self, op: Binary, a: u32, b: u32) -> Result<u32, JsError> {
        let (a, b) = (self.id(a)?, self.id(b)?);
        let id = self.graph.binary(op, a, b).map_err(|e| JsError::new(&e.0))?;
        Ok(id.0)
    }

    fn axis(axis: Option<u32>) -> Axis {
        axis.map_or(Axis::All, |a| Axis::Index(a as usize))
    }
}

#[wasm_bindgen(js_class = Graph)]
impl JsGraph {
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsGraph {
        JsGraph {
            graph: graph::Graph::new(),
        }
    }

    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.graph.len()
    }

    /// A scalar input (data; differentiable).
    pub fn input(&mut self, name: &str, value: f64) -> u32 {
        self.graph.input(name, Tensor::scalar(value)).0
    }

    /// A scalar parameter (moved by `step`).
    pub fn parameter(&mut self, name: &str, value: f64) -> u32 {
        self.graph.parameter(name, Tensor::scalar(value)).0
    }

    /// A scalar constant.
    pub fn constant(&mut self, value: f64) -> u32 {
        self.graph.constant(&value.to_string(), Tensor::scalar(value)).0
    }

    /// A tensor input of shape `[]`, `[n]` or `[rows, cols]`, row-major `data`.
    #[wasm_bindgen(js_name = inputTensor)]
    pub fn input_tensor(&mut self, name: &str, shape: &[usize], data: Vec<f64>) -> Result<u32, JsError> {
        Ok(self.graph.input(name, Self::tensor(shape, data)?).0)
    }

    #[wasm_bindgen(js_name = parameterTensor)]
    pub fn parameter_tensor(&mut self, name: &str, shape: &[usize], data: Vec<f64>) -> Result<u32, JsError> {
        Ok(self.graph.parameter(name, Self::tensor(shape, data)?).0)
    }

    #[wasm_bindgen(js_name = constantTensor)]
    pub fn constant_tensor(&mut self, label: &str, shape: &[usize], data: Vec<f64>) -> Result<u32, JsError> {
        Ok(self.graph.constant(label, Self::tensor(shape, data)?).0)
    }

    pub fn neg(&mut self, x: u32) -> Result<u32, JsError> {
        self.unary(Unary::Neg, x)
    }
    pub fn exp(&mut self, x: u32) -> Result<u32, JsError> {
        self.unary(Unary::Exp, x)
    }
    pub fn ln(&mut self, x: u32) -> Result<u32, JsError> {
        self.unary(Unary::Ln, x)
    }
    pub fn sqrt(&mut self, x: u32) -> Result<u32, JsError> {
        self.unary(Unary::Sqrt, x)
    }
    pub fn sin(&mut self, x: u32) -> Result<u32, JsError> {
        self.unary(Unary::Sin, x)
    }
    pub fn cos(&mut self, x: u32) -> Result<u32, JsError> {
        self.unary(Unary::Cos, x)
    }
    pub fn tan(&mut self, x: u32) -> Result<u32, JsError> {
        self.unary(Unary::Tan, x)
    }
    pub fn tanh(&mut self, x: u32) -> Result<u32, JsError> {
        self.unary(Unary::Tanh, x)
    }
    pub fn sigmoid(&mut self, x: u32) -> Result<u32, JsError> {
        self.unary(Unary::Sigmoid, x)
    }
    pub fn relu(&mut self, x: u32) -> Result<u32, JsError> {
        self.unary(Unary::Relu, x)
    }
    pub fn abs(&mut self, x: u32) -> Result<u32, JsError> {
        self.unary(Unary::Abs, x)
    }
    pub fn add(&mut self, a: u32, b: u32) -> Result<u32, JsError> {
        self.binary(Binary::Add, a, b)
    }
    pub fn sub(&mut self, a: u32, b: u32) -> Result<u32, JsError> {
        self.binary(Binary::Sub, a, b)
    }
    pub fn mul(&mut self, a: u32, b: u32) -> Result<u32, JsError> {
        self.binary(Binary::Mul, a, b)
    }
    pub fn div(&mut self, a: u32, b: u32) -> Result<u32, JsError> {
        self.binary(Binary::Div, a, b)
    }
    pub fn pow(&mut self, a: u32, b: u32) -> Result<u32, JsError> {
        self.binary(Binary::Pow, a, b)
    }
    pub fn max(&mut self, a: u32, b: u32) -> Result<u32, JsError> {
        self.binary(Binary::Max, a, b)
    }
    pub fn min(&mut self, a: u32, b: u32) -> Result<u32, JsError> {
        self.binary(Binary::Min, a, b)
    }

    pub fn matmul(&mut self, a: u32, b: u32) -> Result<u32, JsError> {
        let (a, b) = (self.id(a)?, self.id(b)?);
        Ok(self.graph.matmul(a, b).map_err(|e| JsError::new(&e.0))?.0)
    }

    pub fn transpose(&mut self, x: u32) -> Result<u32, JsError> {
        let x = self.id(x)?;
        Ok(self.graph.transpose(x).0)
    }

    /// Sum over all elements, or along `axis` (0 or 1).
    pub fn sum(&mut self, x: u32, axis: Option<u32>) -> Result<u32, JsError> {
        let x = self.id(x)?;
        Ok(self
            .graph
            .sum(x, Self::axis(axis))
            .map_err(|e| JsError::new(&e.0))?
            .0)
    }

    /// Mean over all elements, or along `axis` (0 or 1).
    pub fn mean(&mut self, x: u32, axis: Option<u32>) -> Result<u32, JsError> {
        let x = self.id(x)?;
        Ok(self
            .graph
            .mean(x, Self::axis(axis))
            .map_err(|e| JsError::new(&e.0))?
            .0)
    }

    /// Mean softmax cross-entropy of `logits` (`N × K`) against `labels` (`N` class indices).
    #[wasm_bindgen(js_name = softmaxCrossEntropy)]
    pub fn softmax_cross_entropy(&mut self, logits: u32, labels: u32) -> Result<u32, JsError> {
        let (z, y) = (self.id(logits)?, self.id(labels)?);
        let id = self
            .graph
            .softmax_cross_entropy(z, y)
            .map_err(|e| JsError::new(&e.0))?;
        Ok(id.0)
    }

    /// Recomputes every value after `setValue` or `step`.
    pub fn forward(&mut self) {
        self.graph.forward();
    }

    /// Reverse mode from `root`: afterwards `grad(id)` is ∂root/∂id for every node.
    pub fn backward(&mut self, root: u32) -> Result<(), JsError> {
        let root = self.id(root)?;
        self.graph.backward(root);
        Ok(())
    }

    /// Forward mode: `leaves[i]` gets the next `size(leaves[i])` numbers of `tangents`
    /// as its tangent; afterwards `tangent(id)` is the directional derivative of `id`.
    pub fn jvp(&mut self, leaves: &[u32], tangents: &[f64]) -> Result<(), JsError> {
        let mut seeds = Vec::new();
        let mut offset = 0;
        for &leaf in leaves {
            let id = self.id(leaf)?;
            let n = self.graph.node(id).shape.len();
            let t = tangents
                .get(offset..offset + n)
                .ok_or_else(|| JsError::new("fewer tangent values than the leaves have elements"))?;
            seeds.push((id, t));
            offset += n;
        }
        self.graph.jvp(&seeds).map_err(|e| JsError::new(&e.0))
    }

    /// One step of gradient descent on every parameter: w ← w − lr·∂L/∂w.
    pub fn step(&mut self, lr: f64) {
        self.graph.step(lr);
    }

    #[wasm_bindgen(js_name = zeroGrad)]
    pub fn zero_grad(&mut self) {
        self.graph.zero_grad();
    }

    pub fn value(&self, id: u32) -> Result<Vec<f64>, JsError> {
        Ok(self.graph.value(self.id(id)?).to_vec())
    }

    pub fn grad(&self, id: u32) -> Result<Vec<f64>, JsError> {
        Ok(self.graph.grad(self.id(id)?).to_vec())
    }

    pub fn tangent(&self, id: u32) -> Result<Vec<f64>, JsError> {
        Ok(self.graph.tangent(self.id(id)?).to_vec())
    }

    /// Sets a leaf's value (a number for a scalar, or an array); call `forward` after.
    #[wasm_bindgen(js_name = setValue)]
    pub fn set_value(&mut self, id: u32, value: Vec<f64>) -> Result<(), JsError> {
        let id = self.id(id)?;
        self.graph.set_value(id, &value).map_err(|e| JsError::new(&e.0))
    }

    /// Every node with its value, gradient and edges.
    #[wasm_bindgen(unchecked_return_type = "NodeReport<number>[]")]
    pub fn nodes(&self) -> Result<JsValue, JsError> {
        to_js(&report::nodes(&self.graph))
    }

    #[wasm_bindgen(unchecked_return_type = "Layout")]
    pub fn layout(&self) -> Result<JsValue, JsError> {
        to_js(&session::expression::layout_of(&self.graph))
    }
}

// ---- Trainer ------------------------------------------------------------------------------

/// A classifier trained live: the same graph ops as `Graph`, in f32, behind a loop that
/// crosses the wasm boundary once for many steps.
#[wasm_bindgen(js_name = Trainer)]
pub struct JsTrainer {
    trainer: nn::Trainer,
    /// Changes whenever the weights or the data change, so GPU steps drawn before cannot be
    /// applied after (`finishGpuSteps`). Unique across trainers.
    version: u64,
}

/// A fresh trainer version.
fn next_version() -> u64 {
    thread_local!(static LAST: std::cell::Cell<u64> = const { std::cell::Cell::new(0) });
    LAST.with(|v| {
        v.set(v.get() + 1);
        v.get()
    })
}

/// Where training stands after `Trainer.step` or `Trainer.finishGpuSteps`.
#[derive(Serialize, tsify::Tsify)]
struct Progress {
    step: usize,
    epoch: usize,
    /// The loss and accuracy of the last step's batch, before its update (NaN if none).
    loss: f64,
    accuracy: f64,
    /// Why training stopped, if it did: divergence (weights kept) or no data.
    stopped: Option<String>,
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
    ) -> Result<JsTrainer, JsError> {
        let config: nn::Config = if config.is_undefined() || config.is_null() {
            nn::Config::default()
        } else {
            serde_wasm_bindgen::from_value(config).map_err(|e| JsError::new(&e.to_string()))?
        };
        let trainer = nn::Trainer::new(config).map_err(|e| JsError::new(&e))?;
        Ok(JsTrainer {
            trainer,
            version: next_version(),
        })
    }

    /// The default configuration.
    #[wasm_bindgen(unchecked_return_type = "Required<Config>")]
    pub fn defaults() -> Result<JsValue, JsError> {
        to_js(&nn::Config::default())
    }

    #[wasm_bindgen(getter, unchecked_return_type = "Required<Config>")]
    pub fn config(&self) -> Result<JsValue, JsError> {
        to_js(&self.trainer.config)
    }

    /// Runs `n` training steps (forward, backward, update) and returns the last one's loss
    /// and batch accuracy; stops early, keeping the last finite weights, if the loss diverges.
    #[wasm_bindgen(unchecked_return_type = "Progress")]
    pub fn step(&mut self, n: usize) -> Result<JsValue, JsError> {
        self.version = next_version();
        let mut last = None;
        let mut stopped = None;
        for _ in 0..n {
            match self.trainer.step() {
                Ok(r) => last = Some(r),
                Err(why) => {
                    stopped = Some(why);
                    break;
                }
            }
        }
        self.progress(last, stopped)
    }

    fn progress(
        &self,
        last: Option<nn::StepResult>,
        stopped: Option<nn::Stopped>,
    ) -> Result<JsValue, JsError> {
        to_js(&Progress {
            step: self.trainer.steps,
            epoch: self.trainer.epochs(),
            loss: last.map_or(f64::NAN, |r| r.loss),
            accuracy: last.map_or(f64::NAN, |r| r.accuracy),
            stopped: stopped.map(|why| why.to_string()),
        })
    }

    /// Training steps taken so far.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> usize {
        self.trainer.steps
    }

    /// Complete passes over the training set so far.
    #[wasm_bindgen(getter)]
    pub fn epochs(&self) -> usize {
        self.trainer.epochs()
    }

    /// Data loss and accuracy on the whole training and test sets.
    #[wasm_bindgen(unchecked_return_type = "Metrics")]
    pub fn evaluate(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.trainer.evaluate())
    }

    /// Class probabilities over a `res × res` grid of the plane: `res² × classes`.
    pub fn grid(&mut self, res: usize) -> Vec<f32> {
        self.trainer.predict_grid(res.clamp(1, 512))
    }

    /// Every neuron's output over a `res × res` grid, for the small heatmaps in the network.
    #[wasm_bindgen(unchecked_return_type = "NeuronOutputs")]
    pub fn neurons(&mut self, res: usize) -> Result<JsValue, JsError> {
        let resolution = res.clamp(1, 128);
        to_js(&NeuronOutputs {
            resolution,
            layers: self.trainer.neuron_outputs(resolution),
        })
    }

    /// Every input feature's value over the `res × res` grid of `neurons`, from the
    /// engine's own feature functions: `res² × features`, row-major, top row first (the
    /// network's input over the grid, for the input column of the network view).
    pub fn features(&self, res: usize) -> Vec<f32> {
        self.trainer.grid_inputs(res.clamp(1, 128))
    }

    /// Weights, biases and the gradients of the last step, per layer.
    #[wasm_bindgen(unchecked_return_type = "LayerState[]")]
    pub fn layers(&self) -> Result<JsValue, JsError> {
        to_js(&self.trainer.layers())
    }

    /// The points, labels and the train/test split.
    #[wasm_bindgen(unchecked_return_type = "Dataset")]
    pub fn data(&self) -> Result<JsValue, JsError> {
        to_js(&self.trainer.data)
    }

    /// Half the side of the square `[-extent, extent]²` the views show.
    #[wasm_bindgen(getter)]
    pub fn extent(&self) -> f64 {
        self.trainer.extent
    }

    /// Whether `finishGpuSteps` would take these steps: nothing changed the network or its
    /// data since they were drawn.
    pub fn accepts(&self, steps: &GpuSteps) -> bool {
        steps.version == self.version
    }

    /// Takes over the result of training steps run on the GPU (`Gpu.train`): the same
    /// progress as `step`. Throws if the trainer changed since those steps were drawn.
    #[wasm_bindgen(js_name = finishGpuSteps, unchecked_return_type = "Progress")]
    pub fn finish_gpu_steps(&mut self, steps: GpuSteps) -> Result<JsValue, JsError> {
        if steps.version != self.version {
            return Err(JsError::new("the network changed while the GPU was training it"));
        }
        self.version = next_version();
        match steps.steps.finish(&mut self.trainer) {
            Ok(r) => self.progress(Some(r), None),
            Err(why) => self.progress(None, Some(why)),
        }
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
    ) -> Result<JsValue, JsError> {
        let config: nn::Config =
            serde_wasm_bindgen::from_value(config).map_err(|e| JsError::new(&e.to_string()))?;
        let answer = match self.trainer.reconfigure(config).map_err(|e| JsError::new(&e))? {
            nn::Reconfigured::Live {
                optimizer_reset,
                points_redrawn,
            } => {
                // GPU steps in flight ran with the old settings: they cannot be taken over.
                self.version = next_version();
                Reconfiguration {
                    restart: Vec::new(),
                    optimizer_reset,
                    points_redrawn,
                }
            }
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
    pub fn rules() -> Result<JsValue, JsError> {
        to_js(&nn::Rules::new())
    }

    #[wasm_bindgen(js_name = addPoint)]
    pub fn add_point(&mut self, x: f64, y: f64, class: usize, test: bool) -> Result<(), JsError> {
        self.version = next_version();
        self.trainer
            .add_point([x, y], class, test)
            .map_err(|e| JsError::new(&e))
    }

    #[wasm_bindgen(js_name = clearPoints)]
    pub fn clear_points(&mut self) {
        self.version = next_version();
        self.trainer.clear_points();
    }
}

// ---- WebGPU ---------------------------------------------------------------------------

/// A WebGPU device with the matmul, loss and optimiser kernels. Every method submits its
/// work at once and returns a promise of the result; training state stays in the
/// `Trainer`, so a lost device loses nothing.
#[wasm_bindgen(js_name = Gpu)]
pub struct JsGpu {
    gpu: Rc<gpu::Gpu>,
}

/// Training steps run on the GPU, to be handed to `Trainer.finishGpuSteps`.
#[wasm_bindgen]
pub struct GpuSteps {
    steps: gpu::GpuSteps,
    version: u64,
}

fn gpu_error(e: gpu::GpuError) -> JsError {
    JsError::new(&e.0)
}

#[wasm_bindgen(js_class = Gpu)]
impl JsGpu {
    /// Finds an adapter (a full one, else a compatibility-mode one) and a device. Rejects
    /// with an `Error` saying in words why there is none.
    pub async fn open() -> Result<JsGpu, JsError> {
        let gpu = gpu::Gpu::open().await.map_err(gpu_error)?;
        Ok(JsGpu { gpu: Rc::new(gpu) })
    }

    /// The adapter's vendor, architecture and description.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.gpu.name.clone()
    }

    /// A software adapter (SwiftShader, lavapipe): correct, but slower than the CPU kernel.
    #[wasm_bindgen(getter)]
    pub fn software(&self) -> bool {
        self.gpu.software
    }

    /// Resolves with the reason when the device is lost.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn lost(&self) -> js_sys::Promise {
        let lost = self.gpu.lost();
        wasm_bindgen_futures::future_to_promise(async move { Ok(JsValue::from(lost.await)) })
    }

    /// Releases the device: later calls fail and `lost` resolves, as after a driver reset.
    pub fn destroy(&self) {
        self.gpu.destroy();
    }

    /// `C = A·B` for row-major `m × k` A and `k × n` B.
    #[wasm_bindgen(unchecked_return_type = "Promise<Float32Array>")]
    pub fn multiply(
        &self,
        a: &[f32],
        b: &[f32],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<js_sys::Promise, JsError> {
        let product = self.gpu.multiply(a, b, [m, k, n]).map_err(gpu_error)?;
        Ok(floats_promise(product))
    }

    /// The trainer's network's output (logits) for `rows` inputs of its features.
    #[wasm_bindgen(unchecked_return_type = "Promise<Float32Array>")]
    pub fn forward(&self, trainer: &JsTrainer, x: &[f32], rows: usize) -> Result<js_sys::Promise, JsError> {
        let logits = self.gpu.forward(&trainer.trainer, x, rows).map_err(gpu_error)?;
        Ok(floats_promise(logits))
    }

    /// Class probabilities over a `res × res` grid of the plane, as `Trainer.grid` gives
    /// them, with the forward pass on the GPU.
    #[wasm_bindgen(unchecked_return_type = "Promise<Float32Array>")]
    pub fn grid(&self, trainer: &JsTrainer, res: usize) -> Result<js_sys::Promise, JsError> {
        let res = res.clamp(1, 512);
        let t = &trainer.trainer;
        let x = t.grid_inputs(res);
        let logits = self.gpu.forward(t, &x, res * res).map_err(gpu_error)?;
        let (loss, classes) = (t.config.loss, t.config.classes);
        Ok(floats_promise(async move {
            Ok(nn::probabilities(loss, classes, &logits.await?))
        }))
    }

    /// Draws `n` mini-batches from the trainer and runs the training steps on the GPU; the
    /// promise resolves with `GpuSteps` for `trainer.finishGpuSteps`. Throws if there is
    /// nothing to train on.
    #[wasm_bindgen(unchecked_return_type = "Promise<GpuSteps>")]
    pub fn train(&self, trainer: &mut JsTrainer, n: usize) -> Result<js_sys::Promise, JsError> {
        let steps = self
            .gpu
            .train(&mut trainer.trainer, n.min(10_000))
            .map_err(|why| JsError::new(&why.to_string()))?;
        // The batches drawn are these steps' own: steps drawn before cannot be taken over.
        trainer.version = next_version();
        let version = trainer.version;
        Ok(wasm_bindgen_futures::future_to_promise(async move {
            let steps = steps.await?;
            Ok(GpuSteps { steps, version }.into())
        }))
    }
}

fn floats_promise(
    future: impl std::future::Future<Output = Result<Vec<f32>, gpu::GpuError>> + 'static,
) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        Ok(js_sys::Float32Array::from(&future.await?[..]).into())
    })
}

// ---- the matrix kernel, for the benchmark page and the GPU comparison -------------------

/// Two random matrices and their product, kept in wasm memory so that timing a product
/// measures the kernel, not copies across the boundary.
#[wasm_bindgen]
pub struct MatmulCase {
    m: usize,
    k: usize,
    n: usize,
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
}

#[wasm_bindgen]
impl MatmulCase {
    /// `A` (`m × k`) and `B` (`k × n`) with seeded values in [-1, 1).
    #[wasm_bindgen(constructor)]
    pub fn new(m: usize, k: usize, n: usize, seed: u64) -> Result<MatmulCase, JsError> {
        let fits = |x: usize, y: usize| x.checked_mul(y).is_some_and(|len| len <= Shape::MAX_LEN);
        if m == 0 || k == 0 || n == 0 || !(fits(m, k) && fits(k, n) && fits(m, n)) {
            return Err(JsError::new(
                "each dimension must be at least 1, each matrix at most 2^26 elements",
            ));
        }
        let mut rng = nn::rng::Rng::new(seed);
        let mut random = |len: usize| (0..len).map(|_| rng.range(-1.0, 1.0) as f32).collect::<Vec<_>>();
        Ok(MatmulCase {
            a: random(m * k),
            b: random(k * n),
            c: vec![0.0; m * n],
            m,
            k,
            n,
        })
    }

    /// Runs the CPU kernel `times` times: `C = A·B`.
    pub fn run(&mut self, times: usize) {
        for _ in 0..times {
            crate::tensor::sgemm::sgemm(
                self.m,
                self.n,
                self.k,
                &self.a,
                false,
                &self.b,
                false,
                &mut self.c,
                false,
            );
        }
    }

    #[wasm_bindgen(getter)]
    pub fn a(&self) -> Vec<f32> {
        self.a.clone()
    }

    #[wasm_bindgen(getter)]
    pub fn b(&self) -> Vec<f32> {
        self.b.clone()
    }

    /// The last product.
    #[wasm_bindgen(getter)]
    pub fn c(&self) -> Vec<f32> {
        self.c.clone()
    }
}
