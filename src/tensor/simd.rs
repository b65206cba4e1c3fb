//! What the wasm kernels (the matrix product's micro-tile, the views' tiles) share: eight
//! f32 values held as two 128-bit vectors, and back.

use core::arch::wasm32::{f32x4, f32x4_extract_lane as lane, v128};

/// Eight values as two vectors, the first four in the first.
#[inline(always)]
pub(crate) fn load8(x: &[f32; 8]) -> [v128; 2] {
    [f32x4(x[0], x[1], x[2], x[3]), f32x4(x[4], x[5], x[6], x[7])]
}

/// The two vectors' lanes as eight values, the first vector's first.
#[inline(always)]
pub(crate) fn lanes8([lo, hi]: [v128; 2]) -> [f32; 8] {
    [
        lane::<0>(lo),
        lane::<1>(lo),
        lane::<2>(lo),
        lane::<3>(lo),
        lane::<0>(hi),
        lane::<1>(hi),
        lane::<2>(hi),
        lane::<3>(hi),
    ]
}
