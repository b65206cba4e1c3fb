//! Running a program: define-by-run, as the lecture says. Statements execute top to
//! bottom and every tensor operation appends a node to the graph at once, so only the
//! branch taken and the iterations run are in the graph, and other inputs can give
//! another graph. Each node remembers the source span and the loop iteration or function
//! call that made it.
//!
//! Numbers typed in the text stay plain numbers until a tensor operation needs them (then
//! they become constant nodes, as in an expression), so indices, loop bounds and
//! conditions add nothing to the graph. Every limit is checked before the work it bounds.

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
                .spawn_scoped(s, || interpret(p, inputs, limits))
                .map(|thread| thread.join())
        });
        match joined {
            Ok(Ok(result)) => return result,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => {}
        }
    }
    interpret(p, inputs, limits)
}

fn interpret(p: &Program, inputs: &HashMap<String, Tensor<f64>>, limits: Limits) -> Result<Run> {
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
        let cost = match op {
            Op::MatMul(..) => {
                let k = if shapes[0].rank() == 2 {
                    shapes[0].cols()
                } else {
                    shapes[0].len()
                };
                (shape.len() * k) as u64
            }
            _ => shape.len() as u64,
        };
        self.count_work(cost, span)?;
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

    // ---- statements --------------------------------------------------------------------------

    /// Runs `f` one level deeper, refusing past the nesting limit.
    fn nested<T>(&mut self, span: Span, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.step(span)?;
        if self.depth >= self.limits.nesting {
            return err(
                span,
                format!(
                "too deeply nested: more than {} levels of expressions, blocks and calls inside one another",
                self.limits.nesting
            ),
            );
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn block(&mut self, body: &'p [Stmt]) -> Result<Flow> {
        let span = body.first().map_or_else(Span::default, |s| s.span);
        self.nested(span, |it| it.block_inner(body))
    }

    /// Counts one statement run or expression evaluated (every block, value, number and
    /// condition goes through [`Self::nested`]; each statement of a block counts too).
    fn step(&mut self, span: Span) -> Result<()> {
        self.steps += 1;
        if self.steps > self.limits.steps {
            return err(
                span,
                format!(
                    "the program has run more than {} statements and expressions, the most it may \
                     (does a loop or a recursion run longer than it needs?)",
                    grouped(self.limits.steps)
                ),
            );
        }
        Ok(())
    }

    fn block_inner(&mut self, body: &'p [Stmt]) -> Result<Flow> {
        for s in body {
            self.step(s.span)?;
            match self.stmt(s)? {
                Flow::Next => {}
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Next)
    }

    fn stmt(&mut self, s: &'p Stmt) -> Result<Flow> {
        match &s.kind {
            StmtKind::Assign {
                name,
                name_span,
                op,
                value,
            } => {
                let v = if op.is_none() && makes_leaf(self.p, *value, &self.functions) {
                    self.leaf(*value, Some((name, *name_span)))?
                } else {
                    self.value(*value)?
                };
                let v = match op {
                    Some(op) => {
                        let old = self.lookup(name, *name_span)?;
                        Value::Node(self.binary(*op, old, v, s.span)?)
                    }
                    None => v,
                };
                if let Value::None = v {
                    return err(
                        self.p.expr(*value).span,
                        "this has no value to assign (a function without 'return'?)",
                    );
                }
                self.bind(name, v);
                self.last = Some(v);
            }
            StmtKind::Expr(e) => {
                let v = self.value(*e)?;
                if !matches!(v, Value::None) {
                    self.last = Some(v);
                }
            }
            StmtKind::For { var, range, body } => return self.run_for(s, var, range, body),
            StmtKind::While { cond, body } => return self.run_while(s, *cond, body),
            StmtKind::If { branches, otherwise } => return self.run_if(s, branches, otherwise),
            StmtKind::Def { .. } | StmtKind::Pass => {}
            StmtKind::Return(value) => {
                let v = match value {
                    Some(v) => self.value(*v)?,
                    None => Value::None,
                };
                return Ok(Flow::Return(v));
            }
            StmtKind::Break => return Ok(Flow::Break(s.span)),
            StmtKind::Continue => return Ok(Flow::Continue(s.span)),
        }
        Ok(Flow::Next)
    }

    // Each statement that holds a block runs in a function of its own, not inlined, so
    // the frame that recursion passes through stays small (a browser's stack is ~1 MiB).

    #[inline(never)]
    fn run_for(&mut self, s: &'p Stmt, var: &'p str, range: &[ExprId], body: &'p [Stmt]) -> Result<Flow> {
        let mut bounds = [0i64, 0, 1];
        let ints: Vec<i64> = range
            .iter()
            .map(|&a| self.integer(a, "a range bound"))
            .collect::<Result<_>>()?;
        match ints[..] {
            [stop] => bounds[1] = stop,
            [start, stop] => bounds[..2].copy_from_slice(&[start, stop]),
            [start, stop, step] => bounds = [start, stop, step],
            _ => unreachable!("the parser takes 1 to 3 range arguments"),
        }
        let [start, stop, step] = bounds;
        if step == 0 {
            return err(self.p.expr(range[2]).span, "range's step must not be zero");
        }
        let count = if step > 0 {
            (stop - start).max(0).div_euclid(step) + i64::from((stop - start).max(0) % step != 0)
        } else {
            (start - stop).max(0).div_euclid(-step) + i64::from((start - stop).max(0) % -step != 0)
        } as u64;
        let left = (self.limits.iterations - self.iterations) as u64;
        if count > left {
            let header = self
                .p
                .expr(range[0])
                .span
                .to(self.p.expr(*range.last().unwrap()).span);
            return err(
                header,
                format!(
                    "this loop would run {} iterations; a program may run at most {} in all",
                    grouped(count),
                    grouped(self.limits.iterations as u64)
                ),
            );
        }
        for index in 0..count {
            self.iterations += 1;
            let i = start + index as i64 * step;
            self.bind(
                var,
                Value::Num {
                    x: i as f64,
                    span: s.span,
                    literal: false,
                },
            );
            if let Some(flow) = self.iteration(index as usize, s.span, body)? {
                return Ok(flow);
            }
        }
        Ok(Flow::Next)
    }

    #[inline(never)]
    fn run_while(&mut self, s: &'p Stmt, cond: ExprId, body: &'p [Stmt]) -> Result<Flow> {
        let mut index = 0;
        while self.truth(cond)? {
            if self.iterations >= self.limits.iterations {
                return err(s.span, format!(
                    "this loop reached {} iterations, the most a program may run (is its condition ever false?)",
                    grouped(self.limits.iterations as u64)
                ));
            }
            self.iterations += 1;
            if let Some(flow) = self.iteration(index, s.span, body)? {
                return Ok(flow);
            }
            index += 1;
        }
        Ok(Flow::Next)
    }

    /// One iteration of a loop, as a group of its own. `Some` ends the loop: `Next` after
    /// a `break`, `Return` out of the function.
    fn iteration(&mut self, index: usize, header: Span, body: &'p [Stmt]) -> Result<Option<Flow>> {
        let outer = self.group;
        self.enter_group(GroupKind::Iteration { index }, header);
        let flow = self.block(body);
        self.group = outer;
        Ok(match flow? {
            Flow::Break(_) => Some(Flow::Next),
            Flow::Next | Flow::Continue(_) => None,
            flow @ Flow::Return(_) => Some(flow),
        })
    }

    #[inline(never)]
    fn run_if(
        &mut self,
        s: &'p Stmt,
        branches: &'p [(ExprId, Vec<Stmt>)],
        otherwise: &'p [Stmt],
    ) -> Result<Flow> {
        let mut conditions = Vec::new();
        let mut taken = None;
        for (i, (cond, _)) in branches.iter().enumerate() {
            let x = self.number(*cond)?;
            conditions.push(x);
            if x != 0.0 {
                taken = Some(i);
                break;
            }
        }
        self.branches.push(BranchTaken {
            span: s.span,
            group: self.group,
            taken,
            conditions,
        });
        let body = match taken {
            Some(i) => &branches[i].1,
            None => otherwise,
        };
        self.block(body)
    }

    fn enter_group(&mut self, kind: GroupKind, span: Span) {
        self.groups.push(Group {
            kind,
            span,
            parent: self.group,
        });
        self.group = Some((self.groups.len() - 1) as u32);
    }

    // ---- numbers: conditions, indices, sizes -------------------------------------------------

    /// A single number, adding no node for arithmetic on numbers: what conditions,
    /// indices, loop bounds and sizes are made of.
    fn number(&mut self, id: ExprId) -> Result<f64> {
        self.nested(self.p.expr(id).span, |it| it.number_inner(id))
    }

    fn number_inner(&mut self, id: ExprId) -> Result<f64> {
        let e = self.p.expr(id);
        match &e.kind {
            ExprKind::Number(x) => Ok(*x),
            ExprKind::Unary(Unary::Neg, x) => Ok(-self.number(*x)?),
            ExprKind::Binary(op, ..) if !matches!(op, Binary::Max | Binary::Min) => {
                // The left-leaning spine with a loop, as `chain` does for tensors.
                let arithmetic = |k: &ExprKind| match k {
                    ExprKind::Binary(op, l, r) if !matches!(op, Binary::Max | Binary::Min) => {
                        Some((*op, *l, *r))
                    }
                    _ => None,
                };
                let mut spine = Vec::new();
                let mut cur = id;
                while let Some((op, l, r)) = arithmetic(&self.p.expr(cur).kind) {
                    spine.push((op, r));
                    cur = l;
                }
                let mut acc = self.number(cur)?;
                for &(op, r) in spine.iter().rev() {
                    let b = self.number(r)?;
                    acc = (op.rule::<f64>().f)(acc, b);
                }
                Ok(acc)
            }
            ExprKind::Compare(op, a, b) => {
                let a = self.number(*a)?;
                let b = self.number(*b)?;
                Ok(f64::from(u8::from(op.holds(a, b))))
            }
            ExprKind::Not(_) | ExprKind::And(..) | ExprKind::Or(..) => {
                Ok(f64::from(u8::from(self.truth(id)?)))
            }
            _ => {
                let v = self.value(id)?;
                match v {
                    Value::Num { x, .. } => Ok(x),
                    Value::Node(n) if self.g.node(n).shape.len() == 1 => Ok(self.g.value(n)[0]),
                    Value::Node(n) => err(
                        e.span,
                        format!(
                            "expected a single number, but this is {}: reduce it first (sum(…), x[0])",
                            shape_text(self.g.node(n).shape)
                        ),
                    ),
                    v => self.data_of(v, e.span).map(|_| 0.0),
                }
            }
        }
    }

    /// Python's truth of a condition, with `and` and `or` evaluated only as far as needed.
    fn truth(&mut self, id: ExprId) -> Result<bool> {
        self.nested(self.p.expr(id).span, |it| it.truth_inner(id))
    }

    fn truth_inner(&mut self, id: ExprId) -> Result<bool> {
        match &self.p.expr(id).kind {
            ExprKind::Not(x) => Ok(!self.truth(*x)?),
            ExprKind::And(..) | ExprKind::Or(..) => {
                // `a and b and c …` leans left: its spine with a loop, from the left,
                // stopping where Python would.
                let mut spine = Vec::new();
                let mut cur = id;
                loop {
                    let (and, l, r) = match &self.p.expr(cur).kind {
                        ExprKind::And(l, r) => (true, *l, *r),
                        ExprKind::Or(l, r) => (false, *l, *r),
                        _ => break,
                    };
                    spine.push((and, r));
                    cur = l;
                }
                let mut acc = self.truth(cur)?;
                for &(and, r) in spine.iter().rev() {
                    if acc == and {
                        acc = self.truth(r)?;
                    }
                }
                Ok(acc)
            }
            _ => Ok(self.number(id)? != 0.0),
        }
    }

    fn integer(&mut self, id: ExprId, what: &str) -> Result<i64> {
        let x = self.number(id)?;
        if x.fract() != 0.0 || !x.is_finite() || x.abs() > 9.0e15 {
            return err(
                self.p.expr(id).span,
                format!("{what} must be a whole number, got {}", number_label(x)),
            );
        }
        Ok(x as i64)
    }

    fn size(&mut self, id: ExprId) -> Result<usize> {
        let n = self.integer(id, "a size")?;
        if n < 1 {
            let what = if n < 0 { "a negative size" } else { "a size of 0" };
            return err(
                self.p.expr(id).span,
                format!("{what} ({n}): sizes are at least 1"),
            );
        }
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    // ---- values ------------------------------------------------------------------------------

    fn value(&mut self, id: ExprId) -> Result<Value> {
        self.nested(self.p.expr(id).span, |it| it.value_inner(id))
    }

    fn value_inner(&mut self, id: ExprId) -> Result<Value> {
        let e = self.p.expr(id);
        let span = e.span;
        match &e.kind {
            // A number typed in the text becomes a constant node where it is read, as in an
            // expression's graph; indices, bounds and conditions read it through `number`.
            ExprKind::Number(x) => Ok(Value::Node(self.constant(
                self.p.text(span),
                Tensor::scalar(*x),
                span,
            )?)),
            ExprKind::Name(name) => match self.lookup(name, span)? {
                v @ Value::Num { literal: true, .. } => Ok(Value::Node(self.node_of(v, span)?)),
                v => Ok(v),
            },
            ExprKind::Unary(..) => {
                // `- - - x`: a chain, walked with a loop.
                let mut ops = Vec::new();
                let mut inner = id;
                while let ExprKind::Unary(op, x) = &self.p.expr(inner).kind {
                    ops.push((*op, self.p.expr(inner).span));
                    inner = *x;
                }
                let mut v = self.value(inner)?;
                for (op, span) in ops.into_iter().rev() {
                    let x = self.node_of(v, span)?;
                    v = Value::Node(self.apply(Op::Unary(op, x), span)?);
                }
                Ok(v)
            }
            ExprKind::Binary(..) | ExprKind::MatMul(..) => self.chain(id),
            ExprKind::Compare(op, a, b) => {
                let a = self.value(*a)?;
                let b = self.value(*b)?;
                self.compare(*op, a, b, span)
            }
            ExprKind::Not(_) | ExprKind::And(..) | ExprKind::Or(..) => {
                let x = f64::from(u8::from(self.truth(id)?));
                Ok(Value::Num {
                    x,
                    span,
                    literal: false,
                })
            }
            ExprKind::List(_) => self.leaf(id, None),
            ExprKind::Attribute(object, name) => {
                let v = self.value(*object)?;
                match &**name {
                    "shape" => match v {
                        Value::Shape(_) | Value::None => err(span, "only a tensor has a shape"),
                        v => Ok(Value::Shape(self.shape_of(v))),
                    },
                    "T" => self.on_node(v, span, |it, x| it.apply(Op::Transpose(x), span)),
                    _ => self.on_node(v, span, |it, x| it.apply(Op::Detach(x), span)),
                }
            }
            ExprKind::Call { .. } => self.call(id),
            ExprKind::Index(x, items) => self.index(*x, items, span),
        }
    }

    fn on_node(
        &mut self,
        v: Value,
        span: Span,
        f: impl FnOnce(&mut Self, NodeId) -> Result<NodeId>,
    ) -> Result<Value> {
        let x = self.node_of(v, span)?;
        Ok(Value::Node(f(self, x)?))
    }

    /// `a + b * c - …`: the left-leaning spine of binary operators, walked with a loop so
    /// that a line of any length is safe.
    fn chain(&mut self, id: ExprId) -> Result<Value> {
        let mut spine = Vec::new();
        let mut cur = id;
        while let ExprKind::Binary(_, l, _) | ExprKind::MatMul(l, _) = &self.p.expr(cur).kind {
            spine.push(cur);
            cur = *l;
        }
        let mut acc = self.value(cur)?;
        for &op_id in spine.iter().rev() {
            let e = self.p.expr(op_id);
            acc = match &e.kind {
                ExprKind::Binary(op, _, r) => {
                    let r = self.value(*r)?;
                    Value::Node(self.binary(*op, acc, r, e.span)?)
                }
                ExprKind::MatMul(_, r) => {
                    let r = self.value(*r)?;
                    let a = self.node_of(acc, e.span)?;
                    let b = self.node_of(r, e.span)?;
                    Value::Node(self.apply(Op::MatMul(a, b), e.span)?)
                }
                _ => unreachable!("the spine holds binary operators"),
            };
        }
        Ok(acc)
    }

    fn binary(&mut self, op: Binary, a: Value, b: Value, span: Span) -> Result<NodeId> {
        let a = self.node_of(a, span)?;
        let b = self.node_of(b, span)?;
        self.apply(Op::Binary(op, a, b), span)
    }

    /// A comparison of tensors, element-wise with broadcasting: a constant of 0s and 1s
    /// (not differentiable: no gradient flows through a comparison).
    #[inline(never)]
    fn compare(&mut self, op: CmpOp, a: Value, b: Value, span: Span) -> Result<Value> {
        let (sa, va) = self.data_of(a, span)?;
        let (sb, vb) = self.data_of(b, span)?;
        if sa.is_scalar() && sb.is_scalar() && !matches!(a, Value::Node(_)) && !matches!(b, Value::Node(_)) {
            let x = f64::from(u8::from(op.holds(va[0], vb[0])));
            return Ok(Value::Num {
                x,
                span,
                literal: false,
            });
        }
        let Some(shape) = Shape::broadcast(sa, sb) else {
            return err(
                span,
                format!("cannot compare {sa} with {sb}: their shapes do not broadcast"),
            );
        };
        self.guard(shape, span)?;
        let at = |s: Shape, v: &[f64], i: usize, j: usize| {
            v[if s.rows() == 1 { 0 } else { i } * s.cols() + if s.cols() == 1 { 0 } else { j }]
        };
        let mut data = Vec::with_capacity(shape.len());
        for i in 0..shape.rows() {
            for j in 0..shape.cols() {
                data.push(f64::from(u8::from(
                    op.holds(at(sa, &va, i, j), at(sb, &vb, i, j)),
                )));
            }
        }
        let label = short(self.p.text(span));
        let id = self.constant(&label, Tensor { shape, data }, span)?;
        Ok(Value::Node(id))
    }

    // ---- tensors from data -------------------------------------------------------------------

    /// A list or a constructor; a leaf named `name` when bound to it, else a constant.
    #[inline(never)]
    fn leaf(&mut self, id: ExprId, name: Option<(&'p str, Span)>) -> Result<Value> {
        let e = self.p.expr(id);
        let span = e.span;
        let tensor = match &e.kind {
            ExprKind::List(_) => self.literal(id)?,
            ExprKind::Call {
                callee,
                args,
                keywords,
            } => {
                let b = match resolve::callee(self.p, *callee, &self.functions)? {
                    Callee::Builtin(b, _) => b,
                    _ => unreachable!("makes_leaf checked the callee"),
                };
                self.check_keywords(keywords)?;
                if b == Builtin::Variable {
                    let inner = args[0];
                    return if makes_leaf(self.p, inner, &self.functions) {
                        self.leaf(inner, name)
                    } else {
                        self.value(inner)
                    };
                }
                self.construct(b, args, span)?
            }
            _ => return self.value(id),
        };
        self.guard(tensor.shape, span)?;
        let node = match name {
            Some((name, name_span)) => {
                let node = self.g.parameter(name, tensor);
                self.emit(span)?;
                // A name given from outside keeps its leaf; another name's latest leaf
                // replaces its earlier one and goes to the end.
                let slot = self.leaf_slots.get(name).copied();
                let given = slot.is_some_and(|k| self.leaves[k].as_ref().is_some_and(|l| l.free));
                if !given {
                    if let Some(k) = slot {
                        self.leaves[k] = None;
                    }
                    self.leaf_slots.insert(name, self.leaves.len());
                    self.leaves.push(Some(Leaf {
                        name: name.to_string(),
                        node,
                        span: name_span,
                        free: false,
                    }));
                }
                node
            }
            None => {
                let label = short(self.p.text(span));
                self.constant(&label, tensor, span)?
            }
        };
        Ok(Value::Node(node))
    }

    fn check_keywords(&mut self, keywords: &[(Box<str>, ExprId, Span)]) -> Result<()> {
        for (k, v, s) in keywords {
            if matches!(&**k, "keepdim" | "keepdims") && self.number(*v)? != 0.0 {
                return err(
                    *s,
                    "keepdim=True is not supported: the reduced axis is dropped, as by default",
                );
            }
        }
        Ok(())
    }

    /// `zeros`, `ones`, `eye`, `randn`, `rand`.
    #[inline(never)]
    fn construct(&mut self, b: Builtin, args: &[ExprId], span: Span) -> Result<Tensor<f64>> {
        let shape = if b == Builtin::Eye {
            let n = self.size(args[0])?;
            Shape::matrix(n, n)
        } else {
            let dims: Vec<usize> = match args {
                [one] => match self.value_if_shape(*one)? {
                    Some(s) => s.dims().to_vec(),
                    None => vec![self.size(*one)?],
                },
                _ => args.iter().map(|&a| self.size(a)).collect::<Result<_>>()?,
            };
            match dims[..] {
                [] => Shape::SCALAR,
                [n] => Shape::vector(n),
                [r, c] => Shape::matrix(r, c),
                _ => return err(span, "tensors have at most 2 dimensions"),
            }
        };
        self.guard(shape, span)?;
        let n = shape.len();
        let data = match b {
            Builtin::Zeros => vec![0.0; n],
            Builtin::Ones => vec![1.0; n],
            Builtin::Eye => (0..n)
                .map(|i| f64::from(u8::from(i / shape.cols() == i % shape.cols())))
                .collect(),
            Builtin::Randn => (0..n).map(|_| self.rng.normal()).collect(),
            _ => (0..n).map(|_| self.rng.uniform()).collect(),
        };
        Ok(Tensor { shape, data })
    }

    /// The shape, if `id` is `x.shape` or `x.size()`: `zeros(x.shape)`.
    #[inline(never)]
    fn value_if_shape(&mut self, id: ExprId) -> Result<Option<Shape>> {
        let is_shape = match &self.p.expr(id).kind {
            ExprKind::Attribute(_, n) => &**n == "shape",
            ExprKind::Call { callee, .. } => matches!(
                resolve::callee(self.p, *callee, &self.functions),
                Ok(Callee::Method(Builtin::Size, ..) | Callee::Builtin(Builtin::Size, _))
            ),
            _ => false,
        };
        if !is_shape {
            return Ok(None);
        }
        match self.value(id)? {
            Value::Shape(s) => Ok(Some(s)),
            _ => Ok(None),
        }
    }

    /// `[1, 2]` or `[[1, 2], [3, 4]]`: numbers in rows of equal length.
    #[inline(never)]
    fn literal(&mut self, id: ExprId) -> Result<Tensor<f64>> {
        let e = self.p.expr(id);
        let ExprKind::List(items) = &e.kind else {
            unreachable!()
        };
        let nested = items
            .iter()
            .any(|&i| matches!(self.p.expr(i).kind, ExprKind::List(_)));
        if !nested {
            let data = items.iter().map(|&i| self.entry(i)).collect::<Result<Vec<_>>>()?;
            return Ok(Tensor {
                shape: Shape::vector(data.len()),
                data,
            });
        }
        let mut data = Vec::new();
        let mut cols = None;
        for &row in items {
            let r = self.p.expr(row);
            let ExprKind::List(entries) = &r.kind else {
                return err(r.span, "a matrix's rows must all be lists: [[1, 2], [3, 4]]");
            };
            if let Some(&c) = cols.as_ref() {
                if entries.len() != c {
                    return err(
                        r.span,
                        format!(
                            "a ragged list: this row has {} entries, the first has {c}",
                            entries.len()
                        ),
                    );
                }
            }
            cols = Some(entries.len());
            for &x in entries {
                if let ExprKind::List(_) = self.p.expr(x).kind {
                    return err(
                        self.p.expr(x).span,
                        "tensors have at most 2 dimensions: this list nests 3 levels",
                    );
                }
                data.push(self.entry(x)?);
            }
        }
        let shape = Shape::matrix(items.len(), cols.unwrap_or(0));
        Ok(Tensor { shape, data })
    }

    /// One entry of a list: a number (the list is data, not an operation).
    fn entry(&mut self, id: ExprId) -> Result<f64> {
        let span = self.p.expr(id).span;
        // `-0.5`, `1/3`, `2*pi` are numbers too, evaluated without nodes. (As values, the
        // minus and the operators made nodes, so `[1, -2]` was refused as "a scalar".)
        if self.plain_number(id) {
            return self.number(id);
        }
        match self.value(id)? {
            Value::Num { x, .. } => Ok(x),
            Value::Node(n) => {
                let name = self.p.text(span);
                err(span, format!(
                    "a list's entries must be numbers, and {} is {}: build tensors from tensors with operations",
                    quoted(name),
                    shape_text(self.g.node(n).shape)
                ))
            }
            v => self.data_of(v, span).map(|_| 0.0),
        }
    }

    /// Whether `id` is arithmetic on plain numbers only (literals, `pi`, a loop variable),
    /// which [`Self::number`] evaluates adding no node. A loop, not a recursion: a list
    /// entry may be `-` typed 100,000 times.
    fn plain_number(&self, id: ExprId) -> bool {
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            match &self.p.expr(id).kind {
                ExprKind::Number(_) => {}
                ExprKind::Unary(Unary::Neg, x) => stack.push(*x),
                ExprKind::Binary(op, a, b) if !matches!(op, Binary::Max | Binary::Min) => {
                    stack.push(*a);
                    stack.push(*b);
                }
                ExprKind::Name(name) => {
                    if !matches!(self.lookup(name, Span::default()), Ok(Value::Num { .. })) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
        true
    }

    // ---- indexing ----------------------------------------------------------------------------

    #[inline(never)]
    fn index(&mut self, x: ExprId, items: &[IndexItem], span: Span) -> Result<Value> {
        let v = self.value(x)?;
        let name = short(self.p.text(self.p.expr(x).span));
        let shape = match v {
            Value::Shape(s) => {
                let [IndexItem::At(i)] = items else {
                    return err(span, "a shape takes one index: x.shape[0]");
                };
                let d = s.dims();
                let k = self.position(
                    *i,
                    d.len(),
                    &format!("{name} (a shape of {} dimensions)", d.len()),
                )?;
                return Ok(Value::Num {
                    x: d[k] as f64,
                    span,
                    literal: false,
                });
            }
            Value::None => return err(span, "this has no value to index"),
            Value::Num { .. } => {
                return err(
                    span,
                    format!("{} is a number and cannot be indexed", quoted(&name)),
                )
            }
            Value::Node(id) => self.g.node(id).shape,
        };
        let Value::Node(node) = v else { unreachable!() };
        if shape.rank() == 0 {
            return err(
                span,
                format!("{} is a scalar and cannot be indexed", quoted(&name)),
            );
        }
        if items.len() > shape.rank() {
            return err(
                span,
                format!(
                    "too many indices: {} is {} and takes at most {}",
                    quoted(&name),
                    shape_text(shape),
                    shape.rank()
                ),
            );
        }
        let what = |axis: usize| format!("axis {axis} of {} ({})", quoted(&name), shape_text(shape));
        // (start, count, kept) along each dimension of the tensor as written.
        let dims = shape.dims().to_vec();
        let mut picks = Vec::new();
        for (axis, &size) in dims.iter().enumerate() {
            let pick = match items.get(axis) {
                None => (0, size, true),
                Some(IndexItem::At(i)) => (self.position(*i, size, &what(axis))?, 1, false),
                Some(IndexItem::Slice { start, stop, span }) => {
                    let a = self.slice_bound(*start, size, 0)?;
                    let b = self.slice_bound(*stop, size, size)?;
                    if b <= a {
                        return err(
                            *span,
                            format!("the slice {} of {} is empty", self.p.text(*span), what(axis)),
                        );
                    }
                    (a, b - a, true)
                }
            };
            picks.push(pick);
        }
        let kept: Vec<usize> = picks.iter().filter(|p| p.2).map(|p| p.1).collect();
        let out = match kept[..] {
            [] => Shape::SCALAR,
            [n] => Shape::vector(n),
            [r, c] => Shape::matrix(r, c),
            _ => unreachable!(),
        };
        // In the 2-D view a vector is one row.
        let (rows, cols) = if shape.rank() == 2 {
            (picks[0], picks[1])
        } else {
            ((0, 1, false), picks[0])
        };
        let window = Window {
            row: rows.0 as u32,
            rows: rows.1 as u32,
            col: cols.0 as u32,
            cols: cols.1 as u32,
            shape: out,
        };
        Ok(Value::Node(self.apply(Op::Select(window, node), span)?))
    }

    /// An index along an axis of `size`, negative ones counting from the end.
    fn position(&mut self, id: ExprId, size: usize, what: &str) -> Result<usize> {
        let i = self.integer(id, "an index")?;
        let k = if i < 0 { i + size as i64 } else { i };
        if k < 0 || k >= size as i64 {
            return err(
                self.p.expr(id).span,
                format!("index {i} is out of range for {what}, which has size {size}"),
            );
        }
        Ok(k as usize)
    }

    /// A slice bound, clamped to `0..=size` as Python does.
    fn slice_bound(&mut self, id: Option<ExprId>, size: usize, default: usize) -> Result<usize> {
        let Some(id) = id else { return Ok(default) };
        let i = self.integer(id, "a slice bound")?;
        let k = if i < 0 { i + size as i64 } else { i };
        Ok(k.clamp(0, size as i64) as usize)
    }

    // ---- calls -------------------------------------------------------------------------------

    fn call(&mut self, id: ExprId) -> Result<Value> {
        let e = self.p.expr(id);
        let span = e.span;
        let ExprKind::Call {
            callee,
            args,
            keywords,
        } = &e.kind
        else {
            unreachable!()
        };
        let c = resolve::callee(self.p, *callee, &self.functions)?;
        let (b, mut argv) = match c {
            Callee::Function(name) => return self.call_function(name, args, span),
            Callee::Builtin(b, _) => (b, Vec::new()),
            Callee::Method(b, object, _) => (b, vec![object]),
        };
        argv.extend_from_slice(args);
        self.check_keywords(keywords)?;
        let keyword = |names: &[&str]| {
            keywords
                .iter()
                .find(|(k, _, _)| names.contains(&&**k))
                .map(|(_, v, _)| *v)
        };
        match b {
            Builtin::Zeros
            | Builtin::Ones
            | Builtin::Eye
            | Builtin::Randn
            | Builtin::Rand
            | Builtin::Variable => self.leaf(id, None),
            Builtin::Unary(op) => {
                let x = self.value(argv[0])?;
                self.on_node(x, span, |it, x| it.apply(Op::Unary(op, x), span))
            }
            Builtin::Binary(op) => {
                let a = self.value(argv[0])?;
                let b = self.value(argv[1])?;
                Ok(Value::Node(self.binary(op, a, b, span)?))
            }
            // `max(a, b)` is element-wise; `x.max(1)` is PyTorch's reduction along dim 1.
            Builtin::Max | Builtin::Min if argv.len() == 2 && !matches!(c, Callee::Method(..)) => {
                let op = if b == Builtin::Max {
                    Binary::Max
                } else {
                    Binary::Min
                };
                let x = self.value(argv[0])?;
                let y = self.value(argv[1])?;
                Ok(Value::Node(self.binary(op, x, y, span)?))
            }
            Builtin::Max | Builtin::Min => {
                let axis = self.axis_arg(argv.get(1).copied(), keyword(&["axis", "dim"]))?;
                let x = self.value(argv[0])?;
                let x = self.node_of(x, span)?;
                let axis = self.reduce_axis(x, axis, span)?;
                if b == Builtin::Max {
                    Ok(Value::Node(
                        self.apply(Op::Reduce(Reduction::Max, axis, x), span)?,
                    ))
                } else {
                    // min(x) = −max(−x): the same rule for ties.
                    let neg = self.apply(Op::Unary(Unary::Neg, x), span)?;
                    let m = self.apply(Op::Reduce(Reduction::Max, axis, neg), span)?;
                    Ok(Value::Node(self.apply(Op::Unary(Unary::Neg, m), span)?))
                }
            }
            Builtin::MatMul => {
                let a = self.value(argv[0])?;
                let b = self.value(argv[1])?;
                let a = self.node_of(a, span)?;
                let b = self.node_of(b, span)?;
                Ok(Value::Node(self.apply(Op::MatMul(a, b), span)?))
            }
            Builtin::Reduce(r) => {
                let axis = self.axis_arg(argv.get(1).copied(), keyword(&["axis", "dim"]))?;
                let x = self.value(argv[0])?;
                let x = self.node_of(x, span)?;
                let axis = self.reduce_axis(x, axis, span)?;
                Ok(Value::Node(self.apply(Op::Reduce(r, axis, x), span)?))
            }
            Builtin::Normalize(n) => {
                let axis = self.axis_arg(argv.get(1).copied(), keyword(&["axis", "dim"]))?;
                let x = self.value(argv[0])?;
                let x = self.node_of(x, span)?;
                // Along the last axis by default, as torch and jax.nn do.
                let axis = self.reduce_axis(x, axis.or(Some(-1)), span)?;
                Ok(Value::Node(self.apply(Op::Normalize(n, axis, x), span)?))
            }
            Builtin::Transpose => {
                let x = self.value(argv[0])?;
                self.on_node(x, span, |it, x| it.apply(Op::Transpose(x), span))
            }
            Builtin::Detach => {
                let x = self.value(argv[0])?;
                self.on_node(x, span, |it, x| it.apply(Op::Detach(x), span))
            }
            Builtin::Print => {
                // Pasted code prints; the page shows every value already. The arguments
                // still run, so their mistakes are still reported.
                for &a in &argv {
                    self.value(a)?;
                }
                Ok(Value::None)
            }
            Builtin::Seed => {
                let k = self.integer(argv[0], "a seed")?;
                if k < 0 {
                    return err(span, "a seed is a whole number of 0 or more");
                }
                self.rng = Rng::new(k as u64);
                Ok(Value::None)
            }
            Builtin::Backward => self.backward_call(&argv, keyword(&["gradient"]), span),
            Builtin::Len => match self.value(argv[0])? {
                Value::Shape(s) => Ok(Value::Num {
                    x: s.rank() as f64,
                    span,
                    literal: false,
                }),
                Value::Node(n) if self.g.node(n).shape.rank() > 0 => {
                    let d = self.g.node(n).shape.dims()[0];
                    Ok(Value::Num {
                        x: d as f64,
                        span,
                        literal: false,
                    })
                }
                _ => err(span, "len of a scalar: only vectors and matrices have a length"),
            },
            Builtin::Size => {
                let v = self.value(argv[0])?;
                match v {
                    Value::Shape(_) | Value::None => err(span, "only a tensor has a size"),
                    v => Ok(Value::Shape(self.shape_of(v))),
                }
            }
        }
    }

    /// `y.backward(seed)`: records the output and its seed, which must have its shape.
    #[inline(never)]
    fn backward_call(&mut self, argv: &[ExprId], gradient: Option<ExprId>, span: Span) -> Result<Value> {
        let y = self.value(argv[0])?;
        let y = self.node_of(y, span)?;
        let seed = match argv.get(1).copied().or(gradient) {
            Some(s) => {
                let v = self.value(s)?;
                Some(self.node_of(v, span)?)
            }
            None => None,
        };
        let shape = self.g.node(y).shape;
        match seed {
            Some(s) if self.g.node(s).shape != shape => {
                let got = self.g.node(s).shape;
                return err(span, format!(
                    "backward's seed is {} but the output is {}: the seed must have the output's shape ({shape})",
                    shape_text(got),
                    shape_text(shape)
                ));
            }
            None if shape.len() != 1 => {
                return err(
                    span,
                    format!(
                        "backward of {} needs a seed of that shape, as in PyTorch: y.backward(ones({}))",
                        shape_text(shape),
                        shape
                            .dims()
                            .iter()
                            .map(|d| d.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
            _ => {}
        }
        self.backward = Some((y, seed));
        Ok(Value::None)
    }

    /// The axis given as an argument or keyword, if any (`None`: over every element).
    fn axis_arg(&mut self, positional: Option<ExprId>, keyword: Option<ExprId>) -> Result<Option<i64>> {
        match positional.or(keyword) {
            Some(a) => Ok(Some(self.integer(a, "an axis")?)),
            None => Ok(None),
        }
    }

    /// An axis of `x`, negative ones counting from the end, as NumPy's.
    fn reduce_axis(&self, x: NodeId, axis: Option<i64>, span: Span) -> Result<Axis> {
        let shape = self.g.node(x).shape;
        let Some(a) = axis else { return Ok(Axis::All) };
        let rank = shape.rank() as i64;
        if rank == 0 {
            // A scalar's only "axis" is the whole of it, as for NumPy's axis=-1 on 0-d.
            return if a == 0 || a == -1 {
                Ok(Axis::All)
            } else {
                err(span, format!("axis {a} is out of range for a scalar"))
            };
        }
        let k = if a < 0 { a + rank } else { a };
        if k < 0 || k >= rank {
            let axes = if rank == 1 {
                "its only axis is 0".to_string()
            } else {
                "its axes are 0 and 1".to_string()
            };
            return err(
                span,
                format!("axis {a} is out of range for {}: {axes}", shape_text(shape)),
            );
        }
        Ok(Axis::Index(k as usize))
    }

    #[inline(never)]
    fn call_function(&mut self, name: &'p str, args: &[ExprId], span: Span) -> Result<Value> {
        if self.calls >= self.limits.calls {
            return err(
                span,
                format!(
                    "the program makes more than {} function calls, the most it may \
                     (does a function call itself more often than it needs?)",
                    grouped(self.limits.calls as u64)
                ),
            );
        }
        self.calls += 1;
        if self.frames.len() >= self.limits.call_depth {
            return err(
                span,
                format!(
                    "calls nested more than {} deep (does {name} call itself without end?)",
                    self.limits.call_depth
                ),
            );
        }
        let def = self.defs[name];
        let StmtKind::Def { params, body, .. } = &def.kind else {
            unreachable!()
        };
        let mut frame = HashMap::new();
        for ((p, _), &a) in params.iter().zip(args) {
            let v = self.value(a)?;
            frame.insert(&**p, v);
        }
        let outer = self.group;
        self.enter_group(
            GroupKind::Call {
                name: name.to_string(),
            },
            span,
        );
        self.frames.push(frame);
        let flow = self.block(body);
        self.frames.pop();
        self.group = outer;
        match flow? {
            Flow::Return(v) => Ok(v),
            Flow::Next => Ok(Value::None),
            Flow::Break(s) => err(s, "'break' outside a loop"),
            Flow::Continue(s) => err(s, "'continue' outside a loop"),
        }
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
