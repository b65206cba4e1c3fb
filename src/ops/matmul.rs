//! Matrix product (`@`, with NumPy's rules for vectors) and transpose: forward, reverse and
//! forward rules together.
//!
//! For `C = A·B` the lecture's layer rule: given the upstream gradient `G = ∂L/∂C`,
//! `∂L/∂A = G·Bᵀ` and `∂L/∂B = Aᵀ·G`; the forward rule is `Ċ = Ȧ·B + A·Ḃ`. A vector
//! operand is a one-row or one-column matrix, so the same three rules serve all four cases.

use super::{Arg, ShapeError};
use crate::tensor::{Real, Shape};

/// `c (+)= op(a)·op(b)` for row-major `a`, `b`, `c`, where `op` transposes when asked.
/// `c` is `m × n` and the shared dimension is `k`. Each element type picks its kernel:
/// f32, what networks train in, has the packed SIMD kernel of `tensor::sgemm`; f64, what
/// tensor programs compute in, the blocked kernel `tensor::gemm::dgemm`.
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

/// `(m, k, n)` of the product as one `m × k` by `k × n` matrix product. NumPy's 1-D rules
/// fit this without moving data: a vector on the left is a `1 × k` row (its 2-D view), a
/// vector on the right a `k × 1` column (the same `k` values, read down), and the output
/// drops the dimension a vector operand did not have.
fn dims(a: Shape, b: Shape) -> (usize, usize, usize) {
    let n = if b.rank() == 1 { 1 } else { b.cols() };
    debug_assert_eq!(
        inner_sizes(a, b).0,
        inner_sizes(a, b).1,
        "checked by matmul_shape"
    );
    (a.rows(), a.cols(), n)
}

/// The two sizes `@` contracts, which must agree: `a`'s last dimension and `b`'s first.
pub fn inner_sizes(a: Shape, b: Shape) -> (usize, usize) {
    (a.cols(), if b.rank() == 1 { b.cols() } else { b.rows() })
}

/// `@` as in NumPy: matrix·matrix is a matrix, vector·matrix and matrix·vector are vectors,
/// vector·vector is their dot product, a scalar. A scalar operand is refused, as `@` does.
pub fn matmul_shape(a: Shape, b: Shape) -> Result<Shape, ShapeError> {
    if a.rank() == 0 || b.rank() == 0 {
        return Err(ShapeError::MatmulRank { a, b });
    }
    let (ka, kb) = inner_sizes(a, b);
    if ka != kb {
        return Err(ShapeError::MatmulInner { a, b });
    }
    Ok(match (a.rank(), b.rank()) {
        (2, 2) => Shape::matrix(a.rows(), b.cols()),
        (1, 2) => Shape::vector(b.cols()),
        (2, 1) => Shape::vector(a.rows()),
        _ => Shape::SCALAR,
    })
}

pub fn matmul_forward<T: Real>(a: Arg<T>, b: Arg<T>, out: &mut [T]) {
    let (m, k, n) = dims(a.shape, b.shape);
    gemm(m, n, k, a.value, false, b.value, false, out, false);
}

/// `∂L/∂A += G·Bᵀ` (which = 0) or `∂L/∂B += Aᵀ·G` (which = 1). A vector operand's gradient
/// is its row or column of the matrix rule, already in its own layout.
pub fn matmul_vjp<T: Real>(which: usize, a: Arg<T>, b: Arg<T>, upstream: &[T], grad: &mut [T]) {
    let (m, k, n) = dims(a.shape, b.shape);
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
    let (m, k, n) = dims(a.shape, b.shape);
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
