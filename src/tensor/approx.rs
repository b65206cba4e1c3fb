//! tanh for f32 without a library call: the graph's f32 tanh (training and the views) and
//! the views' σ. libm's tanhf is a call per element (through expm1f), which was two fifths
//! of a small network's training step; this is a chain of multiply-adds that vectorises.

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
