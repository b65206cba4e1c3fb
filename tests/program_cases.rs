//! The reference cases for tensor programs and Jacobians (JAX, float64) in `data/`, through
//! the library and through `gradscope grad --batch` / `gradscope jacobian --batch`, to
//! `|got − want| ≤ 1e-9 · max(1, |want|)` element by element, with shapes compared too.
#![cfg(not(target_arch = "wasm32"))]

use gradscope::program::Mode;
use gradscope::session::program::tensor_from_nested;
use gradscope::session::{NestedValue, ProgramSession};
use gradscope::Tensor;
use serde_json::Value;
use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

const PROGRAMS: &str = include_str!("data/program-cases.jsonl");
const LECTURE: &str = include_str!("data/lecture-program.jsonl");
const JACOBIANS: &str = include_str!("data/jacobian-cases.jsonl");

fn lines(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn nested(v: &Value) -> NestedValue {
    match v {
        Value::Array(items) => NestedValue::List(items.iter().map(nested).collect()),
        v => NestedValue::Number(v.as_f64().unwrap()),
    }
}

fn at(case: &Value) -> HashMap<String, Tensor<f64>> {
    case["at"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), tensor_from_nested(&nested(v)).unwrap()))
        .collect()
}

/// The dimensions and elements of nested JSON lists: `[[1, 2]]` is `([1, 2], [1, 2])`.
fn flat(v: &Value) -> (Vec<usize>, Vec<f64>) {
    match v {
        Value::Array(items) => {
            let parts: Vec<_> = items.iter().map(flat).collect();
            let mut dims = vec![items.len()];
            dims.extend(parts.first().map(|p| p.0.clone()).unwrap_or_default());
            (dims, parts.into_iter().flat_map(|p| p.1).collect())
        }
        v => (vec![], vec![v.as_f64().unwrap()]),
    }
}

fn assert_close(what: &str, got: (Vec<usize>, Vec<f64>), want: &Value) {
    let want = flat(want);
    assert_eq!(got.0, want.0, "{what}: shape");
    for (i, (g, w)) in got.1.iter().zip(&want.1).enumerate() {
        assert!(
            (g - w).abs() <= 1e-9 * w.abs().max(1.0),
            "{what}: element {i} is {g}, want {w}"
        );
    }
}

fn tensor_parts(t: &Tensor<f64>) -> (Vec<usize>, Vec<f64>) {
    (t.shape.dims().to_vec(), t.data.clone())
}

fn check_gradient_case(case: &Value) {
    let source = case["expr"].as_str().unwrap();
    let session = ProgramSession::new(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let mut run = session.run(&at(case)).unwrap_or_else(|e| panic!("{source}: {e}"));
    assert_close(
        &format!("{source}: value"),
        tensor_parts(&run.value()),
        &case["value"],
    );
    let gradients = run.backward().unwrap();
    let want = case["gradient"].as_object().unwrap();
    for (name, w) in want {
        let g = gradients
            .iter()
            .find(|g| &g.name == name)
            .unwrap_or_else(|| panic!("{source}: no gradient for {name}"));
        assert_close(&format!("{source}: ∂/∂{name}"), tensor_parts(&g.gradient), w);
    }
}

#[test]
fn the_files_hold_the_cases() {
    assert!(lines(PROGRAMS).len() >= 40);
    assert_eq!(lines(LECTURE).len(), 1);
    assert!(lines(JACOBIANS).len() >= 12);
}

#[test]
fn library_matches_every_program_case() {
    for case in lines(PROGRAMS) {
        check_gradient_case(&case);
    }
}

#[test]
fn the_lectures_pytorch_snippet_runs_as_pasted() {
    check_gradient_case(&lines(LECTURE)[0]);
}

#[test]
fn library_matches_every_jacobian_case_in_both_modes() {
    for case in lines(JACOBIANS) {
        let source = case["expr"].as_str().unwrap();
        let wrt = case["wrt"].as_str().unwrap();
        let session = ProgramSession::new(source).unwrap();
        let mut run = session.run(&at(&case)).unwrap();
        let reverse = run.jacobian(wrt, Mode::Reverse).unwrap();
        let forward = run.jacobian(wrt, Mode::Forward).unwrap();
        for (mode, j) in [("reverse", &reverse), ("forward", &forward)] {
            let what = format!("{source} by {wrt} ({mode})");
            assert_eq!(
                j.output_shape.dims(),
                flat(&case["output_shape"])
                    .1
                    .iter()
                    .map(|&d| d as usize)
                    .collect::<Vec<_>>(),
                "{what}"
            );
            assert_eq!(
                j.wrt_shape.dims(),
                flat(&case["wrt_shape"])
                    .1
                    .iter()
                    .map(|&d| d as usize)
                    .collect::<Vec<_>>(),
                "{what}"
            );
            assert_close(
                &what,
                (vec![j.rows, j.cols], j.entries.clone()),
                &case["jacobian"],
            );
            let want_nonzeros = flat(&case["jacobian"]).1.iter().filter(|&&x| x != 0.0).count();
            assert_eq!(j.nonzeros, want_nonzeros, "{what}: nonzeros");
        }
        // One pass per output element in reverse, one per leaf element forward.
        assert_eq!(reverse.passes, reverse.rows, "{source}");
        assert_eq!(forward.passes, forward.cols, "{source}");
    }
}

fn batch(command: &str, requests: &[Value]) -> Vec<Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gradscope"))
        .args([command, "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for r in requests {
        writeln!(stdin, "{r}").unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn cli_grad_batch_matches_every_program_case() {
    let cases: Vec<Value> = lines(PROGRAMS).into_iter().chain(lines(LECTURE)).collect();
    let requests: Vec<Value> = cases
        .iter()
        .map(|c| serde_json::json!({"expr": c["expr"], "at": c["at"]}))
        .collect();
    let answers = batch("grad", &requests);
    assert_eq!(answers.len(), cases.len());
    for (case, got) in cases.iter().zip(&answers) {
        let source = case["expr"].as_str().unwrap();
        assert!(got.get("error").is_none(), "{source}: {got}");
        assert_close(&format!("{source}: value"), flat(&got["value"]), &case["value"]);
        for (name, w) in case["gradient"].as_object().unwrap() {
            assert_close(&format!("{source}: ∂/∂{name}"), flat(&got["gradient"][name]), w);
        }
    }
}

#[test]
fn cli_jacobian_batch_matches_every_case() {
    let cases = lines(JACOBIANS);
    for mode in ["reverse", "forward"] {
        let requests: Vec<Value> = cases
            .iter()
            .map(|c| serde_json::json!({"expr": c["expr"], "at": c["at"], "wrt": c["wrt"], "mode": mode}))
            .collect();
        let answers = batch("jacobian", &requests);
        assert_eq!(answers.len(), cases.len());
        for (case, got) in cases.iter().zip(&answers) {
            let what = format!("{} ({mode})", case["expr"]);
            assert!(got.get("error").is_none(), "{what}: {got}");
            assert_eq!(got["output_shape"], case["output_shape"], "{what}");
            assert_eq!(got["wrt_shape"], case["wrt_shape"], "{what}");
            assert_close(&what, flat(&got["jacobian"]), &case["jacobian"]);
            let rows = flat(&case["jacobian"]).0;
            let passes = if mode == "reverse" { rows[0] } else { rows[1] };
            assert_eq!(got["passes"], passes, "{what}");
        }
    }
}
