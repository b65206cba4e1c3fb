//! The f32 kernel against a plain triple loop, on random shapes and every transpose.
#![cfg(not(target_arch = "wasm32"))]

use gradscope::tensor::sgemm::sgemm;
use proptest::prelude::*;

/// The reference: the definition of the product, in f64.
#[allow(clippy::too_many_arguments)]
fn triple_loop(m: usize, n: usize, k: usize, a: &[f32], at: bool, b: &[f32], bt: bool) -> Vec<f64> {
    let mut c = vec![0.0f64; m * n];
    for i in 0..m {
        for j in 0..n {
            for p in 0..k {
                let a_ip = if at { a[p * m + i] } else { a[i * k + p] };
                let b_pj = if bt { b[j * k + p] } else { b[p * n + j] };
                c[i * n + j] += a_ip as f64 * b_pj as f64;
            }
        }
    }
    c
}

fn random(len: usize, seed: u64) -> Vec<f32> {
    let mut s = seed | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % 2001) as f32 / 1000.0 - 1.0
        })
        .collect()
}

fn check(m: usize, n: usize, k: usize, at: bool, bt: bool, accumulate: bool, seed: u64) {
    let a = random(m * k, seed);
    let b = random(k * n, seed + 1);
    let start = random(m * n, seed + 2);
    let mut c = start.clone();
    sgemm(m, n, k, &a, at, &b, bt, &mut c, accumulate);
    let want = triple_loop(m, n, k, &a, at, &b, bt);
    for (idx, (&got, &w)) in c.iter().zip(&want).enumerate() {
        let w = w + if accumulate { start[idx] as f64 } else { 0.0 };
        let tolerance = 1e-5 * (k as f64).sqrt().max(1.0) * w.abs().max(1.0);
        assert!(
            (got as f64 - w).abs() <= tolerance,
            "{m}×{k}·{k}×{n} (Aᵀ {at}, Bᵀ {bt}) at {idx}: {got} vs {w}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..config() })]

    #[test]
    fn matches_the_triple_loop_on_random_shapes(
        m in 1usize..70, n in 1usize..70, k in 1usize..300,
        at in any::<bool>(), bt in any::<bool>(), accumulate in any::<bool>(), seed in any::<u64>(),
    ) {
        check(m, n, k, at, bt, accumulate, seed);
    }
}

#[test]
fn edge_shapes_and_sizes_that_cross_every_block() {
    for (m, n, k) in [
        (1, 1, 1),
        (3, 5, 7),
        (65, 129, 33),
        (4, 8, 256),
        (5, 9, 257),
        (64, 8, 512),
        (130, 17, 600),
        (256, 256, 256),
    ] {
        for (at, bt) in [(false, false), (true, false), (false, true), (true, true)] {
            check(m, n, k, at, bt, false, (m * n * k) as u64);
        }
    }
}

#[test]
fn empty_dimensions_leave_or_zero_the_output() {
    let mut c = vec![5.0f32; 6];
    sgemm(2, 3, 0, &[], false, &[], false, &mut c, true);
    assert_eq!(c, [5.0; 6]);
    sgemm(2, 3, 0, &[], false, &[], false, &mut c, false);
    assert_eq!(c, [0.0; 6]);
}

fn config() -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var("PROPTEST_RNG_SEED").is_err() {
        c.rng_seed = proptest::test_runner::RngSeed::Fixed(0x6d61_746d);
    }
    c.failure_persistence = None;
    c
}
