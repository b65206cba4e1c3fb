//! Every case in `data/expr-cases.jsonl` (exact values and gradients from a computer algebra
//! system) matches, through the library and through `gradscope grad --batch`, to
//! `|got − want| ≤ 1e-9 · max(1, |want|)`.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value;
use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

const CASES: &str = include_str!("data/expr-cases.jsonl");

struct Case {
    line: Value,
    expr: String,
    at: HashMap<String, f64>,
    value: f64,
    gradient: Vec<(String, f64)>,
}

fn cases() -> Vec<Case> {
    CASES
        .lines()
        .map(|l| {
            let line: Value = serde_json::from_str(l).unwrap();
            let num = |v: &Value| v.as_f64().unwrap();
            Case {
                expr: line["expr"].as_str().unwrap().to_string(),
                at: line["at"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), num(v)))
                    .collect(),
                value: num(&line["value"]),
                gradient: line["gradient"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), num(v)))
                    .collect(),
                line,
            }
        })
        .collect()
}

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-9 * want.abs().max(1.0)
}

#[test]
fn the_file_has_the_lectures_cases() {
    let cases = cases();
    assert!(cases.len() >= 70, "{} cases", cases.len());
    assert_eq!(cases[0].expr, "ln(x1)+x1*x2-sin(x2)");
}

#[test]
fn library_matches_every_case() {
    for case in cases() {
        let mut session = gradscope::session::ExpressionSession::new(&case.expr).unwrap();
        let e = session
            .evaluate_at(&case.at)
            .unwrap_or_else(|e| panic!("{}: {e}", case.expr));
        assert!(
            close(e.value, case.value),
            "{}: value {} want {}",
            case.expr,
            e.value,
            case.value
        );
        let got: HashMap<_, _> = session.variables().zip(e.gradient.iter().copied()).collect();
        assert_eq!(
            got.len(),
            case.gradient.len(),
            "{}: variables {:?}",
            case.expr,
            e.gradient
        );
        for (name, want) in &case.gradient {
            let g = got[name.as_str()];
            assert!(close(g, *want), "{}: ∂/∂{name} = {g}, want {want}", case.expr);
        }
    }
}

#[test]
fn forward_mode_matches_every_case() {
    for case in cases() {
        let parsed = gradscope::expr::parse(&case.expr).unwrap();
        let mut lowered = parsed.lower(&parsed.bind(&case.at).unwrap());
        for (i, name) in parsed.variable_names().enumerate() {
            lowered.graph.jvp(&[(lowered.inputs[i], &[1.0])]).unwrap();
            let t = lowered.graph.tangent(lowered.root)[0];
            let want = case.gradient.iter().find(|(n, _)| n == name).unwrap().1;
            assert!(
                close(t, want),
                "{}: tangent along {name} = {t}, want {want}",
                case.expr
            );
        }
    }
}

#[test]
fn cli_batch_matches_every_case_in_order() {
    let cases = cases();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gradscope"))
        .args(["grad", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for case in &cases {
        let request = serde_json::json!({"expr": case.line["expr"], "at": case.line["at"]});
        writeln!(stdin, "{request}").unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), cases.len());
    for (case, got) in cases.iter().zip(&lines) {
        assert!(
            close(got["value"].as_f64().unwrap(), case.value),
            "{}: {got}",
            case.expr
        );
        let gradient = got["gradient"].as_object().unwrap();
        // One entry per variable, in order of first appearance in the text.
        let order: Vec<&String> = gradient.keys().collect();
        let parsed = gradscope::expr::parse(&case.expr).unwrap();
        let want_order: Vec<&str> = parsed.variable_names().collect();
        assert_eq!(order, want_order, "{}", case.expr);
        for (name, want) in &case.gradient {
            assert!(
                close(gradient[name].as_f64().unwrap(), *want),
                "{}: ∂/∂{name} {got}",
                case.expr
            );
        }
    }
}
