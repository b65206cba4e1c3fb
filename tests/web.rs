//! The JavaScript API in a real browser (headless Chromium via `wasm-pack test --headless
//! --chrome`): the lecture's examples round-trip, and bad input comes back as errors.
#![cfg(target_arch = "wasm32")]

use gradscope::wasm::{Expression, JsGraph, JsTrainer};
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

fn num(v: &JsValue, key: &str) -> f64 {
    get(v, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number"))
}

fn array(v: &JsValue, key: &str) -> js_sys::Array {
    get(v, key).dyn_into().unwrap()
}

#[wasm_bindgen_test]
fn lectures_first_expression() {
    let mut e = Expression::new("ln(x1)+x1*x2-sin(x2)").unwrap();
    assert_eq!(e.variables(), ["x1", "x2"]);
    let r = e.evaluate(&[2.0, 5.0]).unwrap();
    assert!((num(&r, "value") - 11.652071455223084).abs() < 1e-12);
    let g = array(&r, "gradient");
    assert_eq!(g.get(0).as_f64(), Some(5.5));
    assert!((g.get(1).as_f64().unwrap() - 1.7163378145367738).abs() < 1e-12);
    // x1 and x2 are shared: x2 has two outgoing edges whose gradients sum to its gradient.
    let nodes = array(&r, "nodes");
    let mut flowed_into_x2 = 0.0;
    let mut edges_from_x2 = 0;
    for n in nodes.iter() {
        for e in array(&n, "edges").iter() {
            if num(&e, "from") == 1.0 {
                edges_from_x2 += 1;
                flowed_into_x2 += array(&e, "flowed").get(0).as_f64().unwrap();
            }
        }
    }
    assert_eq!(edges_from_x2, 2);
    assert!((flowed_into_x2 - 1.7163378145367738).abs() < 1e-12);
    // Re-evaluating at new values reuses the graph.
    let r = e.evaluate(&[1.0, 0.0]).unwrap();
    assert_eq!(array(&r, "gradient").get(0).as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
fn layout_puts_inputs_left_and_output_right() {
    let e = Expression::new("x1*x2+sin(x2)").unwrap();
    let layout = e.layout().unwrap();
    let nodes = array(&layout, "nodes");
    let layers: Vec<f64> = nodes.iter().map(|n| num(&n, "layer")).collect();
    assert_eq!(layers[0], 0.0);
    assert_eq!(layers[1], 0.0);
    let last = *layers.last().unwrap();
    assert!(layers.iter().all(|&l| l <= last));
    // x1→×, x2→×, x2→sin, ×→+, sin→+: x2 is one node with two outgoing edges.
    assert_eq!(array(&layout, "edges").length(), 5);
}

#[wasm_bindgen_test]
fn forward_mode_and_gradcheck() {
    let mut e = Expression::new("x1*x2+sin(x2)").unwrap();
    let r = e.evaluate(&[2.0, 5.0]).unwrap();
    let root = num(&r, "root") as usize;
    let t = e.tangents(1).unwrap();
    assert!((t[root] - (2.0 + 5f64.cos())).abs() < 1e-12);
    assert!(e.tangents(2).is_err());
    let checks: js_sys::Array = e.gradcheck().unwrap().dyn_into().unwrap();
    assert_eq!(checks.length(), 2);
    for c in checks.iter() {
        assert!(num(&c, "error") < 1e-7);
    }
}

#[wasm_bindgen_test]
fn parse_errors_carry_message_and_span() {
    let err = Expression::new("x1 + (x2 * 3").err().unwrap();
    assert_eq!(
        get(&err, "message").as_string().unwrap(),
        "expected ')' to close the '(' at column 6"
    );
    assert_eq!((num(&err, "start"), num(&err, "end")), (12.0, 12.0));
    let related = get(&err, "related");
    assert_eq!((num(&related, "start"), num(&related, "end")), (5.0, 6.0));
    assert!(err.is_instance_of::<js_sys::Error>());
    let err = Expression::new("<img src=x onerror=alert(1)>").err().unwrap();
    assert_eq!(
        get(&err, "message").as_string().unwrap(),
        "unexpected character '<'"
    );
    let err = Expression::new("sin(x, y)").err().unwrap();
    assert_eq!(
        get(&err, "message").as_string().unwrap(),
        "sin takes 1 argument, got 2"
    );
}

#[wasm_bindgen_test]
fn non_finite_values_are_numbers_not_crashes() {
    let mut e = Expression::new("ln(x) + 1/y").unwrap();
    let r = e.evaluate(&[-1.0, 0.0]).unwrap();
    assert!(num(&r, "value").is_nan());
    assert_eq!(array(&r, "gradient").get(1).as_f64(), Some(f64::NEG_INFINITY));
    assert!(
        e.evaluate(&[1.0]).is_err(),
        "wrong number of values is an error, not a panic"
    );
}

#[wasm_bindgen_test]
fn graph_built_by_hand_from_javascript() {
    let mut g = JsGraph::new();
    let x1 = g.input("x1", 2.0);
    let x2 = g.input("x2", 5.0);
    let l = g.ln(x1).unwrap();
    let m = g.mul(x1, x2).unwrap();
    let s = g.sin(x2).unwrap();
    let a = g.add(l, m).unwrap();
    let f = g.sub(a, s).unwrap();
    g.backward(f).unwrap();
    assert_eq!(g.grad(x1).unwrap(), [5.5]);
    assert!(g.add(f, 99).is_err(), "an unknown id is an error");
    assert!(g.backward(1000).is_err());

    // Gradient descent on a parameter: w ← w − lr·∂L/∂w.
    let mut g = JsGraph::new();
    let w = g.parameter("w", 3.0);
    let loss = g.mul(w, w).unwrap();
    g.backward(loss).unwrap();
    g.step(0.25);
    assert_eq!(g.value(w).unwrap(), [1.5]);
    g.forward();
    assert_eq!(g.value(loss).unwrap(), [2.25]);

    // Tensors and shape errors.
    let a = g.input_tensor("A", &[2, 3], vec![1.0; 6]).unwrap();
    let b = g.input_tensor("B", &[3, 1], vec![1.0; 3]).unwrap();
    let c = g.matmul(a, b).unwrap();
    assert_eq!(g.value(c).unwrap(), [3.0, 3.0]);
    assert!(g.matmul(a, a).is_err());
    assert!(g.input_tensor("bad", &[2, 2], vec![1.0; 3]).is_err());
    assert!(g.input_tensor("bad", &[1, 1, 1], vec![1.0]).is_err());
    assert!(g.set_value(c, vec![0.0, 0.0]).is_err(), "only leaves can be set");
}

/// The training page draws its inputs from `Trainer.features`: the configured features of
/// each cell's centre, on the grid and in the layout the neurons' outputs have.
#[wasm_bindgen_test]
fn features_over_the_grid_are_what_the_first_layer_sees() {
    let config = js_sys::JSON::parse(r#"{"features": ["x1", "x2", "x1_squared"], "hidden": [5]}"#).unwrap();
    let mut trainer = JsTrainer::new(config).unwrap();
    let res = 4;
    let features = trainer.features(res);
    assert_eq!(features.len(), res * res * 3);
    // Cell (0, 0) is the top left of the plane: x1 < 0 < x2.
    let e = trainer.extent();
    let half = e / res as f64;
    let (x1, x2) = (-e + half, e - half);
    for (got, want) in features[..3].iter().zip([x1, x2, x1 * x1]) {
        assert!((*got as f64 - want).abs() < 1e-6, "{got} vs {want}");
    }
    // The neurons' grid: res² rows, one column per neuron.
    let neurons = trainer.neurons(res).unwrap();
    let first: js_sys::Array = array(&neurons, "layers").get(0).dyn_into().unwrap();
    assert_eq!(first.length() as usize, res * res * 5);
}

#[wasm_bindgen_test]
fn the_simd_kernel_matches_a_triple_loop_on_random_shapes_in_wasm() {
    use gradscope::tensor::sgemm::sgemm;
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |n: u64| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s % n
    };
    for case in 0..60 {
        let (m, n, k) = (
            1 + next(70) as usize,
            1 + next(70) as usize,
            1 + next(300) as usize,
        );
        let (at, bt) = (next(2) == 1, next(2) == 1);
        let a: Vec<f32> = (0..m * k).map(|_| next(2001) as f32 / 1000.0 - 1.0).collect();
        let b: Vec<f32> = (0..k * n).map(|_| next(2001) as f32 / 1000.0 - 1.0).collect();
        let mut c = vec![0.0f32; m * n];
        sgemm(m, n, k, &a, at, &b, bt, &mut c, false);
        for i in 0..m {
            for j in 0..n {
                let want: f64 = (0..k)
                    .map(|p| {
                        let x = if at { a[p * m + i] } else { a[i * k + p] };
                        let y = if bt { b[j * k + p] } else { b[p * n + j] };
                        x as f64 * y as f64
                    })
                    .sum();
                let got = c[i * n + j] as f64;
                assert!(
                    (got - want).abs() <= 1e-5 * (k as f64).sqrt() * want.abs().max(1.0),
                    "case {case}: {m}×{k}·{k}×{n} (Aᵀ {at}, Bᵀ {bt}) at ({i}, {j}): {got} vs {want}"
                );
            }
        }
    }
}

/// Tensor programs run in the browser as natively: the lecture's PyTorch snippet, and the
/// limits that keep a page from hanging or overflowing its stacks, even in this
/// unoptimised build: the engine's native stack (about 1 MiB) and the shadow stack in
/// linear memory (8 MiB, set in .cargo/config.toml) hold a program nested to
/// `Limits::nesting`.
#[wasm_bindgen_test]
fn tensor_programs_run_and_their_limits_hold_in_the_browser() {
    use gradscope::session::ProgramSession;
    use std::collections::HashMap;
    let at: HashMap<String, gradscope::Tensor<f64>> = [
        (
            "W",
            gradscope::Tensor::new(gradscope::Shape::matrix(2, 2), vec![1.0, 2.0, 3.0, 4.0]).unwrap(),
        ),
        (
            "x",
            gradscope::Tensor::new(gradscope::Shape::vector(2), vec![1.0, -1.0]).unwrap(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let session = ProgramSession::new("h = torch.mm(W, W.t()) @ x\nL = sum(h * h)").unwrap();
    let mut run = session.run(&at).unwrap();
    // W Wᵀ = [[5, 11], [11, 25]], h = [-6, -14], L = 232.
    assert_eq!(run.value().data, [232.0]);
    let g = run.backward().unwrap();
    assert_eq!(
        g[1].gradient.data,
        [
            -2.0 * (6.0 * 5.0 + 14.0 * 11.0),
            -2.0 * (6.0 * 11.0 + 14.0 * 25.0)
        ]
    );

    // The deepest expression the parser takes runs, in programs as in expressions.
    let brackets = format!("y = {}x{}", "(".repeat(200), ")".repeat(200));
    let calls = format!("y = {}x{}", "sin(".repeat(199), ")".repeat(199));
    let one: HashMap<String, gradscope::Tensor<f64>> =
        [("x".to_string(), gradscope::Tensor::scalar(1.0))].into();
    for source in [brackets, calls] {
        assert!(ProgramSession::new(&source).unwrap().run(&one).is_ok());
    }
    // Nested to the limit through recursion: an error, not a crash.
    let deep = format!(
        "def f(n):\n    return {}f(n){}\ny = f(1)",
        "sin(".repeat(150),
        ")".repeat(150)
    );
    let e = ProgramSession::new(&deep)
        .unwrap()
        .run(&HashMap::new())
        .err()
        .unwrap();
    assert!(e.to_string().contains("too deeply nested"), "{e}");
    let e = ProgramSession::new("while 1 > 0:\n    pass")
        .unwrap()
        .run(&HashMap::new())
        .err()
        .unwrap();
    assert!(e.to_string().contains("iterations"), "{e}");
}

/// The JavaScript API for programs: values in and `{value, gradient}` out as nested
/// arrays, the nodes' origins and groups, Jacobians, and every bad input as an error.
#[wasm_bindgen_test]
fn programs_from_javascript() {
    use gradscope::wasm::JsProgram;
    let json = |text: &str| js_sys::JSON::parse(text).unwrap();
    let mut p = JsProgram::new("h = W @ x + b\nfor i in range(2):\n    h = h * 2\nL = sum(h * h)").unwrap();
    assert_eq!(p.free_names(), ["W", "x", "b"]);
    let answer = p
        .run(
            json(r#"{"W": [[1, 2], [3, 4]], "x": [1, -1], "b": [0.5, 0]}"#),
            None,
        )
        .unwrap();
    // h = 4·[-0.5, -1]; L = 16·1.25 = 20; ∂L/∂b = 2h·4 = [-16, -32].
    assert_eq!(get(&answer, "value").as_f64(), Some(20.0));
    let gradient = get(&answer, "gradient");
    let b: js_sys::Array = get(&gradient, "b").dyn_into().unwrap();
    assert_eq!((b.get(0).as_f64(), b.get(1).as_f64()), (Some(-16.0), Some(-32.0)));
    let w: js_sys::Array = get(&gradient, "W").dyn_into().unwrap();
    let row: js_sys::Array = w.get(1).dyn_into().unwrap();
    assert_eq!(
        (row.get(0).as_f64(), row.get(1).as_f64()),
        (Some(-32.0), Some(32.0))
    );

    // Each node's origin and group: the loop's two iterations are groups.
    let report = p.report().unwrap();
    let groups = array(&report, "groups");
    assert_eq!(groups.length(), 2);
    assert_eq!(
        get(&groups.get(1), "kind").as_string().as_deref(),
        Some("iteration")
    );
    assert_eq!(get(&groups.get(1), "index").as_f64(), Some(1.0));
    assert_eq!(
        array(&report, "origins").length(),
        p.nodes().unwrap().dyn_into::<js_sys::Array>().unwrap().length()
    );
    assert!(get(&p.layout().unwrap(), "nodes").is_object());

    let j = p.jacobian("b", "forward", None).unwrap();
    assert_eq!(num(&j, "passes"), 2.0);
    assert_eq!(num(&j, "nonzeros"), 2.0);

    // The nodes cross as one array of numbers, dealt out again: `h * h` (the last h is
    // 4·[-0.5, -1] = [-2, -4]) has value [4, 16], gradient 1 from the sum, and edges
    // that each carried 1 × h back.
    let nodes: js_sys::Array = p.nodes().unwrap().dyn_into().unwrap();
    let numbers = |v: JsValue| -> Vec<f64> {
        v.dyn_into::<js_sys::Array>()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let square = (0..nodes.length())
        .rev()
        .map(|i| nodes.get(i))
        .find(|n| get(n, "op").as_string().as_deref() == Some("*"))
        .unwrap();
    assert_eq!(numbers(get(&square, "value")), [4.0, 16.0]);
    assert_eq!(numbers(get(&square, "grad")), [1.0, 1.0]);
    let edges: js_sys::Array = get(&square, "edges").dyn_into().unwrap();
    assert_eq!(edges.length(), 2);
    assert_eq!(numbers(get(&edges.get(0), "flowed")), [-2.0, -4.0]);
    assert_eq!(numbers(get(&edges.get(1), "local")), [-2.0, -4.0]);
    assert!(get(&nodes.get(0), "not_finite").is_undefined());

    // One op's Jacobian with its vector-Jacobian product, and the layout with the loop's
    // iterations collapsed.
    let matmul = (0..nodes.length())
        .find(|&i| get(&nodes.get(i), "op").as_string().as_deref() == Some("matmul"))
        .unwrap();
    let local = p.local_jacobian(matmul as usize, 1).unwrap();
    assert_eq!(num(&get(&local, "jacobian"), "nonzeros"), 4.0);
    assert_eq!(array(&local, "vjp").length(), 2);
    let grouped = p.layout_collapsed(&[0, 1], &[]).unwrap();
    let items = array(&grouped, "items");
    assert!((0..items.length()).any(|i| get(&items.get(i), "group").as_f64() == Some(1.0)));
    assert!(p.local_jacobian(999, 0).is_err());

    // The passes alone, then the program's own gradients put back (∂L/∂b = [-16, -32],
    // read from the node b).
    let b_grad = |p: &JsProgram| -> Vec<f64> {
        let nodes: js_sys::Array = p.nodes().unwrap().dyn_into().unwrap();
        let b = (0..nodes.length())
            .map(|i| nodes.get(i))
            .find(|n| get(n, "label").as_string().as_deref() == Some("b"))
            .unwrap();
        get(&b, "grad")
            .dyn_into::<js_sys::Array>()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    p.jacobian("b", "reverse", Some(false)).unwrap();
    p.restore_gradients().unwrap();
    assert_eq!(b_grad(&p), [-16.0, -32.0]);

    // A leaf bound in the program given a value from outside.
    let mut q = JsProgram::new("W = [[0.0, 0.0], [0.0, 0.0]]\nsum(W)").unwrap();
    let given: js_sys::Object = json(r#"{"W": [[1, 2], [3, 4]]}"#).dyn_into().unwrap();
    assert_eq!(
        get(&q.run(json("{}"), Some(given)).unwrap(), "value").as_f64(),
        Some(10.0)
    );

    // Mistakes: a run-time error with its span, bad values, a Jacobian before a run.
    let e = JsProgram::new("y = A @ A")
        .unwrap()
        .run(json(r#"{"A": [[1, 2, 3]]}"#), None)
        .err()
        .unwrap();
    assert_eq!(get(&e, "kind").as_string().as_deref(), Some("run"));
    assert_eq!((num(&e, "start"), num(&e, "end")), (4.0, 9.0));
    for bad in [
        r#"{"A": [[1, 2], [3]]}"#,
        r#"{"A": [[[1]]]}"#,
        r#"{"A": "x"}"#,
        r#"{"A": []}"#,
        "[1, 2]",
    ] {
        let e = JsProgram::new("y = sum(A)")
            .unwrap()
            .run(json(bad), None)
            .err()
            .unwrap();
        assert_eq!(get(&e, "kind").as_string().as_deref(), Some("value"), "{bad}");
    }
    let mut fresh = JsProgram::new("y = sum(A)").unwrap();
    assert_eq!(
        get(&fresh.jacobian("A", "reverse", None).err().unwrap(), "kind")
            .as_string()
            .as_deref(),
        Some("not-run")
    );
    let e = JsProgram::new("y = (").err().unwrap();
    assert_eq!(get(&e, "kind").as_string().as_deref(), Some("parse"));
}

/// The benchmark's two-core product: two cases from one seed, each computing its half of
/// C's rows, put together give the whole product exactly; rows out of range are refused.
#[wasm_bindgen_test]
fn matmul_case_rows_split_the_product() {
    use gradscope::wasm::MatmulCase;
    let (m, k, n) = (37, 19, 23);
    let mut whole = MatmulCase::new(m, k, n, 7).unwrap();
    whole.run(1);
    let expected = whole.c().to_vec();
    let (mut top, mut bottom) = (
        MatmulCase::new(m, k, n, 7).unwrap(),
        MatmulCase::new(m, k, n, 7).unwrap(),
    );
    let split = 18;
    top.run_rows(0, split).unwrap();
    bottom.run_rows(split, m).unwrap();
    let out = js_sys::Float32Array::new_with_length((m * n) as u32);
    top.c_rows_into(0, split, &out).unwrap();
    out.set(&bottom.c_rows(split, m).unwrap(), (split * n) as u32);
    assert_eq!(out.to_vec(), expected);
    assert!(
        expected.iter().any(|&x| x != 0.0),
        "a product of random matrices is not all zeros"
    );

    let kind = |e: JsValue| get(&e, "kind").as_string();
    assert_eq!(kind(top.run_rows(5, 4).err().unwrap()).as_deref(), Some("range"));
    assert_eq!(
        kind(top.c_rows(0, m + 1).err().unwrap()).as_deref(),
        Some("range")
    );
    let short = js_sys::Float32Array::new_with_length(3);
    assert_eq!(
        kind(top.c_rows_into(0, 1, &short).err().unwrap()).as_deref(),
        Some("length")
    );
}
