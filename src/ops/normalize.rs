//! Softmax and log-softmax along an axis: the output has the input's shape, each lane (see
//! `reduce::Lanes`) normalised on its own.
//!
//! Both subtract the lane's maximum before exponentiating, which the result does not
//! depend on, so large inputs do not overflow; the formulas are JAX's, NaN where its are
//! (a lane of all `−∞` or with a `+∞`). With `s = softmax(x)` the Jacobian of a lane is
//! `diag(s) − s sᵀ` for softmax and `I − 1 sᵀ` for log-softmax, so
//!
//! - softmax: reverse `x̄ = s ⊙ (ȳ − ⟨ȳ, s⟩)`, forward `ẏ = s ⊙ (ẋ − ⟨s, ẋ⟩)`;
//! - log-softmax: reverse `x̄ = ȳ − s Σȳ`, forward `ẏ = ẋ − ⟨s, ẋ⟩`, with `s = exp(y)`.
//!
//! Each rule is two passes over a lane (a dot product, then the update): nothing allocated.

use super::reduce::{self, Axis, Lanes};
use super::{Arg, ShapeError};
use crate::tensor::{Real, Shape};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Normalize {
    /// `exp(x) / Σ exp(x)`: positive, summing to 1 along each lane.
    Softmax,
    /// `x − ln Σ exp(x)`, the logarithm of the softmax without its underflow.
    LogSoftmax,
}

impl Normalize {
    pub fn name(self) -> &'static str {
        match self {
            Normalize::Softmax => "softmax",
            Normalize::LogSoftmax => "log_softmax",
        }
    }
}

/// The input's shape, once the axis is one it has.
pub fn normalize_shape(x: Shape, axis: Axis) -> Result<Shape, ShapeError> {
    Lanes::new(x, axis)?;
    Ok(x)
}

pub fn normalize_forward<T: Real>(op: Normalize, axis: Axis, x: Arg<T>, out: &mut [T]) {
    let lanes = reduce::lanes(x.shape, axis);
    for l in 0..lanes.count {
        let max = reduce::lane_max(lanes.lane(l).map(|at| x.value[at]));
        match op {
            Normalize::Softmax => {
                let mut total = T::zero();
                for at in lanes.lane(l) {
                    out[at] = (x.value[at] - max).exp();
                    total += out[at];
                }
                lanes.lane(l).for_each(|at| out[at] /= total);
            }
            Normalize::LogSoftmax => {
                let total: T = lanes.lane(l).map(|at| (x.value[at] - max).exp()).sum();
                let log_total = total.ln();
                lanes
                    .lane(l)
                    .for_each(|at| out[at] = (x.value[at] - max) - log_total);
            }
        }
    }
}

/// The softmax `s` of element `at`, from the output `y`.
fn softmax_at<T: Real>(op: Normalize, y: &[T], at: usize) -> T {
    match op {
        Normalize::Softmax => y[at],
        Normalize::LogSoftmax => y[at].exp(),
    }
}

/// Reverse rule, from the output `y` and the upstream gradient `ȳ` (see the module notes).
pub fn normalize_vjp<T: Real>(op: Normalize, axis: Axis, y: Arg<T>, upstream: &[T], grad: &mut [T]) {
    let lanes = reduce::lanes(y.shape, axis);
    let y = y.value;
    for l in 0..lanes.count {
        match op {
            Normalize::Softmax => {
                let dot: T = lanes.lane(l).map(|at| upstream[at] * y[at]).sum();
                lanes
                    .lane(l)
                    .for_each(|at| grad[at] += y[at] * (upstream[at] - dot));
            }
            Normalize::LogSoftmax => {
                let total: T = lanes.lane(l).map(|at| upstream[at]).sum();
                lanes
                    .lane(l)
                    .for_each(|at| grad[at] += upstream[at] - softmax_at(op, y, at) * total);
            }
        }
    }
}

/// Forward rule, from the output `y` and the input's tangent `ẋ` (see the module notes).
pub fn normalize_jvp<T: Real>(op: Normalize, axis: Axis, y: Arg<T>, tangent: &[T], tangent_out: &mut [T]) {
    let lanes = reduce::lanes(y.shape, axis);
    let y = y.value;
    for l in 0..lanes.count {
        let dot: T = lanes.lane(l).map(|at| softmax_at(op, y, at) * tangent[at]).sum();
        for at in lanes.lane(l) {
            tangent_out[at] = match op {
                Normalize::Softmax => y[at] * (tangent[at] - dot),
                Normalize::LogSoftmax => tangent[at] - dot,
            };
        }
    }
}
