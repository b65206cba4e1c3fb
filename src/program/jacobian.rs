//! The full Jacobian of a program's output with respect to one leaf, by either mode.
//!
//! Reverse mode runs one vector–Jacobian product per output element (seed `eᵢ` at the
//! output, read the leaf's gradient: row `i`); forward mode one Jacobian–vector product per
//! leaf element (tangent `eⱼ` at the leaf, read the output's tangent: column `j`). Both give
//! the same matrix; the number of passes is what differs, which is the lecture's point:
//! forward mode's cost grows with the inputs, reverse mode's with the outputs.

use crate::graph::{Graph, GraphError, NodeId};
use crate::tensor::Shape;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Reverse,
    Forward,
}

/// `∂output/∂wrt`: rows are the output's elements and columns the leaf's, both row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Jacobian {
    pub output_shape: Shape,
    pub wrt_shape: Shape,
    /// `rows × cols`, row-major.
    pub entries: Vec<f64>,
    pub rows: usize,
    pub cols: usize,
    /// Entries that are not zero: how sparse the layer's Jacobian is.
    pub nonzeros: usize,
    /// Backward passes (reverse) or forward passes (forward) it took.
    pub passes: usize,
}

impl Jacobian {
    /// `entries`, `∂output/∂wrt` row-major, with its non-zeros counted.
    fn new(output_shape: Shape, wrt_shape: Shape, entries: Vec<f64>, passes: usize) -> Self {
        let (rows, cols) = (output_shape.len(), wrt_shape.len());
        let nonzeros = entries.iter().filter(|&&x| x != 0.0).count();
        Jacobian {
            output_shape,
            wrt_shape,
            entries,
            rows,
            cols,
            nonzeros,
            passes,
        }
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.entries[i * self.cols..(i + 1) * self.cols]
    }
}

/// The most entries a Jacobian may have, and the most node elements all its passes may
/// touch together: a 1000 × 1000 layer's Jacobian fits, an accident does not hang.
pub const MAX_ENTRIES: usize = 1 << 22;
pub const MAX_PASS_WORK: usize = 1 << 28;

/// Why a Jacobian was not computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JacobianError {
    Graph(GraphError),
    TooLarge {
        rows: usize,
        cols: usize,
    },
    TooMuchWork {
        passes: usize,
        elements: usize,
    },
    /// A local Jacobian asked of an input the op does not have.
    NoInput {
        which: usize,
    },
}

impl std::fmt::Display for JacobianError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JacobianError::Graph(e) => write!(f, "{e}"),
            JacobianError::TooLarge { rows, cols } => write!(
                f,
                "the Jacobian would be {rows} × {cols}, more than {MAX_ENTRIES} entries"
            ),
            JacobianError::TooMuchWork { passes, elements } => write!(
                f,
                "the Jacobian needs {passes} passes over a graph of {elements} numbers, too many; \
                 the other mode may need fewer"
            ),
            JacobianError::NoInput { which } => write!(f, "the node has no input {which}"),
        }
    }
}

impl std::error::Error for JacobianError {}

/// The Jacobian of one op, `∂node/∂input` for its input `which`, at the values of the last
/// run: what the lecture draws for an FC layer (`∂h/∂W`, one non-zero block a row) and a
/// ReLU (diagonal), and what backpropagation never builds. Row `i` is the op's own
/// vector–Jacobian product with the unit upstream `eᵢ`, so it is exactly what the backward
/// pass would multiply by, one row at a time. `passes` counts those products.
pub fn local_jacobian(graph: &Graph<f64>, node: NodeId, which: usize) -> Result<Jacobian, JacobianError> {
    let op = &graph.node(node).op;
    let Some(&input) = op.inputs().get(which) else {
        return Err(JacobianError::NoInput { which });
    };
    let output_shape = graph.node(node).shape;
    let wrt_shape = graph.node(input).shape;
    let (rows, cols) = (output_shape.len(), wrt_shape.len());
    if rows.saturating_mul(cols) > MAX_ENTRIES {
        return Err(JacobianError::TooLarge { rows, cols });
    }
    // A product's VJP does `k` multiply-adds per entry of its result; other ops one or two.
    let first = graph.node(op.inputs()[0]).shape;
    let per_pass = op.work(first, output_shape) as usize + cols;
    if rows.saturating_mul(per_pass) > MAX_PASS_WORK {
        return Err(JacobianError::TooMuchWork {
            passes: rows,
            elements: per_pass,
        });
    }
    let mut entries = vec![0.0; rows * cols];
    let mut unit = vec![0.0; rows];
    for (i, row) in entries.chunks_mut(cols.max(1)).enumerate().take(rows) {
        unit[i] = 1.0;
        graph.local_vjp(node, which, &unit, row);
        unit[i] = 0.0;
    }
    Ok(Jacobian::new(output_shape, wrt_shape, entries, rows))
}

/// The Jacobian of `output` with respect to the leaf `wrt` by `mode`.
pub fn jacobian(
    graph: &mut Graph<f64>,
    output: NodeId,
    wrt: NodeId,
    mode: Mode,
) -> Result<Jacobian, JacobianError> {
    let output_shape = graph.node(output).shape;
    let wrt_shape = graph.node(wrt).shape;
    let (rows, cols) = (output_shape.len(), wrt_shape.len());
    if rows.saturating_mul(cols) > MAX_ENTRIES {
        return Err(JacobianError::TooLarge { rows, cols });
    }
    let passes = match mode {
        Mode::Reverse => rows,
        Mode::Forward => cols,
    };
    let elements: usize = graph.nodes().iter().map(|n| n.shape.len()).sum();
    if passes.saturating_mul(elements) > MAX_PASS_WORK {
        return Err(JacobianError::TooMuchWork { passes, elements });
    }
    let mut entries = vec![0.0; rows * cols];
    let mut unit = Vec::new();
    match mode {
        Mode::Reverse => {
            for i in 0..rows {
                unit.clear();
                unit.resize(rows, 0.0);
                unit[i] = 1.0;
                graph
                    .backward_seeded(output, &unit)
                    .map_err(JacobianError::Graph)?;
                entries[i * cols..(i + 1) * cols].copy_from_slice(graph.grad(wrt));
            }
        }
        Mode::Forward => {
            for j in 0..cols {
                unit.clear();
                unit.resize(cols, 0.0);
                unit[j] = 1.0;
                graph.jvp(&[(wrt, &unit)]).map_err(JacobianError::Graph)?;
                let t = graph.tangent(output);
                for i in 0..rows {
                    // An output no tangent reaches has none stored: its column is zero.
                    entries[i * cols + j] = t.get(i).copied().unwrap_or(0.0);
                }
            }
        }
    }
    Ok(Jacobian::new(output_shape, wrt_shape, entries, passes))
}
