//! The f32 matrix product the network spends its time in: packed panels and a register-tiled
//! micro-kernel, in the style of BLIS and XNNPACK.
//!
//! `C (+)= op(A)·op(B)`: A is packed into panels of `MR` rows and B into panels of `NR`
//! columns (transposing on the way, so one micro-kernel serves every layout, and padding
//! edges with zeros, so it needs no edge cases), then an `MR × NR` tile of C is accumulated
//! in registers over a `KC`-long slice of the shared dimension. The micro-kernel is written
//! on fixed-size arrays that the compiler maps to vector registers: WebAssembly SIMD
//! (`simd128`) in the browser, SSE/AVX natively. Pack buffers are kept per thread, so a
//! product allocates nothing once warm.

use std::cell::RefCell;

/// Rows of C per micro-tile.
const MR: usize = 4;
/// Columns of C per micro-tile: two 4-lane vectors.
const NR: usize = 8;
/// Slice of the shared dimension per packed panel (fits the panels in L1/L2).
const KC: usize = 256;
/// Rows of A per packed block.
const MC: usize = 64;
/// Below this many multiply-adds, packing costs more than it saves.
const SMALL: usize = 4096;

thread_local! {
    static PACKS: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// A row-major matrix, read as itself or as its transpose.
#[derive(Clone, Copy)]
struct View<'a> {
    data: &'a [f32],
    /// Columns of the stored matrix.
    stride: usize,
    transposed: bool,
}

impl View<'_> {
    /// Element `(i, j)` of op(M).
    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> f32 {
        if self.transposed {
            self.data[j * self.stride + i]
        } else {
            self.data[i * self.stride + j]
        }
    }
}

/// `c (+)= op(a)·op(b)`, `c` is `m × n`, the shared dimension `k`. Same contract as the
/// generic `gemm` in `matmul.rs`.
#[allow(clippy::too_many_arguments)]
pub fn sgemm(
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
    if !accumulate {
        c[..m * n].fill(0.0);
    }
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    // In u64: on wasm32 the product of three dimensions can overflow usize.
    // Thin products too: a single output column (a classifier's last layer, its weight
    // gradient) would pad each B panel to NR columns, and a shared dimension under MR (the
    // 2-wide input layer) would pack A for a step or two.
    let thin = n < NR / 2 || k < MR;
    if thin || (m as u64) * (n as u64) * (k as u64) < SMALL as u64 {
        // Plain loops, one order per layout so the innermost walks memory contiguously.
        crate::tensor::gemm::gemm_loops(m, n, k, a, a_transposed, b, b_transposed, c, true);
        return;
    }
    let a = View {
        data: a,
        stride: if a_transposed { m } else { k },
        transposed: a_transposed,
    };
    let b = View {
        data: b,
        stride: if b_transposed { k } else { n },
        transposed: b_transposed,
    };
    PACKS.with(|packs| {
        let (pa, pb) = &mut *packs.borrow_mut();
        let n_panels = n.div_ceil(NR);
        pb.resize(n_panels * NR * KC, 0.0);
        pa.resize(MC.div_ceil(MR) * MR * KC, 0.0);
        for p0 in (0..k).step_by(KC) {
            let kc = KC.min(k - p0);
            pack_b(b, p0, kc, n, pb);
            for i0 in (0..m).step_by(MC) {
                let mc = MC.min(m - i0);
                pack_a(a, i0, mc, p0, kc, pa);
                for (panel, j0) in (0..n).step_by(NR).enumerate() {
                    let bp = &pb[panel * NR * kc..(panel + 1) * NR * kc];
                    for (tile, ii) in (0..mc).step_by(MR).enumerate() {
                        let ap = &pa[tile * MR * kc..(tile + 1) * MR * kc];
                        let acc = micro_kernel(kc, ap, bp);
                        store(&acc, i0 + ii, j0, m, n, c);
                    }
                }
            }
        }
    });
}

/// Rows `i0..i0+mc`, columns `p0..p0+kc` of op(A) into panels of MR rows, each stored
/// column by column (`MR` values per step of p), zero-padded to a multiple of MR rows.
fn pack_a(a: View, i0: usize, mc: usize, p0: usize, kc: usize, out: &mut [f32]) {
    for (tile, ii) in (0..mc).step_by(MR).enumerate() {
        let panel = &mut out[tile * MR * kc..(tile + 1) * MR * kc];
        let rows = MR.min(mc - ii);
        if rows < MR {
            panel.fill(0.0);
        }
        for r in 0..rows {
            let i = i0 + ii + r;
            // Each row of the panel is one contiguous run of op(A)'s row i, or a strided
            // walk down column i of the stored A: the layout is tested once a row, not
            // once a value.
            let dst = panel.chunks_exact_mut(MR).map(|step| &mut step[r]);
            if a.transposed {
                let src = a.data[p0 * a.stride + i..].iter().step_by(a.stride);
                dst.zip(src).for_each(|(d, &x)| *d = x);
            } else {
                let src = &a.data[i * a.stride + p0..][..kc];
                dst.zip(src).for_each(|(d, &x)| *d = x);
            }
        }
    }
}

/// Rows `p0..p0+kc` of op(B) into panels of NR columns, each stored row by row, zero-padded.
fn pack_b(b: View, p0: usize, kc: usize, n: usize, out: &mut [f32]) {
    for (panel, j0) in (0..n).step_by(NR).enumerate() {
        let dst = &mut out[panel * NR * kc..(panel + 1) * NR * kc];
        let cols = NR.min(n - j0);
        if b.transposed || cols < NR {
            for p in 0..kc {
                for c in 0..NR {
                    dst[p * NR + c] = if c < cols { b.at(p0 + p, j0 + c) } else { 0.0 };
                }
            }
        } else {
            // A whole panel of a row-major B: NR contiguous values a step, copied as a block.
            for (p, step) in dst.chunks_exact_mut(NR).enumerate() {
                step.copy_from_slice(&b.data[(p0 + p) * b.stride + j0..][..NR]);
            }
        }
    }
}

/// The MR × NR tile of `A_panel · B_panel` over `kc` steps, accumulated in registers, in
/// fused multiply-adds: WebAssembly's relaxed SIMD `f32x4.relaxed_madd` is one instruction
/// where the machine has FMA (a multiply and an add otherwise, as the plain kernel does).
/// Only in the build with `relaxed-simd` (build.sh), which the page loads where the browser
/// validates it.
#[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
#[inline(always)]
fn micro_kernel(kc: usize, ap: &[f32], bp: &[f32]) -> [[f32; NR]; MR] {
    use super::simd::{lanes8, load8};
    use core::arch::wasm32::{f32x4_relaxed_madd, f32x4_splat, v128};
    let mut acc: [[v128; 2]; MR] = [[f32x4_splat(0.0); 2]; MR];
    // Indexed steps over panels cut to length: one loop test a step in V8's code, where
    // zipped chunks tested the end of each.
    let (ap, bp) = (&ap[..kc * MR], &bp[..kc * NR]);
    for p in 0..kc {
        let a: &[f32; MR] = ap[p * MR..][..MR].try_into().expect("MR values");
        let [b0, b1] = load8(bp[p * NR..][..NR].try_into().expect("NR values"));
        for (row, &ar) in acc.iter_mut().zip(a) {
            let a = f32x4_splat(ar);
            row[0] = f32x4_relaxed_madd(a, b0, row[0]);
            row[1] = f32x4_relaxed_madd(a, b1, row[1]);
        }
    }
    acc.map(lanes8)
}

/// The MR × NR tile of `A_panel · B_panel` over `kc` steps, accumulated in registers.
#[cfg(not(all(target_arch = "wasm32", target_feature = "relaxed-simd")))]
#[inline(always)]
fn micro_kernel(kc: usize, ap: &[f32], bp: &[f32]) -> [[f32; NR]; MR] {
    let mut acc = [[0.0f32; NR]; MR];
    for (a, b) in ap.chunks_exact(MR).zip(bp.chunks_exact(NR)).take(kc) {
        let a: &[f32; MR] = a.try_into().expect("MR values");
        let b: &[f32; NR] = b.try_into().expect("NR values");
        for r in 0..MR {
            for c in 0..NR {
                acc[r][c] += a[r] * b[c];
            }
        }
    }
    acc
}

/// Adds a tile into C, clipping the zero padding at the edges.
#[inline(always)]
fn store(acc: &[[f32; NR]; MR], i0: usize, j0: usize, m: usize, n: usize, c: &mut [f32]) {
    let rows = MR.min(m - i0);
    let cols = NR.min(n - j0);
    for (r, acc_row) in acc.iter().enumerate().take(rows) {
        let row = &mut c[(i0 + r) * n + j0..(i0 + r) * n + j0 + cols];
        for (x, v) in row.iter_mut().zip(acc_row) {
            *x += v;
        }
    }
}
