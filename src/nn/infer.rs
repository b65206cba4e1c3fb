//! Forward passes without a graph, for the views: the plot's heatmap, the neurons' small
//! heatmaps and a fit's curve. Training needs the graph (the backward pass reads every
//! intermediate, and the loss); a view needs each layer's output only. So it runs the same
//! layers, `h = act(x·W + b)`, into buffers kept from one call to the next: once warm, a
//! heatmap allocates nothing, where a graph over a 256² grid held tens of megabytes.
//!
//! The rows go through the network a block at a time (the block stays in cache from layer
//! to layer), and each layer's product is summed in register tiles (four rows by eight
//! outputs, two SIMD vectors a row), the bias added and the activation applied to the block
//! before the next layer reads it. The 2-wide input layer is two multiply-adds per neuron.
//! The activations are the graph's own table entries (`ops::elementwise`), so both paths
//! compute the same function.

use super::mlp::{Activation, Architecture};
use crate::ops::elementwise::unary_in_place;

/// Outputs a tile computes at once: two 128-bit vectors.
const LANES: usize = 8;
/// Rows a tile computes at once: each weight loaded serves four rows.
const TILE_ROWS: usize = 4;
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
    /// Per layer, the weights as the tiles read them.
    padded: Vec<Padded>,
    /// A block's activations, `BLOCK × padded(width)`, between one layer and the next.
    block: [Vec<f32>; 2],
}

/// A layer's `W` (`fan_in × padded(fan_out)`) and `b`, padded with zero columns to a whole
/// number of tiles, so the tile loops have no remainder, and its real `fan_out`.
#[derive(Clone, Debug, Default)]
struct Padded {
    w: Vec<f32>,
    b: Vec<f32>,
    fan_out: usize,
}

/// A layer's width in the block: `n` rounded up to whole tiles, except a single output (a
/// binary classifier's or a regression's), which [`dense`] sums as one dot product a row
/// rather than in a tile of eight, seven of them padding.
fn padded(n: usize) -> usize {
    if n == 1 {
        1
    } else {
        n.div_ceil(LANES) * LANES
    }
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
        self.padded.resize_with(depth, Default::default);
        // The block holds the input rows too, which may be wider than every layer.
        let mut widest = arch.inputs;
        for (l, (layer, out)) in self.padded.iter_mut().zip(&mut self.outputs).enumerate() {
            let (w, b) = params(l);
            layer.fan_out = b.len();
            let width = padded(b.len());
            widest = widest.max(width);
            layer.b.clear();
            layer.b.extend(b);
            layer.b.resize(width, 0.0);
            layer.w.clear();
            for w_row in w.chunks_exact(b.len()) {
                layer.w.extend(w_row);
                layer.w.resize(layer.w.len() + width - b.len(), 0.0);
            }
            let kept = keep == Keep::Layers || l + 1 == depth;
            out.resize(if kept { rows * b.len() } else { 0 }, 0.0);
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
            let n = BLOCK.min(rows - first);
            let [a, b] = &mut self.block;
            let (mut x, mut y) = (&mut *a, &mut *b);
            // The block's input rows, as the first layer reads them.
            let mut fan_in = arch.inputs;
            let mut stride = fan_in;
            x[..n * fan_in].copy_from_slice(&inputs[first * fan_in..(first + n) * fan_in]);
            for (l, layer) in self.padded.iter().enumerate() {
                let (width, fan_out) = (layer.b.len(), layer.fan_out);
                let out = &mut y[..n * width];
                dense(&x[..n * stride], stride, fan_in, &layer.w, &layer.b, out);
                if let Some(op) = activation(l).unary() {
                    unary_in_place(op, out);
                }
                if !self.outputs[l].is_empty() {
                    let kept = &mut self.outputs[l][first * fan_out..(first + n) * fan_out];
                    for (to, from) in kept.chunks_exact_mut(fan_out).zip(out.chunks_exact(width)) {
                        to.copy_from_slice(&from[..fan_out]);
                    }
                }
                std::mem::swap(&mut x, &mut y);
                fan_in = fan_out;
                stride = width;
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

/// `out = x·W + b` for a block: `x` is `n × stride` (its first `fan_in` columns are the
/// inputs), `W` `fan_in × width` and `out` `n × width`, `width` whole tiles. Four rows ×
/// eight outputs at a time are summed in fixed-size arrays, which stay in vector registers:
/// no partial sum goes through memory, and each weight row read serves four rows.
fn dense(x: &[f32], stride: usize, fan_in: usize, w: &[f32], b: &[f32], out: &mut [f32]) {
    let width = b.len();
    if width == 1 {
        for (x, y) in x.chunks_exact(stride).zip(out) {
            *y = b[0] + dot(&x[..fan_in], w);
        }
        return;
    }
    let mut xs = x.chunks_exact(stride * TILE_ROWS);
    let mut ys = out.chunks_exact_mut(width * TILE_ROWS);
    for (x, y) in (&mut xs).zip(&mut ys) {
        tile::<TILE_ROWS>(x, stride, fan_in, w, b, y);
    }
    let rest = xs.remainder().chunks_exact(stride);
    for (x, y) in rest.zip(ys.into_remainder().chunks_exact_mut(width)) {
        tile::<1>(x, stride, fan_in, w, b, y);
    }
}

/// `R` rows of [`dense`].
#[inline(always)]
fn tile<const R: usize>(x: &[f32], stride: usize, fan_in: usize, w: &[f32], b: &[f32], y: &mut [f32]) {
    let width = b.len();
    for j in (0..width).step_by(LANES) {
        let bias: [f32; LANES] = b[j..j + LANES].try_into().expect("whole tiles");
        let mut acc = [bias; R];
        for (i, w_row) in w.chunks_exact(width).take(fan_in).enumerate() {
            let wv: &[f32; LANES] = w_row[j..j + LANES].try_into().expect("whole tiles");
            for (r, sum) in acc.iter_mut().enumerate() {
                mul_add(sum, x[r * stride + i], wv);
            }
        }
        for (r, sum) in acc.iter().enumerate() {
            y[r * width + j..r * width + j + LANES].copy_from_slice(sum);
        }
    }
}

/// `sum += a · w`, lane by lane.
#[cfg(not(all(target_arch = "wasm32", target_feature = "relaxed-simd")))]
#[inline(always)]
fn mul_add(sum: &mut [f32; LANES], a: f32, w: &[f32; LANES]) {
    for (s, &wk) in sum.iter_mut().zip(w) {
        *s += a * wk;
    }
}

/// `sum += a · w` in two fused multiply-adds (`f32x4.relaxed_madd`), in the relaxed-SIMD
/// build (build.sh) that the training page loads where the browser has it.
#[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
#[inline(always)]
fn mul_add(sum: &mut [f32; LANES], a: f32, w: &[f32; LANES]) {
    use core::arch::wasm32::{f32x4, f32x4_extract_lane, f32x4_relaxed_madd, f32x4_splat};
    let a = f32x4_splat(a);
    for (s, w) in sum.chunks_exact_mut(4).zip(w.chunks_exact(4)) {
        let v = f32x4_relaxed_madd(a, f32x4(w[0], w[1], w[2], w[3]), f32x4(s[0], s[1], s[2], s[3]));
        s[0] = f32x4_extract_lane::<0>(v);
        s[1] = f32x4_extract_lane::<1>(v);
        s[2] = f32x4_extract_lane::<2>(v);
        s[3] = f32x4_extract_lane::<3>(v);
    }
}

/// `x · w` for a row: four partial sums (one SIMD vector), then the rest.
#[inline(always)]
fn dot(x: &[f32], w: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 4];
    let (xs, ws) = (x.chunks_exact(4), w.chunks_exact(4));
    let rest: f32 = xs
        .remainder()
        .iter()
        .zip(ws.remainder())
        .map(|(a, b)| a * b)
        .sum();
    for (xv, wv) in xs.zip(ws) {
        for k in 0..4 {
            lanes[k] += xv[k] * wv[k];
        }
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + rest
}
