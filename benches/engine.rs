//! Forward and backward passes over 100,000-node scalar graphs, in time per node.
//!
//! `cargo bench --bench engine`. Criterion reports time per iteration; divide by the node
//! count printed in each benchmark's name for ns per node.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gradscope::expr;
use gradscope::ops::{Binary, Unary};
use gradscope::session::{ProgramRun, ProgramSession};
use gradscope::{Graph, NodeId, Tensor};
use std::collections::HashMap;
use std::hint::black_box;

const N: usize = 100_000;

/// A long chain, `v ← tanh(v·w + b)` repeated, built with the graph API: each node depends
/// on the one before, as deep as a graph gets (text this deep would exceed the parser's
/// nesting limit).
/// The engine's whole path from text: parse, build the graph, backward; the value.
fn parse_lower_backward(source: &str, at: &HashMap<String, f64>) -> f64 {
    let expression = expr::parse(source).unwrap();
    let mut lowered = expression.lower(&expression.bind(at).unwrap());
    lowered.graph.backward(lowered.root);
    lowered.graph.value(lowered.root)[0]
}

/// The same path for a program: parse, run (building the graph), backward; the value.
fn program_backward(source: &str, at: &HashMap<String, Tensor<f64>>) -> (ProgramRun, f64) {
    let mut run = ProgramSession::new(source).unwrap().run(at).unwrap();
    run.backward().unwrap();
    let value = run.value().data[0];
    (run, value)
}

fn chain() -> (Graph<f64>, NodeId, NodeId) {
    let mut g = Graph::new();
    let x = g.input("x", Tensor::scalar(0.3));
    let w = g.parameter("w", Tensor::scalar(0.9));
    let b = g.parameter("b", Tensor::scalar(0.1));
    let mut v = x;
    while g.len() < N {
        let p = g.binary(Binary::Mul, v, w).unwrap();
        let s = g.binary(Binary::Add, p, b).unwrap();
        v = g.unary(Unary::Tanh, s);
    }
    (g, v, w)
}

/// A wide random expression: many variables, shared, mixing every kind of op.
fn wide(seed: u64) -> String {
    let mut rng = seed;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let funcs = ["sin", "cos", "tanh", "sigmoid", "relu", "exp", "abs"];
    let ops = ["+", "-", "*"];
    let mut terms = Vec::new();
    let mut nodes = 0;
    while nodes < N {
        let a = next() % 50;
        let b = next() % 50;
        let f = funcs[(next() % 7) as usize];
        let op = ops[(next() % 3) as usize];
        terms.push(format!("{f}(x{a} {op} x{b})"));
        nodes += 4; // op, call, and the sum joining the term (variables are shared)
    }
    terms.join(" + ")
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("scalar graph");

    let (mut g, root, w) = chain();
    group.throughput(Throughput::Elements(g.len() as u64));
    group.bench_function(format!("chain forward+backward ({} nodes)", g.len()), |b| {
        b.iter(|| {
            g.forward();
            g.backward(root);
            black_box(g.grad(w)[0])
        })
    });

    let source = wide(7);
    let parsed = expr::parse(&source).unwrap();
    let at: HashMap<String, f64> = parsed.variable_names().map(|v| (v.to_string(), 0.3)).collect();
    let mut lowered = parsed.lower(&parsed.bind(&at).unwrap());
    let nodes = lowered.graph.len();
    group.throughput(Throughput::Elements(nodes as u64));
    group.bench_function(format!("wide forward+backward ({nodes} nodes)"), |b| {
        b.iter(|| {
            lowered.graph.forward();
            lowered.graph.backward(lowered.root);
            black_box(lowered.graph.grad(lowered.inputs[0])[0])
        })
    });
    group.bench_function(format!("wide parse+lower+backward ({nodes} nodes)"), |b| {
        b.iter(|| black_box(parse_lower_backward(&source, &at)))
    });
    // The same text as a one-line program: the interpreter builds the same graph node for
    // node (tests/programs.rs), so beside the line above this is what a program costs.
    let tensors: HashMap<String, Tensor<f64>> =
        at.iter().map(|(k, &v)| (k.clone(), Tensor::scalar(v))).collect();
    let (mut program, _) = program_backward(&source, &tensors);
    let program_nodes = program.graph().len();
    assert_eq!(
        program_nodes, nodes,
        "a one-line program is its expression's graph"
    );
    group.bench_function(
        format!("wide as a program: parse+run+backward ({nodes} nodes)"),
        |b| b.iter(|| black_box(program_backward(&source, &tensors).1)),
    );
    let output = program.output();
    let leaf = program.leaves()[0].node;
    group.bench_function(
        format!("wide as a program: forward+backward ({nodes} nodes)"),
        |b| {
            b.iter(|| {
                let g = program.graph_mut();
                g.forward();
                g.backward(output);
                black_box(g.grad(leaf)[0])
            })
        },
    );

    let sum = vec!["x1"; N].join("+");
    let at: HashMap<String, f64> = [("x1".to_string(), 0.5)].into();
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("x1+x1+…+x1, 100,000 terms: parse+lower+backward", |b| {
        b.iter(|| black_box(parse_lower_backward(&sum, &at)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
