//! Multi-layer perceptrons on the engine's graph: fully connected layers, activations,
//! losses and regularisers, all built from the same ops as a typed expression.

use super::rng::Rng;
use crate::graph::{Graph, GraphError, NodeId};
use crate::ops::{Axis, Binary, Unary};
use crate::tensor::{Real, Shape, Tensor};
use serde::{Deserialize, Serialize};

#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    Sigmoid,
    Tanh,
    Relu,
    Linear,
}

impl Activation {
    /// The element-wise op it is on the graph; none for linear.
    pub fn unary(self) -> Option<Unary> {
        match self {
            Activation::Sigmoid => Some(Unary::Sigmoid),
            Activation::Tanh => Some(Unary::Tanh),
            Activation::Relu => Some(Unary::Relu),
            Activation::Linear => None,
        }
    }

    /// Every activation, in the order a menu offers them: the default first.
    pub const ALL: [Activation; 4] = [
        Activation::Tanh,
        Activation::Relu,
        Activation::Sigmoid,
        Activation::Linear,
    ];
}

#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// K logits, mean over the batch of `−ln softmax(z)[label]`.
    SoftmaxCrossEntropy,
    /// One logit `s`, `y ∈ {−1, +1}`: mean of `ln(1 + e^(−y·s))`.
    Logistic,
    /// One score `s`, `y ∈ {−1, +1}`: mean of `max(0, 1 − y·s)` (micrograd's demo).
    Hinge,
    /// One output `s`, `y ∈ {−1, +1}`: mean of `(s − y)²`.
    Mse,
}

impl Loss {
    pub const ALL: [Loss; 4] = [Loss::SoftmaxCrossEntropy, Loss::Logistic, Loss::Hinge, Loss::Mse];

    /// Whether this loss can tell `classes` classes apart: one logit separates two.
    pub fn supports(self, classes: usize) -> bool {
        self == Loss::SoftmaxCrossEntropy || classes == 2
    }

    /// Outputs of the last layer for `classes` classes.
    pub fn outputs(self, classes: usize) -> usize {
        match self {
            Loss::SoftmaxCrossEntropy => classes,
            _ => 1,
        }
    }
}

#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regularization {
    None,
    /// `λ · Σ|w|` over the weights (not the biases).
    L1,
    /// `λ/2 · Σ w²` over the weights (not the biases).
    L2,
}

/// The shape of a network: input width, hidden widths with their activations, outputs.
/// The output layer is linear: the loss reads its logits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Architecture {
    pub inputs: usize,
    pub hidden: Vec<usize>,
    pub activations: Vec<Activation>,
    pub outputs: usize,
}

impl Architecture {
    /// `(fan_in, fan_out)` of each layer.
    pub fn layers(&self) -> Vec<(usize, usize)> {
        let mut widths = vec![self.inputs];
        widths.extend(&self.hidden);
        widths.push(self.outputs);
        widths.windows(2).map(|w| (w[0], w[1])).collect()
    }

    /// The activation after layer `layer`; the output layer's is linear.
    pub fn activation(&self, layer: usize) -> Activation {
        self.activations.get(layer).copied().unwrap_or(Activation::Linear)
    }
}

/// The weights of one layer: `w` is `fan_in × fan_out`, row-major, so the layer computes
/// `h = x·W + b` for a batch `x` of rows. (PyTorch's `nn.Linear` stores `Wᵀ`.)
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerParams {
    pub w: Vec<f64>,
    pub b: Vec<f64>,
}

/// Seeded initialisation: Glorot/Xavier uniform, `U(±√(6/(fan_in+fan_out)))`, before tanh,
/// sigmoid and linear; He uniform, `U(±√(6/fan_in))`, before relu. Biases start at 0.
pub fn init(arch: &Architecture, seed: u64) -> Vec<LayerParams> {
    let mut rng = Rng::new(seed);
    arch.layers()
        .iter()
        .enumerate()
        .map(|(l, &(fan_in, fan_out))| {
            let bound = match arch.activation(l) {
                Activation::Relu => (6.0 / fan_in as f64).sqrt(),
                _ => (6.0 / (fan_in + fan_out) as f64).sqrt(),
            };
            LayerParams {
                w: (0..fan_in * fan_out).map(|_| rng.range(-bound, bound)).collect(),
                b: vec![0.0; fan_out],
            }
        })
        .collect()
}

/// A network built on a graph for a fixed batch size.
#[derive(Clone, Debug)]
pub struct Net<T> {
    pub graph: Graph<T>,
    /// The batch, `batch × inputs`.
    pub x: NodeId,
    /// Class indices (softmax cross-entropy, `[batch]`) or ±1 targets (`batch × 1`).
    pub target: NodeId,
    /// `(W, b)` per layer.
    pub params: Vec<(NodeId, NodeId)>,
    /// The output of each layer after its activation; the last is the logits.
    pub layers: Vec<NodeId>,
    /// Each layer's `z = h·W + b`, before its activation.
    pub pre_activations: Vec<NodeId>,
    pub data_loss: NodeId,
    /// Data loss plus regulariser: what training minimises.
    pub loss: NodeId,
}

impl<T: Real> Net<T> {
    pub fn build(
        arch: &Architecture,
        params: &[LayerParams],
        batch: usize,
        loss: Loss,
        regularization: Regularization,
        lambda: f64,
    ) -> Result<Net<T>, GraphError> {
        let mut g = Graph::new();
        let x = g.input("x", Tensor::zeros(Shape::matrix(batch, arch.inputs)));
        let target_shape = match loss {
            Loss::SoftmaxCrossEntropy => Shape::vector(batch),
            _ => Shape::matrix(batch, 1),
        };
        let target = g.constant("y", Tensor::zeros(target_shape));
        let tensor = |shape: Shape, data: &[f64]| {
            Tensor::new(shape, data.iter().map(|&v| T::of(v)).collect()).ok_or(GraphError::Data {
                shape,
                got: data.len(),
            })
        };
        let mut h = x;
        let mut layers = Vec::new();
        let mut pre_activations = Vec::new();
        let mut ids = Vec::new();
        for (l, ((fan_in, fan_out), p)) in arch.layers().into_iter().zip(params).enumerate() {
            let w = g.parameter(
                &format!("W{}", l + 1),
                tensor(Shape::matrix(fan_in, fan_out), &p.w)?,
            );
            let b = g.parameter(&format!("b{}", l + 1), tensor(Shape::vector(fan_out), &p.b)?);
            let z = g.matmul(h, w)?;
            let z = g.binary(Binary::Add, z, b)?;
            pre_activations.push(z);
            // The last layer is linear: it produces the logits the loss reads.
            let activation = if l < arch.hidden.len() {
                arch.activation(l)
            } else {
                Activation::Linear
            };
            h = match activation.unary() {
                Some(op) => g.unary(op, z),
                None => z,
            };
            layers.push(h);
            ids.push((w, b));
        }
        let data_loss = data_loss(&mut g, loss, h, target)?;
        let mut total = data_loss;
        if regularization != Regularization::None && lambda != 0.0 {
            for &(w, _) in &ids {
                let term = match regularization {
                    Regularization::L2 => {
                        let sq = g.binary(Binary::Mul, w, w)?;
                        let s = g.sum(sq, Axis::All)?;
                        let c = g.constant("λ/2", Tensor::scalar(T::of(lambda / 2.0)));
                        g.binary(Binary::Mul, c, s)?
                    }
                    _ => {
                        let a = g.unary(Unary::Abs, w);
                        let s = g.sum(a, Axis::All)?;
                        let c = g.constant("λ", Tensor::scalar(T::of(lambda)));
                        g.binary(Binary::Mul, c, s)?
                    }
                };
                total = g.binary(Binary::Add, total, term)?;
            }
        }
        Ok(Net {
            graph: g,
            x,
            target,
            params: ids,
            layers,
            pre_activations,
            data_loss,
            loss: total,
        })
    }

    /// Layer `l`'s weights `W` (`fan_in × fan_out`, row-major) and biases `b`.
    pub fn layer(&self, l: usize) -> (&[T], &[T]) {
        let (w, b) = self.params[l];
        (self.graph.value(w), self.graph.value(b))
    }

    pub fn logits(&self) -> NodeId {
        *self.layers.last().expect("a network has an output layer")
    }

    /// Copies the parameters of another net of the same architecture.
    pub fn copy_params_from(&mut self, other: &Net<T>) {
        for (&(w, b), &(ow, ob)) in self.params.iter().zip(&other.params) {
            for (dst, src) in [(w, ow), (b, ob)] {
                let value = other.graph.value(src);
                // Same architecture, same shapes: this cannot fail.
                let _ = self.graph.set_value(dst, value);
            }
        }
    }

    /// The parameters as plain numbers, layer by layer.
    pub fn params_f64(&self) -> Vec<LayerParams> {
        let f = |id| self.graph.value(id).iter().map(|v: &T| v.as_f64()).collect();
        self.params
            .iter()
            .map(|&(w, b)| LayerParams { w: f(w), b: f(b) })
            .collect()
    }
}

/// The data term of the loss, built from primitives (softmax cross-entropy is fused).
fn data_loss<T: Real>(g: &mut Graph<T>, loss: Loss, s: NodeId, y: NodeId) -> Result<NodeId, GraphError> {
    let one = |g: &mut Graph<T>| g.constant("1", Tensor::scalar(T::one()));
    let per_point = match loss {
        Loss::SoftmaxCrossEntropy => return g.softmax_cross_entropy(s, y),
        Loss::Logistic => {
            // ln(1 + e^(−m)) = relu(−m) + ln(1 + e^(−|m|)): never exponentiates a large number.
            let m = g.binary(Binary::Mul, y, s)?;
            let neg_m = g.unary(Unary::Neg, m);
            let r = g.unary(Unary::Relu, neg_m);
            let a = g.unary(Unary::Abs, m);
            let neg_a = g.unary(Unary::Neg, a);
            let e = g.unary(Unary::Exp, neg_a);
            let one = one(g);
            let one_plus = g.binary(Binary::Add, one, e)?;
            let l = g.unary(Unary::Ln, one_plus);
            g.binary(Binary::Add, r, l)?
        }
        Loss::Hinge => {
            let m = g.binary(Binary::Mul, y, s)?;
            let one = one(g);
            let margin = g.binary(Binary::Sub, one, m)?;
            g.unary(Unary::Relu, margin)
        }
        Loss::Mse => {
            let d = g.binary(Binary::Sub, s, y)?;
            g.binary(Binary::Mul, d, d)?
        }
    };
    g.mean(per_point, Axis::All)
}

/// The predicted class of each row of logits: argmax for K outputs, `s > 0` for one.
pub fn predictions<T: Real>(logits: &[T], outputs: usize) -> impl Iterator<Item = usize> + '_ {
    logits.chunks_exact(outputs).map(move |row| {
        if outputs == 1 {
            usize::from(row[0] > T::zero())
        } else {
            let mut best = 0;
            for (k, &z) in row.iter().enumerate() {
                if z > row[best] {
                    best = k;
                }
            }
            best
        }
    })
}
