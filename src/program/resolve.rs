//! Checks a parsed program before it runs: every call names a known function with a
//! fitting number of arguments, every method and attribute exists, and the free names
//! (the values given from outside) are found, in order of first appearance.
//!
//! A name is free where it is read before any statement above it binds it (`x = x + 1`
//! on the first line reads the given `x`), or read in a function that neither binds it
//! nor sees it bound at the top level.

use super::ast::*;
use super::builtins::{self, Builtin, NAMESPACES, SUBMODULES};
use super::parser::quote;
use crate::expr::ExprError;
use std::collections::{HashMap, HashSet};

/// Numbers a name can stand for without being bound.
pub fn constant(name: &str) -> Option<f64> {
    match name {
        "pi" => Some(std::f64::consts::PI),
        "e" => Some(std::f64::consts::E),
        _ => None,
    }
}

/// What a callee resolves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callee<'p> {
    Builtin(Builtin, &'p str),
    /// `x.f(…)`: a builtin with the tensor `x` (an expression) as first argument.
    Method(Builtin, ExprId, &'p str),
    /// A `def` of the program.
    Function(&'p str),
}

/// What `callee` names, or why it names nothing callable. `functions` are the program's
/// `def`s.
pub fn callee<'p>(
    p: &'p Program,
    callee: ExprId,
    functions: &HashMap<&str, usize>,
) -> Result<Callee<'p>, ExprError> {
    let e = p.expr(callee);
    let err = |msg: String| Err(ExprError::new(msg, e.span.start as usize, e.span.end as usize));
    match &e.kind {
        ExprKind::Name(name) => {
            if functions.contains_key(&**name) {
                return Ok(Callee::Function(name));
            }
            if constant(name).is_some() {
                return err(format!("'{name}' is a constant, not a function"));
            }
            match builtins::lookup(name) {
                Some(b) => Ok(Callee::Builtin(b, name)),
                None => err(format!("unknown function {}", quote(name))),
            }
        }
        ExprKind::Attribute(object, name) => {
            if is_namespace(p, *object) {
                return match builtins::lookup(name) {
                    Some(b) => Ok(Callee::Builtin(b, name)),
                    None => err(format!("unknown function {}", quote(p.text(e.span)))),
                };
            }
            match builtins::lookup(name).filter(|b| b.is_method()) {
                Some(b) => Ok(Callee::Method(b, *object, name)),
                None => err(format!("unknown method {} of a tensor", quote(name))),
            }
        }
        _ => err("only a function or method can be called".into()),
    }
}

/// Whether `id` is `torch`, `np`, `torch.nn.functional`, …: a module, not a value.
pub fn is_namespace(p: &Program, id: ExprId) -> bool {
    match &p.expr(id).kind {
        ExprKind::Name(n) => NAMESPACES.contains(&&**n),
        ExprKind::Attribute(object, n) => SUBMODULES.contains(&&**n) && is_namespace(p, *object),
        _ => false,
    }
}

/// Attributes a tensor has without a call.
pub const ATTRIBUTES: &[&str] = &["T", "shape", "data"];

struct Resolver<'p> {
    p: &'p Program,
    functions: HashMap<&'p str, usize>,
    free: Vec<(Box<str>, Span)>,
    seen_free: HashSet<&'p str>,
    /// Names bound anywhere at the top level (what a function body sees as globals).
    globals: HashSet<&'p str>,
}

/// Resolves `p` in place (filling `p.free`) or returns the first problem.
pub fn resolve(p: &mut Program) -> Result<(), ExprError> {
    let (free, _) = {
        let (functions, _) = definitions(&p.body);
        let mut globals = HashSet::new();
        collect_bound(&p.body, &mut globals);
        let mut r = Resolver {
            p,
            functions,
            free: Vec::new(),
            seen_free: HashSet::new(),
            globals,
        };
        let mut bound = HashSet::new();
        r.block(&p.body, &mut bound, None)?;
        (r.free, ())
    };
    p.free = free;
    Ok(())
}

/// Every `def` of the program, wherever it stands, by name: the arity map the checks use
/// and the statements the interpreter calls.
pub(super) fn definitions(body: &[Stmt]) -> (HashMap<&str, usize>, HashMap<&str, &Stmt>) {
    let mut arity = HashMap::new();
    let mut defs = HashMap::new();
    let mut blocks = vec![body];
    while let Some(body) = blocks.pop() {
        for s in body {
            match &s.kind {
                StmtKind::Def { name, params, body } => {
                    arity.insert(&**name, params.len());
                    defs.insert(&**name, s);
                    blocks.push(body);
                }
                StmtKind::For { body, .. } | StmtKind::While { body, .. } => blocks.push(body),
                StmtKind::If { branches, otherwise } => {
                    blocks.extend(branches.iter().map(|(_, b)| b.as_slice()));
                    blocks.push(otherwise);
                }
                _ => {}
            }
        }
    }
    (arity, defs)
}

/// Names a block binds, not looking into function bodies.
fn collect_bound<'p>(body: &'p [Stmt], out: &mut HashSet<&'p str>) {
    for s in body {
        match &s.kind {
            StmtKind::Assign { name, .. } => {
                out.insert(name);
            }
            StmtKind::For { var, body, .. } => {
                out.insert(var);
                collect_bound(body, out);
            }
            StmtKind::While { body, .. } => collect_bound(body, out),
            StmtKind::If { branches, otherwise } => {
                branches.iter().for_each(|(_, b)| collect_bound(b, out));
                collect_bound(otherwise, out);
            }
            StmtKind::Def { name, .. } => {
                out.insert(name);
            }
            _ => {}
        }
    }
}

/// A function being resolved: its parameters and the names its body binds.
struct Locals<'p> {
    names: HashSet<&'p str>,
}

impl<'p> Resolver<'p> {
    fn block(
        &mut self,
        body: &'p [Stmt],
        bound: &mut HashSet<&'p str>,
        locals: Option<&Locals<'p>>,
    ) -> Result<(), ExprError> {
        for s in body {
            match &s.kind {
                StmtKind::Assign {
                    name,
                    name_span,
                    op,
                    value,
                } => {
                    self.expr(*value, bound, locals)?;
                    if op.is_some() {
                        self.read(name, *name_span, bound, locals);
                    }
                    bound.insert(name);
                }
                StmtKind::Expr(e) => self.expr(*e, bound, locals)?,
                StmtKind::For { var, range, body } => {
                    for &a in range {
                        self.expr(a, bound, locals)?;
                    }
                    bound.insert(var);
                    self.block(body, bound, locals)?;
                }
                StmtKind::While { cond, body } => {
                    self.expr(*cond, bound, locals)?;
                    self.block(body, bound, locals)?;
                }
                StmtKind::If { branches, otherwise } => {
                    for (cond, body) in branches {
                        self.expr(*cond, bound, locals)?;
                        self.block(body, bound, locals)?;
                    }
                    self.block(otherwise, bound, locals)?;
                }
                StmtKind::Def { name, params, body } => {
                    bound.insert(name);
                    let mut names: HashSet<&'p str> = params.iter().map(|(n, _)| &**n).collect();
                    collect_bound(body, &mut names);
                    let inner = Locals { names };
                    let mut inner_bound: HashSet<&'p str> = params.iter().map(|(n, _)| &**n).collect();
                    self.block(body, &mut inner_bound, Some(&inner))?;
                }
                StmtKind::Return(value) => {
                    if locals.is_none() {
                        return Err(self.error(s.span, "'return' outside a function"));
                    }
                    if let Some(v) = value {
                        self.expr(*v, bound, locals)?;
                    }
                }
                StmtKind::Break | StmtKind::Continue | StmtKind::Pass => {}
            }
        }
        Ok(())
    }

    fn error(&self, span: Span, message: &str) -> ExprError {
        ExprError::new(message, span.start as usize, span.end as usize)
    }

    /// A read of `name`: free if nothing has bound it yet where it is read.
    fn read(&mut self, name: &'p str, span: Span, bound: &HashSet<&'p str>, locals: Option<&Locals<'p>>) {
        let known = bound.contains(name)
            || constant(name).is_some()
            || NAMESPACES.contains(&name)
            || self.functions.contains_key(name)
            || match locals {
                // In a function, a local is checked when it runs; a global may be bound
                // by the time the function is called.
                Some(l) => l.names.contains(name) || self.globals.contains(name),
                None => false,
            };
        if !known && self.seen_free.insert(name) {
            self.free.push((name.into(), span));
        }
    }

    fn expr(
        &mut self,
        id: ExprId,
        bound: &HashSet<&'p str>,
        locals: Option<&Locals<'p>>,
    ) -> Result<(), ExprError> {
        // An explicit stack: expressions can be long chains.
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            let e = self.p.expr(id);
            match &e.kind {
                ExprKind::Number(_) => {}
                ExprKind::Name(name) => self.read(name, e.span, bound, locals),
                ExprKind::Unary(_, x) | ExprKind::Not(x) => stack.push(*x),
                ExprKind::Binary(_, a, b)
                | ExprKind::MatMul(a, b)
                | ExprKind::Compare(_, a, b)
                | ExprKind::And(a, b)
                | ExprKind::Or(a, b) => {
                    // Pushed right first so the left is visited first: first appearance.
                    stack.push(*b);
                    stack.push(*a);
                }
                ExprKind::List(items) => stack.extend(items.iter().rev()),
                ExprKind::Attribute(object, name) => {
                    if is_namespace(self.p, id) {
                        continue;
                    }
                    if is_namespace(self.p, *object) {
                        let msg = match builtins::lookup(name) {
                            Some(_) => {
                                format!("{} is a function: call it with (…)", quote(self.p.text(e.span)))
                            }
                            None => format!("unknown name {}", quote(self.p.text(e.span))),
                        };
                        return Err(self.error(e.span, &msg));
                    }
                    if !ATTRIBUTES.contains(&&**name) {
                        let msg = match builtins::lookup(name) {
                            Some(b) if b.is_method() => format!("'{name}' is a method: write .{name}()"),
                            _ if &**name == "grad" => "a tensor's .grad is what the program's gradient shows; it cannot be read while the program runs".to_string(),
                            _ => format!("unknown attribute {} of a tensor", quote(name)),
                        };
                        return Err(self.error(e.span, &msg));
                    }
                    stack.push(*object);
                }
                ExprKind::Call {
                    callee,
                    args,
                    keywords,
                } => {
                    let c = callee_checked(self.p, *callee, &self.functions, args.len(), keywords, e.span)?;
                    stack.extend(keywords.iter().rev().map(|(_, v, _)| *v));
                    stack.extend(args.iter().rev());
                    if let Callee::Method(_, object, _) = c {
                        stack.push(object);
                    }
                }
                ExprKind::Index(x, items) => {
                    for item in items.iter().rev() {
                        match item {
                            IndexItem::At(i) => stack.push(*i),
                            IndexItem::Slice { start, stop, .. } => {
                                stack.extend(stop.iter().chain(start.iter()))
                            }
                        }
                    }
                    stack.push(*x);
                }
            }
        }
        Ok(())
    }
}

/// [`callee`], with the number of arguments and the keywords checked.
pub fn callee_checked<'p>(
    p: &'p Program,
    id: ExprId,
    functions: &HashMap<&str, usize>,
    args: usize,
    keywords: &[(Box<str>, ExprId, Span)],
    span: Span,
) -> Result<Callee<'p>, ExprError> {
    let c = callee(p, id, functions)?;
    let err = |msg: String| Err(ExprError::new(msg, span.start as usize, span.end as usize));
    match c {
        Callee::Function(name) => {
            if let Some((k, _, s)) = keywords.first() {
                return Err(ExprError::new(
                    format!("{name} takes its arguments by position: write {name}(…) without '{k}='"),
                    s.start as usize,
                    s.end as usize,
                ));
            }
            let wanted = functions[name];
            if args != wanted {
                let plural = if wanted == 1 { "" } else { "s" };
                return err(format!("{name} takes {wanted} argument{plural}, got {args}"));
            }
        }
        Callee::Builtin(b, name) | Callee::Method(b, _, name) => {
            let method = matches!(c, Callee::Method(..));
            let given = args + usize::from(method);
            let (lo, hi) = b.arity();
            if given < lo || given > hi {
                return err(format!(
                    "{}, got {}",
                    builtins::arity_text(name, (lo, hi), method),
                    args
                ));
            }
            for (k, _, s) in keywords {
                if !b.keywords().contains(&&**k) {
                    return Err(ExprError::new(
                        format!("{name} has no argument named '{k}'"),
                        s.start as usize,
                        s.end as usize,
                    ));
                }
            }
            // The axis (or backward's seed) comes once: as the second argument, `axis=`
            // or `dim=` (`gradient=`).
            let second = keywords
                .iter()
                .filter(|(k, _, _)| matches!(&**k, "axis" | "dim" | "gradient"))
                .map(|(_, _, s)| *s)
                .collect::<Vec<_>>();
            if let Some(&s) = second.get(usize::from(given < hi)) {
                return Err(ExprError::new(
                    format!(
                        "{name} is given its {} twice",
                        if b == Builtin::Backward { "seed" } else { "axis" }
                    ),
                    s.start as usize,
                    s.end as usize,
                ));
            }
        }
    }
    Ok(c)
}
