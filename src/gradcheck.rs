//! The finite-difference gradient check: an independent referee for the backward pass.
//!
//! Central differences, `(f(x + h) − f(x − h)) / 2h`, have error `O(h²)` from truncation and
//! `O(ε/h)` from rounding; `h = ε^(1/3) · max(1, |x|)` balances the two (about 6e-6 in f64).

use crate::graph::{Graph, NodeId};

/// One element of a leaf: the gradient from autodiff next to the numerical estimate.
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheck {
    pub node: usize,
    pub element: usize,
    pub autodiff: f64,
    pub numeric: f64,
}

impl GradCheck {
    /// `|autodiff − numeric| / max(1, |numeric|)`: absolute near zero, relative elsewhere.
    pub fn error(&self) -> f64 {
        (self.autodiff - self.numeric).abs() / self.numeric.abs().max(1.0)
    }
}

/// Sum of the root's elements, the function the backward pass differentiates.
fn output(graph: &Graph<f64>, root: NodeId) -> f64 {
    graph.value(root).iter().sum()
}

/// Central-difference estimates of `∂root/∂leaf` for every element of each leaf in `wrt`,
/// next to what `backward` gives. The graph's values are restored afterwards, its
/// gradients are those of `root`.
pub fn check(graph: &mut Graph<f64>, root: NodeId, wrt: &[NodeId]) -> Vec<GradCheck> {
    graph.forward();
    graph.backward(root);
    let mut results = Vec::new();
    for &leaf in wrt {
        let mut x = graph.value(leaf).to_vec();
        for element in 0..x.len() {
            let x0 = x[element];
            let h = f64::EPSILON.cbrt() * x0.abs().max(1.0);
            let mut at = |v: f64, x: &mut Vec<f64>| {
                x[element] = v;
                graph.set_value(leaf, x).expect("same shape");
                graph.forward();
                output(graph, root)
            };
            let numeric = (at(x0 + h, &mut x) - at(x0 - h, &mut x)) / (2.0 * h);
            at(x0, &mut x);
            results.push(GradCheck {
                node: leaf.index(),
                element,
                autodiff: graph.grad(leaf)[element],
                numeric,
            });
        }
    }
    results
}
