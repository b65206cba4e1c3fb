//! What a view needs to draw a graph: every node with its value and gradient, and every
//! edge with its local derivative and the gradient that flowed along it.

use crate::graph::{Graph, NodeId};
use crate::ops::elementwise::BEYOND_F64;
use crate::ops::Op;
use crate::tensor::Real;
use serde::{Serialize, Serializer};

/// A node, with numbers of type `N`: `f64` for JavaScript (where NaN and infinities are
/// numbers), [`Num`] for JSON text (where they are not).
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, Serialize)]
pub struct NodeReport<N = f64> {
    pub id: usize,
    /// `input`, `parameter`, `constant`, or the op: `+`, `sin`, `matmul`, …
    pub op: &'static str,
    /// What to print in the node: a variable's name, a constant's text, or the op.
    pub label: String,
    pub inputs: Vec<usize>,
    pub shape: Vec<usize>,
    pub value: Vec<N>,
    pub grad: Vec<N>,
    /// One per input, in the order of `inputs`.
    pub edges: Vec<EdgeReport<N>>,
    /// Where a NaN or an infinity arises: why this node's value is not a finite number
    /// although all its inputs are ("ln of a negative number (x = -1) is not a real
    /// number"). `None` for finite values and for non-finite values passed on from inputs.
    pub not_finite: Option<String>,
}

#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, Serialize)]
pub struct EdgeReport<N = f64> {
    /// The input node this edge comes from.
    pub from: usize,
    /// `∂node/∂from`, element by element; absent for ops whose Jacobian is not diagonal.
    pub local: Option<Vec<N>>,
    /// The gradient this edge carried back: upstream × local, shaped like `from`.
    pub flowed: Vec<N>,
}

impl NodeReport {
    /// The same report with numbers that survive JSON text.
    pub fn for_json(self) -> NodeReport<Num> {
        let nums = |xs: Vec<f64>| xs.into_iter().map(Num).collect::<Vec<_>>();
        NodeReport {
            id: self.id,
            op: self.op,
            label: self.label,
            inputs: self.inputs,
            shape: self.shape,
            value: nums(self.value),
            grad: nums(self.grad),
            edges: self
                .edges
                .into_iter()
                .map(|e| EdgeReport {
                    from: e.from,
                    local: e.local.map(nums),
                    flowed: nums(e.flowed),
                })
                .collect(),
            not_finite: self.not_finite,
        }
    }
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
                not_finite: why_not_finite(graph, id),
            }
        })
        .collect()
}

/// Why node `id` holds a NaN or an infinity computed from finite inputs, in words, about
/// its first such element; `None` where every element is finite or an input's was not.
pub fn why_not_finite<T: Real>(graph: &Graph<T>, id: NodeId) -> Option<String> {
    let node = graph.node(id);
    let value = graph.value(id);
    let at = value.iter().position(|x| !x.as_f64().is_finite())?;
    let inputs = node.op.inputs();
    let finite = |x: &NodeId| graph.value(*x).iter().all(|v| v.as_f64().is_finite());
    if !inputs.iter().all(finite) {
        return None; // passed on, not made here
    }
    // The element of input `x` that element `at` of the output reads (with broadcasting,
    // a scalar or a vector of the output's length; other shapes get the general words).
    let element = |x: NodeId| {
        let v = graph.value(x);
        match v.len() {
            1 => Some(v[0].as_f64()),
            n if n == value.len() => Some(v[at].as_f64()),
            _ => None,
        }
    };
    let overflow = || format!("{} overflows: the result is {BEYOND_F64}", node.op.name());
    Some(match node.op {
        Op::Unary(u, x) => element(x).map_or_else(overflow, |x| u.why_not_finite(x)),
        Op::Binary(b, x, y) => match (element(x), element(y)) {
            (Some(a), Some(c)) => b.why_not_finite(a, c),
            _ => overflow(),
        },
        Op::SoftmaxCrossEntropy(..) => {
            "a label is not a class index of the logits, so its row has no loss".to_string()
        }
        _ => overflow(),
    })
}

/// A number for JSON text, which has no NaN or infinities: those become the strings
/// `"NaN"`, `"Infinity"` and `"-Infinity"`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num(pub f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            x if x.is_finite() => s.serialize_f64(x),
            x if x.is_nan() => s.serialize_str("NaN"),
            x if x > 0.0 => s.serialize_str("Infinity"),
            _ => s.serialize_str("-Infinity"),
        }
    }
}
