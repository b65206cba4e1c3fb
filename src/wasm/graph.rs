//! `Graph`: a computation graph built by hand from JavaScript.

use super::{error_of_kind, to_js};
use crate::graph::{self, GraphError, NodeId};
use crate::ops::{Axis, Binary, Unary};
use crate::report;
use crate::session;
use crate::tensor::{Shape, Tensor};
use wasm_bindgen::prelude::*;

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
    fn id(&self, id: u32) -> Result<NodeId, JsValue> {
        self.graph.id(id as usize).ok_or_else(|| {
            error_of_kind(
                &format!("no node {id} in this graph (it has {} nodes)", self.graph.len()),
                "no-node",
            )
        })
    }

    fn tensor(shape: &[usize], data: Vec<f64>) -> Result<Tensor<f64>, JsValue> {
        let shape = Shape::from_dims(shape)
            .ok_or_else(|| error_of_kind("a tensor has at most 2 dimensions", "rank"))?;
        let len = data.len();
        Tensor::new(shape, data).ok_or_else(|| GraphError::Data { shape, got: len }.into())
    }

    fn unary(&mut self, op: Unary, x: u32) -> Result<u32, JsValue> {
        let x = self.id(x)?;
        Ok(self.graph.unary(op, x).0)
    }

    fn binary(&mut self, op: Binary, a: u32, b: u32) -> Result<u32, JsValue> {
        let (a, b) = (self.id(a)?, self.id(b)?);
        let id = self.graph.binary(op, a, b).map_err(JsValue::from)?;
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
    pub fn input_tensor(&mut self, name: &str, shape: &[usize], data: Vec<f64>) -> Result<u32, JsValue> {
        Ok(self.graph.input(name, Self::tensor(shape, data)?).0)
    }

    #[wasm_bindgen(js_name = parameterTensor)]
    pub fn parameter_tensor(&mut self, name: &str, shape: &[usize], data: Vec<f64>) -> Result<u32, JsValue> {
        Ok(self.graph.parameter(name, Self::tensor(shape, data)?).0)
    }

    #[wasm_bindgen(js_name = constantTensor)]
    pub fn constant_tensor(&mut self, label: &str, shape: &[usize], data: Vec<f64>) -> Result<u32, JsValue> {
        Ok(self.graph.constant(label, Self::tensor(shape, data)?).0)
    }

    pub fn neg(&mut self, x: u32) -> Result<u32, JsValue> {
        self.unary(Unary::Neg, x)
    }
    pub fn exp(&mut self, x: u32) -> Result<u32, JsValue> {
        self.unary(Unary::Exp, x)
    }
    pub fn ln(&mut self, x: u32) -> Result<u32, JsValue> {
        self.unary(Unary::Ln, x)
    }
    pub fn sqrt(&mut self, x: u32) -> Result<u32, JsValue> {
        self.unary(Unary::Sqrt, x)
    }
    pub fn sin(&mut self, x: u32) -> Result<u32, JsValue> {
        self.unary(Unary::Sin, x)
    }
    pub fn cos(&mut self, x: u32) -> Result<u32, JsValue> {
        self.unary(Unary::Cos, x)
    }
    pub fn tan(&mut self, x: u32) -> Result<u32, JsValue> {
        self.unary(Unary::Tan, x)
    }
    pub fn tanh(&mut self, x: u32) -> Result<u32, JsValue> {
        self.unary(Unary::Tanh, x)
    }
    pub fn sigmoid(&mut self, x: u32) -> Result<u32, JsValue> {
        self.unary(Unary::Sigmoid, x)
    }
    pub fn relu(&mut self, x: u32) -> Result<u32, JsValue> {
        self.unary(Unary::Relu, x)
    }
    pub fn abs(&mut self, x: u32) -> Result<u32, JsValue> {
        self.unary(Unary::Abs, x)
    }
    pub fn add(&mut self, a: u32, b: u32) -> Result<u32, JsValue> {
        self.binary(Binary::Add, a, b)
    }
    pub fn sub(&mut self, a: u32, b: u32) -> Result<u32, JsValue> {
        self.binary(Binary::Sub, a, b)
    }
    pub fn mul(&mut self, a: u32, b: u32) -> Result<u32, JsValue> {
        self.binary(Binary::Mul, a, b)
    }
    pub fn div(&mut self, a: u32, b: u32) -> Result<u32, JsValue> {
        self.binary(Binary::Div, a, b)
    }
    pub fn pow(&mut self, a: u32, b: u32) -> Result<u32, JsValue> {
        self.binary(Binary::Pow, a, b)
    }
    pub fn max(&mut self, a: u32, b: u32) -> Result<u32, JsValue> {
        self.binary(Binary::Max, a, b)
    }
    pub fn min(&mut self, a: u32, b: u32) -> Result<u32, JsValue> {
        self.binary(Binary::Min, a, b)
    }

    pub fn matmul(&mut self, a: u32, b: u32) -> Result<u32, JsValue> {
        let (a, b) = (self.id(a)?, self.id(b)?);
        Ok(self.graph.matmul(a, b).map_err(JsValue::from)?.0)
    }

    pub fn transpose(&mut self, x: u32) -> Result<u32, JsValue> {
        let x = self.id(x)?;
        Ok(self.graph.transpose(x).0)
    }

    /// Sum over all elements, or along `axis` (0 or 1).
    pub fn sum(&mut self, x: u32, axis: Option<u32>) -> Result<u32, JsValue> {
        let x = self.id(x)?;
        Ok(self.graph.sum(x, Self::axis(axis)).map_err(JsValue::from)?.0)
    }

    /// Mean over all elements, or along `axis` (0 or 1).
    pub fn mean(&mut self, x: u32, axis: Option<u32>) -> Result<u32, JsValue> {
        let x = self.id(x)?;
        Ok(self.graph.mean(x, Self::axis(axis)).map_err(JsValue::from)?.0)
    }

    /// Mean softmax cross-entropy of `logits` (`N × K`) against `labels` (`N` class indices).
    #[wasm_bindgen(js_name = softmaxCrossEntropy)]
    pub fn softmax_cross_entropy(&mut self, logits: u32, labels: u32) -> Result<u32, JsValue> {
        let (z, y) = (self.id(logits)?, self.id(labels)?);
        let id = self.graph.softmax_cross_entropy(z, y).map_err(JsValue::from)?;
        Ok(id.0)
    }

    /// Recomputes every value after `setValue` or `step`.
    pub fn forward(&mut self) {
        self.graph.forward();
    }

    /// Reverse mode from `root`: afterwards `grad(id)` is ∂root/∂id for every node.
    pub fn backward(&mut self, root: u32) -> Result<(), JsValue> {
        let root = self.id(root)?;
        self.graph.backward(root);
        Ok(())
    }

    /// Forward mode: `leaves[i]` gets the next `size(leaves[i])` numbers of `tangents`
    /// as its tangent; afterwards `tangent(id)` is the directional derivative of `id`.
    pub fn jvp(&mut self, leaves: &[u32], tangents: &[f64]) -> Result<(), JsValue> {
        let mut seeds = Vec::new();
        let mut offset = 0;
        for &leaf in leaves {
            let id = self.id(leaf)?;
            let n = self.graph.node(id).shape.len();
            let t = tangents.get(offset..offset + n).ok_or_else(|| {
                error_of_kind("fewer tangent values than the leaves have elements", "length")
            })?;
            seeds.push((id, t));
            offset += n;
        }
        self.graph.jvp(&seeds).map_err(JsValue::from)
    }

    /// One step of gradient descent on every parameter: w ← w − lr·∂L/∂w.
    pub fn step(&mut self, lr: f64) {
        self.graph.step(lr);
    }

    #[wasm_bindgen(js_name = zeroGrad)]
    pub fn zero_grad(&mut self) {
        self.graph.zero_grad();
    }

    pub fn value(&self, id: u32) -> Result<Vec<f64>, JsValue> {
        Ok(self.graph.value(self.id(id)?).to_vec())
    }

    pub fn grad(&self, id: u32) -> Result<Vec<f64>, JsValue> {
        Ok(self.graph.grad(self.id(id)?).to_vec())
    }

    pub fn tangent(&self, id: u32) -> Result<Vec<f64>, JsValue> {
        Ok(self.graph.tangent(self.id(id)?).to_vec())
    }

    /// Sets a leaf's value (a number for a scalar, or an array); call `forward` after.
    #[wasm_bindgen(js_name = setValue)]
    pub fn set_value(&mut self, id: u32, value: Vec<f64>) -> Result<(), JsValue> {
        let id = self.id(id)?;
        self.graph.set_value(id, &value).map_err(JsValue::from)
    }

    /// Every node with its value, gradient and edges.
    #[wasm_bindgen(unchecked_return_type = "NodeReport<number>[]")]
    pub fn nodes(&self) -> Result<JsValue, JsValue> {
        to_js(&report::nodes(&self.graph))
    }

    #[wasm_bindgen(unchecked_return_type = "Layout")]
    pub fn layout(&self) -> Result<JsValue, JsValue> {
        to_js(&session::expression::layout_of(&self.graph))
    }
}
