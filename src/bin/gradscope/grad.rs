//! `gradscope grad` and `gradscope jacobian`: a program (or one expression) at given
//! values, its gradient with respect to every leaf, or the Jacobian of its output.

use super::{UserError, USAGE};
use gradscope::expr::ExprError;
use gradscope::program::{Jacobian, Mode};
use gradscope::report::{self, Num};
use gradscope::session::program::{self, tensor_from_nested};
use gradscope::session::{LeafGradient, NestedValue, ProgramRun, ProgramSession, SessionError};
use gradscope::Tensor;
use std::collections::HashMap;
use std::io::{self, BufRead, Write};

#[derive(Default)]
struct Options {
    source: Option<String>,
    file: Option<String>,
    at: Vec<(String, Tensor<f64>)>,
    json: bool,
    graph: bool,
    batch: bool,
    wrt: Option<String>,
    mode: Option<Mode>,
}

fn parse_args(args: &[String], jacobian: bool) -> Result<Options, UserError> {
    let mut o = Options::default();
    let mut i = 0;
    let value = |i: usize, flag: &str, what: &str| {
        args.get(i)
            .cloned()
            .ok_or_else(|| UserError(format!("{flag} needs {what}")))
    };
    while i < args.len() {
        let arg = args[i].as_str();
        match arg {
            "--json" => o.json = true,
            "--graph" if !jacobian => o.graph = true,
            "--batch" => o.batch = true,
            "--at" => {
                i += 1;
                o.at.extend(parse_assignments(&value(
                    i,
                    "--at",
                    "NAME=VALUE[,NAME=VALUE...]",
                )?)?);
            }
            _ if arg.starts_with("--at=") => o.at.extend(parse_assignments(&arg[5..])?),
            "--file" => {
                i += 1;
                o.file = Some(value(i, "--file", "a path")?);
            }
            "--wrt" if jacobian => {
                i += 1;
                o.wrt = Some(value(i, "--wrt", "a leaf's name")?);
            }
            "--mode" if jacobian => {
                i += 1;
                o.mode = Some(match value(i, "--mode", "reverse or forward")?.as_str() {
                    "reverse" => Mode::Reverse,
                    "forward" => Mode::Forward,
                    other => return Err(UserError(format!("--mode: '{other}' is not reverse or forward"))),
                });
            }
            // Anything else that looks like a long flag is a mistake; a leading single '-'
            // is an expression such as '-x1^2'.
            _ if arg.starts_with("--") => {
                return Err(UserError(format!("unknown option '{arg}'\n\n{USAGE}")));
            }
            _ if o.source.is_none() => o.source = Some(arg.to_string()),
            _ => {
                return Err(UserError(format!(
                    "unexpected argument '{arg}': give one program (quote it if it has spaces)"
                )))
            }
        }
        i += 1;
    }
    Ok(o)
}

/// `x1=2,x2=5` or `W=[[1,2],[3,4]],x=[1,2]`: commas inside brackets belong to the value.
fn parse_assignments(list: &str) -> Result<Vec<(String, Tensor<f64>)>, UserError> {
    let mut pairs = Vec::new();
    let (mut depth, mut from) = (0usize, 0);
    for (i, c) in list.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                pairs.push(&list[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    pairs.push(&list[from..]);
    pairs
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .map(|pair| {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| UserError(format!("--at: expected NAME=VALUE, got '{pair}'")))?;
            let value = value.trim();
            let tensor = if value.starts_with('[') {
                let json: serde_json::Value = serde_json::from_str(value).map_err(|e| {
                    UserError(format!(
                        "--at: the value of {} is not a list of numbers ({e})",
                        name.trim()
                    ))
                })?;
                let nested = nested(&json).map_err(|e| UserError(format!("--at: {}: {e}", name.trim())))?;
                tensor_from_nested(&nested).map_err(|e| UserError(format!("--at: {}: {e}", name.trim())))?
            } else {
                Tensor::scalar(
                    value
                        .parse::<f64>()
                        .map_err(|_| UserError(format!("--at: '{value}' is not a number (in '{pair}')")))?,
                )
            };
            Ok((name.trim().to_string(), tensor))
        })
        .collect()
}

/// JSON to nested numbers: numbers, the strings "NaN", "Infinity", "-Infinity", and lists.
fn nested(v: &serde_json::Value) -> Result<NestedValue, String> {
    Ok(match v {
        serde_json::Value::Number(n) => NestedValue::Number(n.as_f64().ok_or("not a number")?),
        serde_json::Value::String(s) => NestedValue::Number(match s.as_str() {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            _ => return Err(format!("\"{s}\" is not a number")),
        }),
        serde_json::Value::Array(items) => {
            // Nesting deeper than a matrix is refused before it is walked.
            if items
                .iter()
                .any(|i| matches!(i, serde_json::Value::Array(row) if row.iter().any(|x| x.is_array())))
            {
                return Err("tensors have at most 2 dimensions".into());
            }
            NestedValue::List(items.iter().map(nested).collect::<Result<_, _>>()?)
        }
        other => return Err(format!("{other} is not a number or a list of numbers")),
    })
}

fn values(at: &HashMap<String, serde_json::Value>) -> Result<HashMap<String, Tensor<f64>>, SessionError> {
    at.iter()
        .map(|(name, v)| {
            nested(v)
                .and_then(|n| tensor_from_nested(&n))
                .map(|t| (name.clone(), t))
                .map_err(|e| {
                    ExprError::new(
                        format!("the value of {name} is not a number or a tensor: {e}"),
                        0,
                        0,
                    )
                    .into()
                })
        })
        .collect()
}

/// The program text: the argument, a file, or standard input for `-`.
fn source(o: &Options) -> Result<String, UserError> {
    match (&o.source, &o.file) {
        (Some(_), Some(_)) => Err(UserError(
            "give the program as text or with --file, not both".into(),
        )),
        (None, Some(path)) => {
            std::fs::read_to_string(path).map_err(|e| UserError(format!("--file {path}: {e}")))
        }
        (Some(s), None) if s == "-" => {
            // Programs longer than the system's limit for one argument (128 kB) come on stdin.
            Ok(io::read_to_string(io::stdin())
                .map_err(|e| UserError(format!("error reading standard input: {e}")))?
                .trim_end()
                .to_string())
        }
        (Some(s), None) => Ok(s.clone()),
        (None, None) => Err(UserError(format!("missing the program\n\n{USAGE}"))),
    }
}

/// Parses and runs, with `--at` names checked against the program's free names.
fn prepare(o: &Options, source: &str) -> Result<ProgramRun, UserError> {
    let shown = |e: SessionError| match e.span() {
        Some(_) => UserError(match e {
            SessionError::Parse(e) | SessionError::Run(e) => e.render(source),
            _ => unreachable!(),
        }),
        None => UserError(format!("error: {e}")),
    };
    let session = ProgramSession::new(source).map_err(|e| shown(e.into()))?;
    if let Some((name, _)) = o.at.iter().find(|(n, _)| !session.free_names().any(|v| v == n)) {
        let known: Vec<&str> = session.free_names().collect();
        return Err(UserError(format!(
            "--at: '{name}' is not a variable of this program (its variables: {})",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        )));
    }
    let at: HashMap<String, Tensor<f64>> = o.at.iter().cloned().collect();
    session.run(&at).map_err(shown)
}

pub fn grad(args: &[String]) -> Result<(), UserError> {
    let o = parse_args(args, false)?;
    if o.batch {
        refuse_batch_arguments(&o)?;
        return batch(|line| grad_line(line, o.graph));
    }
    let source = source(&o)?;
    let mut run = prepare(&o, &source)?;
    let gradients = run.backward().map_err(|e| UserError(format!("error: {e}")))?;
    let mut out = io::stdout().lock();
    let written = if o.json {
        serde_json::to_writer(&mut out, &Answer::new(&run, &gradients, o.graph))
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        write_for_person(&mut out, &source, &run, &gradients, o.graph)
    };
    written.map_err(|e| UserError(format!("error writing output: {e}")))
}

pub fn jacobian(args: &[String]) -> Result<(), UserError> {
    let o = parse_args(args, true)?;
    if o.batch {
        refuse_batch_arguments(&o)?;
        return batch(jacobian_line);
    }
    let source = source(&o)?;
    let wrt = o
        .wrt
        .clone()
        .ok_or_else(|| UserError("jacobian needs --wrt NAME: the leaf to differentiate by".into()))?;
    let mut run = prepare(&o, &source)?;
    let j = run
        .jacobian(&wrt, o.mode.unwrap_or(Mode::Reverse))
        .map_err(|e| UserError(format!("error: {e}")))?;
    let mut out = io::stdout().lock();
    let written = if o.json {
        serde_json::to_writer(&mut out, &program::JacobianReport::new(&j, Num))
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        write_jacobian(&mut out, &wrt, o.mode.unwrap_or(Mode::Reverse), &j)
    };
    written.map_err(|e| UserError(format!("error writing output: {e}")))
}

fn refuse_batch_arguments(o: &Options) -> Result<(), UserError> {
    if o.source.is_some() || o.file.is_some() || !o.at.is_empty() || o.wrt.is_some() {
        return Err(UserError(
            "--batch reads requests from standard input; give no program, --file, --at or --wrt".into(),
        ));
    }
    Ok(())
}

#[derive(serde::Deserialize)]
struct Request {
    expr: String,
    #[serde(default)]
    at: HashMap<String, serde_json::Value>,
    #[serde(default)]
    wrt: Option<String>,
    #[serde(default)]
    mode: Option<String>,
}

fn request(text: &[u8]) -> Result<(Request, ProgramRun), SessionError> {
    let r = serde_json::from_slice::<Request>(text)
        .map_err(|e| SessionError::from(ExprError::new(format!("not a request line ({e})"), 0, 0)))?;
    let at = values(&r.at)?;
    let run = ProgramSession::new(&r.expr)?.run(&at)?;
    Ok((r, run))
}

fn grad_line(text: &[u8], graph: bool) -> Result<String, SessionError> {
    let (_, mut run) = request(text)?;
    let gradients = run.backward()?;
    Ok(serde_json::to_string(&Answer::new(&run, &gradients, graph)).expect("JSON of numbers"))
}

fn jacobian_line(text: &[u8]) -> Result<String, SessionError> {
    let (r, mut run) = request(text)?;
    let mode = match r.mode.as_deref() {
        None | Some("reverse") => Mode::Reverse,
        Some("forward") => Mode::Forward,
        Some(other) => {
            return Err(ExprError::new(format!("mode '{other}' is not reverse or forward"), 0, 0).into())
        }
    };
    let wrt = r.wrt.ok_or_else(|| {
        SessionError::from(ExprError::new(
            "a jacobian request needs \"wrt\": the leaf to differentiate by",
            0,
            0,
        ))
    })?;
    let j = run.jacobian(&wrt, mode)?;
    Ok(serde_json::to_string(&program::JacobianReport::new(&j, Num)).expect("JSON of numbers"))
}

/// One JSON line out for each line in; a bad line gives an error object and the batch goes on.
fn batch(answer: impl Fn(&[u8]) -> Result<String, SessionError>) -> Result<(), UserError> {
    let run = || -> io::Result<()> {
        let mut stdin = io::stdin().lock();
        let mut out = io::BufWriter::new(io::stdout().lock());
        let mut line = Vec::new();
        loop {
            line.clear();
            if stdin.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            // Bytes, not text: a line that is not UTF-8 is one bad line, not the end.
            let text = line.strip_suffix(b"\n").unwrap_or(&line);
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            match answer(text) {
                Ok(json) => out.write_all(json.as_bytes())?,
                Err(e) => serde_json::to_writer(&mut out, &ErrorLine::from(&e))?,
            }
            writeln!(out)?;
        }
        out.flush()
    };
    run().map_err(|e| UserError(format!("error reading standard input: {e}")))
}

/// `{"value": v, "gradient": {...}}` (the session's [`Answer`]), with `"graph": [...]`
/// when asked.
#[derive(serde::Serialize)]
struct Answer {
    #[serde(flatten)]
    answer: program::Answer<Num>,
    #[serde(skip_serializing_if = "Option::is_none")]
    graph: Option<Vec<report::NodeReport<Num>>>,
}

impl Answer {
    fn new(run: &ProgramRun, gradients: &[LeafGradient], graph: bool) -> Self {
        Answer {
            answer: program::Answer::new(&run.value(), gradients, Num),
            graph: graph.then(|| {
                run.nodes()
                    .into_iter()
                    .map(report::NodeReport::for_json)
                    .collect()
            }),
        }
    }
}

#[derive(serde::Serialize)]
struct ErrorLine {
    error: ErrorBody,
}

#[derive(serde::Serialize)]
struct ErrorBody {
    message: String,
    start: usize,
    end: usize,
}

impl From<&SessionError> for ErrorLine {
    fn from(e: &SessionError) -> Self {
        let (start, end) = e.span().unwrap_or((0, 0));
        ErrorLine {
            error: ErrorBody {
                message: e.to_string(),
                start,
                end,
            },
        }
    }
}

/// Shortest round-trip digits, in exponent form where plain digits would run long.
fn show(x: f64) -> String {
    match x {
        x if x.is_nan() => "NaN".into(),
        x if x == f64::INFINITY => "Infinity".into(),
        x if x == f64::NEG_INFINITY => "-Infinity".into(),
        x if x != 0.0 && !(1e-6..1e16).contains(&x.abs()) => format!("{x:e}"),
        x => x.to_string(),
    }
}

/// A tensor for a person: a number, `[1, 2]` or `[[1, 2], [3, 4]]`.
fn show_tensor(t: &Tensor<f64>) -> String {
    let list = |xs: &[f64]| format!("[{}]", xs.iter().map(|&x| show(x)).collect::<Vec<_>>().join(", "));
    match t.shape.rank() {
        0 => show(t.data[0]),
        1 => list(&t.data),
        _ => format!(
            "[{}]",
            t.data
                .chunks(t.shape.cols())
                .map(list)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A node's numbers in the `--graph` table: all of a small tensor, the shape of a big one.
fn show_values(shape: &[usize], xs: &[f64]) -> String {
    if xs.len() == 1 {
        return show(xs[0]);
    }
    // As shapes print everywhere else: `[3]` for a vector, `2×3` for a matrix.
    let dims = match shape {
        [n] => format!("[{n}]"),
        dims => dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("×"),
    };
    if xs.len() <= 4 {
        format!(
            "{dims} [{}]",
            xs.iter().map(|&x| show(x)).collect::<Vec<_>>().join(", ")
        )
    } else {
        format!(
            "{dims} [{}, …]",
            xs[..3].iter().map(|&x| show(x)).collect::<Vec<_>>().join(", ")
        )
    }
}

fn write_for_person(
    out: &mut impl Write,
    source: &str,
    run: &ProgramRun,
    gradients: &[LeafGradient],
    graph: bool,
) -> io::Result<()> {
    let free: Vec<&LeafGradient> = gradients.iter().filter(|g| g.free).collect();
    let names: Vec<&str> = free.iter().map(|g| g.name.as_str()).collect();
    let g = run.graph();
    // One line is shown as the function it is; a longer program is not repeated.
    if !source.trim().contains('\n') {
        writeln!(out, "f({}) = {}", names.join(", "), source.trim())?;
    }
    if !names.is_empty() {
        let at: Vec<String> = run
            .leaves()
            .iter()
            .filter(|l| l.free)
            .map(|l| {
                let t = Tensor {
                    shape: g.node(l.node).shape,
                    data: g.value(l.node).to_vec(),
                };
                format!("{} = {}", l.name, show_tensor(&t))
            })
            .collect();
        writeln!(out, "at {}", at.join(", "))?;
    }
    writeln!(out)?;
    let width = gradients
        .iter()
        .map(|g| g.name.chars().count())
        .max()
        .unwrap_or(0)
        + 4;
    writeln!(out, "{:<width$} = {}", "f", show_tensor(&run.value()))?;
    for grad in gradients {
        writeln!(
            out,
            "{:<width$} = {}",
            format!("∂f/∂{}", grad.name),
            show_tensor(&grad.gradient)
        )?;
    }
    // Where a NaN or an infinity arose, and why: the same words as the page's. Asked of
    // each node directly: a full report of a million-node graph is not needed for this.
    for i in 0..g.len() {
        let id = gradscope::NodeId(i as u32);
        if let Some(why) = report::why_not_finite(g, id) {
            let node = g.node(id);
            let label = node.label.as_deref().unwrap_or(node.op.name());
            writeln!(
                out,
                "note: node {i} ({label}) = {}: {why}",
                show_values(node.shape.dims(), g.value(id))
            )?;
        }
    }
    if graph {
        let nodes = run.nodes();
        writeln!(
            out,
            "\nnode  op        label        value                    gradient"
        )?;
        for n in &nodes {
            writeln!(
                out,
                "{:<5} {:<9} {:<12} {:<24} {}",
                n.id,
                n.op,
                n.label,
                show_values(&n.shape, &n.value),
                show_values(&n.shape, &n.grad)
            )?;
        }
        // Each edge carries upstream × local back to its input; a node's gradient is the
        // sum over its outgoing edges.
        writeln!(
            out,
            "\nedge        local derivative         upstream                 upstream × local"
        )?;
        for n in &nodes {
            for e in &n.edges {
                let from = &nodes[e.from].shape;
                let local = e
                    .local
                    .as_ref()
                    .map_or("-".to_string(), |l| show_values(&n.shape, l));
                writeln!(
                    out,
                    "{:<11} {:<24} {:<24} {}",
                    format!("{} → {}", e.from, n.id),
                    local,
                    show_values(&n.shape, &n.grad),
                    show_values(from, &e.flowed)
                )?;
            }
        }
    }
    Ok(())
}

fn write_jacobian(out: &mut impl Write, wrt: &str, mode: Mode, j: &Jacobian) -> io::Result<()> {
    writeln!(
        out,
        "∂f/∂{wrt}: {} × {} (output {}, {wrt} {})",
        j.rows, j.cols, j.output_shape, j.wrt_shape
    )?;
    for i in 0..j.rows {
        writeln!(
            out,
            "  {}",
            j.row(i)
                .iter()
                .map(|&x| format!("{:>10}", show(x)))
                .collect::<Vec<_>>()
                .join(" ")
        )?;
    }
    let (passes, per) = match mode {
        Mode::Reverse => (j.passes, "one backward pass per output element"),
        Mode::Forward => (j.passes, "one forward pass per element of the leaf"),
    };
    writeln!(out, "nonzeros: {} of {}", j.nonzeros, j.rows * j.cols)?;
    writeln!(out, "passes: {passes} ({per})")
}
