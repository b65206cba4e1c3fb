//! What the playground asks of a program's run besides its gradients: leaves given new
//! values (edited grids), one op's Jacobian beside its vector–Jacobian product, and the
//! layout with loop iterations and calls collapsed to one box each.
#![cfg(not(target_arch = "wasm32"))]

use gradscope::layout::crossings;
use gradscope::session::program::LayoutItem;
use gradscope::session::{ProgramRun, ProgramSession};
use gradscope::{Shape, Tensor};
use std::collections::HashMap;

fn matrix(rows: &[&[f64]]) -> Tensor<f64> {
    let data: Vec<f64> = rows.iter().flat_map(|r| r.iter().copied()).collect();
    Tensor::new(Shape::matrix(rows.len(), rows[0].len()), data).unwrap()
}

fn run_with(source: &str, leaf_values: &[(&str, Tensor<f64>)]) -> ProgramRun {
    let leaf_values: HashMap<String, Tensor<f64>> = leaf_values
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let session = ProgramSession::new(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let mut run = session
        .run_with_leaves(&HashMap::new(), &leaf_values)
        .unwrap_or_else(|e| panic!("{source}: {e}"));
    run.backward().unwrap_or_else(|e| panic!("{source}: {e}"));
    run
}

fn leaf_value(run: &ProgramRun, name: &str) -> Vec<f64> {
    let leaf = run.leaves().iter().find(|l| l.name == name).unwrap();
    run.graph().value(leaf.node).to_vec()
}

#[test]
fn a_leaf_bound_in_the_program_takes_a_given_value_and_the_others_keep_theirs() {
    let source = "W = randn(2, 2)\nx = randn(2)\ny = sum(W @ x)";
    let before = run_with(source, &[]);
    let x = leaf_value(&before, "x");
    let after = run_with(source, &[("W", matrix(&[&[1.0, 2.0], &[3.0, 4.0]]))]);
    assert_eq!(leaf_value(&after, "W"), [1.0, 2.0, 3.0, 4.0]);
    // randn still drew W's numbers, so x is the same draw as before.
    assert_eq!(leaf_value(&after, "x"), x);
    let by_hand = (1.0 + 3.0) * x[0] + (2.0 + 4.0) * x[1];
    assert_eq!(after.value().data, [by_hand]);
    let replaced: Vec<(&str, bool)> = after.leaves().iter().map(|l| (&*l.name, l.replaced)).collect();
    assert_eq!(replaced, [("W", true), ("x", false)]);
    assert!(after.report().leaves.iter().any(|l| l.name == "W" && l.replaced));
}

#[test]
fn a_given_value_of_another_shape_is_left_unused_and_said_so() {
    let source = "W = [[1.0, 2.0], [3.0, 4.0]]\nsum(W)";
    let run = run_with(source, &[("W", matrix(&[&[9.0, 9.0, 9.0]]))]);
    assert_eq!(leaf_value(&run, "W"), [1.0, 2.0, 3.0, 4.0]);
    assert!(!run.leaves()[0].replaced);
}

/// The first node whose op is `op`.
fn node_of_op(run: &ProgramRun, op: &str) -> usize {
    run.graph()
        .nodes()
        .iter()
        .position(|n| n.op.name() == op)
        .unwrap()
}

/// Central differences of node `node`'s value with respect to its input `which`, by
/// nudging that input's value in the graph and recomputing: an independent reference.
fn finite_difference_jacobian(run: &mut ProgramRun, node: usize, which: usize) -> Vec<Vec<f64>> {
    let g = run.graph_mut();
    let id = g.id(node).unwrap();
    let input = g.node(id).op.inputs()[which];
    let x0 = g.value(input).to_vec();
    let rows = g.node(id).shape.len();
    let mut j = vec![vec![0.0; x0.len()]; rows];
    let h = 1e-6;
    for col in 0..x0.len() {
        let mut x = x0.clone();
        x[col] += h;
        g.set_value(input, &x).unwrap();
        g.forward();
        let up = g.value(id).to_vec();
        x[col] -= 2.0 * h;
        g.set_value(input, &x).unwrap();
        g.forward();
        let down = g.value(id).to_vec();
        for (row, j_row) in j.iter_mut().enumerate() {
            j_row[col] = (up[row] - down[row]) / (2.0 * h);
        }
    }
    g.set_value(input, &x0).unwrap();
    g.forward();
    j
}

fn assert_local_jacobian_matches(
    source: &str,
    op: &str,
    which: usize,
) -> gradscope::session::program::LocalJacobian {
    let mut run = run_with(source, &[]);
    let node = node_of_op(&run, op);
    let local = run.local_jacobian(node, which).unwrap();
    let reference = finite_difference_jacobian(&mut run, node, which);
    let j = &local.jacobian;
    assert_eq!(j.rows, reference.len(), "{source}");
    for (i, row) in reference.iter().enumerate() {
        for (k, &r) in row.iter().enumerate() {
            let got = j.row(i)[k];
            assert!(
                (got - r).abs() < 1e-6 * (1.0 + r.abs()),
                "{source}: J[{i}][{k}] = {got}, finite differences {r}"
            );
        }
    }
    // What backpropagation sends along the edge is upstream · J, computed without J.
    for k in 0..j.cols {
        let product: f64 = (0..j.rows).map(|i| local.upstream[i] * j.row(i)[k]).sum();
        assert!(
            (local.vjp[k] - product).abs() < 1e-12 * (1.0 + product.abs()),
            "{source}: vjp[{k}]"
        );
    }
    local
}

#[test]
fn an_fc_layer_jacobian_has_one_block_of_x_per_output_row() {
    let source = "seed(3)\nW = randn(3, 4)\nx = randn(4, 1)\nh = W @ x\nL = sum(h * h)";
    let local = assert_local_jacobian_matches(source, "matmul", 0);
    let j = &local.jacobian;
    // ∂h/∂W is 3 × 12: row i holds xᵀ in the columns of W's row i and zeros elsewhere.
    assert_eq!((j.rows, j.cols), (3, 12));
    assert_eq!(j.nonzeros, 12);
    for i in 0..3 {
        for k in 0..12 {
            assert_eq!(j.row(i)[k] != 0.0, k / 4 == i, "row {i}, column {k}");
        }
    }
    // And with respect to x it is W itself.
    let wrt_x = assert_local_jacobian_matches(source, "matmul", 1);
    assert_eq!(wrt_x.jacobian.nonzeros, 12);
}

#[test]
fn a_relu_jacobian_is_diagonal_with_zeros_where_the_input_is_not_positive() {
    let source = "z = [1.5, -2.0, -0.5, 3.0]\nh = relu(z)\nL = sum(h * h)";
    let local = assert_local_jacobian_matches(source, "relu", 0);
    let j = &local.jacobian;
    let diagonal: Vec<f64> = (0..4).map(|i| j.row(i)[i]).collect();
    assert_eq!(diagonal, [1.0, 0.0, 0.0, 1.0]);
    assert_eq!(j.nonzeros, 2);
    // At the kink, 0, the engine takes the derivative to be 0 (as PyTorch and JAX do):
    // finite differences would say 0.5, so this one is checked as the convention.
    let at_kink = run_with("z = [0.0, 2.0]\nsum(relu(z))", &[]);
    let j = at_kink
        .local_jacobian(node_of_op(&at_kink, "relu"), 0)
        .unwrap()
        .jacobian;
    assert_eq!(j.entries, [0.0, 0.0, 0.0, 1.0]);
}

#[test]
fn local_jacobians_of_other_layers_match_finite_differences() {
    for (source, op, which) in [
        ("z = [0.3, -1.2, 2.0]\nh = tanh(z)\nsum(h * h)", "tanh", 0),
        (
            "z = [0.3, -1.2, 2.0]\np = softmax(z)\nsum(p * [1.0, 2.0, 3.0])",
            "softmax",
            0,
        ),
        (
            "a = [[1.0, 2.0], [3.0, -1.0]]\nb = [0.5, -0.25]\nc = a + b\nsum(c * c)",
            "+",
            1,
        ),
        (
            "a = [[1.0, 2.0], [3.0, -1.0]]\ns = sum(a, axis=0)\nsum(s * s)",
            "sum",
            0,
        ),
    ] {
        assert_local_jacobian_matches(source, op, which);
    }
}

#[test]
fn a_local_jacobian_of_a_missing_node_or_input_is_an_error() {
    let run = run_with("x = [1.0, 2.0]\nsum(x)", &[]);
    assert!(run.local_jacobian(99, 0).is_err());
    assert!(run.local_jacobian(1, 1).is_err());
}

#[test]
fn the_program_jacobian_leaves_the_gradients_of_the_backward_pass() {
    let mut run = run_with("x = [1.0, 2.0, 3.0]\ny = x * x\nsum(y)", &[]);
    let leaf = run.leaves()[0].node;
    let before = run.graph().grad(leaf).to_vec();
    run.jacobian("x", gradscope::program::Mode::Reverse).unwrap();
    assert_eq!(run.graph().grad(leaf), before);
}

const CELL: &str = "seed(0)\nW = randn(3, 3)\nh = randn(3)\nfor t in range(4):\n    h = tanh(W @ h)\nsum(h)";

#[test]
fn collapsed_iterations_are_one_item_each_and_the_layout_stays_a_dag() {
    let run = run_with(CELL, &[]);
    let report = run.report();
    assert_eq!(report.groups.len(), 4);
    let all: Vec<usize> = (0..4).collect();
    let collapsed = run.layout_collapsed(&all, &[]);
    let groups: Vec<usize> = collapsed
        .items
        .iter()
        .filter_map(|i| match i {
            LayoutItem::Group(g) => Some(*g),
            LayoutItem::Node(_) | LayoutItem::Loop(_) => None,
        })
        .collect();
    assert_eq!(groups, [0, 1, 2, 3]);
    // Each node is drawn by its group's item, or by itself outside every group.
    for (n, origin) in report.origins.iter().enumerate() {
        let item = collapsed.items[collapsed.item_of[n]];
        match origin.group {
            Some(g) => assert_eq!(item, LayoutItem::Group(g)),
            None => assert_eq!(item, LayoutItem::Node(n)),
        }
    }
    // Iteration t reads iteration t − 1's h: the items form a chain, left to right.
    let layout = &collapsed.layout;
    let x_of = |g: usize| {
        layout.nodes[collapsed
            .items
            .iter()
            .position(|&i| i == LayoutItem::Group(g))
            .unwrap()]
        .x
    };
    assert!((1..4).all(|g| x_of(g) > x_of(g - 1)));
    for e in &layout.edges {
        assert!(e.from < e.to, "items keep a topological order");
    }
    assert_eq!(crossings(layout), 0);
    // Nothing collapsed draws every node.
    let open = run.layout_collapsed(&[], &[]);
    assert_eq!(open.items.len(), run.graph().len());
    assert_eq!(open.layout.nodes.len(), run.layout().nodes.len());
}

#[test]
fn a_collapsed_loop_inside_a_call_is_inside_the_call_box_when_that_is_collapsed() {
    let source =
        "def f(v):\n    for i in range(3):\n        v = v * 2\n    return v\ny = f([1.0, 2.0])\nsum(y)";
    let run = run_with(source, &[]);
    let report = run.report();
    let call = report.groups.iter().position(|g| g.kind == "call").unwrap();
    let everything: Vec<usize> = (0..report.groups.len()).collect();
    let collapsed = run.layout_collapsed(&everything, &[]);
    let groups = collapsed
        .items
        .iter()
        .filter(|i| matches!(i, LayoutItem::Group(_)))
        .count();
    assert_eq!(groups, 1, "the call's box holds its iterations");
    assert!(collapsed.items.contains(&LayoutItem::Group(call)));
}

#[test]
fn each_iteration_is_drawn_in_columns_right_of_the_one_before() {
    // `U @ xs[t]` depends on no earlier step: laid out by its edges alone, every step's
    // would start at the left, and the steps' boxes would overlap.
    let source = "seed(0)\nW = randn(3, 3)\nU = randn(3, 2)\nh = zeros(3)\nxs = randn(4, 2)\nfor t in range(4):\n    h = tanh(W @ h + U @ xs[t])\nsum(h * h)";
    let run = run_with(source, &[]);
    let report = run.report();
    let layout = run.layout();
    let layers_of = |g: usize| -> Vec<usize> {
        report
            .origins
            .iter()
            .enumerate()
            .filter(|(_, o)| o.group == Some(g))
            .map(|(n, _)| layout.nodes[n].layer)
            .collect()
    };
    for g in 1..4 {
        let before = *layers_of(g - 1).iter().max().unwrap();
        let now = *layers_of(g).iter().min().unwrap();
        assert!(
            now > before,
            "step {g} starts at layer {now}, step {} ends at {before}",
            g - 1
        );
    }
    for e in &layout.edges {
        assert!(
            layout.nodes[e.from].layer < layout.nodes[e.to].layer,
            "edges go left to right"
        );
    }
}

#[test]
fn a_collapsed_loop_is_one_item_for_all_its_iterations() {
    let run = run_with(CELL, &[]);
    let report = run.report();
    assert_eq!(report.loops.len(), 1);
    assert_eq!(report.loops[0].iterations, [0, 1, 2, 3]);
    let collapsed = run.layout_collapsed(&[], &[0]);
    let loop_item = collapsed
        .items
        .iter()
        .position(|&i| i == LayoutItem::Loop(0))
        .unwrap();
    for (n, origin) in report.origins.iter().enumerate() {
        if origin.group.is_some() {
            assert_eq!(collapsed.item_of[n], loop_item);
        }
    }
    // W, h and the sum outside the loop, and the loop: four items (W feeds every step).
    assert_eq!(collapsed.items.len(), run.graph().len() - 4 * 2 + 1);
}

#[test]
fn iterations_that_make_nothing_do_not_break_the_layout() {
    // Step 0 makes no node (the `if` does nothing), step 1 does; and a `continue` too.
    for source in [
        "x = [1.0, 2.0]\ny = x\nfor i in range(2):\n    if i == 1:\n        y = y * 2\nsum(y)",
        "x = [1.0, 2.0]\ny = x\nfor i in range(3):\n    if i < 2:\n        continue\n    y = y * 2\nsum(y)",
    ] {
        let run = run_with(source, &[]);
        let layout = run.layout();
        for e in &layout.edges {
            assert!(layout.nodes[e.from].layer < layout.nodes[e.to].layer, "{source}");
        }
        let groups: Vec<usize> = (0..run.report().groups.len()).collect();
        assert!(!run.layout_collapsed(&groups, &[0]).items.is_empty());
    }
}

#[test]
fn an_op_has_a_jacobian_with_respect_to_a_constant_though_no_gradient_flows_into_it() {
    // `[1.0, 2.0]` unnamed is a constant: backprop sends it nothing, but ∂(W @ c)/∂c = W.
    let source = "W = [[1.0, 2.0], [3.0, 4.0]]\nsum(W @ [1.0, 2.0])";
    let run = run_with(source, &[]);
    let node = node_of_op(&run, "matmul");
    let local = run.local_jacobian(node, 1).unwrap();
    assert_eq!(local.jacobian.entries, [1.0, 2.0, 3.0, 4.0]);
    assert_eq!(
        local.vjp,
        [0.0, 0.0],
        "what the backward pass sent the constant: nothing"
    );
}
