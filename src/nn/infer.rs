//! Forward passes without a graph, for the views: the plot's heatmap, the neurons' small
//! heatmaps and a fit's curve. Training needs the graph (the backward pass reads every
//! intermediate, and the loss); a view needs each layer's output only. So it runs the same
//! layers, `h = act(x·W + b)`, into buffers kept from one call to the next: once warm, a
//! heatmap allocates nothing, where a graph over a 256² grid held tens of megabytes.
//!
//! Each output row starts as the bias and adds the rows of `W` scaled by its inputs: every
//! inner loop runs along a contiguous row of `W`, which the compiler vectorises (the
//! 2-wide input layer is two multiply-adds per neuron). The activations are the graph's own
//! table entries (`ops::elementwise`), so both paths compute the same function, except tanh:
//! a view's tanh is `fast_tanh`, within 1e-6 of the exact value (far below what a heatmap's
//! colour or a printed digit shows), and about as fast as a multiply-add chain.

use super::mlp::{Activation, Architecture};
use crate::ops::elementwise::unary_in_place;
use crate::ops::Unary;

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
            match activation.unary() {
                // tanh, the views' commonest and costliest activation, by a rational
                // approximation the compiler vectorises (libm's tanh is a call per element).
                Some(Unary::Tanh) => out.iter_mut().for_each(|v| *v = fast_tanh(*v)),
                Some(op) => unary_in_place(op, out),
                None => {}
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

/// tanh(x) in f32 as a rational function, x·P(x²)/Q(x²) (degrees 13 and 6, the coefficients
/// of Eigen's and TensorFlow's fast tanh), clamped where tanh is ±1 in f32. Its error
/// against the exact tanh is below 1e-6 over all of f32 (`tests` sweeps it); NaN stays NaN.
/// No branches and no calls (plain multiply and add: `mul_add` is a library call where
/// the target has no fused multiply-add, as wasm32 has not), so a loop over it vectorises.
#[inline(always)]
pub fn fast_tanh(x: f32) -> f32 {
    const CLAMP: f32 = 7.905_311;
    let x = x.clamp(-CLAMP, CLAMP);
    let x2 = x * x;
    let p = -2.760_768_5e-16_f32;
    let p = p * x2 + 2.000_188e-13;
    let p = p * x2 - 8.604_672e-11;
    let p = p * x2 + 5.122_297e-8;
    let p = p * x2 + 1.485_722_4e-5;
    let p = p * x2 + 6.372_619_3e-4;
    let p = p * x2 + 4.893_524_6e-3;
    let q = 1.198_258_4e-6_f32;
    let q = q * x2 + 1.185_347_1e-4;
    let q = q * x2 + 2.268_434_6e-3;
    let q = q * x2 + 4.893_525e-3;
    x * p / q
}

#[cfg(test)]
mod tests {
    use super::fast_tanh;

    #[test]
    fn fast_tanh_is_within_1e6_of_tanh_everywhere() {
        // Every 1/4096 over [-10, 10], and the far ends, against tanh in f64.
        let mut worst = 0.0f64;
        for k in -40_960..=40_960 {
            let x = k as f32 / 4096.0;
            worst = worst.max((fast_tanh(x) as f64 - (x as f64).tanh()).abs());
        }
        for x in [
            1e-30f32,
            -1e-30,
            20.0,
            -20.0,
            1e30,
            -1e30,
            f32::MAX,
            f32::MIN,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ] {
            worst = worst.max((fast_tanh(x) as f64 - (x as f64).tanh()).abs());
        }
        assert!(worst < 1e-6, "largest error {worst:e}");
        assert!(fast_tanh(f32::NAN).is_nan());
        assert_eq!(fast_tanh(0.0), 0.0);
        // Odd, and never past ±1.
        for k in 0..10_000 {
            let x = k as f32 * 1e-3;
            assert_eq!(fast_tanh(-x), -fast_tanh(x));
            assert!(fast_tanh(x).abs() <= 1.0);
        }
    }
}
