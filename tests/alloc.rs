//! A warm training step allocates nothing: every buffer is kept from one step to the next.
#![cfg(not(target_arch = "wasm32"))]

use gradscope::nn::{Activation, Config, Loss, OptimizerKind, Trainer};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts the allocations made by the current thread.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn a_warm_training_step_allocates_nothing() {
    // The counter sees allocations, so a zero below means something.
    let before = allocations();
    let probe = std::hint::black_box(vec![1u8; 16]);
    assert!(allocations() > before);
    drop(probe);

    for config in [
        Config::default(),
        Config {
            classes: 3,
            dataset: gradscope::nn::DatasetKind::Spiral,
            loss: Loss::SoftmaxCrossEntropy,
            optimizer: OptimizerKind::Momentum,
            hidden: vec![16, 16],
            activations: vec![Activation::Relu; 2],
            batch_size: 50,
            ..Config::default()
        },
    ] {
        let mut trainer = Trainer::new(config).unwrap();
        for _ in 0..20 {
            trainer.step().unwrap();
        }
        let before = allocations();
        // Several epochs: reshuffling at an epoch boundary must not allocate either.
        for _ in 0..200 {
            trainer.step().unwrap();
        }
        assert_eq!(allocations() - before, 0, "allocations in 200 warm steps");
    }
}

#[test]
fn warm_passes_over_the_tensor_ops_allocate_nothing() {
    use gradscope::ops::{Axis, Binary, Window};
    use gradscope::{Graph, Shape, Tensor};
    let mut g = Graph::<f64>::new();
    let x = g.input(
        "x",
        Tensor::new(Shape::matrix(3, 4), (0..12).map(f64::from).collect()).unwrap(),
    );
    let v = g.input(
        "v",
        Tensor::new(Shape::vector(4), vec![1.0, -1.0, 0.5, 2.0]).unwrap(),
    );
    let xv = g.matmul(x, v).unwrap();
    let s = g.softmax(x, Axis::Index(1)).unwrap();
    let ls = g.log_softmax(x, Axis::Index(0)).unwrap();
    let top = g.amax(s, Axis::Index(0)).unwrap();
    let lse = g.logsumexp(ls, Axis::All).unwrap();
    let column = Window {
        row: 0,
        rows: 3,
        col: 1,
        cols: 1,
        shape: Shape::vector(3),
    };
    let c = g.select(x, column).unwrap();
    let d = g.detach(c);
    let cd = g.binary(Binary::Mul, c, d).unwrap();
    let y = g.binary(Binary::Add, xv, cd).unwrap();
    let dot = g.matmul(y, y).unwrap();
    let t = g.matmul(v, top).unwrap();
    let sum = g.binary(Binary::Add, dot, t).unwrap();
    let root = g.binary(Binary::Add, sum, lse).unwrap();
    let (seed, tangent) = ([0.5], [1.0; 12]);
    let pass = |g: &mut Graph<f64>| {
        g.forward();
        g.backward(root);
        g.backward_seeded(root, &seed).unwrap();
        g.jvp(&[(x, &tangent)]).unwrap();
    };
    pass(&mut g);
    let before = allocations();
    for _ in 0..10 {
        pass(&mut g);
    }
    assert_eq!(allocations() - before, 0, "allocations in 10 warm passes");
    assert!(g.grad(x).iter().all(|d| d.is_finite()) && g.grad(x).iter().any(|&d| d != 0.0));
}

#[test]
fn a_programs_graph_passes_allocate_nothing_once_warm() {
    use gradscope::session::ProgramSession;
    use gradscope::{Shape, Tensor};
    let source =
        "h = h0\nfor t in range(5):\n    h = tanh(W @ h + x)\nL = sum(softmax(h) * h) + amax(h) + a * b";
    let at = [
        (
            "h0",
            Tensor::new(Shape::vector(4), vec![0.1, -0.2, 0.3, 0.0]).unwrap(),
        ),
        (
            "W",
            Tensor::new(
                Shape::matrix(4, 4),
                (0..16).map(|i| (i as f64 - 8.0) / 10.0).collect(),
            )
            .unwrap(),
        ),
        (
            "x",
            Tensor::new(Shape::vector(4), vec![1.0, 0.5, -0.5, 2.0]).unwrap(),
        ),
        ("a", Tensor::scalar(2.0)),
        ("b", Tensor::scalar(3.0)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mut run = ProgramSession::new(source).unwrap().run(&at).unwrap();
    let output = run.output();
    let wrt = run.leaves()[1].node;
    let graph = run.graph_mut();
    graph.forward();
    graph.backward(output);
    graph.jvp(&[(wrt, &[1.0; 16])]).unwrap();
    let before = allocations();
    for _ in 0..50 {
        graph.forward();
        graph.backward(output);
        graph.jvp(&[(wrt, &[1.0; 16])]).unwrap();
    }
    assert_eq!(
        allocations() - before,
        0,
        "warm passes over a program's graph allocate"
    );
}

#[test]
fn a_warm_f64_product_allocates_nothing() {
    use gradscope::tensor::gemm::dgemm;
    // Large enough for the blocked kernel, across a KC slice and an MC block.
    let (m, n, k) = (70, 50, 300);
    let a = vec![0.5; m * k];
    let b = vec![0.25; k * n];
    let mut c = vec![0.0; m * n];
    dgemm(m, n, k, &a, false, &b, true, &mut c, false);
    let before = allocations();
    for _ in 0..10 {
        dgemm(m, n, k, &a, true, &b, false, &mut c, true);
    }
    assert_eq!(allocations() - before, 0, "allocations in 10 warm products");
}

#[test]
fn a_warm_heatmap_allocates_only_its_answer() {
    let mut trainer = Trainer::new(Config {
        hidden: vec![16, 16],
        activations: vec![Activation::Relu; 2],
        ..Config::default()
    })
    .unwrap();
    trainer.step().unwrap();
    // Warm: the grid's features and the layers' buffers, for both resolutions the page uses
    // (the plot's, and the neurons' smaller one).
    for res in [100, 32] {
        trainer.predict_grid(res);
    }
    for res in [100, 32, 100] {
        let before = allocations();
        let values = std::hint::black_box(trainer.predict_grid(res));
        assert_eq!(allocations() - before, 1, "{res}²: the returned values alone");
        assert_eq!(values.len(), res * res);
    }
}
