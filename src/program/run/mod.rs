//! Running a program: define-by-run, as the lecture says. Statements execute top to
//! bottom and every tensor operation appends a node to the graph at once, so only the
//! branch taken and the iterations run are in the graph, and other inputs can give
//! another graph. Each node remembers the source span and the loop iteration or function
//! call that made it.
//!
//! Numbers typed in the text stay plain numbers until a tensor operation needs them (then
//! they become constant nodes, as in an expression), so indices, loop bounds and
//! conditions add nothing to the graph. Every limit is checked before the work it bounds.
//!
//! This file holds the limits, what a run records, and the interpreter's state with the
//! helpers every part uses (appending nodes under the limits, names); `statements.rs`
//! runs blocks, `values.rs` evaluates expressions, `data.rs` makes tensors from literals
//! and constructors, and `calls.rs` dispatches calls.

mod calls;
mod data;
mod statements;
mod values;

use super::ast::*;
use super::builtins::Builtin;
use super::lexer::CmpOp;
use super::resolve::{self, Callee};
use crate::expr::lexer::quoted;
use crate::expr::ExprError;
use crate::graph::{Graph, GraphError, NodeId};
use crate::nn::rng::Rng;
use crate::ops::{Axis, Binary, Op, Reduction, Unary, Window};
use crate::tensor::{Shape, Tensor};
use std::collections::HashMap;

/// What a program may use, so that no text hangs the page or exhausts its memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Loop iterations over the whole run.
    pub iterations: usize,
    /// Function calls active at once.
    pub call_depth: usize,
    /// Elements over all nodes of the graph.
    pub graph_elements: usize,
    /// Nodes of the graph.
    pub nodes: usize,
    /// Elements of one tensor.
    pub tensor_elements: usize,
    /// Multiply-adds and element operations, over the whole run.
    pub work: u64,
    /// Expressions and blocks being evaluated inside one another, over all active calls:
    /// what bounds the interpreter's stack.
    pub nesting: usize,
    /// Statements run and expressions evaluated, over the whole run: what bounds the
    /// interpreter's own time where no tensor work is counted (a loop whose body is
    /// thousands of `pass` lines, arithmetic on plain numbers in a condition, a recursion
    /// that branches on booleans), each of which once ran for hours.
    pub steps: u64,
    /// Function calls over the whole run. Each is a group the page draws, as an iteration
    /// is, so they are bounded alike (a call tree of 2³² leaves once ran for hours).
    pub calls: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            iterations: 1_000_000,
            call_depth: 64,
            graph_elements: 1 << 23,
            nodes: 1_000_000,
            tensor_elements: 1 << 20,
            work: 500_000_000,
            nesting: 500,
            // A 1,000,000-iteration loop may take 10 steps an iteration. This many take
            // up to about 3 s unoptimised, about half a second optimised.
            steps: 10_000_000,
            calls: 1_000_000,
        }
    }
}

/// The longest program text, in bytes (300,000 lines of `x = x + 1` fit four times).
pub const MAX_SOURCE_LEN: usize = 1 << 22;

/// Where a node came from: the span of the expression that made it and the innermost
/// loop iteration or call it was made in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub span: Span,
    pub group: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupKind {
    /// Iteration `index` (from 0) of the loop whose header is the group's span.
    Iteration { index: usize },
    /// A call of the program's function `name`; the span is the call.
    Call { name: String },
}

/// A loop iteration or function call: the page draws each as a box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub kind: GroupKind,
    pub span: Span,
    pub parent: Option<u32>,
}

/// An `if` as it ran: which branch was taken and the values of the conditions tested.
#[derive(Clone, Debug, PartialEq)]
pub struct BranchTaken {
    /// The `if` line.
    pub span: Span,
    pub group: Option<u32>,
    /// The index of the branch taken (`if` is 0, each `elif` one more), or `None` when
    /// no condition held and the `else` block (maybe empty) ran.
    pub taken: Option<usize>,
    /// Each tested condition's value, in order, up to the one that held.
    pub conditions: Vec<f64>,
}

/// A tensor that receives a gradient: a free name, or a name bound to a literal or a
/// constructor in the program (`W = randn(20, 20)`).
#[derive(Clone, Debug, PartialEq)]
pub struct Leaf {
    pub name: String,
    pub node: NodeId,
    pub span: Span,
    pub free: bool,
    /// Bound in the program but given its value from outside (see [`run_with_leaves`]).
    pub replaced: bool,
}

/// A program's run: its graph and what the views need to explain it.
#[derive(Clone, Debug)]
pub struct Run {
    pub graph: Graph<f64>,
    /// What the last `backward` was called on, or else the last statement's value.
    pub output: NodeId,
    /// The seed of that `backward`, if it had one.
    pub seed: Option<NodeId>,
    pub leaves: Vec<Leaf>,
    /// One per node.
    pub origins: Vec<Origin>,
    pub groups: Vec<Group>,
    pub branches: Vec<BranchTaken>,
}

#[derive(Clone, Copy, Debug)]
enum Value {
    Node(NodeId),
    /// A number not yet in the graph; `literal` when typed in the text at `span`.
    Num {
        x: f64,
        span: Span,
        literal: bool,
    },
    Shape(Shape),
    /// What a statement or a function without `return` gives.
    None,
}

enum Flow {
    Next,
    Break(Span),
    Continue(Span),
    Return(Value),
}

type Result<T> = std::result::Result<T, ExprError>;

fn err<T>(span: Span, message: impl Into<String>) -> Result<T> {
    Err(ExprError::new(message, span.start as usize, span.end as usize))
}

/// Thousands separated, for limits in messages: 1,000,000.
fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn shape_text(s: Shape) -> String {
    match s.rank() {
        0 => "a scalar".to_string(),
        _ => format!("a {s} tensor"),
    }
}

struct Interp<'p> {
    p: &'p Program,
    limits: Limits,
    g: Graph<f64>,
    globals: HashMap<&'p str, Value>,
    frames: Vec<HashMap<&'p str, Value>>,
    functions: HashMap<&'p str, usize>,
    defs: HashMap<&'p str, &'p Stmt>,
    origins: Vec<Origin>,
    groups: Vec<Group>,
    group: Option<u32>,
    branches: Vec<BranchTaken>,
    elements: usize,
    iterations: usize,
    work: u64,
    rng: Rng,
    backward: Option<(NodeId, Option<NodeId>)>,
    last: Option<Value>,
    /// The leaves so far, in order; a slot is emptied when its name is bound to a new
    /// leaf, which goes to the end (compacted when the run ends).
    leaves: Vec<Option<Leaf>>,
    /// Where each leaf's name is in `leaves`: finding it was a scan, which made 60,000
    /// lines `w1 = [1]`, `w2 = [1]`, … take a minute (quadratic).
    leaf_slots: HashMap<&'p str, usize>,
    /// Values that replace those of leaves bound in the program, by name.
    leaf_values: &'p HashMap<String, Tensor<f64>>,
    depth: usize,
    steps: u64,
    calls: usize,
}

/// The seed of `randn` and `rand` until a `seed(k)` statement.
pub const DEFAULT_SEED: u64 = 0;

/// Stack for one level of `Limits::nesting`, with room to spare: a level takes up to about
/// 2 KiB optimised but about 24 KiB unoptimised (a call inside an expression inside a call).
#[cfg(not(target_arch = "wasm32"))]
const STACK_PER_LEVEL: usize = 64 << 10;

/// Runs `p` with the free names at `inputs`.
///
/// Natively on a thread of its own, with a stack for every level of `limits.nesting`: on
/// the caller's, 1000 levels overflowed the 8 MiB main thread of an unoptimised command
/// line (a recursion through `sum(sum(…))`), and could overflow a 2 MiB spawned thread
/// even optimised. (If no thread can be had, it runs here. In the browser the frames are
/// kept small enough for the engine's stack, and the shadow stack is 8 MiB, set in
/// .cargo/config.toml: tests/web.rs runs programs at the nesting limit.)
pub fn run(p: &Program, inputs: &HashMap<String, Tensor<f64>>, limits: Limits) -> Result<Run> {
    run_with_leaves(p, inputs, &HashMap::new(), limits)
}

/// [`run`], with some leaves bound in the program given other values: a leaf named in
/// `leaf_values` (`W = randn(3, 4)`) takes that value instead of its constructor's, when
/// the shapes agree, as setting a parameter's data would (`W.data = …`). Random draws are
/// made all the same, so the other leaves keep theirs. A value of another shape is left
/// unused, and the leaf's `replaced` says which happened.
pub fn run_with_leaves(
    p: &Program,
    inputs: &HashMap<String, Tensor<f64>>,
    leaf_values: &HashMap<String, Tensor<f64>>,
    limits: Limits,
) -> Result<Run> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let stack = limits
            .nesting
            .saturating_mul(STACK_PER_LEVEL)
            .saturating_add(1 << 20)
            .min(1 << 30);
        let joined = std::thread::scope(|s| {
            std::thread::Builder::new()
                .name("gradscope program".into())
                .stack_size(stack)
                .spawn_scoped(s, || interpret(p, inputs, leaf_values, limits))
                .map(|thread| thread.join())
        });
        match joined {
            Ok(Ok(result)) => return result,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => {}
        }
    }
    interpret(p, inputs, leaf_values, limits)
}

fn interpret(
    p: &Program,
    inputs: &HashMap<String, Tensor<f64>>,
    leaf_values: &HashMap<String, Tensor<f64>>,
    limits: Limits,
) -> Result<Run> {
    let (functions, defs) = resolve::definitions(&p.body);
    let mut it = Interp {
        p,
        limits,
        g: Graph::new(),
        globals: HashMap::new(),
        frames: Vec::new(),
        functions,
        defs,
        origins: Vec::new(),
        groups: Vec::new(),
        group: None,
        branches: Vec::new(),
        elements: 0,
        iterations: 0,
        work: 0,
        rng: Rng::new(DEFAULT_SEED),
        backward: None,
        last: None,
        leaves: Vec::new(),
        leaf_slots: HashMap::new(),
        leaf_values,
        depth: 0,
        steps: 0,
        calls: 0,
    };
    // The free names become the first nodes, as an expression's variables do.
    for (name, span) in &p.free {
        let Some(value) = inputs.get(&**name) else {
            return err(*span, format!("missing value for variable {name}"));
        };
        it.guard(value.shape, *span)?;
        let id = it.g.input(name, value.clone());
        it.emit(*span)?;
        it.globals.insert(name, Value::Node(id));
        it.leaf_slots.insert(name, it.leaves.len());
        it.leaves.push(Some(Leaf {
            name: name.to_string(),
            node: id,
            span: *span,
            free: true,
            replaced: false,
        }));
    }
    match it.block(&p.body)? {
        Flow::Next => {}
        Flow::Break(span) => return err(span, "'break' outside a loop"),
        Flow::Continue(span) => return err(span, "'continue' outside a loop"),
        Flow::Return(_) => unreachable!("the resolver rejects 'return' outside a function"),
    }
    let whole = Span::new(0, p.source.len());
    let (output, seed) = match (it.backward, it.last) {
        (Some((y, seed)), _) => (y, seed),
        (None, Some(v)) => (it.node_of(v, whole)?, None),
        (None, None) => {
            return err(
                whole,
                "the program computes nothing: end it with an expression or an assignment",
            )
        }
    };
    Ok(Run {
        graph: it.g,
        output,
        seed,
        leaves: it.leaves.into_iter().flatten().collect(),
        origins: it.origins,
        groups: it.groups,
        branches: it.branches,
    })
}

/// Whether evaluating `id` makes a new tensor from data: a list, a constructor, or
/// `Variable`/`torch.tensor` of one. Such a value bound to a name is a leaf.
fn makes_leaf(p: &Program, id: ExprId, functions: &HashMap<&str, usize>) -> bool {
    match &p.expr(id).kind {
        ExprKind::List(_) => true,
        ExprKind::Call { callee, args, .. } => match resolve::callee(p, *callee, functions) {
            Ok(Callee::Builtin(b, _)) => match b {
                Builtin::Zeros | Builtin::Ones | Builtin::Eye | Builtin::Randn | Builtin::Rand => true,
                Builtin::Variable => args.first().is_some_and(|&a| makes_leaf(p, a, functions)),
                _ => false,
            },
            _ => false,
        },
        _ => false,
    }
}

impl<'p> Interp<'p> {
    // ---- the graph and its limits ------------------------------------------------------------

    /// Records the origin of the nodes made since the last call, and checks the graph's size.
    fn emit(&mut self, span: Span) -> Result<()> {
        while self.origins.len() < self.g.len() {
            let id = NodeId(self.origins.len() as u32);
            self.elements += self.g.node(id).shape.len();
            self.origins.push(Origin {
                span,
                group: self.group,
            });
        }
        if self.g.len() > self.limits.nodes {
            return err(
                span,
                format!(
                    "the graph has grown past {} nodes, the most a program may build",
                    grouped(self.limits.nodes as u64)
                ),
            );
        }
        Ok(())
    }

    /// Checks that a tensor of `shape` may be made, before making it.
    fn guard(&self, shape: Shape, span: Span) -> Result<()> {
        let n = shape.rows().saturating_mul(shape.cols());
        if n > self.limits.tensor_elements {
            return err(
                span,
                format!(
                    "this would make {}, {} elements; one tensor may have at most {}",
                    shape_text(shape),
                    grouped(n as u64),
                    grouped(self.limits.tensor_elements as u64)
                ),
            );
        }
        if self.elements + n > self.limits.graph_elements {
            return err(
                span,
                format!(
                "the graph would hold more than {} numbers over all its nodes, the most a program may build",
                grouped(self.limits.graph_elements as u64)
            ),
            );
        }
        Ok(())
    }

    fn count_work(&mut self, amount: u64, span: Span) -> Result<()> {
        self.work = self.work.saturating_add(amount);
        if self.work > self.limits.work {
            return err(
                span,
                format!(
                    "the program does more than {} arithmetic operations, the most it may do",
                    grouped(self.limits.work)
                ),
            );
        }
        Ok(())
    }

    /// Appends an op, after checking that its inputs fit and its result is allowed.
    fn apply(&mut self, op: Op, span: Span) -> Result<NodeId> {
        let mut shapes = [Shape::SCALAR; 2];
        for (s, &x) in shapes.iter_mut().zip(op.inputs().iter()) {
            *s = self.g.node(x).shape;
        }
        let shape = match op.shape(shapes) {
            Ok(s) => s,
            Err(e) => return err(span, e.to_string()),
        };
        self.guard(shape, span)?;
        self.count_work(op.work(shapes[0], shape), span)?;
        let id = self.g.apply(op).map_err(|e| match e {
            GraphError::Shape(e) => ExprError::new(e.to_string(), span.start as usize, span.end as usize),
            e => ExprError::new(e.to_string(), span.start as usize, span.end as usize),
        })?;
        self.emit(span)?;
        Ok(id)
    }

    fn constant(&mut self, label: &str, value: Tensor<f64>, span: Span) -> Result<NodeId> {
        self.guard(value.shape, span)?;
        let id = self.g.constant(label, value);
        self.emit(span)?;
        Ok(id)
    }

    /// A value as a node: a number becomes a constant node labelled as it was written.
    fn node_of(&mut self, v: Value, span: Span) -> Result<NodeId> {
        match v {
            Value::Node(id) => Ok(id),
            Value::Num { x, span: at, literal } => {
                let label = if literal {
                    self.p.text(at).to_string()
                } else {
                    number_label(x)
                };
                self.constant(&label, Tensor::scalar(x), at)
            }
            Value::Shape(_) => err(span, "a shape is not a tensor: index it (x.shape[0]) for a size"),
            Value::None => err(span, "this has no value (a function without 'return'?)"),
        }
    }

    fn shape_of(&self, v: Value) -> Shape {
        match v {
            Value::Node(id) => self.g.node(id).shape,
            _ => Shape::SCALAR,
        }
    }

    /// The elements of a value (for comparisons and conditions).
    fn data_of(&self, v: Value, span: Span) -> Result<(Shape, Vec<f64>)> {
        match v {
            Value::Node(id) => Ok((self.g.node(id).shape, self.g.value(id).to_vec())),
            Value::Num { x, .. } => Ok((Shape::SCALAR, vec![x])),
            Value::Shape(_) => err(span, "a shape is not a number: index it (x.shape[0])"),
            Value::None => err(span, "this has no value (a function without 'return'?)"),
        }
    }

    // ---- names -------------------------------------------------------------------------------

    fn lookup(&self, name: &str, span: Span) -> Result<Value> {
        if let Some(v) = self.frames.last().and_then(|f| f.get(name)) {
            return Ok(*v);
        }
        if let Some(v) = self.globals.get(name) {
            return Ok(*v);
        }
        if let Some(x) = resolve::constant(name) {
            return Ok(Value::Num {
                x,
                span,
                literal: true,
            });
        }
        if self.functions.contains_key(name) {
            return err(span, format!("'{name}' is a function: call it with {name}(…)"));
        }
        err(span, format!("'{name}' is used before it is assigned"))
    }

    fn bind(&mut self, name: &'p str, v: Value) {
        match self.frames.last_mut() {
            Some(frame) => frame.insert(name, v),
            None => self.globals.insert(name, v),
        };
    }
}

/// How a number not typed in the text is labelled: `3`, `0.5`.
fn number_label(x: f64) -> String {
    crate::ops::elementwise::number_text(x)
}

/// Source text short enough for a node's label.
fn short(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    const MAX: usize = 24;
    if flat.chars().count() <= MAX {
        flat
    } else {
        let head: String = flat.chars().take(MAX - 1).collect();
        format!("{head}…")
    }
}
