//! Tensor programs through the library, as `gradscope grad` runs them: parse, run (building
//! the graph), backward. `cargo bench --bench programs`.
//!
//! The 64-wide recurrent cell also has its products timed alone, the same calls with the
//! same shapes and flags, through `dgemm` and through the plain loops: the in-run baseline
//! for the kernel's share of the program.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use gradscope::nn::rng::Rng;
use gradscope::session::ProgramSession;
use gradscope::tensor::gemm::{dgemm, gemm_loops};
use gradscope::{Shape, Tensor};
use std::collections::HashMap;
use std::hint::black_box;

const RNN: &str = "h = H0\nfor t in range(200):\n    h = tanh(W @ h + U @ X)\nL = sum(h * h)\n";
const STEPS: usize = 200;
const N: usize = 64;

/// Uniform in [−scale, scale), from the project's seeded generator.
fn random(len: usize, scale: f64, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    (0..len).map(|_| rng.range(-scale, scale)).collect()
}

fn matrix(rows: usize, cols: usize, scale: f64, seed: u64) -> Tensor<f64> {
    Tensor::new(Shape::matrix(rows, cols), random(rows * cols, scale, seed)).unwrap()
}

/// W, U (64 × 64, scale 0.1), X and H0 (64 × `width`, in [-1, 1]).
fn rnn_inputs(width: usize) -> HashMap<String, Tensor<f64>> {
    HashMap::from([
        ("W".to_string(), matrix(N, N, 0.1, 1)),
        ("U".to_string(), matrix(N, N, 0.1, 2)),
        ("X".to_string(), matrix(N, width, 1.0, 3)),
        ("H0".to_string(), matrix(N, width, 1.0, 4)),
    ])
}

/// Parse, run, backward: the whole of `gradscope grad` but the printing.
fn grad(source: &str, at: &HashMap<String, Tensor<f64>>) -> f64 {
    let mut run = ProgramSession::new(source).unwrap().run(at).unwrap();
    run.backward().unwrap();
    run.value().data[0]
}

type Kernel = fn(usize, usize, usize, &[f64], bool, &[f64], bool, &mut [f64], bool);

/// The recurrent cell's products, as the graph makes them: per step `W·h` and `U·X`
/// forward, then for each `∂L/∂A += G·Bᵀ` and `∂L/∂B += Aᵀ·G`.
fn rnn_products(kernel: Kernel, width: usize, w: &[f64], x: &[f64], out: &mut [f64], grad: &mut [f64]) {
    for _ in 0..STEPS {
        kernel(N, width, N, w, false, x, false, out, false);
        kernel(N, width, N, w, false, x, false, out, false);
    }
    for _ in 0..STEPS {
        for _ in 0..2 {
            kernel(N, N, width, out, false, x, true, grad, true);
            kernel(N, width, N, w, true, out, false, &mut grad[..N * width], true);
        }
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("programs");
    // Runs of 2 ms to 0.5 s: the same number of iterations per sample keeps the slow ones
    // to 10 runs, so the whole bench takes under 30 s.
    group.sampling_mode(SamplingMode::Flat);
    let lines = "x = x + 1\n".repeat(300_000);
    let x0 = HashMap::from([("x".to_string(), Tensor::scalar(0.0))]);
    assert_eq!(grad(&lines, &x0), 300_000.0);
    group.bench_function("300,000 lines of x = x + 1", |b| {
        b.iter(|| grad(black_box(&lines), &x0))
    });

    for width in [N, 1] {
        let at = rnn_inputs(width);
        let label = format!("64 × {width}");
        group.bench_function(format!("rnn h {label}, 200 steps"), |b| {
            b.iter(|| grad(black_box(RNN), &at))
        });
        let (w, x) = (random(N * N, 0.1, 1), random(N * width, 1.0, 3));
        let (mut out, mut g) = (vec![0.0; N * width], vec![0.0; N * N]);
        for (name, kernel) in [("dgemm", dgemm as Kernel), ("plain loops", gemm_loops::<f64>)] {
            group.bench_function(format!("rnn h {label}, its products alone, {name}"), |b| {
                b.iter(|| rnn_products(kernel, width, &w, &x, black_box(&mut out), black_box(&mut g)))
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
