//! The `gradscope` command line as a user runs it.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn gradscope(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gradscope"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn grad_prints_value_and_partials_for_a_person() {
    let o = gradscope(&["grad", "ln(x1)+x1*x2-sin(x2)", "--at", "x1=2,x2=5"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("f      = 11.652071455223084"), "{out}");
    assert!(out.contains("∂f/∂x1 = 5.5"), "{out}");
    assert!(out.contains("∂f/∂x2 = 1.7163378145367738"), "{out}");
}

#[test]
fn an_expression_may_start_with_a_minus() {
    let o = gradscope(&["grad", "-x1^2", "--at", "x1=3", "--json"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), r#"{"value":-9.0,"gradient":{"x1":-6.0}}"#);
}

#[test]
fn json_lists_every_variable_in_order_even_when_it_cancels() {
    let o = gradscope(&["grad", "x2 - x2 + x1", "--at", "x1=1,x2=7", "--json"], "");
    assert_eq!(
        stdout(&o).trim(),
        r#"{"value":1.0,"gradient":{"x2":0.0,"x1":1.0}}"#
    );
}

#[test]
fn non_finite_numbers_are_json_strings() {
    let o = gradscope(&["grad", "ln(x) + 1/y", "--at", "x=-1,y=0", "--json"], "");
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["value"], "NaN");
    assert_eq!(v["gradient"]["x"], -1.0);
    assert_eq!(v["gradient"]["y"], "-Infinity");
    let o = gradscope(&["grad", "1/x", "--at", "x=0", "--json"], "");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["value"], "Infinity");
}

#[test]
fn graph_adds_nodes_with_edges_to_the_json() {
    let o = gradscope(
        &[
            "grad",
            "x1*x2 + sin(x2)",
            "--at",
            "x1=2,x2=5",
            "--json",
            "--graph",
        ],
        "",
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let nodes = v["graph"].as_array().unwrap();
    // x1, x2, *, sin, +: x2 is one node with two outgoing edges.
    assert_eq!(nodes.len(), 5);
    let uses_of_x2 = nodes
        .iter()
        .flat_map(|n| n["edges"].as_array().unwrap())
        .filter(|e| e["from"] == 1)
        .count();
    assert_eq!(uses_of_x2, 2);
    // The gradient of x2 is the sum of what flowed along its two edges.
    let flowed: f64 = nodes
        .iter()
        .flat_map(|n| n["edges"].as_array().unwrap())
        .filter(|e| e["from"] == 1)
        .map(|e| e["flowed"][0].as_f64().unwrap())
        .sum();
    assert!((flowed - nodes[1]["grad"][0].as_f64().unwrap()).abs() < 1e-12);
    let mul = &nodes[2];
    assert_eq!(mul["op"], "*");
    assert_eq!(
        mul["edges"][0]["local"][0], 5.0,
        "mul switches: ∂(x1·x2)/∂x1 = x2"
    );
}

#[test]
fn user_errors_exit_2_with_a_caret_under_the_span() {
    let o = gradscope(&["grad", "x1 + (x2 * 3", "--at", "x1=1,x2=2"], "");
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("expected ')' to close the '(' at column 6"), "{err}");
    // A caret where the ')' is missing, a dash under the '(' it would close.
    assert!(err.contains("  x1 + (x2 * 3\n       -      ^"), "{err}");
    assert!(stdout(&o).is_empty());

    let o = gradscope(&["grad", "x1*x2", "--at", "x1=1"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("missing value for variable x2\n  x1*x2\n     ^^"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_flags_and_values_exit_2_without_a_panic() {
    for args in [
        vec!["grad", "x", "--at", "x=abc"],
        vec!["grad", "x", "--at"],
        vec!["grad", "x", "--at", "x"],
        vec!["grad", "x", "--frobnicate"],
        vec!["grad"],
        vec!["grad", "x", "y"],
        vec!["grad", "x", "--at", "y=1"],
        vec!["nonsense"],
        vec![],
    ] {
        let o = gradscope(&args, "");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert!(!err.is_empty() && !err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn batch_answers_every_line_in_order_and_survives_bad_ones() {
    let input = [
        r#"{"expr": "x1*x2", "at": {"x1": 2, "x2": 5}}"#,
        r#"{"expr": "sin(x1, 2)", "at": {"x1": 1}}"#,
        "this is not json",
        r#"{"expr": "x1 + y", "at": {"x1": 1}}"#,
        r#"{"expr": "x +", "at": {"x": 1}}"#,
        r#"{"expr": "x", "at": {"x": "NaN"}}"#,
    ]
    .join("\n");
    let o = gradscope(&["grad", "--batch"], &input);
    assert!(o.status.success());
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["gradient"]["x1"], 5.0);
    assert_eq!(lines[1]["error"]["message"], "sin takes 1 argument, got 2");
    assert_eq!(
        (
            lines[1]["error"]["start"].as_u64(),
            lines[1]["error"]["end"].as_u64()
        ),
        (Some(0), Some(10))
    );
    assert!(lines[2]["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("not a request line"));
    assert_eq!(lines[3]["error"]["message"], "missing value for variable y");
    assert_eq!(
        (
            lines[3]["error"]["start"].as_u64(),
            lines[3]["error"]["end"].as_u64()
        ),
        (Some(5), Some(6))
    );
    // An error at the end of the input has start == end == len.
    assert_eq!(
        (
            lines[4]["error"]["start"].as_u64(),
            lines[4]["error"]["end"].as_u64()
        ),
        (Some(3), Some(3))
    );
    assert_eq!(lines[5]["value"], "NaN");
}

#[test]
fn a_100000_term_sum_is_one_shared_node() {
    let source = vec!["x1"; 100_000].join("+");
    // Longer than the kernel's limit for one argument, so it comes on stdin.
    let o = gradscope(&["grad", "-", "--at", "x1=0.5", "--json"], &source);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        r#"{"value":50000.0,"gradient":{"x1":100000.0}}"#
    );
}

#[test]
fn a_value_that_leaves_the_real_numbers_gets_a_note_saying_where_and_why() {
    let o = gradscope(&["grad", "ln(x1) + 1", "--at", "x1=-1"], "");
    assert_eq!(o.status.code(), Some(0), "not an error");
    let out = stdout(&o);
    assert!(
        out.contains("note: node 1 (ln) = NaN: ln of a negative number (x = -1) is not a real number\n"),
        "{out}"
    );
    assert_eq!(
        out.matches("note:").count(),
        1,
        "the + only passes the NaN on: {out}"
    );
    let o = gradscope(&["grad", "ln(x1)", "--at", "x1=2"], "");
    assert!(!stdout(&o).contains("note:"));
}
