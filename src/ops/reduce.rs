//! Sum and mean, over all elements or along one axis.
//!
//! Both are linear: the reverse rule spreads the upstream gradient back over the elements
//! that were reduced (scaled by 1/count for the mean), the forward rule reduces the tangent.

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

/// The output element each input element `(i, j)` is reduced into, and the scale
/// (1 for a sum, 1/count for a mean).
fn plan<T: Real>(x: Shape, axis: Axis, reduction: Reduction) -> (impl Fn(usize, usize) -> usize, T) {
    let c = collapse(x, axis).unwrap_or(Collapse::All);
    let count = match c {
        Collapse::All => x.len(),
        Collapse::Rows => x.rows(),
        Collapse::Cols => x.cols(),
    };
    let scale = match reduction {
        Reduction::Sum => T::one(),
        Reduction::Mean => T::one() / T::of(count as f64),
    };
    let target = move |i: usize, j: usize| match c {
        Collapse::All => 0,
        Collapse::Rows => j,
        Collapse::Cols => i,
    };
    (target, scale)
}

/// `out = reduce(x)`; also the forward rule, applied to a tangent.
pub fn reduce_into<T: Real>(reduction: Reduction, axis: Axis, x: Arg<T>, out: &mut [T]) {
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

/// Reverse rule: every reduced element receives the upstream gradient of its output, scaled.
pub fn reduce_vjp<T: Real>(reduction: Reduction, axis: Axis, x: Shape, upstream: &[T], grad: &mut [T]) {
    let (target, scale) = plan::<T>(x, axis, reduction);
    let cols = x.cols();
    for i in 0..x.rows() {
        for j in 0..cols {
            grad[i * cols + j] += upstream[target(i, j)] * scale;
        }
    }
}
