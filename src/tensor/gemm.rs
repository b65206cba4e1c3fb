//! Matrix-product kernels, the one piece of arithmetic below the ops: `Real::gemm` picks
//! one per element type (`sgemm` for f32, `dgemm` for f64, the plain loops otherwise), and
//! `ops::matmul` builds the forward and backward products on top.

use super::Real;
use std::cell::RefCell;

/// The reference kernel: plain loops, ordered so the innermost walks memory contiguously.
#[allow(clippy::too_many_arguments)]
pub fn gemm_loops<T: Real>(
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
    if !accumulate {
        c[..m * n].fill(T::zero());
    }
    match (a_transposed, b_transposed) {
        (false, false) => {
            for i in 0..m {
                let c_row = &mut c[i * n..(i + 1) * n];
                for p in 0..k {
                    let a_ip = a[i * k + p];
                    let b_row = &b[p * n..(p + 1) * n];
                    c_row.iter_mut().zip(b_row).for_each(|(c, &b)| *c += a_ip * b);
                }
            }
        }
        (false, true) => {
            for i in 0..m {
                let a_row = &a[i * k..(i + 1) * k];
                for j in 0..n {
                    let b_row = &b[j * k..(j + 1) * k];
                    c[i * n + j] += a_row.iter().zip(b_row).map(|(&a, &b)| a * b).sum::<T>();
                }
            }
        }
        (true, false) => {
            for p in 0..k {
                let b_row = &b[p * n..(p + 1) * n];
                for i in 0..m {
                    let a_pi = a[p * m + i];
                    let c_row = &mut c[i * n..(i + 1) * n];
                    c_row.iter_mut().zip(b_row).for_each(|(c, &b)| *c += a_pi * b);
                }
            }
        }
        (true, true) => {
            for i in 0..m {
                for j in 0..n {
                    let mut s = T::zero();
                    for p in 0..k {
                        s += a[p * m + i] * b[j * k + p];
                    }
                    c[i * n + j] += s;
                }
            }
        }
    }
}

// The f64 kernel, what tensor programs compute in. The same scheme as `sgemm` (BLIS's loop
// nest: B packed into a block of `KC × NC`, A into blocks of `MC × KC`, then a register tile
// of C accumulated over each `KC` slice), sized for f64 on the x86-64 baseline (SSE2: 16
// vector registers of two f64).

/// Rows of C per micro-tile.
const MR: usize = 2;
/// Columns of C per micro-tile. 2 × 8 f64 is 8 two-lane accumulators, 4 B vectors and 2 A
/// broadcasts: 14 of the 16 registers, no spills, and half the broadcasts of 4 × 4 (which
/// measured 15 % slower); 4 × 8 needs 16 accumulators and spills.
const NR: usize = 8;
/// Shared-dimension slice per packed panel: one B micro-panel (`KC × NR`, 16 KiB) stays in
/// L1 while the A micro-panels (`MR × KC`, 4 KiB each) stream past it.
const KC: usize = 256;
/// Rows of A per packed block: `MC × KC` f64 is 128 KiB, half of a small (256 KiB) L2, so
/// the block stays there while every B micro-panel of the slice is multiplied against it.
const MC: usize = 64;
/// Columns of B per packed block: `KC × NC` f64 is 4 MiB at most, for L2/L3, and bounds the
/// pack buffer whatever `n` is.
const NC: usize = 2048;
/// Below this many multiply-adds (about 6³) the plain loops are faster: packing costs more
/// than the register tile saves (measured in `benches/dgemm.rs`, "small shapes").
const SMALL: usize = 256;
/// With B read by rows (not transposed) the plain loops add whole rows of B into rows of C,
/// which beats packing when A has fewer rows than this (packing B is then most of the work)
/// or the shared dimension is this short (the tile's fixed cost is then most of it).
const THIN: usize = 8;

thread_local! {
    static PACKS: RefCell<(Vec<f64>, Vec<f64>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// A row-major f64 matrix, read as itself or as its transpose.
#[derive(Clone, Copy)]
struct View<'a> {
    data: &'a [f64],
    /// Columns of the stored matrix.
    stride: usize,
    transposed: bool,
}

/// `c (+)= op(a)·op(b)` in f64: the same contract as `gemm_loops`. Picks by shape: an outer
/// product or a matrix-vector product (what a recurrent cell on a vector does, forward and
/// backward) by its own vectorised loops, since packing would copy as much as it computes;
/// small and thin products by the plain loops; the rest by `dgemm_packed`. The thresholds
/// are where `benches/dgemm.rs` ("small shapes") saw the two cross.
#[allow(clippy::too_many_arguments)]
pub fn dgemm(
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
    if !accumulate {
        c[..m * n].fill(0.0);
    }
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    let c = &mut c[..m * n];
    if k == 1 {
        // op(A) is m values and op(B) n values, laid out the same whether transposed or not.
        for (row, &a_i) in c.chunks_exact_mut(n).zip(a) {
            row.iter_mut().zip(b).for_each(|(c, &b)| *c += a_i * b);
        }
    } else if n == 1 {
        // C (m × 1) has the layout of Cᵀ = op(B)ᵀ·op(A)ᵀ (1 × m): a vector times op(A)ᵀ,
        // which is the stored A read with the opposite flag.
        vector_matrix(m, k, &b[..k], a, !a_transposed, c);
    } else if m == 1 {
        vector_matrix(n, k, &a[..k], b, b_transposed, c);
    } else if (m as u64) * (n as u64) * (k as u64) < SMALL as u64 || (!b_transposed && m.min(k) < THIN) {
        // In u64: on wasm32 the product of three dimensions can overflow usize.
        gemm_loops(m, n, k, a, a_transposed, b, b_transposed, c, true);
    } else {
        dgemm_packed(m, n, k, a, a_transposed, b, b_transposed, c, true);
    }
}

/// `c += x·op(B)` for a vector `x` of `k` values and op(B) of `k × n`: rows of B scaled and
/// added when B is stored `k × n`, dot products with its rows when stored `n × k`; both walk
/// memory contiguously.
fn vector_matrix(n: usize, k: usize, x: &[f64], b: &[f64], b_transposed: bool, c: &mut [f64]) {
    if b_transposed || n == 1 {
        for (c, row) in c.iter_mut().zip(b.chunks_exact(k)) {
            *c += dot(x, row);
        }
    } else {
        for (&x_p, row) in x.iter().zip(b.chunks_exact(n)) {
            c.iter_mut().zip(row).for_each(|(c, &b)| *c += x_p * b);
        }
    }
}

/// A dot product over eight partial sums, so it vectorises (one running sum cannot be
/// reordered, and waits on each addition in turn).
fn dot(x: &[f64], y: &[f64]) -> f64 {
    const LANES: usize = 8;
    let mut acc = [0.0f64; LANES];
    let (xs, ys) = (x.chunks_exact(LANES), y.chunks_exact(LANES));
    let tail: f64 = xs
        .remainder()
        .iter()
        .zip(ys.remainder())
        .map(|(a, b)| a * b)
        .sum();
    for (x, y) in xs.zip(ys) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum::<f64>() + tail
}

/// The cache-blocked, register-tiled product for every shape (public so tests and benches
/// can reach it below `dgemm`'s threshold). Pack buffers are kept per thread, so a product
/// allocates nothing once warm.
#[allow(clippy::too_many_arguments)]
pub fn dgemm_packed(
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
    if !accumulate {
        c[..m * n].fill(0.0);
    }
    if m == 0 || n == 0 || k == 0 {
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
        pb.resize(NC.min(n).div_ceil(NR) * NR * KC.min(k), 0.0);
        pa.resize(MC.min(m).div_ceil(MR) * MR * KC.min(k), 0.0);
        for j0 in (0..n).step_by(NC) {
            let nc = NC.min(n - j0);
            for p0 in (0..k).step_by(KC) {
                let kc = KC.min(k - p0);
                pack_b(b, p0, kc, j0, nc, pb);
                for i0 in (0..m).step_by(MC) {
                    let mc = MC.min(m - i0);
                    pack_a(a, i0, mc, p0, kc, pa);
                    for (panel, jj) in (0..nc).step_by(NR).enumerate() {
                        let bp = &pb[panel * NR * kc..(panel + 1) * NR * kc];
                        for (tile, ii) in (0..mc).step_by(MR).enumerate() {
                            let ap = &pa[tile * MR * kc..(tile + 1) * MR * kc];
                            let acc = micro_kernel(ap, bp);
                            store(&acc, i0 + ii, j0 + jj, m, n, c);
                        }
                    }
                }
            }
        }
    });
}

/// Rows `i0..i0+mc`, columns `p0..p0+kc` of op(A) into panels of MR rows, each stored
/// column by column (`MR` values per step of p), zero-padded to a multiple of MR rows.
fn pack_a(a: View, i0: usize, mc: usize, p0: usize, kc: usize, out: &mut [f64]) {
    for (tile, ii) in (0..mc).step_by(MR).enumerate() {
        let panel = &mut out[tile * MR * kc..(tile + 1) * MR * kc];
        let rows = MR.min(mc - ii);
        if a.transposed {
            // op(A)'s column p is the stored row p0 + p: the tile's values are consecutive.
            for (p, step) in panel.chunks_exact_mut(MR).enumerate() {
                let start = (p0 + p) * a.stride + i0 + ii;
                copy_padded::<MR>(&a.data[start..start + rows], step);
            }
        } else {
            let row = |r: usize| {
                let start = (i0 + ii + r) * a.stride + p0;
                &a.data[start..start + kc]
            };
            interleave::<MR>(
                std::array::from_fn(|r| if r < rows { row(r) } else { &ZEROS[..kc] }),
                panel,
            );
        }
    }
}

/// Rows `p0..p0+kc`, columns `j0..j0+nc` of op(B) into panels of NR columns, each stored
/// row by row, zero-padded to a multiple of NR columns.
fn pack_b(b: View, p0: usize, kc: usize, j0: usize, nc: usize, out: &mut [f64]) {
    for (panel, jj) in (0..nc).step_by(NR).enumerate() {
        let dst = &mut out[panel * NR * kc..(panel + 1) * NR * kc];
        let cols = NR.min(nc - jj);
        if b.transposed {
            // op(B)'s column j is the stored row j: kc consecutive values.
            let column = |c: usize| {
                let start = (j0 + jj + c) * b.stride + p0;
                &b.data[start..start + kc]
            };
            interleave::<NR>(
                std::array::from_fn(|c| if c < cols { column(c) } else { &ZEROS[..kc] }),
                dst,
            );
        } else {
            for (p, step) in dst.chunks_exact_mut(NR).enumerate() {
                let start = (p0 + p) * b.stride + j0 + jj;
                copy_padded::<NR>(&b.data[start..start + cols], step);
            }
        }
    }
}

/// What a padded row or column of a panel reads.
static ZEROS: [f64; KC] = [0.0; KC];

/// `W` sources of equal length, interleaved: `out[p·W + s] = sources[s][p]`.
#[inline(always)]
fn interleave<const W: usize>(sources: [&[f64]; W], out: &mut [f64]) {
    for (p, step) in out.chunks_exact_mut(W).enumerate() {
        for (x, source) in step.iter_mut().zip(&sources) {
            *x = source[p];
        }
    }
}

/// `src` then zeros into `dst`; a full-width copy has a constant length, so it compiles to
/// a few moves rather than a call to memcpy.
#[inline(always)]
fn copy_padded<const W: usize>(src: &[f64], dst: &mut [f64]) {
    let dst: &mut [f64; W] = dst.try_into().expect("W values");
    if src.len() == W {
        dst.copy_from_slice(src);
    } else {
        dst.fill(0.0);
        dst[..src.len()].copy_from_slice(src);
    }
}

/// The MR × NR tile of `A_panel · B_panel`, accumulated in registers: fixed-size arrays, so
/// the compiler keeps `acc` in vector registers and the loops unrolled.
#[inline(always)]
fn micro_kernel(ap: &[f64], bp: &[f64]) -> [[f64; NR]; MR] {
    let mut acc = [[0.0f64; NR]; MR];
    for (a, b) in ap.chunks_exact(MR).zip(bp.chunks_exact(NR)) {
        let a: &[f64; MR] = a.try_into().expect("MR values");
        let b: &[f64; NR] = b.try_into().expect("NR values");
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
fn store(acc: &[[f64; NR]; MR], i0: usize, j0: usize, m: usize, n: usize, c: &mut [f64]) {
    let rows = MR.min(m - i0);
    let cols = NR.min(n - j0);
    for (r, acc_row) in acc.iter().enumerate().take(rows) {
        let row = &mut c[(i0 + r) * n + j0..(i0 + r) * n + j0 + cols];
        for (x, v) in row.iter_mut().zip(acc_row) {
            *x += v;
        }
    }
}
