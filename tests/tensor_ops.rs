//! Gradient checks of the tensor ops against central differences on random shapes, and
//! forward mode against reverse mode.
#![cfg(not(target_arch = "wasm32"))]

use gradscope::gradcheck;
use gradscope::ops::{Axis, Binary, Unary, Window};
use gradscope::{Graph, NodeId, Shape, Tensor};
use proptest::prelude::*;

fn tensor(shape: Shape, seed: u64) -> Tensor<f64> {
    // A small deterministic generator: magnitudes in [0.5, 1.5) with either sign, away
    // from the kinks at 0 and from the poles of division, where central differences
    // would be the inaccurate side.
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let data = (0..shape.len())
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (s >> 11) as f64 / (1u64 << 53) as f64;
            let sign = if s & (1 << 7) == 0 { 1.0 } else { -1.0 };
            sign * (0.5 + u)
        })
        .collect();
    Tensor::new(shape, data).unwrap()
}

fn assert_gradients(graph: &mut Graph<f64>, root: NodeId, wrt: &[NodeId]) {
    for c in gradcheck::check(graph, root, wrt) {
        assert!(
            c.error() < 1e-6,
            "node {} element {}: autodiff {} numeric {}",
            c.node,
            c.element,
            c.autodiff,
            c.numeric
        );
    }
    // Forward mode along a random direction equals the gradient's dot product with it.
    let seeds: Vec<(NodeId, Tensor<f64>)> = wrt
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, tensor(graph.node(id).shape, 99 + i as u64)))
        .collect();
    let dot: f64 = seeds
        .iter()
        .map(|(id, t)| {
            graph
                .grad(*id)
                .iter()
                .zip(&t.data)
                .map(|(g, t)| g * t)
                .sum::<f64>()
        })
        .sum();
    let refs: Vec<(NodeId, &[f64])> = seeds.iter().map(|(id, t)| (*id, t.data.as_slice())).collect();
    graph.jvp(&refs).unwrap();
    let directional: f64 = graph.tangent(root).iter().sum();
    assert!(
        (directional - dot).abs() <= 1e-9 * dot.abs().max(1.0),
        "jvp {directional} vs grad·v {dot}"
    );
}

fn dims() -> impl Strategy<Value = usize> {
    1usize..6
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..config() })]

    #[test]
    fn matmul_then_nonlinearity(m in dims(), k in dims(), n in dims(), seed in any::<u64>()) {
        let mut g = Graph::new();
        let a = g.parameter("A", tensor(Shape::matrix(m, k), seed));
        let b = g.parameter("B", tensor(Shape::matrix(k, n), seed + 1));
        let c = g.matmul(a, b).unwrap();
        let t = g.unary(Unary::Tanh, c);
        let loss = g.sum(t, Axis::All).unwrap();
        assert_gradients(&mut g, loss, &[a, b]);
    }

    #[test]
    fn matmul_of_vectors_and_matrices(m in dims(), k in dims(), n in dims(), seed in any::<u64>(), case in 0usize..4) {
        // NumPy's `@`: a vector on the left is a row, on the right a column, and the output
        // drops the dimension the vector did not have.
        let (left_vector, right_vector) = (case & 1 == 1, case & 2 == 2);
        let a_shape = if left_vector { Shape::vector(k) } else { Shape::matrix(m, k) };
        let b_shape = if right_vector { Shape::vector(k) } else { Shape::matrix(k, n) };
        let want = match (left_vector, right_vector) {
            (false, false) => Shape::matrix(m, n),
            (true, false) => Shape::vector(n),
            (false, true) => Shape::vector(m),
            (true, true) => Shape::SCALAR,
        };
        let mut g = Graph::new();
        let a = g.parameter("A", tensor(a_shape, seed));
        let b = g.parameter("B", tensor(b_shape, seed + 1));
        let c = g.matmul(a, b).unwrap();
        prop_assert_eq!(g.node(c).shape, want);
        // The same numbers as the matrix product of the row/column views.
        let mut h = Graph::new();
        let a2 = h.input("A", Tensor::new(Shape::matrix(a_shape.rows(), k), g.value(a).to_vec()).unwrap());
        let b2 = h.input("B", Tensor::new(Shape::matrix(k, b_shape.len() / k), g.value(b).to_vec()).unwrap());
        let c2 = h.matmul(a2, b2).unwrap();
        prop_assert_eq!(g.value(c), h.value(c2));
        let t = g.unary(Unary::Tanh, c);
        let loss = g.sum(t, Axis::All).unwrap();
        assert_gradients(&mut g, loss, &[a, b]);
    }

    #[test]
    fn select_any_window(r in dims(), c in dims(), seed in any::<u64>(), corner in any::<(u32, u32, u32, u32)>()) {
        // A random block of a random matrix, read as a matrix, then as a vector when it is
        // one row or column (x[i, a:b], x[a:b, j]); each feeds a nonlinearity.
        let (row, col) = (corner.0 % r as u32, corner.1 % c as u32);
        let rows = 1 + corner.2 % (r as u32 - row);
        let cols = 1 + corner.3 % (c as u32 - col);
        let mut g = Graph::new();
        let x = g.parameter("x", tensor(Shape::matrix(r, c), seed));
        let shape = Shape::matrix(rows as usize, cols as usize);
        let block = g.select(x, Window { row, rows, col, cols, shape }).unwrap();
        for i in 0..rows as usize {
            for j in 0..cols as usize {
                let at = (row as usize + i) * c + col as usize + j;
                prop_assert_eq!(g.value(block)[i * cols as usize + j], g.value(x)[at]);
            }
        }
        let y = g.unary(Unary::Sin, block);
        let mut loss = g.sum(y, Axis::All).unwrap();
        if rows == 1 || cols == 1 {
            let shape = Shape::vector((rows * cols) as usize);
            let line = g.select(x, Window { row, rows, col, cols, shape }).unwrap();
            let sq = g.binary(Binary::Mul, line, line).unwrap();
            let s = g.sum(sq, Axis::All).unwrap();
            loss = g.binary(Binary::Add, loss, s).unwrap();
        }
        assert_gradients(&mut g, loss, &[x]);
    }

    #[test]
    fn broadcasting_rows_columns_and_scalars(r in dims(), c in dims(), seed in any::<u64>(), op in 0usize..6) {
        let op = [Binary::Add, Binary::Sub, Binary::Mul, Binary::Div, Binary::Max, Binary::Min][op];
        let mut g = Graph::new();
        let x = g.parameter("x", tensor(Shape::matrix(r, c), seed));
        let row = g.parameter("row", tensor(Shape::vector(c), seed + 1));
        let col = g.parameter("col", tensor(Shape::matrix(r, 1), seed + 2));
        let s = g.parameter("s", tensor(Shape::SCALAR, seed + 3));
        let y = g.binary(op, x, row).unwrap();
        let y = g.binary(op, y, col).unwrap();
        let y = g.binary(op, s, y).unwrap();
        let y = g.unary(Unary::Sin, y);
        let loss = g.sum(y, Axis::All).unwrap();
        prop_assert_eq!(g.node(y).shape, Shape::matrix(r, c));
        assert_gradients(&mut g, loss, &[x, row, col, s]);
    }

    #[test]
    fn reductions_along_each_axis(r in dims(), c in dims(), seed in any::<u64>()) {
        let mut g = Graph::new();
        let x = g.parameter("x", tensor(Shape::matrix(r, c), seed));
        let sq = g.binary(Binary::Mul, x, x).unwrap();
        let over_rows = g.sum(sq, Axis::Index(0)).unwrap();
        let over_cols = g.mean(x, Axis::Index(1)).unwrap();
        prop_assert_eq!(g.node(over_rows).shape, Shape::vector(c));
        prop_assert_eq!(g.node(over_cols).shape, Shape::vector(r));
        let a = g.unary(Unary::Exp, over_rows);
        let a = g.mean(a, Axis::Index(0)).unwrap();
        let b = g.unary(Unary::Sigmoid, over_cols);
        let b = g.sum(b, Axis::All).unwrap();
        let t = g.transpose(x);
        let t = g.mean(t, Axis::All).unwrap();
        let loss = g.binary(Binary::Add, a, b).unwrap();
        let loss = g.binary(Binary::Mul, loss, t).unwrap();
        assert_gradients(&mut g, loss, &[x]);
    }

    #[test]
    fn amax_and_logsumexp_along_each_axis(r in dims(), c in dims(), seed in any::<u64>(), axis in 0usize..3, vector in any::<bool>()) {
        let shape = if vector { Shape::vector(c) } else { Shape::matrix(r, c) };
        let axis = match axis {
            0 => Axis::All,
            _ if vector => Axis::Index(0),
            i => Axis::Index(i - 1),
        };
        let want = match (axis, vector) {
            (Axis::All, _) | (_, true) => Shape::SCALAR,
            (Axis::Index(0), false) => Shape::vector(c),
            _ => Shape::vector(r),
        };
        let mut g = Graph::new();
        let x = g.parameter("x", tensor(shape, seed));
        let three = g.constant("3", Tensor::scalar(3.0));
        let x3 = g.binary(Binary::Mul, x, three).unwrap();
        let top = g.amax(x, axis).unwrap();
        let lse = g.logsumexp(x3, axis).unwrap();
        prop_assert_eq!((g.node(top).shape, g.node(lse).shape), (want, want));
        // Bounds that pin the value: max ≤ lse(3x)/3 ≤ max + ln(count)/3.
        let count = shape.len() / want.len();
        for (&m, &l) in g.value(top).iter().zip(g.value(lse)) {
            prop_assert!(3.0 * m <= l + 1e-12 && l <= 3.0 * m + (count as f64).ln() + 1e-12);
        }
        let s = g.unary(Unary::Sin, top);
        let sq = g.binary(Binary::Mul, lse, lse).unwrap();
        let y = g.binary(Binary::Add, s, sq).unwrap();
        let loss = g.sum(y, Axis::All).unwrap();
        assert_gradients(&mut g, loss, &[x]);
    }

    #[test]
    fn softmax_and_log_softmax_along_each_axis(r in dims(), c in dims(), seed in any::<u64>(), axis in 0usize..3, vector in any::<bool>()) {
        let shape = if vector { Shape::vector(c) } else { Shape::matrix(r, c) };
        let axis = match axis {
            0 => Axis::All,
            _ if vector => Axis::Index(0),
            i => Axis::Index(i - 1),
        };
        let mut g = Graph::new();
        let x = g.parameter("x", tensor(shape, seed));
        let three = g.constant("3", Tensor::scalar(3.0));
        let x3 = g.binary(Binary::Mul, x, three).unwrap();
        // Weights, since a plain sum of a softmax is 1 whatever x is.
        let w = g.constant("w", tensor(shape, seed + 1));
        let s = g.softmax(x3, axis).unwrap();
        let ls = g.log_softmax(x, axis).unwrap();
        prop_assert_eq!((g.node(s).shape, g.node(ls).shape), (shape, shape));
        // Each lane sums to 1, and log_softmax is x − logsumexp of its lane.
        let total = g.sum(s, axis).unwrap();
        prop_assert!(g.value(total).iter().all(|t| (t - 1.0).abs() < 1e-12));
        let lse = g.logsumexp(x, axis).unwrap();
        let lane = |i: usize, j: usize| match axis {
            Axis::All => 0,
            Axis::Index(0) if !vector => j,
            _ => i,
        };
        for i in 0..shape.rows() {
            for j in 0..shape.cols() {
                let k = i * shape.cols() + j;
                let want = g.value(x)[k] - g.value(lse)[lane(i, j)];
                prop_assert!((g.value(ls)[k] - want).abs() < 1e-12);
            }
        }
        let a = g.binary(Binary::Mul, s, w).unwrap();
        let b = g.binary(Binary::Mul, ls, w).unwrap();
        let b = g.unary(Unary::Sin, b);
        let y = g.binary(Binary::Add, a, b).unwrap();
        let loss = g.sum(y, Axis::All).unwrap();
        assert_gradients(&mut g, loss, &[x]);
    }

    #[test]
    fn softmax_cross_entropy(n in dims(), k in 2usize..6, seed in any::<u64>()) {
        let mut g = Graph::new();
        let logits = g.parameter("z", tensor(Shape::matrix(n, k), seed));
        let scaled = g.constant("4", Tensor::scalar(4.0));
        let z = g.binary(Binary::Mul, logits, scaled).unwrap();
        let labels: Vec<f64> = (0..n).map(|i| ((seed as usize + i) % k) as f64).collect();
        let y = g.constant("labels", Tensor::new(Shape::vector(n), labels).unwrap());
        let loss = g.softmax_cross_entropy(z, y).unwrap();
        assert_gradients(&mut g, loss, &[logits]);
    }
}

#[test]
fn softmax_cross_entropy_is_stable_for_huge_logits() {
    let mut g = Graph::new();
    let z = g.parameter(
        "z",
        Tensor::new(Shape::matrix(1, 3), vec![1000.0, 0.0, -1000.0]).unwrap(),
    );
    let y = g.constant("y", Tensor::new(Shape::vector(1), vec![1.0]).unwrap());
    let loss = g.softmax_cross_entropy(z, y).unwrap();
    g.backward(loss);
    assert_eq!(g.value(loss)[0], 1000.0);
    assert_eq!(g.grad(z), &[1.0, -1.0, 0.0]);
}

#[test]
fn an_invalid_label_gives_nan_not_a_panic() {
    let mut g = Graph::<f64>::new();
    let z = g.parameter("z", Tensor::new(Shape::matrix(2, 2), vec![0.0; 4]).unwrap());
    let y = g.constant("y", Tensor::new(Shape::vector(2), vec![0.0, 7.0]).unwrap());
    let loss = g.softmax_cross_entropy(z, y).unwrap();
    assert!(g.value(loss)[0].is_nan());
}

#[test]
fn shape_mismatches_are_typed_errors_with_the_shapes() {
    use gradscope::ops::ShapeError;
    use gradscope::GraphError;
    let mut g = Graph::<f32>::new();
    let a = g.input("a", Tensor::zeros(Shape::matrix(2, 3)));
    let b = g.input("b", Tensor::zeros(Shape::matrix(2, 3)));
    let c = g.input("c", Tensor::zeros(Shape::vector(2)));
    let (m23, v2) = (Shape::matrix(2, 3), Shape::vector(2));
    let e = g.matmul(a, b).unwrap_err();
    assert_eq!(e, GraphError::Shape(ShapeError::MatmulInner { a: m23, b: m23 }));
    assert_eq!(e.kind(), "shape");
    assert_eq!(
        e.to_string(),
        "cannot multiply 2×3 by 2×3: inner sizes 3 and 2 differ"
    );
    assert_eq!(
        g.binary(Binary::Add, a, c).unwrap_err(),
        GraphError::Shape(ShapeError::Broadcast {
            op: "+",
            a: m23,
            b: v2
        })
    );
    assert_eq!(
        g.sum(a, Axis::Index(2)).unwrap_err(),
        GraphError::Shape(ShapeError::Axis { axis: 2, shape: m23 })
    );
    assert!(matches!(
        g.softmax_cross_entropy(a, a),
        Err(GraphError::Shape(ShapeError::Labels { labels: 6, rows: 2 }))
    ));
    assert_eq!(
        g.set_value(a, &[1.0]),
        Err(GraphError::Length {
            node: a,
            shape: m23,
            got: 1
        })
    );
    let sum = g.binary(Binary::Add, a, b).unwrap();
    assert_eq!(g.set_value(sum, &[0.0; 6]), Err(GraphError::NotALeaf(sum)));
}

#[test]
fn matmul_of_two_vectors_is_their_dot_product() {
    let mut g = Graph::new();
    let a = g.input("a", Tensor::new(Shape::vector(3), vec![1.0, 2.0, 3.0]).unwrap());
    let b = g.input("b", Tensor::new(Shape::vector(3), vec![4.0, 5.0, 6.0]).unwrap());
    let dot = g.matmul(a, b).unwrap();
    assert_eq!(g.node(dot).shape, Shape::SCALAR);
    assert_eq!(g.value(dot), &[32.0]);
    g.backward(dot);
    assert_eq!(
        (g.grad(a), g.grad(b)),
        (&[4.0, 5.0, 6.0][..], &[1.0, 2.0, 3.0][..])
    );

    // [1, 2] @ [[1, 2, 3], [4, 5, 6]] = [9, 12, 15]; the matrix by [1, 1, 1] is [6, 15].
    let v = g.input("v", Tensor::new(Shape::vector(2), vec![1.0, 2.0]).unwrap());
    let m = g.input(
        "m",
        Tensor::new(Shape::matrix(2, 3), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap(),
    );
    let ones = g.input("1", Tensor::new(Shape::vector(3), vec![1.0; 3]).unwrap());
    let vm = g.matmul(v, m).unwrap();
    let mv = g.matmul(m, ones).unwrap();
    assert_eq!(
        (g.node(vm).shape, g.value(vm)),
        (Shape::vector(3), &[9.0, 12.0, 15.0][..])
    );
    assert_eq!(
        (g.node(mv).shape, g.value(mv)),
        (Shape::vector(2), &[6.0, 15.0][..])
    );
}

#[test]
fn matmul_refuses_scalars_and_mismatched_vectors() {
    use gradscope::ops::ShapeError;
    use gradscope::GraphError;
    let mut g = Graph::<f64>::new();
    let s = g.input("s", Tensor::scalar(2.0));
    let m = g.input("m", Tensor::zeros(Shape::matrix(2, 3)));
    let v = g.input("v", Tensor::zeros(Shape::vector(3)));
    let e = g.matmul(s, m).unwrap_err();
    assert_eq!(
        e,
        GraphError::Shape(ShapeError::MatmulRank {
            a: Shape::SCALAR,
            b: Shape::matrix(2, 3)
        })
    );
    assert_eq!(
        e.to_string(),
        "cannot multiply a scalar by 2×3: @ needs vectors or matrices"
    );
    assert_eq!(
        g.matmul(m, s).unwrap_err().to_string(),
        "cannot multiply 2×3 by a scalar: @ needs vectors or matrices"
    );
    assert_eq!(
        g.matmul(v, m).unwrap_err().to_string(),
        "cannot multiply [3] by 2×3: inner sizes 3 and 2 differ"
    );
    let w = g.input("w", Tensor::zeros(Shape::vector(2)));
    assert_eq!(
        g.matmul(m, w).unwrap_err().to_string(),
        "cannot multiply 2×3 by [2]: inner sizes 3 and 2 differ"
    );
    assert!(g.matmul(m, v).is_ok() && g.matmul(w, m).is_ok());
}

#[test]
fn select_a_column_an_element_and_refuse_what_does_not_fit() {
    use gradscope::ops::ShapeError;
    use gradscope::GraphError;
    let mut g = Graph::new();
    let m = g.input(
        "m",
        Tensor::new(Shape::matrix(2, 3), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap(),
    );
    // m[:, 1] is the vector [2, 5]; its gradient lands in column 1 only.
    let column = Window {
        row: 0,
        rows: 2,
        col: 1,
        cols: 1,
        shape: Shape::vector(2),
    };
    let c = g.select(m, column).unwrap();
    assert_eq!((g.node(c).shape, g.value(c)), (Shape::vector(2), &[2.0, 5.0][..]));
    assert_eq!(g.node(c).op.name(), "index");
    g.backward(c);
    assert_eq!(g.grad(m), &[0.0, 1.0, 0.0, 0.0, 1.0, 0.0]);
    // v[2] of a vector is a scalar.
    let v = g.input("v", Tensor::new(Shape::vector(3), vec![7.0, 8.0, 9.0]).unwrap());
    let element = Window {
        row: 0,
        rows: 1,
        col: 2,
        cols: 1,
        shape: Shape::SCALAR,
    };
    let e = g.select(v, element).unwrap();
    assert_eq!((g.node(e).shape, g.value(e)), (Shape::SCALAR, &[9.0][..]));

    let outside = Window { col: 3, ..element };
    let err = g.select(v, outside).unwrap_err();
    assert_eq!(
        err,
        GraphError::Shape(ShapeError::Window {
            window: outside,
            input: Shape::vector(3)
        })
    );
    assert_eq!(
        err.to_string(),
        "index window rows 0..1, columns 3..4 is outside [3] (rows 0..1, columns 0..3)"
    );
    let tall = Window { rows: 3, ..column };
    assert_eq!(
        g.select(m, tall).unwrap_err().to_string(),
        "index window rows 0..3, columns 1..2 is outside 2×3 (rows 0..2, columns 0..3)"
    );
    let misread = Window {
        shape: Shape::vector(3),
        ..column
    };
    assert_eq!(
        g.select(m, misread).unwrap_err().to_string(),
        "index window rows 0..2, columns 1..2 (2 elements) cannot be read as [3] (3 elements)"
    );
    let huge = Window {
        row: u32::MAX,
        rows: u32::MAX,
        ..column
    };
    assert!(g.select(m, huge).is_err(), "no overflow at the far end");
}

#[test]
fn amax_shares_the_gradient_of_a_tie() {
    let mut g = Graph::new();
    let x = g.input("x", Tensor::new(Shape::vector(3), vec![1.0, 3.0, 3.0]).unwrap());
    let top = g.amax(x, Axis::All).unwrap();
    assert_eq!((g.value(top), g.node(top).op.name()), (&[3.0][..], "amax"));
    g.backward(top);
    assert_eq!(g.grad(x), &[0.0, 0.5, 0.5]);
    // Forward mode: the mean of the tied tangents, consistent with the shared gradient.
    g.jvp(&[(x, &[10.0, 2.0, 4.0])]).unwrap();
    assert_eq!(g.tangent(top), &[3.0]);

    let m = g.input(
        "m",
        Tensor::new(Shape::matrix(2, 2), vec![1.0, 5.0, 4.0, 2.0]).unwrap(),
    );
    let down = g.amax(m, Axis::Index(0)).unwrap();
    let along = g.amax(m, Axis::Index(1)).unwrap();
    assert_eq!(
        (g.value(down), g.value(along)),
        (&[4.0, 5.0][..], &[5.0, 4.0][..])
    );
    g.backward(down);
    assert_eq!(g.grad(m), &[0.0, 1.0, 1.0, 0.0]);

    // A NaN is the maximum, as in NumPy (f64::max would skip it), and its gradient NaN.
    let n = g.input("n", Tensor::new(Shape::vector(2), vec![f64::NAN, 1.0]).unwrap());
    let top = g.amax(n, Axis::All).unwrap();
    assert!(g.value(top)[0].is_nan());
    g.backward(top);
    assert!(g.grad(n).iter().all(|d| d.is_nan()));
}

#[test]
fn logsumexp_is_stable_and_its_gradient_is_the_softmax() {
    let mut g = Graph::<f64>::new();
    let x = g.input("x", Tensor::new(Shape::vector(2), vec![1000.0, 1000.0]).unwrap());
    let lse = g.logsumexp(x, Axis::All).unwrap();
    assert_eq!(g.node(lse).op.name(), "logsumexp");
    assert!(g.value(lse)[0].is_finite());
    assert!((g.value(lse)[0] - (1000.0 + 2f64.ln())).abs() < 1e-12);
    g.backward(lse);
    assert_eq!(g.grad(x), &[0.5, 0.5]);

    let m = g.input(
        "m",
        Tensor::new(Shape::matrix(2, 3), vec![1.0, 2.0, 3.0, -1.0, 0.0, 4.0]).unwrap(),
    );
    let rows = g.logsumexp(m, Axis::Index(1)).unwrap();
    let lse = |v: &[f64]| v.iter().map(|x| x.exp()).sum::<f64>().ln();
    for (got, want) in g
        .value(rows)
        .iter()
        .zip([lse(&[1.0, 2.0, 3.0]), lse(&[-1.0, 0.0, 4.0])])
    {
        assert!((got - want).abs() < 1e-12);
    }

    // −∞ elements contribute nothing; all −∞ gives −∞, not NaN; +∞ gives +∞ (as JAX).
    let inf = f64::INFINITY;
    let v = g.input("v", Tensor::new(Shape::vector(2), vec![-inf, 0.0]).unwrap());
    let l = g.logsumexp(v, Axis::All).unwrap();
    assert_eq!(g.value(l), &[0.0]);
    g.backward(l);
    assert_eq!(g.grad(v), &[0.0, 1.0]);
    let none = g.input("none", Tensor::new(Shape::vector(2), vec![-inf, -inf]).unwrap());
    let l = g.logsumexp(none, Axis::All).unwrap();
    assert_eq!(g.value(l), &[-inf]);
    // Its gradient, the softmax of all −∞, is 0/0 as in JAX; so is the softmax itself.
    g.backward(l);
    assert!(g.grad(none).iter().all(|d| d.is_nan()));
    let s = g.softmax(none, Axis::All).unwrap();
    assert!(g.value(s).iter().all(|p| p.is_nan()));
    let big = g.input("big", Tensor::new(Shape::vector(2), vec![inf, 0.0]).unwrap());
    let l = g.logsumexp(big, Axis::All).unwrap();
    assert_eq!(g.value(l), &[inf]);

    // f32 too: e^1000 overflows f32 long before f64.
    let mut g = Graph::<f32>::new();
    let x = g.input("x", Tensor::new(Shape::vector(2), vec![1000.0, 1000.0]).unwrap());
    let lse = g.logsumexp(x, Axis::Index(0)).unwrap();
    assert!((g.value(lse)[0] - (1000.0 + 2f32.ln())).abs() < 1e-3);
}

#[test]
fn softmax_normalises_rows_or_columns_and_is_stable() {
    let mut g = Graph::<f64>::new();
    let m = g.input(
        "m",
        Tensor::new(Shape::matrix(2, 3), vec![1.0, 2.0, 3.0, 1.0, 1.0, 1.0]).unwrap(),
    );
    let rows = g.softmax(m, Axis::Index(1)).unwrap();
    let columns = g.softmax(m, Axis::Index(0)).unwrap();
    assert_eq!(g.node(rows).op.name(), "softmax");
    let e = |x: f64| x.exp();
    let row0 = [e(1.0), e(2.0), e(3.0)].map(|v| v / (e(1.0) + e(2.0) + e(3.0)));
    for (got, want) in g.value(rows).iter().zip(row0.iter().chain(&[1.0 / 3.0; 3])) {
        assert!((got - want).abs() < 1e-15, "{got} vs {want}");
    }
    let column_sums = g.sum(columns, Axis::Index(0)).unwrap();
    assert!(g.value(column_sums).iter().all(|t| (t - 1.0).abs() < 1e-15));
    assert!((g.value(columns)[2] - e(3.0) / (e(3.0) + e(1.0))).abs() < 1e-15);

    // Large values: the maximum is subtracted first.
    let big = g.input(
        "big",
        Tensor::new(Shape::vector(2), vec![1000.0, 1000.0]).unwrap(),
    );
    let s = g.softmax(big, Axis::Index(0)).unwrap();
    assert_eq!(g.value(s), &[0.5, 0.5]);
    let far = g.input("far", Tensor::new(Shape::vector(2), vec![1000.0, 0.0]).unwrap());
    let ls = g.log_softmax(far, Axis::All).unwrap();
    assert_eq!(
        (g.value(ls), g.node(ls).op.name()),
        (&[0.0, -1000.0][..], "log_softmax")
    );
    // A −∞ logit has probability 0 and log-probability −∞, without disturbing the rest.
    let inf = f64::INFINITY;
    let masked = g.input(
        "masked",
        Tensor::new(Shape::vector(3), vec![0.0, -inf, 0.0]).unwrap(),
    );
    let s = g.softmax(masked, Axis::All).unwrap();
    let ls = g.log_softmax(masked, Axis::All).unwrap();
    assert_eq!(g.value(s), &[0.5, 0.0, 0.5]);
    assert_eq!(g.value(ls)[1], -inf);
    g.backward(s);
    assert!(
        g.grad(masked).iter().all(|d| d.abs() < 1e-15),
        "Σ softmax is constant"
    );

    // The gradient of one probability: ∂s₀/∂x = s₀ (e₀ − s).
    let v = g.input("v", Tensor::new(Shape::vector(3), vec![0.5, -1.0, 2.0]).unwrap());
    let s = g.softmax(v, Axis::Index(0)).unwrap();
    let first = g
        .select(
            s,
            Window {
                row: 0,
                rows: 1,
                col: 0,
                cols: 1,
                shape: Shape::SCALAR,
            },
        )
        .unwrap();
    g.backward(first);
    let p = g.value(s).to_vec();
    let want = [p[0] * (1.0 - p[0]), -p[0] * p[1], -p[0] * p[2]];
    for (got, want) in g.grad(v).iter().zip(want) {
        assert!((got - want).abs() < 1e-15);
    }
    assert!(g.softmax(v, Axis::Index(1)).is_err(), "a vector has only axis 0");
}

#[test]
fn detach_passes_the_value_and_stops_the_gradient() {
    // y = x·detach(x) + x: the value is x² + x, the derivative 1·x + 1 (x as a constant).
    let mut g = Graph::new();
    let x = g.input("x", Tensor::new(Shape::vector(2), vec![3.0, -2.0]).unwrap());
    let d = g.detach(x);
    assert_eq!((g.value(d), g.node(d).op.name()), (&[3.0, -2.0][..], "detach"));
    assert!(!g.node(d).requires_grad && !g.node(d).op.differentiable_in(0));
    let p = g.binary(Binary::Mul, x, d).unwrap();
    let y = g.binary(Binary::Add, p, x).unwrap();
    let loss = g.sum(y, Axis::All).unwrap();
    assert_eq!(g.value(y), &[12.0, 2.0]);
    g.backward(loss);
    assert_eq!((g.grad(x), g.grad(d)), (&[4.0, -1.0][..], &[0.0, 0.0][..]));
    // Forward mode agrees: the detached path carries a zero tangent.
    g.jvp(&[(x, &[1.0, 1.0])]).unwrap();
    assert_eq!((g.tangent(d), g.tangent(loss)), (&[0.0, 0.0][..], &[3.0][..]));
    // Only through the detached value: nothing downstream wants a gradient.
    let only = g.unary(Unary::Exp, d);
    assert!(!g.node(only).requires_grad);
    g.backward(only);
    assert_eq!(g.grad(x), &[0.0, 0.0]);
}

#[test]
fn backward_seeded_is_a_vector_jacobian_product() {
    use gradscope::GraphError;
    // y = M @ v with M 2×3: the seeded gradient of v is seedᵀ M, of M the outer product.
    let mut g = Graph::new();
    let m = g.input(
        "m",
        Tensor::new(Shape::matrix(2, 3), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap(),
    );
    let v = g.input("v", Tensor::new(Shape::vector(3), vec![1.0, 0.0, -1.0]).unwrap());
    let y = g.matmul(m, v).unwrap();
    g.backward_seeded(y, &[2.0, -1.0]).unwrap();
    assert_eq!(g.grad(v), &[-2.0, -1.0, 0.0]);
    assert_eq!(g.grad(m), &[2.0, 0.0, -2.0, -1.0, 0.0, 1.0]);
    assert_eq!(g.grad(y), &[2.0, -1.0]);
    // Ones give what backward gives, and a new seed replaces the old gradients.
    g.backward_seeded(y, &[1.0, 1.0]).unwrap();
    let seeded = g.grad(v).to_vec();
    g.backward(y);
    assert_eq!(g.grad(v), seeded.as_slice());
    assert_eq!(
        g.backward_seeded(y, &[1.0; 3]),
        Err(GraphError::Length {
            node: y,
            shape: Shape::vector(2),
            got: 3
        })
    );
    assert_eq!(
        g.backward_seeded(y, &[]).unwrap_err().to_string(),
        format!("node {} has shape [2] (2 values), got 0 values", y.0)
    );
}

#[test]
fn the_same_ops_train_in_f32() {
    // Fit w·x to y = 3x by gradient descent: one generic implementation serves f32 too.
    let mut g = Graph::<f32>::new();
    let x = g.input(
        "x",
        Tensor::new(Shape::matrix(4, 1), vec![1.0, 2.0, 3.0, 4.0]).unwrap(),
    );
    let y = g.input(
        "y",
        Tensor::new(Shape::matrix(4, 1), vec![3.0, 6.0, 9.0, 12.0]).unwrap(),
    );
    let w = g.parameter("w", Tensor::new(Shape::matrix(1, 1), vec![0.0]).unwrap());
    let pred = g.matmul(x, w).unwrap();
    let err = g.binary(Binary::Sub, pred, y).unwrap();
    let sq = g.binary(Binary::Mul, err, err).unwrap();
    let loss = g.mean(sq, Axis::All).unwrap();
    for _ in 0..100 {
        g.forward();
        g.backward(loss);
        g.step(0.02);
    }
    g.forward();
    assert!((g.value(w)[0] - 3.0).abs() < 1e-4, "w = {}", g.value(w)[0]);
    assert!(g.value(loss)[0] < 1e-6);
}

#[test]
fn gradients_from_several_paths_are_summed() {
    // micrograd issue #64: b = a + a; c = b + b gives dc/da = 4.
    let mut g = Graph::new();
    let a = g.input("a", Tensor::scalar(3.0));
    let b = g.binary(Binary::Add, a, a).unwrap();
    let c = g.binary(Binary::Add, b, b).unwrap();
    g.backward(c);
    assert_eq!(g.grad(a), &[4.0]);
    // Calling backward again gives the same gradients, not twice them.
    g.backward(c);
    assert_eq!(g.grad(a), &[4.0]);
    g.zero_grad();
    assert_eq!(g.grad(a), &[0.0]);
}

#[test]
fn conventions_at_kinks_and_for_pow() {
    let mut g = Graph::new();
    let x = g.input("x", Tensor::scalar(0.0));
    let relu = g.unary(Unary::Relu, x);
    let abs = g.unary(Unary::Abs, x);
    let m = g.binary(Binary::Max, x, x).unwrap();
    for (root, want) in [(relu, 0.0), (abs, 0.0), (m, 1.0)] {
        g.backward(root);
        assert_eq!(g.grad(x)[0], want);
    }
    let mut g = Graph::<f64>::new();
    let a = g.input("a", Tensor::scalar(-3.0));
    let b = g.input("b", Tensor::scalar(2.0));
    let p = g.binary(Binary::Pow, a, b).unwrap();
    g.backward(p);
    assert_eq!(g.grad(a)[0], -6.0);
    assert!(g.grad(b)[0].is_nan(), "∂(a^b)/∂b = a^b·ln a is NaN for a ≤ 0");
}

/// A fixed seed: the same cases on every run, so CI cannot flake. (Explore with
/// `PROPTEST_RNG_SEED=random PROPTEST_CASES=5000 cargo test`.)
fn config() -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var("PROPTEST_RNG_SEED").is_err() {
        c.rng_seed = proptest::test_runner::RngSeed::Fixed(0x6772_6164);
    }
    c.failure_persistence = None;
    c
}
