//! Matrix product and transpose: forward, reverse and forward rules together.
//!
//! For `C = A·B` the lecture's layer rule: given the upstream gradient `G = ∂L/∂C`,
//! `∂L/∂A = G·Bᵀ` and `∂L/∂B = Aᵀ·G`; the forward rule is `Ċ = Ȧ·B + A·Ḃ`.

use super::{Arg, ShapeError};
use crate::tensor::{Real, Shape};

/// `c (+)= op(a)·op(b)` for row-major `a`, `b`, `c`, where `op` transposes when asked.
/// `c` is `m × n` and the shared dimension is `k`. Each element type picks its kernel:
/// f32, what networks train in, has the packed SIMD kernel of `tensor::sgemm`.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn gemm<T: Real>(
    m: usize,
    n: usize,
    k: usize,
    a: &[T],
    a_transposed: bool,
    b: &[T],
    b_transposed: bool,
    c: &mut [T],
    accumulate: bool,
) {
    T::gemm(m, n, k, a, a_transposed, b, b_transposed, c, accumulate)
}

pub fn matmul_shape(a: Shape, b: Shape) -> Result<Shape, ShapeError> {
    if a.rank() != 2 || b.rank() != 2 {
        return Err(ShapeError::MatmulRank { a, b });
    }
    if a.cols() != b.rows() {
        return Err(ShapeError::MatmulInner { a, b });
    }
    Ok(Shape::matrix(a.rows(), b.cols()))
}

pub fn matmul_forward<T: Real>(a: Arg<T>, b: Arg<T>, out: &mut [T]) {
    let (m, k, n) = (a.shape.rows(), a.shape.cols(), b.shape.cols());
    gemm(m, n, k, a.value, false, b.value, false, out, false);
}

/// `∂L/∂A += G·Bᵀ` (which = 0) or `∂L/∂B += Aᵀ·G` (which = 1).
pub fn matmul_vjp<T: Real>(which: usize, a: Arg<T>, b: Arg<T>, upstream: &[T], grad: &mut [T]) {
    let (m, k, n) = (a.shape.rows(), a.shape.cols(), b.shape.cols());
    if which == 0 {
        gemm(m, k, n, upstream, false, b.value, true, grad, true);
    } else {
        gemm(k, n, m, a.value, true, upstream, false, grad, true);
    }
}

/// `Ċ = Ȧ·B + A·Ḃ`, skipping an operand without tangent.
pub fn matmul_jvp<T: Real>(
    a: Arg<T>,
    b: Arg<T>,
    tangent_a: Option<&[T]>,
    tangent_b: Option<&[T]>,
    tangent_out: &mut [T],
) {
    let (m, k, n) = (a.shape.rows(), a.shape.cols(), b.shape.cols());
    tangent_out.fill(T::zero());
    if let Some(ta) = tangent_a {
        gemm(m, n, k, ta, false, b.value, false, tangent_out, true);
    }
    if let Some(tb) = tangent_b {
        gemm(m, n, k, a.value, false, tb, false, tangent_out, true);
    }
}

/// Transpose swaps the two dimensions of a matrix; a vector or scalar is its own transpose.
pub fn transpose_shape(x: Shape) -> Shape {
    if x.rank() == 2 {
        Shape::matrix(x.cols(), x.rows())
    } else {
        x
    }
}

/// `out = xᵀ`, or `out += xᵀ` when accumulating. Transpose is linear, so the same
/// function is its forward pass, its forward rule and (applied to the upstream gradient)
/// its reverse rule.
pub fn transpose_into<T: Real>(x: Arg<T>, out: &mut [T], accumulate: bool) {
    let (r, c) = (x.shape.rows(), x.shape.cols());
    for i in 0..r {
        for j in 0..c {
            let v = x.value[i * c + j];
            let o = &mut out[j * r + i];
            *o = if accumulate { *o + v } else { v };
        }
    }
}
