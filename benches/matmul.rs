//! f32 matrix products: the packed SIMD kernel against plain loops, in the same run.
//! `cargo bench --bench matmul`; throughput is in flops ("elem/s" = 2·m·n·k per second).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gradscope::tensor::gemm::gemm_loops;
use gradscope::tensor::sgemm::sgemm;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("matmul f32");
    for size in [64usize, 256, 512, 1024] {
        let a: Vec<f32> = (0..size * size).map(|i| ((i * 7) % 13) as f32 / 13.0).collect();
        let b = a.clone();
        let mut out = vec![0.0f32; size * size];
        group.throughput(Throughput::Elements(2 * (size * size * size) as u64));
        group.bench_function(format!("{size}³ packed kernel"), |bench| {
            bench.iter(|| sgemm(size, size, size, &a, false, &b, false, black_box(&mut out), false))
        });
        if size <= 512 {
            group.bench_function(format!("{size}³ plain loops"), |bench| {
                bench.iter(|| gemm_loops(size, size, size, &a, false, &b, false, black_box(&mut out), false))
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
