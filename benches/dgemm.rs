//! f64 matrix products (what tensor programs compute in): the blocked kernel against the
//! plain loops, in the same run. `cargo bench --bench dgemm`; compare the ratio of the two
//! times per size ("elem/s" = 2·m·n·k flops per second).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gradscope::tensor::gemm::{dgemm, dgemm_packed, gemm_loops};
use std::hint::black_box;

fn inputs(len: usize, seed: usize) -> Vec<f64> {
    (0..len)
        .map(|i| ((i * 7 + seed) % 13) as f64 / 13.0 - 0.5)
        .collect()
}

fn square(c: &mut Criterion) {
    let mut group = c.benchmark_group("dgemm");
    // The headline ratios: longer than the small shapes' default.
    group.measurement_time(std::time::Duration::from_secs(1));
    for size in [64usize, 128, 256] {
        let a = inputs(size * size, 1);
        let b = inputs(size * size, 2);
        let mut out = vec![0.0f64; size * size];
        group.throughput(Throughput::Elements(2 * (size * size * size) as u64));
        group.bench_function(format!("{size}³ blocked"), |bench| {
            bench.iter(|| dgemm(size, size, size, &a, false, &b, false, black_box(&mut out), false))
        });
        group.bench_function(format!("{size}³ plain loops"), |bench| {
            bench.iter(|| gemm_loops(size, size, size, &a, false, &b, false, black_box(&mut out), false))
        });
    }
    group.finish();
}

/// Where `dgemm` switches kernels: tiny and thin products, and the products of a recurrent
/// cell on a vector (forward `W·h`, the backward's `Wᵀ·g` and outer product `g·hᵀ`), by
/// `dgemm`'s pick against each kernel alone.
fn small(c: &mut Criterion) {
    let mut group = c.benchmark_group("dgemm small shapes");
    #[rustfmt::skip]
    let shapes = [
        // (m, n, k, Aᵀ, Bᵀ)
        (4, 4, 4, false, false), (8, 8, 8, false, false), (8, 8, 8, false, true),
        (4, 64, 64, false, false), (64, 64, 4, true, false), (300, 2, 300, false, false),
        (64, 1, 64, false, false), (64, 1, 64, true, false), (64, 64, 1, false, true),
    ];
    for (m, n, k, at, bt) in shapes {
        let a = inputs(m * k, 1);
        let b = inputs(k * n, 2);
        let mut out = vec![0.0f64; m * n];
        let name = format!(
            "{m}×{k}·{k}×{n}{}{}",
            if at { " Aᵀ" } else { "" },
            if bt { " Bᵀ" } else { "" }
        );
        group.throughput(Throughput::Elements(2 * (m * n * k) as u64));
        group.bench_function(format!("{name} dgemm"), |bench| {
            bench.iter(|| dgemm(m, n, k, &a, at, &b, bt, black_box(&mut out), false))
        });
        group.bench_function(format!("{name} packed"), |bench| {
            bench.iter(|| dgemm_packed(m, n, k, &a, at, &b, bt, black_box(&mut out), false))
        });
        group.bench_function(format!("{name} plain loops"), |bench| {
            bench.iter(|| gemm_loops(m, n, k, &a, at, &b, bt, black_box(&mut out), false))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(std::time::Duration::from_millis(200))
        .measurement_time(std::time::Duration::from_millis(500));
    targets = square, small
}
criterion_main!(benches);
