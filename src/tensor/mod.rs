//! Element types and shapes.
//!
//! Tensors are row-major and of rank 0 (a scalar), 1 (a vector) or 2 (a matrix). Every op
//! sees a tensor through its 2-D view `rows × cols`: a scalar is `1 × 1` and a vector of
//! length `n` is one row, `1 × n`. Broadcasting follows NumPy on that view: each of the two
//! dimensions must be equal or 1.

mod approx;
pub mod gemm;
pub mod sgemm;
#[cfg(target_arch = "wasm32")]
pub(crate) mod simd;

pub use approx::fast_tanh;
use std::fmt;

/// The element type of a graph: `f64` for expressions and the CLI, `f32` for training.
/// Every op is written once, generically over this trait.
pub trait Real:
    num_traits::Float
    + std::iter::Sum
    + std::ops::AddAssign
    + std::ops::SubAssign
    + std::ops::MulAssign
    + std::ops::DivAssign
    + fmt::Debug
    + fmt::Display
    + Default
    + Send
    + Sync
    + 'static
{
    /// Lossless for `f32`, the identity for `f64`: what reports and checks compute in.
    fn as_f64(self) -> f64;
    /// Rounds to the nearest `Self`: `T::of(0.5)`.
    fn of(x: f64) -> Self;

    /// tanh as the graph computes it: libm's for `f64` (the playground's numbers, checked
    /// to 1e-9), [`fast_tanh`] for `f32` (training and the views: within 1e-6).
    #[inline(always)]
    fn graph_tanh(self) -> Self {
        self.tanh()
    }

    /// `c (+)= op(a)·op(b)` (see `ops::matmul::gemm`): plain loops unless a type has a
    /// faster kernel.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn gemm(
        m: usize,
        n: usize,
        k: usize,
        a: &[Self],
        a_transposed: bool,
        b: &[Self],
        b_transposed: bool,
        c: &mut [Self],
        accumulate: bool,
    ) {
        gemm::gemm_loops(m, n, k, a, a_transposed, b, b_transposed, c, accumulate)
    }
}

impl Real for f32 {
    fn as_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn graph_tanh(self) -> Self {
        fast_tanh(self)
    }
    fn of(x: f64) -> Self {
        x as f32
    }
    #[inline]
    fn gemm(
        m: usize,
        n: usize,
        k: usize,
        a: &[f32],
        a_transposed: bool,
        b: &[f32],
        b_transposed: bool,
        c: &mut [f32],
        accumulate: bool,
    ) {
        sgemm::sgemm(m, n, k, a, a_transposed, b, b_transposed, c, accumulate)
    }
}

impl Real for f64 {
    fn as_f64(self) -> f64 {
        self
    }
    fn of(x: f64) -> Self {
        x
    }
    #[inline]
    fn gemm(
        m: usize,
        n: usize,
        k: usize,
        a: &[f64],
        a_transposed: bool,
        b: &[f64],
        b_transposed: bool,
        c: &mut [f64],
        accumulate: bool,
    ) {
        gemm::dgemm(m, n, k, a, a_transposed, b, b_transposed, c, accumulate)
    }
}

/// The shape of a tensor of rank 0, 1 or 2.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shape {
    rank: u8,
    dims: [usize; 2],
}

impl Shape {
    pub const SCALAR: Shape = Shape {
        rank: 0,
        dims: [1, 1],
    };

    pub fn vector(n: usize) -> Shape {
        Shape {
            rank: 1,
            dims: [1, n],
        }
    }

    pub fn matrix(rows: usize, cols: usize) -> Shape {
        Shape {
            rank: 2,
            dims: [rows, cols],
        }
    }

    /// The most elements a tensor may have (2²⁶ = 64 Mi): beyond it, memory runs out
    /// before anything useful happens, and on wasm32 the product could overflow.
    pub const MAX_LEN: usize = 1 << 26;

    /// A shape from a list of dimensions; `None` for rank 3 and above, or more than
    /// `MAX_LEN` elements.
    pub fn from_dims(dims: &[usize]) -> Option<Shape> {
        let len = dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d))?;
        if len > Shape::MAX_LEN {
            return None;
        }
        match *dims {
            [] => Some(Shape::SCALAR),
            [n] => Some(Shape::vector(n)),
            [r, c] => Some(Shape::matrix(r, c)),
            _ => None,
        }
    }

    pub fn rank(self) -> usize {
        self.rank as usize
    }

    /// The dimensions as written: `[]`, `[n]` or `[rows, cols]`.
    pub fn dims(&self) -> &[usize] {
        match self.rank {
            0 => &[],
            1 => &self.dims[1..],
            _ => &self.dims,
        }
    }

    /// Rows of the 2-D view (1 for scalars and vectors).
    pub fn rows(self) -> usize {
        self.dims[0]
    }

    /// Columns of the 2-D view.
    pub fn cols(self) -> usize {
        self.dims[1]
    }

    /// Number of elements.
    pub fn len(self) -> usize {
        self.dims[0] * self.dims[1]
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    pub fn is_scalar(self) -> bool {
        self.len() == 1 && self.rank == 0
    }

    /// The NumPy broadcast of two shapes, or `None` if they are incompatible.
    pub fn broadcast(a: Shape, b: Shape) -> Option<Shape> {
        let dim = |x: usize, y: usize| match (x, y) {
            _ if x == y => Some(x),
            (1, y) => Some(y),
            (x, 1) => Some(x),
            _ => None,
        };
        // A lower-rank operand gains leading dimensions of 1, which the 2-D view already has.
        Some(Shape {
            rank: a.rank.max(b.rank),
            dims: [dim(a.rows(), b.rows())?, dim(a.cols(), b.cols())?],
        })
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// How shapes read in messages: `scalar`, `[3]` for a vector and `2×3` for a matrix.
impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.rank {
            0 => write!(f, "scalar"),
            1 => write!(f, "[{}]", self.dims[1]),
            _ => write!(f, "{}×{}", self.dims[0], self.dims[1]),
        }
    }
}

/// An owned tensor: what goes into and comes out of a graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor<T> {
    pub shape: Shape,
    pub data: Vec<T>,
}

impl<T: Real> Tensor<T> {
    pub fn scalar(x: T) -> Self {
        Tensor {
            shape: Shape::SCALAR,
            data: vec![x],
        }
    }

    /// A tensor of the given shape; `None` if `data` has the wrong length.
    pub fn new(shape: Shape, data: Vec<T>) -> Option<Self> {
        (data.len() == shape.len()).then_some(Tensor { shape, data })
    }

    pub fn zeros(shape: Shape) -> Self {
        Tensor {
            shape,
            data: vec![T::zero(); shape.len()],
        }
    }
}
