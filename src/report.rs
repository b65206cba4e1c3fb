//! What a view needs to draw a graph: every node with its value and gradient, and every
//! edge with its local derivative and the gradient that flowed along it.

use crate::graph::{Graph, NodeId};
use crate::tensor::Real;
use serde::{Serialize, Serializer};

#[derive(Clone, Debug, Serialize)]
pub struct NodeReport {
    pub id: usize,
    /// `input`, `parameter`, `constant`, or the op: `+`, `sin`, `matmul`, …
    pub op: &'static str,
    /// What to print in the node: a variable's name, a constant's text, or the op.
    pub label: String,
    pub inputs: Vec<usize>,
    pub shape: Vec<usize>,
    #[serde(serialize_with = "numbers")]
    pub value: Vec<f64>,
    #[serde(serialize_with = "numbers")]
    pub grad: Vec<f64>,
    /// One per input, in the order of `inputs`.
    pub edges: Vec<EdgeReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EdgeReport {
    /// The input node this edge comes from.
    pub from: usize,
    /// `∂node/∂from`, element by element; absent for ops whose Jacobian is not diagonal.
    #[serde(serialize_with = "optional_numbers")]
    pub local: Option<Vec<f64>>,
    /// The gradient this edge carried back: upstream × local, shaped like `from`.
    #[serde(serialize_with = "numbers")]
    pub flowed: Vec<f64>,
}

/// Reports every node of the graph, in arena (topological) order.
pub fn nodes<T: Real>(graph: &Graph<T>) -> Vec<NodeReport> {
    let to_f64 = |xs: &[T]| xs.iter().map(|x| x.as_f64()).collect::<Vec<_>>();
    (0..graph.len())
        .map(|i| {
            let id = NodeId(i as u32);
            let node = graph.node(id);
            let inputs = node.op.inputs();
            let edges = (0..inputs.len())
                .map(|which| {
                    let (local, flowed) = graph.edge(id, which);
                    EdgeReport {
                        from: inputs[which].index(),
                        local: local.as_deref().map(to_f64),
                        flowed: to_f64(&flowed),
                    }
                })
                .collect();
            NodeReport {
                id: i,
                op: node.op.name(),
                label: node.label.as_deref().unwrap_or(node.op.name()).to_string(),
                inputs: inputs.iter().map(|x| x.index()).collect(),
                shape: node.shape.dims().to_vec(),
                value: to_f64(graph.value(id)),
                grad: to_f64(graph.grad(id)),
                edges,
            }
        })
        .collect()
}

/// A number for output. JSON has no NaN or infinities, so in JSON text (a human-readable
/// format to serde) they become the strings `"NaN"`, `"Infinity"` and `"-Infinity"`; to
/// JavaScript objects (through serde-wasm-bindgen) they stay real numbers.
pub fn number<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    match *x {
        x if x.is_finite() || !s.is_human_readable() => s.serialize_f64(x),
        x if x.is_nan() => s.serialize_str("NaN"),
        x if x > 0.0 => s.serialize_str("Infinity"),
        _ => s.serialize_str("-Infinity"),
    }
}

/// A number wrapper that serializes with [`number`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num(pub f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        number(&self.0, s)
    }
}

fn numbers<S: Serializer>(xs: &[f64], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(xs.iter().map(|&x| Num(x)))
}

fn optional_numbers<S: Serializer>(xs: &Option<Vec<f64>>, s: S) -> Result<S::Ok, S::Error> {
    match xs {
        Some(xs) => numbers(xs, s),
        None => s.serialize_none(),
    }
}
