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

// ---- tensor programs -------------------------------------------------------------------

/// The lecture's slide, as pasted (trailing spaces and all), with the seed it shows.
const LECTURE_SNIPPET: &str = "from torch.autograd import Variable
x = Variable(torch.randn(1, 20))  
prev_h = Variable(torch.randn(1, 20))  
W_h = Variable(torch.randn(20, 20))  
W_x = Variable(torch.randn(20, 20))
i2h = torch.mm(W_x, x.t())  
h2h = torch.mm(W_h, prev_h.t())  
next_h = i2h + h2h  
next_h = next_h.tanh()
next_h.backward(torch.ones(1, 20))";

#[test]
fn the_lectures_snippet_stops_at_its_seed_naming_both_shapes() {
    let o = gradscope(&["grad", "-"], LECTURE_SNIPPET);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("backward's seed is a 1×20 tensor but the output is a 20×1 tensor"),
        "{err}"
    );
    assert!(
        err.contains("  next_h.backward(torch.ones(1, 20))\n  ^^^^"),
        "{err}"
    );

    // With the seed of the output's shape, every Variable is a leaf with a gradient.
    let fixed = LECTURE_SNIPPET.replace("torch.ones(1, 20)", "torch.ones(20, 1)");
    let o = gradscope(&["grad", "-", "--json"], &fixed);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let names: Vec<&String> = v["gradient"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["x", "prev_h", "W_h", "W_x"]);
    assert_eq!(v["value"].as_array().unwrap().len(), 20, "a 20×1 output");
    assert_eq!(v["gradient"]["W_x"].as_array().unwrap().len(), 20);
    assert_eq!(v["gradient"]["x"][0].as_array().unwrap().len(), 20, "x is 1×20");
}

#[test]
fn tensors_are_given_as_nested_lists_and_printed_as_them() {
    let o = gradscope(
        &[
            "grad",
            "h = W @ x + b\nL = sum(h * h)",
            "--at",
            "W=[[1,2],[3,4]],x=[1,-1],b=[0.5,0]",
            "--json",
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // h = [-0.5, -1]; ∂L/∂h = 2h; ∂L/∂W = outer(2h, x); ∂L/∂x = Wᵀ 2h; ∂L/∂b = 2h.
    assert_eq!(
        stdout(&o).trim(),
        r#"{"value":1.25,"gradient":{"W":[[-1.0,1.0],[-2.0,2.0]],"x":[-7.0,-10.0],"b":[-1.0,-2.0]}}"#
    );
    // A 1×1 matrix stays [[v]] (and, one element, needs no seed, as in PyTorch); a
    // scalar is a number; two elements without a seed are an error.
    let o = gradscope(&["grad", "y = A * 2", "--at", "A=[[3]]", "--json"], "");
    assert_eq!(stdout(&o).trim(), r#"{"value":[[6.0]],"gradient":{"A":[[2.0]]}}"#);
    let o = gradscope(&["grad", "y = A * 2", "--at", "A=[[3, 4]]", "--json"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the output is a 1×2 tensor"),
        "{}",
        stderr(&o)
    );
    let o = gradscope(&["grad", "y = sum(A * 2)", "--at", "A=[[3]]", "--json"], "");
    assert_eq!(stdout(&o).trim(), r#"{"value":6.0,"gradient":{"A":[[2.0]]}}"#);

    let o = gradscope(&["grad", "L = sum(v * v)", "--at", "v=[1,2]"], "");
    assert!(stdout(&o).contains("∂f/∂v = [2, 4]"), "{}", stdout(&o));
}

#[test]
fn a_program_comes_from_a_file_or_stdin() {
    let dir = std::env::temp_dir().join(format!("gradscope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("newton.py");
    std::fs::write(
        &path,
        "y = a\nfor i in range(6):\n    y = 0.5 * (y + a / y)\nL = y\n",
    )
    .unwrap();
    let o = gradscope(
        &["grad", "--file", path.to_str().unwrap(), "--at", "a=2", "--json"],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    // Newton's iterations converge to √2, and their derivative to 1/(2√2).
    assert!((v["value"].as_f64().unwrap() - 2f64.sqrt()).abs() < 1e-12);
    assert!((v["gradient"]["a"].as_f64().unwrap() - 0.5 / 2f64.sqrt()).abs() < 1e-9);
    let o = gradscope(&["grad", "--file", dir.join("missing.py").to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.py"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn jacobian_prints_the_matrix_its_nonzeros_and_passes() {
    let at = "W=[[1,-2],[3,4]],x=[1,2],b=[0.5,-0.5]";
    for (mode, passes) in [("reverse", 2), ("forward", 4)] {
        let o = gradscope(
            &[
                "jacobian",
                "h = relu(W @ x + b)",
                "--wrt",
                "W",
                "--mode",
                mode,
                "--at",
                at,
                "--json",
            ],
            "",
        );
        assert!(o.status.success(), "{}", stderr(&o));
        // W @ x + b = [-2.5, 10.5]: the first unit is off, so its row is zero; the
        // second depends only on its own weight row, as the lecture's FC slide says.
        assert_eq!(
            stdout(&o).trim(),
            format!(
                r#"{{"output_shape":[2],"wrt_shape":[2,2],"jacobian":[[0.0,0.0,0.0,0.0],[0.0,0.0,1.0,2.0]],"nonzeros":2,"passes":{passes}}}"#
            )
        );
    }
    let o = gradscope(&["jacobian", "h = relu(W @ x + b)", "--wrt", "W", "--at", at], "");
    let out = stdout(&o);
    assert!(
        out.contains("nonzeros: 2 of 8") && out.contains("passes: 2 (one backward pass per output element)"),
        "{out}"
    );

    for (args, words) in [
        (
            vec!["jacobian", "h = W @ x", "--at", "W=[[1]],x=[1]"],
            "needs --wrt",
        ),
        (
            vec!["jacobian", "h = W @ x", "--wrt", "q", "--at", "W=[[1]],x=[1]"],
            "'q' is not a leaf of this program (its leaves: W, x)",
        ),
        (
            vec![
                "jacobian",
                "h = W @ x",
                "--wrt",
                "W",
                "--mode",
                "sideways",
                "--at",
                "W=[[1]],x=[1]",
            ],
            "not reverse or forward",
        ),
    ] {
        let o = gradscope(&args, "");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(words), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn bad_tensor_values_are_user_errors() {
    for (at, words) in [
        ("W=[[1,2],[3]]", "ragged"),
        ("W=[[[1]]]", "at most 2 dimensions"),
        ("W=[1,", "not a list of numbers"),
        ("W=[]", "empty list"),
        ("W=[\"a\"]", "is not a number"),
    ] {
        let o = gradscope(&["grad", "L = sum(W)", "--at", at], "");
        assert_eq!(o.status.code(), Some(2), "{at}");
        assert!(stderr(&o).contains(words), "{at}: {}", stderr(&o));
    }
    // In a batch, the same mistakes are error objects and the batch goes on.
    let o = gradscope(
        &["grad", "--batch"],
        "{\"expr\": \"L = sum(W)\", \"at\": {\"W\": [[1, 2], [3]]}}\n{\"expr\": \"L = sum(W)\", \"at\": {\"W\": [[1, 2], [3, 4]]}}\n",
    );
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines[0]["error"]["message"].as_str().unwrap().contains("ragged"));
    assert_eq!(lines[1]["value"], 10.0);
}

#[test]
fn a_run_time_error_in_a_batch_carries_its_span() {
    let o = gradscope(
        &["grad", "--batch"],
        "{\"expr\": \"z = A @ B\\nL = sum(z)\", \"at\": {\"A\": [[1, 2, 3], [4, 5, 6]], \"B\": [[1, 2, 3], [4, 5, 6]]}}\n",
    );
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(
        v["error"]["message"],
        "cannot multiply 2×3 by 2×3: inner sizes 3 and 2 differ"
    );
    assert_eq!(
        (v["error"]["start"].as_u64(), v["error"]["end"].as_u64()),
        (Some(4), Some(9))
    );
}

/// A scratch directory of this test's own (tests run in parallel).
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gradscope-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn train_on_a_csv_file_save_the_run_and_go_on_from_it() {
    let dir = scratch("own");
    let csv = dir.join("points.csv");
    let rows: String = (0..60)
        .map(|i| {
            let (x, y) = ((i as f64 * 0.7).sin(), (i as f64 * 1.3).cos());
            format!("{x},{y},{}\n", usize::from(x * y > 0.0))
        })
        .collect();
    std::fs::write(&csv, format!("x1,x2,label\n{rows}")).unwrap();
    let (csv, model) = (csv.to_str().unwrap(), dir.join("model.json"));
    let model = model.to_str().unwrap();
    let table = |o: &Output| {
        assert!(o.status.success(), "{}", stderr(o));
        stdout(o)
    };
    let first = table(&gradscope(
        &[
            "train", "--data", csv, "--steps", "40", "--every", "20", "--save", model,
        ],
        "",
    ));
    assert!(
        first.starts_with("Own · 60 points (42 train, 18 test)"),
        "{first}"
    );
    // Going on from the file for 40 steps is the same as 80 steps straight.
    let went_on = table(&gradscope(
        &["train", "--load", model, "--steps", "40", "--every", "20"],
        "",
    ));
    let straight = table(&gradscope(
        &["train", "--data", csv, "--steps", "80", "--every", "20"],
        "",
    ));
    let row = |out: &str, step: &str| {
        out.lines()
            .find(|l| l.split_whitespace().next() == Some(step))
            .map(str::to_string)
    };
    assert_eq!(row(&went_on, "80"), row(&straight, "80"), "{went_on}\n{straight}");
    assert!(row(&went_on, "80").is_some());

    // A bad row: the file, its line and column, exit 2, nothing trained.
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "x1,x2,label\n0,0,0\n1,1,1\n2,nan,1\n").unwrap();
    let o = gradscope(&["train", "--data", bad.to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).ends_with(
            "bad.csv: line 4, column 2: 'nan' is not a finite number; expected x2, a finite number\n"
        ),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
    // A damaged model, a configuration beside --load, a file that is not there.
    std::fs::write(
        dir.join("damaged.json"),
        "{\"format\": \"gradscope-model\", \"version\": 1}",
    )
    .unwrap();
    for (args, says) in [
        (
            vec!["--load", dir.join("damaged.json").to_str().unwrap()],
            "the model file is damaged: missing field",
        ),
        (
            vec!["--load", model, "--lr", "0.1"],
            "'learning_rate' cannot be given with it",
        ),
        (vec!["--load", csv], "this is not a gradscope model file"),
        (
            vec!["--data", "/nonexistent/points.csv"],
            "--data /nonexistent/points.csv: ",
        ),
        (vec!["--data", csv, "--classes", "3"], "--classes 3, but"),
    ] {
        let o = gradscope(&[&["train"], &args[..]].concat(), "");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_regression_reports_rmse_and_r2_and_reads_x1_x2_y() {
    let o = gradscope(
        &[
            "train",
            "--problem",
            "regression",
            "--dataset",
            "abs",
            "--steps",
            "60",
            "--every",
            "30",
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("Abs · 300 points") && lines[0].contains("Mse loss"),
        "{out}"
    );
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["step", "epoch", "loss", "train", "RMSE", "test", "RMSE", "train", "R²", "test", "R²"]
    );
    let last: Vec<f64> = lines[3].split_whitespace().map(|x| x.parse().unwrap()).collect();
    assert_eq!(last[0], 60.0);
    assert!(last[3] > 0.0 && last[5] <= 1.0, "{out}");

    let dir = scratch("fit");
    let csv = dir.join("fit.csv");
    std::fs::write(&csv, "x1,x2,y\n-1,0,1\n-0.5,0,0.25\n0,0,0\n0.5,0,0.25\n1,0,1\n").unwrap();
    let o = gradscope(
        &[
            "train",
            "--problem",
            "regression",
            "--data",
            csv.to_str().unwrap(),
            "--steps",
            "10",
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("Own · 5 points"), "{}", stdout(&o));
    std::fs::write(&csv, "x1,x2,y\n-1,0,1\n-0.5,0,big\n").unwrap();
    let o = gradscope(
        &[
            "train",
            "--problem",
            "regression",
            "--data",
            csv.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("fit.csv: line 3, column 3: 'big' is not a number; expected y, a number"),
        "{}",
        stderr(&o)
    );
    let o = gradscope(&["train", "--problem", "regression", "--dataset", "moons"], "");
    assert_eq!(
        (o.status.code(), stderr(&o)),
        (Some(2), "moons is not a regression dataset\n".to_string())
    );
    std::fs::remove_dir_all(dir).unwrap();
}
