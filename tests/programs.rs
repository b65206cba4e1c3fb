//! What the language means: Python's statements, NumPy's tensors, PyTorch's spellings, the
//! graph built as the program runs, and a single expression meaning what it always meant.
#![cfg(not(target_arch = "wasm32"))]

use gradscope::program::GroupKind;
use gradscope::session::{ExpressionSession, ProgramRun, ProgramSession};
use gradscope::{Shape, Tensor};
use std::collections::HashMap;

fn vector(xs: &[f64]) -> Tensor<f64> {
    Tensor::new(Shape::vector(xs.len()), xs.to_vec()).unwrap()
}

fn matrix(rows: &[&[f64]]) -> Tensor<f64> {
    let data: Vec<f64> = rows.iter().flat_map(|r| r.iter().copied()).collect();
    Tensor::new(Shape::matrix(rows.len(), rows[0].len()), data).unwrap()
}

fn run(source: &str, at: &[(&str, Tensor<f64>)]) -> ProgramRun {
    let at: HashMap<String, Tensor<f64>> = at.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let session = ProgramSession::new(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    session.run(&at).unwrap_or_else(|e| panic!("{source}: {e}"))
}

/// The output's value, and the gradient of each leaf by name.
fn grads(source: &str, at: &[(&str, Tensor<f64>)]) -> (Vec<f64>, HashMap<String, Vec<f64>>) {
    let mut r = run(source, at);
    let g = r.backward().unwrap_or_else(|e| panic!("{source}: {e}"));
    (
        r.value().data,
        g.into_iter().map(|g| (g.name, g.gradient.data)).collect(),
    )
}

fn value(source: &str, at: &[(&str, Tensor<f64>)]) -> Tensor<f64> {
    run(source, at).value()
}

#[test]
fn a_single_expression_builds_the_graph_it_always_built() {
    for case in include_str!("data/expr-cases.jsonl").lines() {
        let case: serde_json::Value = serde_json::from_str(case).unwrap();
        let source = case["expr"].as_str().unwrap();
        let at: HashMap<String, f64> = case["at"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_f64().unwrap()))
            .collect();
        let mut expression = ExpressionSession::new(source).unwrap();
        let e = expression.evaluate_at(&at).unwrap();
        let tensors: Vec<(&str, Tensor<f64>)> =
            at.iter().map(|(k, &v)| (k.as_str(), Tensor::scalar(v))).collect();
        let mut program = run(source, &tensors);
        program.backward().unwrap();
        let nodes = program.nodes();
        assert_eq!(nodes.len(), e.nodes.len(), "{source}: node count");
        for (p, x) in nodes.iter().zip(&e.nodes) {
            assert_eq!(
                (p.op, &p.label, &p.inputs),
                (x.op, &x.label, &x.inputs),
                "{source}"
            );
            assert_eq!(
                p.value[0].to_bits(),
                x.value[0].to_bits(),
                "{source}: node {}",
                p.id
            );
            assert_eq!(
                p.grad[0].to_bits(),
                x.grad[0].to_bits(),
                "{source}: node {}",
                p.id
            );
        }
    }
}

#[test]
fn python_statements_run_as_in_python() {
    let src = "def square(a):\n    return a * a\n\nacc = 0\nfor i in range(10):\n    if i == 2:\n        continue\n    elif i > 5:\n        break\n    else:\n        acc += square(x) * i\nn = 0\nwhile n < 3:\n    n = n + 1\nL = acc + n";
    // i = 0, 1, 3, 4, 5 contribute x²·i: 13x², plus n = 3.
    let (v, g) = grads(src, &[("x", Tensor::scalar(2.0))]);
    assert_eq!(v, [13.0 * 4.0 + 3.0]);
    assert_eq!(g["x"], [26.0 * 2.0]);
    assert_eq!(
        value("y = 0\nfor i in range(5, 0, -2):\n    y = y * 10 + i\ny", &[]).data,
        [531.0]
    );
    // `import` lines are read and ignored; `#` comments and blank lines say nothing.
    assert_eq!(
        value(
            "import torch\nfrom torch import nn  # a comment\n\n# alone\ny = 2 * 3",
            &[]
        )
        .data,
        [6.0]
    );
}

#[test]
fn tensors_follow_numpy() {
    let w = vector(&[1.0, 2.0, 3.0]);
    assert_eq!(
        value("w @ w", &[("w", w.clone())]).data,
        [14.0],
        "vector @ vector is a dot product"
    );
    let a = matrix(&[&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]]);
    let out = value("A @ w", &[("A", a.clone()), ("w", w.clone())]);
    assert_eq!((out.shape, out.data), (Shape::vector(2), vec![14.0, 32.0]));
    let out = value("A + w", &[("A", a.clone()), ("w", w.clone())]);
    assert_eq!(
        out.data,
        [2.0, 4.0, 6.0, 5.0, 7.0, 9.0],
        "a vector broadcasts along rows"
    );
    let out = value("sum(A, 0)", &[("A", a.clone())]);
    assert_eq!((out.shape, out.data), (Shape::vector(3), vec![5.0, 7.0, 9.0]));
    let out = value("A.sum(1)", &[("A", a.clone())]);
    assert_eq!(out.data, [6.0, 15.0]);
    assert_eq!(value("A.mean()", &[("A", a.clone())]).data, [3.5]);
    assert_eq!(value("amax(A, -1)", &[("A", a.clone())]).data, [3.0, 6.0]);
    assert_eq!(value("min(A)", &[("A", a.clone())]).data, [1.0]);
    // As a method, PyTorch's x.max(dim) reduces; as a function, max(a, b) is element-wise.
    assert_eq!(value("A.max(0)", &[("A", a.clone())]).data, [4.0, 5.0, 6.0]);
    assert_eq!(value("A.min(dim=1)", &[("A", a.clone())]).data, [1.0, 4.0]);
    assert_eq!(
        value("max(A, 3)", &[("A", a.clone())]).data,
        [3.0, 3.0, 3.0, 4.0, 5.0, 6.0]
    );
    assert_eq!(value("A.T.shape[0]", &[("A", a.clone())]).data, [3.0]);
    assert_eq!(
        value("len(A) + len(w)", &[("A", a.clone()), ("w", w.clone())]).data,
        [5.0]
    );
    assert_eq!(
        value("zeros(A.shape) + 1", &[("A", a.clone())]).shape,
        Shape::matrix(2, 3)
    );
    assert_eq!(value("eye(2)", &[]).data, [1.0, 0.0, 0.0, 1.0]);
    // Indexing: integers, negatives, `:` and slices, as Python's.
    assert_eq!(value("A[1, -1]", &[("A", a.clone())]).data, [6.0]);
    assert_eq!(value("A[:, 1]", &[("A", a.clone())]).data, [2.0, 5.0]);
    assert_eq!(value("A[-1]", &[("A", a.clone())]).data, [4.0, 5.0, 6.0]);
    assert_eq!(value("A[0, 1:]", &[("A", a.clone())]).data, [2.0, 3.0]);
    assert_eq!(
        value("w[i + 1]", &[("w", w.clone()), ("i", Tensor::scalar(1.0))]).data,
        [3.0]
    );
    // Comparisons are masks of 0 and 1, through which no gradient flows.
    let (v, g) = grads("L = sum((x > 0) * x)", &[("x", vector(&[-1.0, 2.0]))]);
    assert_eq!((v, &g["x"]), (vec![2.0], &vec![0.0, 1.0]));
    // softmax along the last axis by default; log_softmax = x − logsumexp(x).
    let s = value("softmax(A)", &[("A", a.clone())]);
    assert!((s.data[..3].iter().sum::<f64>() - 1.0).abs() < 1e-15);
    let d = value("log_softmax(w, 0) - (w - logsumexp(w))", &[("w", w.clone())]);
    assert!(d.data.iter().all(|x| x.abs() < 1e-15));
}

#[test]
fn pytorch_spellings_are_aliases() {
    let x = matrix(&[&[0.5, -1.0]]);
    let plain = value(
        "tanh(W @ transpose(x))",
        &[("W", matrix(&[&[1.0, 2.0], &[3.0, 4.0]])), ("x", x.clone())],
    );
    let torch = value(
        "torch.mm(W, x.t()).tanh()",
        &[("W", matrix(&[&[1.0, 2.0], &[3.0, 4.0]])), ("x", x.clone())],
    );
    assert_eq!(plain, torch);
    assert_eq!(value("F.relu(x).sum(dim=1)", &[("x", x.clone())]).data, [0.5]);
    assert_eq!(
        value("torch.nn.functional.sigmoid(x)", &[("x", x.clone())]),
        value("x.sigmoid()", &[("x", x.clone())])
    );
    assert_eq!(value("np.dot(x, x.T)", &[("x", x.clone())]).data, [1.25]);
}

#[test]
fn leaves_are_free_names_and_names_bound_to_data() {
    let mut r = run(
        "W = randn(2, 3)\nv = [1, 2, 3]\nb = Variable(torch.zeros(2))\nacc = 0\nL = sum(W @ v + b) + acc + s",
        &[("s", Tensor::scalar(1.0))],
    );
    let names: Vec<(&str, bool)> = r.leaves().iter().map(|l| (l.name.as_str(), l.free)).collect();
    assert_eq!(
        names,
        [("s", true), ("W", false), ("v", false), ("b", false)],
        "a plain number is a constant"
    );
    let g = r.backward().unwrap();
    // ∂L/∂v is the column sums of W; ∂L/∂b is ones.
    let w = r.graph().value(r.leaves()[1].node);
    let column_sums: Vec<f64> = (0..3).map(|j| w[j] + w[3 + j]).collect();
    assert_eq!(g[2].gradient.data, column_sums);
    assert_eq!(g[3].gradient.data, [1.0, 1.0]);
}

#[test]
fn random_tensors_are_seeded() {
    let a = value("randn(2, 2)", &[]);
    assert_eq!(a, value("randn(2, 2)", &[]), "a fixed default seed");
    assert_eq!(
        value("seed(3)\nrandn(2, 2)", &[]),
        value("torch.manual_seed(3)\nrandn(2, 2)", &[])
    );
    assert_ne!(a, value("seed(3)\nrandn(2, 2)", &[]));
    assert!(value("rand(100)", &[])
        .data
        .iter()
        .all(|&u| (0.0..1.0).contains(&u)));
}

#[test]
fn detach_passes_the_value_and_stops_the_gradient() {
    let (v, g) = grads("L = x * detach(x) + x.detach()", &[("x", Tensor::scalar(3.0))]);
    assert_eq!((v, &g["x"]), (vec![12.0], &vec![3.0]));
}

#[test]
fn the_graph_is_built_as_the_program_runs() {
    let src = "if x > 0:\n    y = sin(x) * 2\nelse:\n    y = -x\nfor i in range(n):\n    y = y * y\ny";
    let a = run(src, &[("x", Tensor::scalar(1.0)), ("n", Tensor::scalar(2.0))]);
    let b = run(src, &[("x", Tensor::scalar(-1.0)), ("n", Tensor::scalar(3.0))]);
    let ops = |r: &ProgramRun| r.nodes().iter().map(|n| n.op).collect::<Vec<_>>();
    assert_eq!(ops(&a), ["input", "input", "sin", "constant", "*", "*", "*"]);
    assert_eq!(ops(&b), ["input", "input", "neg", "*", "*", "*"]);
    // Each node knows its span and the iteration that made it; each `if` its branch.
    let d = a.details();
    let text = |n: usize| &src[d.origins[n].span.range()];
    assert_eq!(text(2), "sin(x)");
    assert_eq!(text(5), "y * y");
    let group = d.origins[6].group.unwrap() as usize;
    assert_eq!(d.groups[group].kind, GroupKind::Iteration { index: 1 });
    assert_eq!(&src[d.groups[group].span.range()], "for i in range(n)");
    assert_eq!(d.branches[0].taken, Some(0));
    assert_eq!(b.details().branches[0].taken, None);
    assert_eq!(b.details().branches[0].conditions, [0.0]);
}

#[test]
fn calls_are_groups_too() {
    let r = run(
        "def f(a):\n    return a * 2\ny = f(x) + f(x)",
        &[("x", Tensor::scalar(1.0))],
    );
    let d = r.details();
    let calls: Vec<_> = d
        .groups
        .iter()
        .filter(|g| matches!(g.kind, GroupKind::Call { .. }))
        .collect();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        &"def f(a):\n    return a * 2\ny = f(x) + f(x)"[calls[1].span.range()],
        "f(x)"
    );
}
