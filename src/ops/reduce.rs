//! Sum, mean, maximum and log-sum-exp, over all elements or along one axis.
//!
//! Sum and mean are linear: the reverse rule spreads the upstream gradient back over the
//! elements that were reduced (scaled by 1/count for the mean), the forward rule reduces
//! the tangent. The maximum routes the gradient to the element that won, split equally on
//! a tie (as JAX's `amax`); log-sum-exp's local derivative is the softmax of its lane.

use super::{Arg, ShapeError};
use crate::tensor::{Real, Shape};

/// What to reduce over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// Every element, giving a scalar.
    All,
    /// One axis, NumPy-style: for a matrix 0 collapses the rows and 1 the columns;
    /// a vector has only axis 0.
    Index(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    Sum,
    Mean,
    /// The largest element (NumPy's `amax`); NaN if any element is NaN.
    Max,
    /// `ln Σ exp(x)`, computed with the maximum subtracted so that it does not overflow.
    LogSumExp,
}

impl Reduction {
    pub fn name(self) -> &'static str {
        match self {
            Reduction::Sum => "sum",
            Reduction::Mean => "mean",
            Reduction::Max => "amax",
            Reduction::LogSumExp => "logsumexp",
        }
    }

    /// Whether the reduction is linear, so that its forward rule is itself applied to the
    /// tangent and its reverse rule needs no values.
    fn is_linear(self) -> bool {
        matches!(self, Reduction::Sum | Reduction::Mean)
    }
}

/// Which dimension of the 2-D view disappears.
#[derive(Clone, Copy)]
enum Collapse {
    All,
    Rows,
    Cols,
}

fn collapse(x: Shape, axis: Axis) -> Result<Collapse, ShapeError> {
    match (axis, x.rank()) {
        (Axis::All, _) => Ok(Collapse::All),
        (Axis::Index(0), 2) => Ok(Collapse::Rows),
        (Axis::Index(1), 2) | (Axis::Index(0), 1) => Ok(Collapse::Cols),
        (Axis::Index(axis), _) => Err(ShapeError::Axis { axis, shape: x }),
    }
}

pub fn reduce_shape(x: Shape, axis: Axis) -> Result<Shape, ShapeError> {
    Ok(match collapse(x, axis)? {
        Collapse::All => Shape::SCALAR,
        Collapse::Rows => Shape::vector(x.cols()),
        Collapse::Cols if x.rank() == 2 => Shape::vector(x.rows()),
        Collapse::Cols => Shape::SCALAR,
    })
}

/// For the linear reductions, the output element each input element `(i, j)` is reduced
/// into, and the scale (1 for a sum, 1/count for a mean).
fn plan<T: Real>(x: Shape, axis: Axis, reduction: Reduction) -> (impl Fn(usize, usize) -> usize, T) {
    let c = collapse(x, axis).unwrap_or(Collapse::All);
    let count = match c {
        Collapse::All => x.len(),
        Collapse::Rows => x.rows(),
        Collapse::Cols => x.cols(),
    };
    let scale = match reduction {
        Reduction::Mean => T::one() / T::of(count as f64),
        _ => T::one(),
    };
    let target = move |i: usize, j: usize| match c {
        Collapse::All => 0,
        Collapse::Rows => j,
        Collapse::Cols => i,
    };
    (target, scale)
}

/// The elements reduced together, lane by lane: element `t` of lane `l` sits at
/// `l·lane_stride + t·stride`, and lane `l` gives output element `l`. A lane is a column of
/// a matrix for axis 0, a row for axis 1 (and a vector's only axis), everything for `All`.
#[derive(Clone, Copy)]
pub struct Lanes {
    pub count: usize,
    pub len: usize,
    lane_stride: usize,
    stride: usize,
}

impl Lanes {
    pub fn new(x: Shape, axis: Axis) -> Result<Lanes, ShapeError> {
        let (r, c) = (x.rows(), x.cols());
        Ok(match collapse(x, axis)? {
            Collapse::All => Lanes {
                count: 1,
                len: x.len(),
                lane_stride: 0,
                stride: 1,
            },
            Collapse::Rows => Lanes {
                count: c,
                len: r,
                lane_stride: 1,
                stride: c,
            },
            Collapse::Cols => Lanes {
                count: r,
                len: c,
                lane_stride: c,
                stride: 1,
            },
        })
    }

    /// The flat indices of lane `l`'s elements, in order.
    pub fn lane(self, l: usize) -> impl Iterator<Item = usize> + Clone {
        (0..self.len).map(move |t| l * self.lane_stride + t * self.stride)
    }
}

/// The lanes of a shape the graph has already checked against its axis.
pub fn lanes(x: Shape, axis: Axis) -> Lanes {
    Lanes::new(x, axis).expect("axis checked by reduce_shape")
}

/// The largest of the values, NaN if any is NaN (as NumPy's and JAX's `max`; `Float::max`
/// would skip it), `−∞` for none.
pub fn lane_max<T: Real>(values: impl Iterator<Item = T>) -> T {
    values.fold(T::neg_infinity(), |m, x| if x.is_nan() || x > m { x } else { m })
}

/// `(shift, Σ exp(x − shift))` of the values: the shift is the maximum when it is finite
/// and 0 otherwise, as in JAX, so all `−∞` gives a total of 0 rather than
/// `exp(−∞ − (−∞)) = NaN`, and a `+∞` a total of `+∞`.
fn shifted_total<T: Real>(values: impl Iterator<Item = T> + Clone) -> (T, T) {
    let max = lane_max(values.clone());
    let shift = if max.is_finite() { max } else { T::zero() };
    (shift, values.map(|x| (x - shift).exp()).sum())
}

/// `ln Σ exp(x)` over the values, without overflow: `−∞` for all `−∞`, `+∞` for a `+∞`.
pub fn log_sum_exp<T: Real>(values: impl Iterator<Item = T> + Clone) -> T {
    let (shift, total) = shifted_total(values);
    shift + total.ln()
}

/// `out = reduce(x)`.
pub fn reduce_into<T: Real>(reduction: Reduction, axis: Axis, x: Arg<T>, out: &mut [T]) {
    if !reduction.is_linear() {
        let lanes = lanes(x.shape, axis);
        for (l, o) in out.iter_mut().enumerate() {
            let values = lanes.lane(l).map(|at| x.value[at]);
            *o = match reduction {
                Reduction::Max => lane_max(values),
                _ => log_sum_exp(values),
            };
        }
        return;
    }
    let (target, scale) = plan::<T>(x.shape, axis, reduction);
    out.fill(T::zero());
    let cols = x.shape.cols();
    for i in 0..x.shape.rows() {
        for j in 0..cols {
            out[target(i, j)] += x.value[i * cols + j];
        }
    }
    out.iter_mut().for_each(|o| *o *= scale);
}

/// Calls `visit(lane, index, ∂out[lane]/∂x[index])` for every element of a non-linear
/// reduction, from the input `x` and the output `out` already computed.
///
/// - Max: `1/count` for each of the `count` elements equal to the maximum, 0 elsewhere
///   (JAX's rule for `amax`: a tie shares the gradient, and the forward rule is the mean of
///   the tied tangents). A NaN lane has no element equal to its maximum: `0 · 1/0`, NaN.
/// - LogSumExp: the softmax of the lane, `exp(x − shift) / Σ exp(x − shift)`; NaN where
///   JAX's is (all `−∞`, or a `+∞`), which divides 0 by 0 or ∞ by ∞ there too.
fn for_each_partial<T: Real>(
    reduction: Reduction,
    axis: Axis,
    x: Arg<T>,
    out: &[T],
    mut visit: impl FnMut(usize, usize, T),
) {
    let lanes = lanes(x.shape, axis);
    for (l, &y) in out.iter().enumerate() {
        match reduction {
            Reduction::Max => {
                let count = lanes.lane(l).filter(|&at| x.value[at] == y).count();
                let share = T::one() / T::of(count as f64);
                for at in lanes.lane(l) {
                    let tied = if x.value[at] == y { T::one() } else { T::zero() };
                    // JAX's arithmetic: in a NaN lane 0 · (1/0) is NaN for every element.
                    visit(l, at, tied * share);
                }
            }
            _ => {
                // exp(x − shift) / total rather than exp(x − out): `out` is rounded at its
                // own magnitude (1000 + ln 2), which would cost the softmax digits.
                let (shift, total) = shifted_total(lanes.lane(l).map(|at| x.value[at]));
                for at in lanes.lane(l) {
                    visit(l, at, (x.value[at] - shift).exp() / total);
                }
            }
        }
    }
}

/// Reverse rule: every reduced element receives the upstream gradient of its output times
/// its local derivative (the scale, for the linear reductions).
pub fn reduce_vjp<T: Real>(
    reduction: Reduction,
    axis: Axis,
    x: Arg<T>,
    out: &[T],
    upstream: &[T],
    grad: &mut [T],
) {
    if !reduction.is_linear() {
        for_each_partial(reduction, axis, x, out, |l, at, d| grad[at] += upstream[l] * d);
        return;
    }
    let (target, scale) = plan::<T>(x.shape, axis, reduction);
    let cols = x.shape.cols();
    for i in 0..x.shape.rows() {
        for j in 0..cols {
            grad[i * cols + j] += upstream[target(i, j)] * scale;
        }
    }
}

/// Forward rule: the local derivatives times the tangent, summed over each lane; for the
/// linear reductions, the reduction of the tangent.
pub fn reduce_jvp<T: Real>(
    reduction: Reduction,
    axis: Axis,
    x: Arg<T>,
    out: &[T],
    tangent: &[T],
    tangent_out: &mut [T],
) {
    if reduction.is_linear() {
        let t = Arg {
            shape: x.shape,
            value: tangent,
        };
        return reduce_into(reduction, axis, t, tangent_out);
    }
    tangent_out.fill(T::zero());
    for_each_partial(reduction, axis, x, out, |l, at, d| {
        tangent_out[l] += d * tangent[at]
    });
}
