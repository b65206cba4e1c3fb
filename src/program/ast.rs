//! The syntax tree of a program: statements in blocks, expressions in one flat arena.
//!
//! Expressions live in [`Program::exprs`] with children before parents, so a very long
//! line (`x + x + … + x`) is a long vector rather than a deep tree: dropping it never
//! recurses, and the interpreter walks left-leaning chains with a loop.

use super::lexer::CmpOp;
use crate::ops::{Binary, Unary};

pub type ExprId = u32;

/// Bytes `start..end` of the program text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start,
            end: other.end,
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Number(f64),
    Name(Box<str>),
    Unary(Unary, ExprId),
    Binary(Binary, ExprId, ExprId),
    MatMul(ExprId, ExprId),
    Compare(CmpOp, ExprId, ExprId),
    Not(ExprId),
    And(ExprId, ExprId),
    Or(ExprId, ExprId),
    /// `[a, b, c]`, `[[1, 2], [3, 4]]`.
    List(Vec<ExprId>),
    /// `x.name`, before any call: `x.T`, `x.shape`, `torch.tanh`.
    Attribute(ExprId, Box<str>),
    /// `callee(args, name=value)`; the callee is a name or an attribute.
    Call {
        callee: ExprId,
        args: Vec<ExprId>,
        keywords: Vec<(Box<str>, ExprId, Span)>,
    },
    /// `x[i]`, `x[i, j]`, `x[:, j]`, `x[1:3]`.
    Index(ExprId, Vec<IndexItem>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum IndexItem {
    At(ExprId),
    /// `start:stop`, either end optional; `span` covers the whole slice.
    Slice {
        start: Option<ExprId>,
        stop: Option<ExprId>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `name = value`, or `name += value` (then `op` is the operator).
    Assign {
        name: Box<str>,
        name_span: Span,
        op: Option<Binary>,
        value: ExprId,
    },
    Expr(ExprId),
    /// `for var in range(args):`
    For {
        var: Box<str>,
        range: Vec<ExprId>,
        body: Vec<Stmt>,
    },
    While {
        cond: ExprId,
        body: Vec<Stmt>,
    },
    /// `if`/`elif` conditions with their blocks, then the `else` block (maybe empty).
    If {
        branches: Vec<(ExprId, Vec<Stmt>)>,
        otherwise: Vec<Stmt>,
    },
    Def {
        name: Box<str>,
        params: Vec<(Box<str>, Span)>,
        body: Vec<Stmt>,
    },
    Return(Option<ExprId>),
    Break,
    Continue,
    Pass,
}

/// A statement and the span of its first line (`for i in range(4):`, not its body).
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

/// A parsed program.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub source: String,
    pub exprs: Vec<Expr>,
    pub body: Vec<Stmt>,
    /// Names the program reads but never binds, in order of first appearance, with that
    /// appearance: the values given from outside.
    pub free: Vec<(Box<str>, Span)>,
}

impl Program {
    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id as usize]
    }

    pub fn text(&self, span: Span) -> &str {
        &self.source[span.range()]
    }
}
