//! Forward passes without a graph, for the views: the plot's heatmap, the neurons' small
//! heatmaps and a fit's curve. Training needs the graph (the backward pass reads every
//! intermediate, and the loss); a view needs each layer's output only. So it runs the same
//! layers, `h = act(x·W + b)`, into buffers kept from one call to the next: once warm, a
//! heatmap allocates nothing, where a graph over a 256² grid held tens of megabytes.
//!
//! The rows go through the network a block of 64 at a time, the block staying in cache
//! from layer to layer. In the block each feature's 64 values lie together (feature-major,
//! the transpose of the inputs' layout), so one SIMD vector holds one feature of four
//! neighbouring rows: a layer's product is summed in register tiles of eight rows by four
//! outputs, each step one vector load of `x` per four rows and one broadcast weight per
//! output, and the tile's sums are stored as they are, already in the layout the next layer
//! reads. A single output (a binary classifier's) is a tile like the others, not a dot
//! product summed across lanes. The activations are the graph's own table entries
//! (`ops::elementwise`), so both paths compute the same function.

use super::mlp::{Activation, Architecture};
use crate::ops::elementwise::unary_in_place;
use crate::ops::Unary;

/// Rows a tile computes at once: two 128-bit vectors of one feature.
const LANES: usize = 8;
/// Outputs a tile computes at once: each vector of `x` loaded serves four outputs.
const OUTPUTS: usize = 4;
/// Rows taken through every layer before the next rows start: a block's activations stay
/// in the first-level cache instead of going to memory and back between layers.
const BLOCK: usize = 64;

/// What a run keeps besides the network's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// The output only (the plot's heatmap, a fit's curve).
    Output,
    /// Every layer's output (the neuron views).
    Layers,
}

/// Each layer's output over the last batch of inputs run through it.
#[derive(Clone, Debug, Default)]
pub struct Inference {
    /// Per layer, `rows × width` row-major; the last is the network's output (the logits).
    /// With [`Keep::Output`], only the last is filled.
    outputs: Vec<Vec<f32>>,
    /// A block's activations, `width × BLOCK` (feature-major), between one layer and the next.
    block: [Vec<f32>; 2],
}

impl Inference {
    /// Runs `rows` inputs (`inputs`: `rows × arch.inputs`, row-major) through the layers,
    /// `params(l)` giving layer `l`'s `(W, b)` with `W` `fan_in × fan_out` row-major.
    pub fn run<'a>(
        &mut self,
        arch: &Architecture,
        params: impl Fn(usize) -> (&'a [f32], &'a [f32]),
        inputs: &[f32],
        rows: usize,
        keep: Keep,
    ) {
        let depth = arch.hidden.len() + 1;
        self.outputs.resize_with(depth, Vec::new);
        // The block holds the input rows too, which may be wider than every layer.
        let mut widest = arch.inputs;
        for (l, out) in self.outputs.iter_mut().enumerate() {
            let fan_out = params(l).1.len();
            widest = widest.max(fan_out);
            let kept = keep == Keep::Layers || l + 1 == depth;
            out.resize(if kept { rows * fan_out } else { 0 }, 0.0);
        }
        for buffer in &mut self.block {
            buffer.resize(BLOCK * widest, 0.0);
        }
        let activation = |l| {
            if l < arch.hidden.len() {
                arch.activation(l)
            } else {
                Activation::Linear
            }
        };

        for first in (0..rows).step_by(BLOCK) {
            // The last block's rows past `n` hold an earlier block's values: they are
            // computed with the others (whole tiles) and never read.
            let n = BLOCK.min(rows - first);
            let [a, b] = &mut self.block;
            let (mut x, mut y) = (&mut *a, &mut *b);
            let mut fan_in = arch.inputs;
            for (r, row) in inputs[first * fan_in..(first + n) * fan_in]
                .chunks_exact(fan_in)
                .enumerate()
            {
                for (i, &v) in row.iter().enumerate() {
                    x[i * BLOCK + r] = v;
                }
            }
            for l in 0..depth {
                let (w, bias) = params(l);
                let (input, out) = (&x[..fan_in * BLOCK], &mut y[..bias.len() * BLOCK]);
                // relu is applied to the tiles' sums before they are stored: a pass over
                // the block after them cost a tenth of a relu heatmap.
                match activation(l).unary() {
                    Some(Unary::Relu) => dense::<true>(input, w, bias, out),
                    Some(op) => {
                        dense::<false>(input, w, bias, out);
                        unary_in_place(op, out);
                    }
                    None => dense::<false>(input, w, bias, out),
                }
                let kept = &mut self.outputs[l];
                if !kept.is_empty() {
                    let fan_out = bias.len();
                    let kept = &mut kept[first * fan_out..(first + n) * fan_out];
                    for (j, feature) in out.chunks_exact(BLOCK).enumerate() {
                        for (r, &v) in feature[..n].iter().enumerate() {
                            kept[r * fan_out + j] = v;
                        }
                    }
                }
                std::mem::swap(&mut x, &mut y);
                fan_in = bias.len();
            }
        }
    }

    /// The network's output for each row of the last run.
    pub fn logits(&self) -> &[f32] {
        self.outputs.last().map_or(&[], Vec::as_slice)
    }

    /// Every layer's output for each row of the last run (the hidden layers', then the
    /// logits), if the run kept them ([`Keep::Layers`]).
    pub fn layers(&self) -> &[Vec<f32>] {
        &self.outputs
    }
}

/// `out = x·W + b` for a block, feature-major: `x` is `fan_in × BLOCK`, `W` `fan_in ×
/// fan_out` row-major, `out` `fan_out × BLOCK`; `relu(x·W + b)` if `RELU`. Four outputs at
/// a time, then one at a time for the rest of the layer's width.
fn dense<const RELU: bool>(x: &[f32], w: &[f32], b: &[f32], out: &mut [f32]) {
    let fan_out = b.len();
    let whole = fan_out - fan_out % OUTPUTS;
    for j in (0..whole).step_by(OUTPUTS) {
        for r in (0..BLOCK).step_by(LANES) {
            tile::<OUTPUTS, RELU>(x, w, b, j, r, out);
        }
    }
    for j in whole..fan_out {
        for r in (0..BLOCK).step_by(LANES) {
            tile::<1, RELU>(x, w, b, j, r, out);
        }
    }
}

/// Outputs `j..j + J` of rows `r..r + LANES`, summed in registers (`J` row vectors), each
/// step of the sum one row of `W` and one feature of the rows.
#[inline(always)]
fn tile<const J: usize, const RELU: bool>(
    x: &[f32],
    w: &[f32],
    b: &[f32],
    j: usize,
    r: usize,
    out: &mut [f32],
) {
    let fan_out = b.len();
    let mut acc: [Rows; J] = std::array::from_fn(|o| Rows::splat(b[j + o]));
    for (feature, w_row) in x.chunks_exact(BLOCK).zip(w.chunks_exact(fan_out)) {
        let xv = Rows::load(feature[r..r + LANES].try_into().expect("whole tiles"));
        let wj: &[f32; J] = w_row[j..j + J].try_into().expect("whole tiles");
        for (sum, &wk) in acc.iter_mut().zip(wj) {
            *sum = sum.mul_add(wk, xv);
        }
    }
    for (o, &sum) in acc.iter().enumerate() {
        let sum = if RELU { sum.relu() } else { sum };
        sum.store(
            (&mut out[(j + o) * BLOCK + r..][..LANES])
                .try_into()
                .expect("whole tiles"),
        );
    }
}

/// One feature of [`LANES`] rows, in two SIMD vectors on wasm: LLVM keeps a tile's
/// accumulators in registers when they are `v128`s, where arrays of `f32` went through the
/// stack.
#[cfg(target_arch = "wasm32")]
#[derive(Clone, Copy)]
struct Rows([core::arch::wasm32::v128; 2]);

#[cfg(target_arch = "wasm32")]
impl Rows {
    #[inline(always)]
    fn splat(a: f32) -> Self {
        Rows([core::arch::wasm32::f32x4_splat(a); 2])
    }

    #[inline(always)]
    fn load(x: &[f32; LANES]) -> Self {
        Rows(crate::tensor::simd::load8(x))
    }

    /// `self + a · x`: fused (`f32x4.relaxed_madd`) in the relaxed-SIMD build (build.sh)
    /// that the pages load where the browser has it, a multiply and an add otherwise.
    #[inline(always)]
    fn mul_add(self, a: f32, x: Rows) -> Self {
        use core::arch::wasm32::f32x4_splat;
        let a = f32x4_splat(a);
        #[cfg(target_feature = "relaxed-simd")]
        let madd = |s, x| core::arch::wasm32::f32x4_relaxed_madd(a, x, s);
        #[cfg(not(target_feature = "relaxed-simd"))]
        let madd = |s, x| core::arch::wasm32::f32x4_add(s, core::arch::wasm32::f32x4_mul(a, x));
        Rows([madd(self.0[0], x.0[0]), madd(self.0[1], x.0[1])])
    }

    /// `relu` as the graph's table has it: 0 where `x <= 0` (-0 too), `x` elsewhere, so
    /// NaN stays NaN.
    #[inline(always)]
    fn relu(self) -> Self {
        use core::arch::wasm32::{f32x4_le, f32x4_splat, v128_andnot};
        Rows(self.0.map(|v| v128_andnot(v, f32x4_le(v, f32x4_splat(0.0)))))
    }

    #[inline(always)]
    fn store(self, out: &mut [f32; LANES]) {
        *out = crate::tensor::simd::lanes8(self.0);
    }
}

/// One feature of [`LANES`] rows, natively (the CLI and the tests).
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Copy)]
struct Rows([f32; LANES]);

#[cfg(not(target_arch = "wasm32"))]
impl Rows {
    fn splat(a: f32) -> Self {
        Rows([a; LANES])
    }

    fn load(x: &[f32; LANES]) -> Self {
        Rows(*x)
    }

    /// `self + a · x`, lane by lane.
    fn mul_add(mut self, a: f32, x: Rows) -> Self {
        for (s, xk) in self.0.iter_mut().zip(x.0) {
            *s += a * xk;
        }
        self
    }

    fn relu(self) -> Self {
        Rows(self.0.map(|x| if x <= 0.0 { 0.0 } else { x }))
    }

    fn store(self, out: &mut [f32; LANES]) {
        *out = self.0;
    }
}
