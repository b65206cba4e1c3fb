//! Element-wise primitives, as a table: each op's value and its local derivative side by side.
//!
//! For an element-wise op the lecture's whole story is the local derivative: the reverse rule
//! multiplies the upstream gradient by it, the forward rule multiplies the incoming tangent by
//! it. So one table entry, `f` and `∂f`, defines the forward pass, reverse mode and forward mode.

use super::Arg;
use crate::tensor::{Real, Shape};

/// One-argument element-wise ops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unary {
    Neg,
    Exp,
    Ln,
    Sqrt,
    Sin,
    Cos,
    Tan,
    Tanh,
    Sigmoid,
    Relu,
    Abs,
}

/// `y = f(x)` and the local derivative `dy/dx`, given `x` and the already computed `y`.
pub struct UnaryRule<T> {
    pub f: fn(T) -> T,
    pub df: fn(T, T) -> T,
}

impl Unary {
    #[inline(always)]
    pub fn rule<T: Real>(self) -> UnaryRule<T> {
        use Unary::*;
        let rule = |f, df| UnaryRule::<T> { f, df };
        match self {
            Neg => rule(|x| -x, |_, _| -T::one()),
            Exp => rule(|x| x.exp(), |_, y| y),
            Ln => rule(|x| x.ln(), |x, _| x.recip()),
            Sqrt => rule(|x| x.sqrt(), |_, y| half::<T>() / y),
            Sin => rule(|x| x.sin(), |x, _| x.cos()),
            Cos => rule(|x| x.cos(), |x, _| -x.sin()),
            Tan => rule(|x| x.tan(), |_, y| T::one() + y * y),
            Tanh => rule(|x| x.graph_tanh(), |_, y| T::one() - y * y),
            Sigmoid => rule(sigmoid, |_, y| y * (T::one() - y)),
            // relu'(0) = 0; NaN stays NaN (`x <= 0` is false for NaN).
            Relu => rule(|x| if x <= T::zero() { T::zero() } else { x }, |x, _| step(x)),
            // abs'(0) = 0.
            Abs => rule(|x| x.abs(), |x, _| sign(x)),
        }
    }

    /// The name a person reads in a graph node.
    pub fn name(self) -> &'static str {
        use Unary::*;
        match self {
            Neg => "neg",
            Exp => "exp",
            Ln => "ln",
            Sqrt => "sqrt",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Tanh => "tanh",
            Sigmoid => "sigmoid",
            Relu => "relu",
            Abs => "abs",
        }
    }
}

/// Two-argument element-wise ops, broadcasting scalars, rows and columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binary {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Max,
    Min,
}

/// `y = f(a, b)` and the local derivatives `(∂y/∂a, ∂y/∂b)`, given `a`, `b` and `y`.
pub struct BinaryRule<T> {
    pub f: fn(T, T) -> T,
    pub df: fn(T, T, T) -> (T, T),
}

impl Binary {
    #[inline(always)]
    pub fn rule<T: Real>(self) -> BinaryRule<T> {
        use Binary::*;
        let rule = |f, df| BinaryRule::<T> { f, df };
        match self {
            // Add distributes the upstream gradient to both inputs unchanged.
            Add => rule(|a, b| a + b, |_, _, _| (T::one(), T::one())),
            Sub => rule(|a, b| a - b, |_, _, _| (T::one(), -T::one())),
            // Mul switches: each input's local derivative is the other input.
            Mul => rule(|a, b| a * b, |a, b, _| (b, a)),
            Div => rule(|a, b| a / b, |_, b, y| (b.recip(), -y / b)),
            // ∂/∂a = b·a^(b−1) stays finite for a ≤ 0 and integer b (x² at −3 gives −6);
            // ∂/∂b = a^b·ln a is NaN for a ≤ 0, the documented convention.
            Pow => rule(
                |a, b| a.powf(b),
                |a, b, y| {
                    let da = if b == T::zero() {
                        T::zero()
                    } else {
                        b * a.powf(b - T::one())
                    };
                    (da, y * a.ln())
                },
            ),
            // Max routes the gradient to the input that was selected; a tie splits it equally.
            Max => rule(
                |a, b| {
                    if a.is_nan() || b.is_nan() {
                        T::nan()
                    } else {
                        a.max(b)
                    }
                },
                |a, b, _| route(a, b),
            ),
            Min => rule(
                |a, b| {
                    if a.is_nan() || b.is_nan() {
                        T::nan()
                    } else {
                        a.min(b)
                    }
                },
                |a, b, _| route(b, a),
            ),
        }
    }

    /// The symbol a person reads in a graph node.
    pub fn name(self) -> &'static str {
        use Binary::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Pow => "^",
            Max => "max",
            Min => "min",
        }
    }
}

/// How an overflow reads, in every op's words for it.
pub const BEYOND_F64: &str = "beyond the largest f64 (about 1.8e308)";

/// A number in a sentence: shortest form, exponent notation when very large or small.
pub fn number_text(x: f64) -> String {
    let a = x.abs();
    let text = if a != 0.0 && a.is_finite() && !(1e-4..1e6).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    };
    text.replace("inf", "∞")
}

impl Unary {
    /// Why `f(x)` is NaN or infinite although `x` is a finite number, in words: where a
    /// non-finite number arises in a graph, the page says which op made it and why.
    pub fn why_not_finite(self, x: f64) -> String {
        let x_is = number_text(x);
        match self {
            Unary::Ln if x < 0.0 => format!("ln of a negative number (x = {x_is}) is not a real number"),
            Unary::Ln => "ln(0) = −∞: the logarithm falls without bound towards 0".to_string(),
            Unary::Sqrt => format!("the square root of a negative number (x = {x_is}) is not a real number"),
            Unary::Exp => format!("e^x overflows: x = {x_is} is above ln(largest f64) ≈ 709.78"),
            _ => format!("{}({x_is}) is {BEYOND_F64}", self.name()),
        }
    }
}

impl Binary {
    /// Why `a op b` is NaN or infinite although `a` and `b` are finite, in words.
    pub fn why_not_finite(self, a: f64, b: f64) -> String {
        let (a_is, b_is) = (number_text(a), number_text(b));
        match self {
            Binary::Div if a == 0.0 && b == 0.0 => "0 / 0 is undefined".to_string(),
            Binary::Div if b == 0.0 => format!("division by zero: {a_is} / 0 is ±∞"),
            Binary::Pow if a < 0.0 && b.fract() != 0.0 => {
                format!("a negative number to a fractional power is not a real number: ({a_is})^{b_is}")
            }
            Binary::Pow if a == 0.0 && b < 0.0 => format!("0 to a negative power (0^{b_is}) is ∞"),
            _ => format!("{a_is} {} {b_is} is {BEYOND_F64}", self.name()),
        }
    }
}

fn half<T: Real>() -> T {
    T::of(0.5)
}

/// The logistic function, without overflow for large |x|.
fn sigmoid<T: Real>(x: T) -> T {
    if x >= T::zero() {
        (T::one() + (-x).exp()).recip()
    } else {
        let e = x.exp();
        e / (T::one() + e)
    }
}

/// 1 for x > 0, 0 for x ≤ 0, NaN for NaN.
fn step<T: Real>(x: T) -> T {
    if x > T::zero() {
        T::one()
    } else if x.is_nan() {
        x
    } else {
        T::zero()
    }
}

/// −1, 0 or 1; NaN for NaN.
fn sign<T: Real>(x: T) -> T {
    if x < T::zero() {
        -T::one()
    } else {
        step(x)
    }
}

/// Local derivatives of max(a, b) as (∂/∂a, ∂/∂b); min(a, b) is this with the arguments swapped.
fn route<T: Real>(a: T, b: T) -> (T, T) {
    if a > b {
        (T::one(), T::zero())
    } else if a < b {
        (T::zero(), T::one())
    } else if a == b {
        (half(), half())
    } else {
        (T::nan(), T::nan())
    }
}

// ---- kernels: the table entries applied to tensors ---------------------------------------

/// Binds `$rule` to the table entry of `$op` in one copy of `$body` per variant. In each
/// copy the entry's functions are constants, so the compiler inlines them into the loop and
/// vectorizes it; a call through a function pointer per element would do neither. The
/// match is exhaustive: a new op does not compile until it is listed here too.
macro_rules! with_rule {
    ($op:expr, Unary, $T:ty, |$rule:ident| $body:expr) => {
        match $op {
            Unary::Neg => {
                let $rule = Unary::Neg.rule::<$T>();
                $body
            }
            Unary::Exp => {
                let $rule = Unary::Exp.rule::<$T>();
                $body
            }
            Unary::Ln => {
                let $rule = Unary::Ln.rule::<$T>();
                $body
            }
            Unary::Sqrt => {
                let $rule = Unary::Sqrt.rule::<$T>();
                $body
            }
            Unary::Sin => {
                let $rule = Unary::Sin.rule::<$T>();
                $body
            }
            Unary::Cos => {
                let $rule = Unary::Cos.rule::<$T>();
                $body
            }
            Unary::Tan => {
                let $rule = Unary::Tan.rule::<$T>();
                $body
            }
            Unary::Tanh => {
                let $rule = Unary::Tanh.rule::<$T>();
                $body
            }
            Unary::Sigmoid => {
                let $rule = Unary::Sigmoid.rule::<$T>();
                $body
            }
            Unary::Relu => {
                let $rule = Unary::Relu.rule::<$T>();
                $body
            }
            Unary::Abs => {
                let $rule = Unary::Abs.rule::<$T>();
                $body
            }
        }
    };
    ($op:expr, Binary, $T:ty, |$rule:ident| $body:expr) => {
        match $op {
            Binary::Add => {
                let $rule = Binary::Add.rule::<$T>();
                $body
            }
            Binary::Sub => {
                let $rule = Binary::Sub.rule::<$T>();
                $body
            }
            Binary::Mul => {
                let $rule = Binary::Mul.rule::<$T>();
                $body
            }
            Binary::Div => {
                let $rule = Binary::Div.rule::<$T>();
                $body
            }
            Binary::Pow => {
                let $rule = Binary::Pow.rule::<$T>();
                $body
            }
            Binary::Max => {
                let $rule = Binary::Max.rule::<$T>();
                $body
            }
            Binary::Min => {
                let $rule = Binary::Min.rule::<$T>();
                $body
            }
        }
    };
}

/// Maps an element of the broadcast output to the element of an operand it came from.
#[derive(Clone, Copy)]
struct Broadcast {
    row_stride: usize,
    col_stride: usize,
}

impl Broadcast {
    fn new(operand: Shape) -> Self {
        let stride = |dim: usize, step: usize| if dim == 1 { 0 } else { step };
        Broadcast {
            row_stride: stride(operand.rows(), operand.cols()),
            col_stride: stride(operand.cols(), 1),
        }
    }

    fn index(self, i: usize, j: usize) -> usize {
        i * self.row_stride + j * self.col_stride
    }
}

/// Which operand, if either, is a row added to (or combined with) every row of the other:
/// a layer's bias, the commonest broadcast. Its rules get loops over whole rows, which the
/// compiler vectorises, instead of an index computed per element.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RowBroadcast {
    /// `b` is `1 × cols`, `a` the output's shape.
    B,
    /// `a` is `1 × cols`, `b` the output's shape.
    A,
}

impl RowBroadcast {
    /// The operands' values as (the full one, the row).
    fn split<'a, T>(self, a: &'a [T], b: &'a [T]) -> (&'a [T], &'a [T]) {
        match self {
            RowBroadcast::B => (a, b),
            RowBroadcast::A => (b, a),
        }
    }
}

fn row_broadcast(out: Shape, a: Shape, b: Shape) -> Option<RowBroadcast> {
    let row = |s: Shape| s.rows() == 1 && s.cols() == out.cols() && out.rows() > 1;
    if a == out && row(b) {
        Some(RowBroadcast::B)
    } else if b == out && row(a) {
        Some(RowBroadcast::A)
    } else {
        None
    }
}

/// Calls `visit(k, ia, ib)` for each output element `k` with the operand elements it reads.
#[inline(always)]
fn for_each_broadcast(out: Shape, a: Shape, b: Shape, mut visit: impl FnMut(usize, usize, usize)) {
    if a == out && b == out {
        (0..out.len()).for_each(|k| visit(k, k, k));
        return;
    }
    let (ba, bb) = (Broadcast::new(a), Broadcast::new(b));
    for i in 0..out.rows() {
        for j in 0..out.cols() {
            visit(i * out.cols() + j, ba.index(i, j), bb.index(i, j));
        }
    }
}

/// `x ← f(x)` for each element: a forward pass that keeps no input (views' inference).
pub fn unary_in_place<T: Real>(op: Unary, xs: &mut [T]) {
    with_rule!(op, Unary, T, |rule| for x in xs.iter_mut() {
        *x = (rule.f)(*x);
    })
}

pub fn unary_forward<T: Real>(op: Unary, x: &[T], out: &mut [T]) {
    with_rule!(op, Unary, T, |rule| for (y, &x) in out.iter_mut().zip(x) {
        *y = (rule.f)(x);
    })
}

/// The local derivative dy/dx for each element.
pub fn unary_local<T: Real>(op: Unary, x: &[T], y: &[T], local: &mut [T]) {
    with_rule!(
        op,
        Unary,
        T,
        |rule| for ((l, &x), &y) in local.iter_mut().zip(x).zip(y) {
            *l = (rule.df)(x, y);
        }
    )
}

/// Reverse rule: `grad_x += upstream · dy/dx`.
pub fn unary_vjp<T: Real>(op: Unary, x: &[T], y: &[T], upstream: &[T], grad_x: &mut [T]) {
    with_rule!(
        op,
        Unary,
        T,
        |rule| for (((g, &x), &y), &u) in grad_x.iter_mut().zip(x).zip(y).zip(upstream) {
            *g += u * (rule.df)(x, y);
        }
    )
}

/// Forward rule: `tangent_y = dy/dx · tangent_x`.
pub fn unary_jvp<T: Real>(op: Unary, x: &[T], y: &[T], tangent_x: &[T], tangent_y: &mut [T]) {
    with_rule!(op, Unary, T, |rule| for (((t, &x), &y), &tx) in
        tangent_y.iter_mut().zip(x).zip(y).zip(tangent_x)
    {
        *t = (rule.df)(x, y) * tx;
    })
}

pub fn binary_forward<T: Real>(op: Binary, a: Arg<T>, b: Arg<T>, out_shape: Shape, out: &mut [T]) {
    if let Some(row) = row_broadcast(out_shape, a.shape, b.shape) {
        let cols = out_shape.cols();
        let (full, r) = row.split(a.value, b.value);
        return with_rule!(op, Binary, T, |rule| for (o, x) in
            out.chunks_exact_mut(cols).zip(full.chunks_exact(cols))
        {
            for ((o, &x), &r) in o.iter_mut().zip(x).zip(r) {
                *o = if row == RowBroadcast::B {
                    (rule.f)(x, r)
                } else {
                    (rule.f)(r, x)
                };
            }
        });
    }
    with_rule!(op, Binary, T, |rule| for_each_broadcast(
        out_shape,
        a.shape,
        b.shape,
        |k, ia, ib| { out[k] = (rule.f)(a.value[ia], b.value[ib]) }
    ))
}

/// The local derivative of the output with respect to operand `which` (0 or 1), per output element.
pub fn binary_local<T: Real>(op: Binary, which: usize, a: Arg<T>, b: Arg<T>, y: Arg<T>, local: &mut [T]) {
    with_rule!(op, Binary, T, |rule| for_each_broadcast(
        y.shape,
        a.shape,
        b.shape,
        |k, ia, ib| {
            let (da, db) = (rule.df)(a.value[ia], b.value[ib], y.value[k]);
            local[k] = if which == 0 { da } else { db };
        }
    ))
}

/// Reverse rule for operand `which`: `grad += upstream · ∂y/∂operand`, summed over the
/// elements the operand was broadcast to (the "unbroadcast" of autograd).
pub fn binary_vjp<T: Real>(
    op: Binary,
    which: usize,
    a: Arg<T>,
    b: Arg<T>,
    y: Arg<T>,
    upstream: &[T],
    grad: &mut [T],
) {
    if let Some(row) = row_broadcast(y.shape, a.shape, b.shape) {
        let cols = y.shape.cols();
        // The full operand's grad is per element; the row's sums each column over the rows.
        let into_row = (row == RowBroadcast::B) == (which == 1);
        let (full, r) = row.split(a.value, b.value);
        let rows = full
            .chunks_exact(cols)
            .zip(y.value.chunks_exact(cols))
            .zip(upstream.chunks_exact(cols));
        return with_rule!(op, Binary, T, |rule| for (i, ((x, yv), u)) in rows.enumerate() {
            let g: &mut [T] = if into_row {
                &mut grad[..cols]
            } else {
                &mut grad[i * cols..(i + 1) * cols]
            };
            for ((((g, &x), &r), &yv), &u) in g.iter_mut().zip(x).zip(r).zip(yv).zip(u) {
                let (da, db) = if row == RowBroadcast::B {
                    (rule.df)(x, r, yv)
                } else {
                    (rule.df)(r, x, yv)
                };
                *g += u * if which == 0 { da } else { db };
            }
        });
    }
    with_rule!(op, Binary, T, |rule| for_each_broadcast(
        y.shape,
        a.shape,
        b.shape,
        |k, ia, ib| {
            let (da, db) = (rule.df)(a.value[ia], b.value[ib], y.value[k]);
            if which == 0 {
                grad[ia] += upstream[k] * da;
            } else {
                grad[ib] += upstream[k] * db;
            }
        }
    ))
}

/// Forward rule: `tangent_y = ∂y/∂a · tangent_a + ∂y/∂b · tangent_b`, where an operand
/// that depends on no input has no tangent (and contributes nothing, even if its local
/// derivative is NaN, as `∂(x^2)/∂2` is for negative x).
pub fn binary_jvp<T: Real>(
    op: Binary,
    a: Arg<T>,
    b: Arg<T>,
    y: Arg<T>,
    tangent_a: Option<&[T]>,
    tangent_b: Option<&[T]>,
    tangent_y: &mut [T],
) {
    with_rule!(op, Binary, T, |rule| for_each_broadcast(
        y.shape,
        a.shape,
        b.shape,
        |k, ia, ib| {
            let (da, db) = (rule.df)(a.value[ia], b.value[ib], y.value[k]);
            let mut t = T::zero();
            if let Some(ta) = tangent_a {
                t += da * ta[ia];
            }
            if let Some(tb) = tangent_b {
                t += db * tb[ib];
            }
            tangent_y[k] = t;
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row broadcast (a bias) takes its own loops: each op's value and both operands'
    /// gradients equal the per-element definitions, with the row on either side.
    #[test]
    fn row_broadcasts_match_the_per_element_rules() {
        let (rows, cols) = (3, 4);
        let full: Vec<f64> = (0..rows * cols).map(|k| 0.3 + 0.17 * k as f64).collect();
        let row: Vec<f64> = (0..cols).map(|j| 1.1 - 0.4 * j as f64).collect();
        let upstream: Vec<f64> = (0..rows * cols).map(|k| 0.5 - 0.09 * k as f64).collect();
        let (m, r) = (Shape::matrix(rows, cols), Shape::matrix(1, cols));
        use Binary::*;
        for op in [Add, Sub, Mul, Div, Pow, Max, Min] {
            for row_first in [false, true] {
                let (fa, fr) = (
                    Arg {
                        shape: m,
                        value: &full,
                    },
                    Arg {
                        shape: r,
                        value: &row,
                    },
                );
                let (a, b) = if row_first { (fr, fa) } else { (fa, fr) };
                let mut y = vec![0.0; rows * cols];
                binary_forward(op, a, b, m, &mut y);
                let rule = op.rule::<f64>();
                let pair = |i: usize, j: usize| {
                    let (x, q) = (full[i * cols + j], row[j]);
                    if row_first {
                        (q, x)
                    } else {
                        (x, q)
                    }
                };
                let mut want_full = vec![0.0; rows * cols];
                let mut want_row = vec![0.0; cols];
                for i in 0..rows {
                    for (j, want_row_j) in want_row.iter_mut().enumerate() {
                        let (va, vb) = pair(i, j);
                        let k = i * cols + j;
                        assert_eq!(y[k].to_bits(), (rule.f)(va, vb).to_bits(), "{op:?} value");
                        let (da, db) = (rule.df)(va, vb, y[k]);
                        let (d_full, d_row) = if row_first { (db, da) } else { (da, db) };
                        want_full[k] += upstream[k] * d_full;
                        *want_row_j += upstream[k] * d_row;
                    }
                }
                let yv = Arg { shape: m, value: &y };
                let (full_which, row_which) = if row_first { (1, 0) } else { (0, 1) };
                let mut got_full = vec![0.0; rows * cols];
                let mut got_row = vec![0.0; cols];
                binary_vjp(op, full_which, a, b, yv, &upstream, &mut got_full);
                binary_vjp(op, row_which, a, b, yv, &upstream, &mut got_row);
                // Bit for bit per element (NaN where the rule gives NaN: x^y at x < 0); the
                // row's sums in the same order, so the same bits too.
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits(&got_full),
                    bits(&want_full),
                    "{op:?} row first {row_first}: the full operand's gradient"
                );
                assert_eq!(
                    bits(&got_row),
                    bits(&want_row),
                    "{op:?} row first {row_first}: the row's gradient"
                );
            }
        }
    }
}
