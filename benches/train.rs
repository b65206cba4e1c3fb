//! Training steps per second for the workloads of the performance targets (README), natively.
//! `cargo bench --bench train`; throughput is in steps per second ("elem/s").

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gradscope::nn::{probabilities, Activation, Config, Loss, Net, OptimizerKind, Regularization, Trainer};
use std::hint::black_box;

fn workload(hidden: usize, activation: Activation, batch: usize) -> Config {
    Config {
        points: 500,
        test_fraction: 0.0,
        hidden: vec![hidden, hidden],
        activations: vec![activation; 2],
        loss: Loss::Logistic,
        optimizer: OptimizerKind::Sgd,
        learning_rate: 0.03,
        batch_size: batch,
        ..Config::default()
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("training step");
    group.throughput(Throughput::Elements(1));
    for (name, config) in [
        ("2-8-8-1 tanh, batch 10", workload(8, Activation::Tanh, 10)),
        ("2-8-8-1 tanh, batch 500", workload(8, Activation::Tanh, 500)),
        ("2-16-16-1 relu, batch 500", workload(16, Activation::Relu, 500)),
        ("default page network", Config::default()),
    ] {
        let mut trainer = Trainer::new(config).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| black_box(trainer.step().map(|r| r.loss).unwrap_or(0.0)))
        });
    }
    group.finish();

    // The heatmap: the views' graph-free forward pass against the training graph's own
    // forward pass over the same grid (what the page ran before), in the same run.
    let mut group = c.benchmark_group("heatmap");
    group.throughput(Throughput::Elements(256 * 256));
    for (name, hidden, activation) in [
        ("2-16-16-1 relu, 256²", 16, Activation::Relu),
        ("2-8-8-1 tanh, 256²", 8, Activation::Tanh),
    ] {
        let config = workload(hidden, activation, 500);
        let mut trainer = Trainer::new(config.clone()).unwrap();
        group.bench_function(format!("{name}: views' forward pass"), |b| {
            b.iter(|| black_box(trainer.predict_grid(256)[0]))
        });
        let mut net = Net::<f32>::build(
            &trainer.arch,
            &trainer.params(),
            256 * 256,
            config.loss,
            Regularization::None,
            0.0,
        )
        .unwrap();
        net.graph.set_value(net.x, &trainer.grid_inputs(256)).unwrap();
        group.bench_function(format!("{name}: the training graph's forward"), |b| {
            b.iter(|| {
                net.graph.forward();
                black_box(probabilities(config.loss, 2, net.graph.value(net.logits()))[0])
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
