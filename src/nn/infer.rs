//! Forward passes without a graph, for the views: the plot's heatmap, the neurons' small
//! heatmaps and a fit's curve. Training needs the graph (the backward pass reads every
//! intermediate, and the loss); a view needs each layer's output only. So it runs the same
//! layers, `h = act(x·W + b)`, into buffers kept from one call to the next: once warm, a
//! heatmap allocates nothing, where a graph over a 256² grid held tens of megabytes.
//!
//! Each output row starts as the bias and adds the rows of `W` scaled by its inputs: every
//! inner loop runs along a contiguous row of `W`, which the compiler vectorises (the
//! 2-wide input layer is two multiply-adds per neuron). The activations are the graph's own
//! table entries (`ops::elementwise`), so both paths compute the same function.

use super::mlp::{Activation, Architecture};
use crate::ops::elementwise::unary_in_place;

/// Each layer's output over the last batch of inputs run through it.
#[derive(Clone, Debug, Default)]
pub struct Inference {
    /// Per layer, `rows × width` row-major; the last is the network's output (the logits).
    outputs: Vec<Vec<f32>>,
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
    ) {
        let depth = arch.hidden.len() + 1;
        self.outputs.resize_with(depth, Vec::new);
        let mut fan_in = arch.inputs;
        for l in 0..depth {
            let (w, b) = params(l);
            let fan_out = b.len();
            let (done, rest) = self.outputs.split_at_mut(l);
            let x = if l == 0 { inputs } else { &done[l - 1] };
            let out = &mut rest[0];
            out.resize(rows * fan_out, 0.0);
            for (xs, ys) in x.chunks_exact(fan_in).zip(out.chunks_exact_mut(fan_out)) {
                ys.copy_from_slice(b);
                for (&a, w_row) in xs.iter().zip(w.chunks_exact(fan_out)) {
                    for (y, &wv) in ys.iter_mut().zip(w_row) {
                        *y += a * wv;
                    }
                }
            }
            let activation = if l < arch.hidden.len() {
                arch.activation(l)
            } else {
                Activation::Linear
            };
            if let Some(op) = activation.unary() {
                unary_in_place(op, out);
            }
            fan_in = fan_out;
        }
    }

    /// The network's output for each row of the last run.
    pub fn logits(&self) -> &[f32] {
        self.outputs.last().map_or(&[], Vec::as_slice)
    }

    /// Every layer's output for each row of the last run (the hidden layers', then the logits).
    pub fn layers(&self) -> &[Vec<f32>] {
        &self.outputs
    }
}
