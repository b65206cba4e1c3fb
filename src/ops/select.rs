//! Indexing and slicing: a rectangular block of the input's 2-D view, copied out.
//!
//! `x[i]`, `x[i, j]`, `x[:, j]`, `x[a:b]` are all one window of rows and columns; the
//! caller says which shape the block is read as (`x[i]` of a vector is a scalar, `x[:, j]`
//! of a matrix a vector). Selection is linear: the reverse rule adds the upstream gradient
//! back into the block it came from (zero elsewhere), the forward rule copies the tangent's
//! block.

use super::{Arg, ShapeError};
use crate::tensor::{Real, Shape};

/// Rows `row..row + rows` and columns `col..col + cols` of the input's 2-D view, read as
/// `shape` (which must have `rows × cols` elements).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub row: u32,
    pub rows: u32,
    pub col: u32,
    pub cols: u32,
    pub shape: Shape,
}

impl Window {
    /// Whether the block lies inside a tensor of shape `x` (in u64: no overflow near u32::MAX).
    pub fn fits(self, x: Shape) -> bool {
        let end = |start: u32, len: u32| start as u64 + len as u64;
        end(self.row, self.rows) <= x.rows() as u64 && end(self.col, self.cols) <= x.cols() as u64
    }

    /// Elements in the block.
    pub fn len(self) -> usize {
        self.rows as usize * self.cols as usize
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

pub fn select_shape(x: Shape, window: Window) -> Result<Shape, ShapeError> {
    if !window.fits(x) || window.shape.len() != window.len() {
        return Err(ShapeError::Window { window, input: x });
    }
    Ok(window.shape)
}

/// Calls `visit(block element, input element)` for each element of the block, row-major.
fn for_each_element(x: Shape, window: Window, mut visit: impl FnMut(usize, usize)) {
    let (rows, cols) = (window.rows as usize, window.cols as usize);
    let (row, col) = (window.row as usize, window.col as usize);
    for i in 0..rows {
        let from = (row + i) * x.cols() + col;
        for j in 0..cols {
            visit(i * cols + j, from + j);
        }
    }
}

/// `out = x[window]`; also the forward rule, applied to a tangent.
pub fn select_into<T: Real>(window: Window, x: Arg<T>, out: &mut [T]) {
    for_each_element(x.shape, window, |k, at| out[k] = x.value[at]);
}

/// Reverse rule: each element of the block receives its upstream gradient; the rest of
/// the input was not used and receives nothing.
pub fn select_vjp<T: Real>(window: Window, x: Shape, upstream: &[T], grad: &mut [T]) {
    for_each_element(x, window, |k, at| grad[at] += upstream[k]);
}
