//! The primitives. Each op's forward computation, reverse rule (VJP: upstream gradient times
//! local derivative) and forward rule (JVP: local derivative times tangent) live together in
//! its module; the exhaustive matches below only dispatch, so a new `Op` variant does not
//! compile until all three rules exist.

pub mod elementwise;
pub mod loss;
pub mod matmul;
pub mod normalize;
pub mod reduce;
pub mod select;

pub use elementwise::{Binary, Unary};
pub use normalize::Normalize;
pub use reduce::{Axis, Reduction};
pub use select::Window;

use crate::tensor::{Real, Shape};
use std::fmt;

/// A node of the graph, by its index in the arena. Ops name their inputs this way; the
/// graph (`crate::graph`) owns the arena, so the arrow goes from ops to the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Why an op's inputs do not fit it, with the shapes involved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapeError {
    /// A leaf has no inputs to take a shape from.
    Leaf,
    /// Element-wise operands that do not broadcast (each dimension equal or 1).
    Broadcast { op: &'static str, a: Shape, b: Shape },
    /// A product `@` with a scalar operand (`@` takes vectors and matrices).
    MatmulRank { a: Shape, b: Shape },
    /// A product `@` whose inner sizes differ.
    MatmulInner { a: Shape, b: Shape },
    /// An index window that reaches outside the input, or whose shape has another number
    /// of elements than the window.
    Window { window: Window, input: Shape },
    /// A reduction along an axis the tensor does not have.
    Axis { axis: usize, shape: Shape },
    /// Softmax cross-entropy of something that is not a vector or matrix of logits.
    Logits(Shape),
    /// Softmax cross-entropy with a number of labels other than one per row.
    Labels { labels: usize, rows: usize },
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ShapeError::Leaf => write!(f, "a leaf has no inputs"),
            ShapeError::Broadcast { op, a, b } => write!(f, "cannot broadcast {a} with {b} for '{op}'"),
            ShapeError::MatmulRank { a, b } => write!(
                f,
                "cannot multiply {} by {}: @ needs vectors or matrices",
                Noun(a),
                Noun(b)
            ),
            ShapeError::MatmulInner { a, b } => {
                let (ka, kb) = matmul::inner_sizes(a, b);
                write!(f, "cannot multiply {a} by {b}: inner sizes {ka} and {kb} differ")
            }
            ShapeError::Window { window: w, input } => {
                let span = |start: u32, len: u32| format!("{start}..{}", start as u64 + len as u64);
                let block = format!("rows {}, columns {}", span(w.row, w.rows), span(w.col, w.cols));
                if w.fits(input) {
                    let (n, want) = (w.len(), w.shape.len());
                    write!(
                        f,
                        "index window {block} ({n} elements) cannot be read as {} ({want} elements)",
                        Noun(w.shape)
                    )
                } else {
                    write!(
                        f,
                        "index window {block} is outside {input} (rows 0..{}, columns 0..{})",
                        input.rows(),
                        input.cols()
                    )
                }
            }
            ShapeError::Axis { axis, shape } => {
                write!(f, "axis {axis} is out of range for a tensor of shape {shape}")
            }
            ShapeError::Logits(shape) => write!(
                f,
                "softmax cross-entropy needs a vector or matrix of logits, got {shape}"
            ),
            ShapeError::Labels { labels, rows } => {
                write!(
                    f,
                    "softmax cross-entropy: {labels} labels for {rows} rows of logits"
                )
            }
        }
    }
}

impl std::error::Error for ShapeError {}

/// A shape as the object of a sentence: `a scalar`, `[3]`, `2×3`.
struct Noun(Shape);

impl fmt::Display for Noun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.rank() {
            0 => write!(f, "a scalar"),
            _ => write!(f, "{}", self.0),
        }
    }
}

/// A node's operation, carrying the ids of its inputs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// Data fed in from outside; differentiable (the variables of an expression).
    Input,
    /// A learnable weight, updated by `step`.
    Parameter,
    /// A fixed number; no gradient flows into it.
    Constant,
    Unary(Unary, NodeId),
    Binary(Binary, NodeId, NodeId),
    MatMul(NodeId, NodeId),
    Transpose(NodeId),
    Reduce(Reduction, Axis, NodeId),
    /// Softmax or log-softmax along an axis, keeping the shape.
    Normalize(Normalize, Axis, NodeId),
    /// A block of the input (`x[i]`, `x[:, j]`, `x[a:b]`): see `select::Window`.
    Select(Window, NodeId),
    /// The input's value, as a constant: no gradient flows back through it and its tangent
    /// is zero (JAX's `stop_gradient`).
    Detach(NodeId),
    /// Mean softmax cross-entropy of `logits` against integer class `labels`.
    SoftmaxCrossEntropy(NodeId, NodeId),
}

/// A tensor an op reads: its shape and values.
#[derive(Clone, Copy)]
pub struct Arg<'a, T> {
    pub shape: Shape,
    pub value: &'a [T],
}

impl<T: 'static> Arg<'_, T> {
    pub const NONE: Arg<'static, T> = Arg {
        shape: Shape::SCALAR,
        value: &[],
    };
}

/// The inputs of an op (at most two), as a slice.
#[derive(Clone, Copy)]
pub struct Inputs {
    ids: [NodeId; 2],
    len: usize,
}

impl std::ops::Deref for Inputs {
    type Target = [NodeId];
    fn deref(&self) -> &[NodeId] {
        &self.ids[..self.len]
    }
}

impl Op {
    pub fn inputs(&self) -> Inputs {
        let none = NodeId(0);
        let (ids, len) = match *self {
            Op::Input | Op::Parameter | Op::Constant => ([none, none], 0),
            Op::Unary(_, x)
            | Op::Transpose(x)
            | Op::Reduce(_, _, x)
            | Op::Select(_, x)
            | Op::Normalize(_, _, x)
            | Op::Detach(x) => ([x, none], 1),
            Op::Binary(_, a, b) | Op::MatMul(a, b) | Op::SoftmaxCrossEntropy(a, b) => ([a, b], 2),
        };
        Inputs { ids, len }
    }

    pub fn is_leaf(&self) -> bool {
        matches!(self, Op::Input | Op::Parameter | Op::Constant)
    }

    /// Whether a gradient can flow into input `which` (labels of a loss are data, and a
    /// detached value is a constant as far as derivatives go).
    pub fn differentiable_in(&self, which: usize) -> bool {
        match self {
            Op::SoftmaxCrossEntropy(..) => which == 0,
            Op::Detach(_) => false,
            _ => true,
        }
    }

    /// A short name for graph views: `+`, `sin`, `matmul`, …
    pub fn name(&self) -> &'static str {
        match self {
            Op::Input => "input",
            Op::Parameter => "parameter",
            Op::Constant => "constant",
            Op::Unary(u, _) => u.name(),
            Op::Binary(b, ..) => b.name(),
            Op::MatMul(..) => "matmul",
            Op::Transpose(_) => "transpose",
            Op::Reduce(r, ..) => r.name(),
            Op::Normalize(n, ..) => n.name(),
            Op::Select(..) => "index",
            Op::Detach(_) => "detach",
            Op::SoftmaxCrossEntropy(..) => "softmax_ce",
        }
    }

    /// Arithmetic operations to compute the op, given its first input's shape and its own:
    /// `k` multiply-adds per entry of a product (`k` the inner size), about one otherwise.
    /// What a program's work limit counts, and a local Jacobian's budget.
    pub fn work(&self, first_input: Shape, out: Shape) -> u64 {
        let k = match self {
            Op::MatMul(..) if first_input.rank() == 2 => first_input.cols(),
            Op::MatMul(..) => first_input.len(),
            _ => 1,
        };
        (out.len() * k) as u64
    }

    /// The output shape for inputs of the given shapes, or why they do not fit.
    pub fn shape(&self, inputs: [Shape; 2]) -> Result<Shape, ShapeError> {
        let [a, b] = inputs;
        match self {
            Op::Input | Op::Parameter | Op::Constant => Err(ShapeError::Leaf),
            Op::Unary(..) | Op::Detach(_) => Ok(a),
            Op::Binary(op, ..) => Shape::broadcast(a, b).ok_or(ShapeError::Broadcast { op: op.name(), a, b }),
            Op::MatMul(..) => matmul::matmul_shape(a, b),
            Op::Transpose(_) => Ok(matmul::transpose_shape(a)),
            Op::Reduce(_, axis, _) => reduce::reduce_shape(a, *axis),
            Op::Normalize(_, axis, _) => normalize::normalize_shape(a, *axis),
            Op::Select(window, _) => select::select_shape(a, *window),
            Op::SoftmaxCrossEntropy(..) => loss::softmax_ce_shape(a, b),
        }
    }

    /// Computes the op's value from its inputs' values.
    pub fn forward<T: Real>(&self, args: [Arg<T>; 2], out_shape: Shape, out: &mut [T]) {
        let [a, b] = args;
        match *self {
            Op::Input | Op::Parameter | Op::Constant => {}
            Op::Unary(op, _) => elementwise::unary_forward(op, a.value, out),
            Op::Binary(op, ..) => elementwise::binary_forward(op, a, b, out_shape, out),
            Op::MatMul(..) => matmul::matmul_forward(a, b, out),
            Op::Transpose(_) => matmul::transpose_into(a, out, false),
            Op::Reduce(r, axis, _) => reduce::reduce_into(r, axis, a, out),
            Op::Normalize(n, axis, _) => normalize::normalize_forward(n, axis, a, out),
            Op::Select(window, _) => select::select_into(window, a, out),
            Op::Detach(_) => out.copy_from_slice(a.value),
            Op::SoftmaxCrossEntropy(..) => loss::softmax_ce_forward(a, b, out),
        }
    }

    /// Reverse rule: adds `upstream × local derivative` into the gradient of input `which`.
    pub fn vjp<T: Real>(&self, which: usize, args: [Arg<T>; 2], out: Arg<T>, upstream: &[T], grad: &mut [T]) {
        let [a, b] = args;
        match *self {
            Op::Input | Op::Parameter | Op::Constant => {}
            Op::Unary(op, _) => elementwise::unary_vjp(op, a.value, out.value, upstream, grad),
            Op::Binary(op, ..) => elementwise::binary_vjp(op, which, a, b, out, upstream, grad),
            Op::MatMul(..) => matmul::matmul_vjp(which, a, b, upstream, grad),
            Op::Transpose(_) => matmul::transpose_into(
                Arg {
                    shape: out.shape,
                    value: upstream,
                },
                grad,
                true,
            ),
            Op::Reduce(r, axis, _) => reduce::reduce_vjp(r, axis, a, out.value, upstream, grad),
            Op::Normalize(n, axis, _) => normalize::normalize_vjp(n, axis, out, upstream, grad),
            Op::Select(window, _) => select::select_vjp(window, a.shape, upstream, grad),
            // Never called (no input is differentiable): nothing flows back.
            Op::Detach(_) => {}
            Op::SoftmaxCrossEntropy(..) => {
                if which == 0 {
                    loss::softmax_ce_vjp(a, b, upstream[0], grad)
                }
            }
        }
    }

    /// Forward rule: the output's tangent from the inputs' tangents (`None` for an input
    /// that depends on no variable).
    pub fn jvp<T: Real>(
        &self,
        args: [Arg<T>; 2],
        out: Arg<T>,
        tangents: [Option<&[T]>; 2],
        tangent_out: &mut [T],
    ) {
        let [a, b] = args;
        let [ta, tb] = tangents;
        match *self {
            Op::Input | Op::Parameter | Op::Constant => {}
            Op::Unary(op, _) => match ta {
                Some(ta) => elementwise::unary_jvp(op, a.value, out.value, ta, tangent_out),
                None => tangent_out.fill(T::zero()),
            },
            Op::Binary(op, ..) => elementwise::binary_jvp(op, a, b, out, ta, tb, tangent_out),
            Op::MatMul(..) => matmul::matmul_jvp(a, b, ta, tb, tangent_out),
            Op::Transpose(_) => match ta {
                Some(ta) => matmul::transpose_into(
                    Arg {
                        shape: a.shape,
                        value: ta,
                    },
                    tangent_out,
                    false,
                ),
                None => tangent_out.fill(T::zero()),
            },
            Op::Reduce(r, axis, _) => match ta {
                Some(ta) => reduce::reduce_jvp(r, axis, a, out.value, ta, tangent_out),
                None => tangent_out.fill(T::zero()),
            },
            Op::Normalize(n, axis, _) => match ta {
                Some(ta) => normalize::normalize_jvp(n, axis, out, ta, tangent_out),
                None => tangent_out.fill(T::zero()),
            },
            Op::Select(window, _) => match ta {
                Some(ta) => select::select_into(
                    window,
                    Arg {
                        shape: a.shape,
                        value: ta,
                    },
                    tangent_out,
                ),
                None => tangent_out.fill(T::zero()),
            },
            Op::Detach(_) => tangent_out.fill(T::zero()),
            Op::SoftmaxCrossEntropy(..) => {
                tangent_out[0] = ta.map_or(T::zero(), |ta| loss::softmax_ce_jvp(a, b, ta));
            }
        }
    }

    /// The local derivative of the output with respect to input `which`, element by element,
    /// for the element-wise ops (whose Jacobian is diagonal). `false` for the others, whose
    /// local derivative is a full Jacobian and is shown only through the gradient it passes.
    pub fn local_derivative<T: Real>(
        &self,
        which: usize,
        args: [Arg<T>; 2],
        out: Arg<T>,
        local: &mut [T],
    ) -> bool {
        match *self {
            Op::Unary(op, _) => elementwise::unary_local(op, args[0].value, out.value, local),
            Op::Binary(op, ..) => elementwise::binary_local(op, which, args[0], args[1], out, local),
            _ => return false,
        }
        true
    }
}
