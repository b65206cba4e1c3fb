//! `gradscope`: gradients from the command line.
//!
//! ```text
//! gradscope grad 'ln(x1)+x1*x2-sin(x2)' --at x1=2,x2=5 [--json] [--graph]
//! gradscope grad --batch [--graph] < lines.jsonl
//! ```
//!
//! A user error exits with status 2 and a message on standard error; nothing panics.

mod train;

use gradscope::expr::ExprError;
use gradscope::report::{self, Num};
use gradscope::session::{Evaluation, ExpressionSession, SessionError};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::collections::HashMap;
use std::io::{self, BufRead, Write};
use std::process::ExitCode;

const USAGE: &str = "\
gradscope: see backpropagation

usage:
  gradscope grad EXPR --at NAME=VALUE[,NAME=VALUE...] [--json] [--graph]
  gradscope grad --batch [--graph]     JSON lines {\"expr\": ..., \"at\": {...}} on stdin
  gradscope train [--dataset moons] [--hidden 16,16] [--loss hinge] ... [--steps N] [--json]
  gradscope help          (gradscope train --help lists every training flag)

EXPR may start with '-' ('-x1^2'); quote it for the shell. EXPR '-' reads it from stdin.
--json    print {\"value\": v, \"gradient\": {name: g, ...}}
--graph   add the computation graph: every node's value and gradient, and every edge's
          local derivative and the gradient that flowed along it
--batch   one JSON result per input line, in order; a bad line gives {\"error\": ...}
Non-finite numbers are written as \"NaN\", \"Infinity\" and \"-Infinity\" in JSON.";

/// A mistake on the command line or in the expression: exit status 2.
pub(crate) struct UserError(pub(crate) String);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(UserError(message)) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), UserError> {
    match args.first().map(String::as_str) {
        Some("grad") => grad(&args[1..]),
        Some("train") => train::run(&args[1..]),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        Some("--version" | "-V") => {
            println!("gradscope {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Some(other) => Err(UserError(format!("unknown command '{other}'\n\n{USAGE}"))),
        None => Err(UserError(USAGE.to_string())),
    }
}

#[derive(Default)]
struct GradOptions {
    expr: Option<String>,
    at: Vec<(String, f64)>,
    json: bool,
    graph: bool,
    batch: bool,
}

fn parse_grad_args(args: &[String]) -> Result<GradOptions, UserError> {
    let mut o = GradOptions::default();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        match arg {
            "--json" => o.json = true,
            "--graph" => o.graph = true,
            "--batch" => o.batch = true,
            "--at" => {
                i += 1;
                let list = args
                    .get(i)
                    .ok_or_else(|| UserError("--at needs NAME=VALUE[,NAME=VALUE...]".into()))?;
                o.at.extend(parse_assignments(list)?);
            }
            _ if arg.starts_with("--at=") => o.at.extend(parse_assignments(&arg[5..])?),
            // Anything else that looks like a long flag is a mistake; a leading single '-'
            // is an expression such as '-x1^2'.
            _ if arg.starts_with("--") => {
                return Err(UserError(format!("unknown option '{arg}'\n\n{USAGE}")));
            }
            _ if o.expr.is_none() => o.expr = Some(arg.to_string()),
            _ => {
                return Err(UserError(format!(
                    "unexpected argument '{arg}': give one expression (quote it if it has spaces)"
                )))
            }
        }
        i += 1;
    }
    Ok(o)
}

fn parse_assignments(list: &str) -> Result<Vec<(String, f64)>, UserError> {
    list.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|pair| {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| UserError(format!("--at: expected NAME=VALUE, got '{pair}'")))?;
            let value = value
                .trim()
                .parse::<f64>()
                .map_err(|_| UserError(format!("--at: '{value}' is not a number (in '{pair}')")))?;
            Ok((name.trim().to_string(), value))
        })
        .collect()
}

fn grad(args: &[String]) -> Result<(), UserError> {
    let o = parse_grad_args(args)?;
    if o.batch {
        if o.expr.is_some() || !o.at.is_empty() {
            return Err(UserError(
                "--batch reads expressions from standard input; give no EXPR or --at".into(),
            ));
        }
        return batch(o.graph).map_err(|e| UserError(format!("error reading standard input: {e}")));
    }
    let mut source = o
        .expr
        .ok_or_else(|| UserError(format!("missing the expression\n\n{USAGE}")))?;
    if source == "-" {
        // Expressions longer than the system's limit for one argument (128 kB) come on stdin.
        source = io::read_to_string(io::stdin())
            .map_err(|e| UserError(format!("error reading standard input: {e}")))?
            .trim_end()
            .to_string();
    }
    let at: HashMap<String, f64> = o.at.iter().cloned().collect();
    let shown = |e: SessionError| match e {
        SessionError::Parse(e) => UserError(e.render(&source)),
        e => UserError(format!("error: {e}")),
    };
    let mut session = ExpressionSession::new(&source).map_err(|e| shown(e.into()))?;
    if let Some((name, _)) = o.at.iter().find(|(n, _)| !session.variables().any(|v| v == n)) {
        let known: Vec<&str> = session.variables().collect();
        return Err(UserError(format!(
            "--at: '{name}' is not a variable of this expression (its variables: {})",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        )));
    }
    let evaluation = session.evaluate_at(&at).map_err(shown)?;
    let mut out = io::stdout().lock();
    let written = if o.json {
        serde_json::to_writer(&mut out, &Answer::new(&session, &evaluation, o.graph))
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        write_for_person(&mut out, &session, &evaluation, o.graph)
    };
    written.map_err(|e| UserError(format!("error writing output: {e}")))
}

/// One JSON line out for each line in; a bad line gives an error object and the batch goes on.
fn batch(graph: bool) -> io::Result<()> {
    #[derive(serde::Deserialize)]
    struct Request {
        expr: String,
        #[serde(default)]
        at: HashMap<String, serde_json::Value>,
    }
    let mut stdin = io::stdin().lock();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut line = Vec::new();
    loop {
        line.clear();
        if stdin.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        // Bytes, not text: a line that is not UTF-8 is one bad line, not the end of the batch.
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        let request = serde_json::from_slice::<Request>(text)
            .map_err(|e| ExprError::new(format!("not a request line ({e})"), 0, 0).into());
        let answer = request.and_then(|r| {
            let at = numbers(&r.at)?;
            let mut session = ExpressionSession::new(&r.expr)?;
            let evaluation = session.evaluate_at(&at)?;
            Ok((session, evaluation))
        });
        match answer {
            Ok((session, e)) => serde_json::to_writer(&mut out, &Answer::new(&session, &e, graph))?,
            Err(e) => serde_json::to_writer(&mut out, &ErrorLine::from(&e))?,
        }
        writeln!(out)?;
    }
    out.flush()
}

/// Variable values from JSON: numbers, or the strings "NaN", "Infinity", "-Infinity".
fn numbers(at: &HashMap<String, serde_json::Value>) -> Result<HashMap<String, f64>, SessionError> {
    at.iter()
        .map(|(name, v)| {
            let x = match v {
                serde_json::Value::Number(n) => n.as_f64(),
                serde_json::Value::String(s) => match s.as_str() {
                    "NaN" => Some(f64::NAN),
                    "Infinity" => Some(f64::INFINITY),
                    "-Infinity" => Some(f64::NEG_INFINITY),
                    _ => None,
                },
                _ => None,
            };
            x.map(|x| (name.clone(), x)).ok_or_else(|| {
                ExprError::new(format!("the value of {name} is not a number: {v}"), 0, 0).into()
            })
        })
        .collect()
}

/// `{"value": v, "gradient": {...}}`, with `"graph": [...]` when asked.
struct Answer<'a> {
    session: &'a ExpressionSession,
    evaluation: &'a Evaluation,
    graph: bool,
}

impl<'a> Answer<'a> {
    fn new(session: &'a ExpressionSession, evaluation: &'a Evaluation, graph: bool) -> Self {
        Answer {
            session,
            evaluation,
            graph,
        }
    }
}

impl Serialize for Answer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        /// The gradient as a map in order of first appearance.
        struct Gradient<'a>(&'a ExpressionSession, &'a [f64]);
        impl Serialize for Gradient<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.variables().zip(self.1).map(|(k, v)| (k, Num(*v))))
            }
        }
        let e = self.evaluation;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("value", &Num(e.value))?;
        map.serialize_entry("gradient", &Gradient(self.session, &e.gradient))?;
        if self.graph {
            let nodes: Vec<_> = e
                .nodes
                .iter()
                .cloned()
                .map(report::NodeReport::for_json)
                .collect();
            map.serialize_entry("graph", &nodes)?;
        }
        map.end()
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
        let (start, end) = match e {
            SessionError::Parse(e) => (e.start, e.end),
            _ => (0, 0),
        };
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

fn write_for_person(
    out: &mut impl Write,
    session: &ExpressionSession,
    e: &Evaluation,
    graph: bool,
) -> io::Result<()> {
    let names: Vec<&str> = session.variables().collect();
    writeln!(
        out,
        "f({}) = {}",
        names.join(", "),
        session.expression().source.trim()
    )?;
    if !names.is_empty() {
        let at: Vec<String> = names
            .iter()
            .zip(&e.inputs)
            .map(|(n, &id)| format!("{n} = {}", show(e.nodes[id].value[0])))
            .collect();
        writeln!(out, "at {}", at.join(", "))?;
    }
    writeln!(out)?;
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0) + 4;
    writeln!(out, "{:<width$} = {}", "f", show(e.value))?;
    for (name, g) in names.iter().zip(&e.gradient) {
        writeln!(out, "{:<width$} = {}", format!("∂f/∂{name}"), show(*g))?;
    }
    let nodes = &e.nodes;
    // Where a NaN or an infinity arose, and why: the same words as the page's.
    for n in nodes {
        if let Some(why) = &n.not_finite {
            writeln!(
                out,
                "note: node {} ({}) = {}: {why}",
                n.id,
                n.label,
                show(n.value[0])
            )?;
        }
    }
    if graph {
        writeln!(
            out,
            "\nnode  op        label        value                    gradient"
        )?;
        for n in nodes {
            writeln!(
                out,
                "{:<5} {:<9} {:<12} {:<24} {}",
                n.id,
                n.op,
                n.label,
                show(n.value[0]),
                show(n.grad[0])
            )?;
        }
        // Each edge carries upstream × local back to its input; a node's gradient is the
        // sum over its outgoing edges.
        writeln!(
            out,
            "\nedge        local derivative         upstream                 upstream × local"
        )?;
        for n in nodes {
            for e in &n.edges {
                let local = e.local.as_ref().map_or("-".to_string(), |l| show(l[0]));
                writeln!(
                    out,
                    "{:<11} {:<24} {:<24} {}",
                    format!("{} → {}", e.from, n.id),
                    local,
                    show(n.grad[0]),
                    show(e.flowed[0])
                )?;
            }
        }
    }
    Ok(())
}
