//! Softmax cross-entropy, fused for numerical stability (log-sum-exp with the row maximum
//! subtracted) and because its gradient is simply `softmax − one_hot`.
//!
//! `logits` is `N × K` (or a vector of `K` logits, one sample); `labels` holds `N` class
//! indices in `0..K`. The output is the mean over the `N` rows of `−ln softmax(z)[label]`.
//! A label that is not a valid class index gives a NaN loss for its row rather than a panic.

use super::{Arg, ShapeError};
use crate::tensor::{Real, Shape};

pub fn softmax_ce_shape(logits: Shape, labels: Shape) -> Result<Shape, ShapeError> {
    if logits.rank() == 0 || logits.cols() == 0 {
        return Err(ShapeError::Logits(logits));
    }
    if labels.len() != logits.rows() {
        return Err(ShapeError::Labels {
            labels: labels.len(),
            rows: logits.rows(),
        });
    }
    Ok(Shape::SCALAR)
}

fn class<T: Real>(label: T, classes: usize) -> Option<usize> {
    let k = label.as_f64();
    (k >= 0.0 && k.fract() == 0.0 && k < classes as f64).then_some(k as usize)
}

/// `(max, log-sum-exp)` of a row, with the maximum subtracted before exponentiating.
fn log_sum_exp<T: Real>(row: &[T]) -> (T, T) {
    let max = row.iter().copied().fold(T::neg_infinity(), T::max);
    let total: T = row.iter().map(|&z| (z - max).exp()).sum();
    (max, max + total.ln())
}

pub fn softmax_ce_forward<T: Real>(logits: Arg<T>, labels: Arg<T>, out: &mut [T]) {
    let (n, k) = (logits.shape.rows(), logits.shape.cols());
    let mut total = T::zero();
    for (row, &label) in logits.value.chunks_exact(k).zip(labels.value) {
        let (_, lse) = log_sum_exp(row);
        total += match class(label, k) {
            Some(y) => lse - row[y],
            None => T::nan(),
        };
    }
    out[0] = total / T::of(n as f64);
}

/// Calls `visit(index, ∂loss/∂logit)` for every logit: `(softmax − one_hot) / N`.
/// Allocates nothing: softmax is recomputed from the row's log-sum-exp.
fn for_each_partial<T: Real>(logits: Arg<T>, labels: Arg<T>, mut visit: impl FnMut(usize, T)) {
    let (n, k) = (logits.shape.rows(), logits.shape.cols());
    let inv_n = T::one() / T::of(n as f64);
    for (r, (row, &label)) in logits.value.chunks_exact(k).zip(labels.value).enumerate() {
        let (_, lse) = log_sum_exp(row);
        let y = class(label, k);
        for (c, &z) in row.iter().enumerate() {
            let one_hot = if y == Some(c) { T::one() } else { T::zero() };
            let d = if y.is_some() {
                (z - lse).exp() - one_hot
            } else {
                T::nan()
            };
            visit(r * k + c, d * inv_n);
        }
    }
}

/// Reverse rule for the logits; the labels are data and receive no gradient.
pub fn softmax_ce_vjp<T: Real>(logits: Arg<T>, labels: Arg<T>, upstream: T, grad: &mut [T]) {
    for_each_partial(logits, labels, |i, d| grad[i] += upstream * d);
}

/// Forward rule: the directional derivative along the logits' tangent.
pub fn softmax_ce_jvp<T: Real>(logits: Arg<T>, labels: Arg<T>, tangent: &[T]) -> T {
    let mut t = T::zero();
    for_each_partial(logits, labels, |i, d| t += d * tangent[i]);
    t
}
