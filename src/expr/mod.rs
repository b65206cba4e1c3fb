//! The expression language: `ln(x1)+x1*x2-sin(x2)` to a computation graph.
//!
//! `parse` turns text into an [`Expression`] (a flat syntax tree and its variables, in order
//! of first appearance); [`Expression::lower`] builds the graph at given variable values;
//! `session::ExpressionSession` evaluates it for the page and the CLI. Errors are values
//! with byte spans.

pub(crate) mod lexer;
mod parser;

pub use parser::MAX_DEPTH;

use crate::graph::{Graph, NodeId};
use crate::ops::{Binary, Unary};
use crate::tensor::{Real, Tensor};
use std::collections::HashMap;
use std::fmt;

/// An error a person can act on, pointing at bytes `start..end` of the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    pub message: String,
    pub start: usize,
    pub end: usize,
    /// Another span the message refers to: the `(` that a missing `)` should close.
    pub related: Option<(usize, usize)>,
}

impl ExprError {
    pub fn new(message: impl Into<String>, start: usize, end: usize) -> Self {
        ExprError {
            message: message.into(),
            start,
            end,
            related: None,
        }
    }

    pub fn with_related(mut self, start: usize, end: usize) -> Self {
        self.related = Some((start, end));
        self
    }

    /// The 1-based column of byte `at` in `source`, counted in characters on its line, as
    /// a person counts them (a byte offset is meaningless past the first `×` or `é`).
    pub fn column(source: &str, at: usize) -> usize {
        let at = floor_char_boundary(source, at);
        let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
        source[line_start..at].chars().count() + 1
    }

    /// The message, the line of `source` it is about, and a caret line under the span.
    pub fn render(&self, source: &str) -> String {
        let start = self.start.min(source.len());
        let end = self.end.clamp(start, source.len());
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..].find('\n').map_or(source.len(), |i| start + i);
        let line = &source[line_start..line_end];
        // Columns count characters, and tabs print as one space so the caret lines up.
        let column = Self::column(source, start) - 1;
        let width = source[start..end.min(line_end)].chars().count().max(1);
        let shown: String = line.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
        let mut marks: Vec<char> = " "
            .repeat(column)
            .chars()
            .chain("^".repeat(width).chars())
            .collect();
        // The related span (the unclosed '('), when on the same line, gets a '-' under it.
        if let Some((a, b)) = self.related.filter(|&(a, _)| a >= line_start && a < start) {
            let from = source[line_start..a].chars().count();
            let to = from + source[a..b.min(line_end)].chars().count().max(1);
            for mark in &mut marks[from..to] {
                *mark = '-';
            }
        }
        let marks: String = marks.into_iter().collect();
        format!("error: {}\n  {shown}\n  {marks}", self.message)
    }
}

fn floor_char_boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at {}..{})", self.message, self.start, self.end)
    }
}

impl std::error::Error for ExprError {}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Number(f64),
    /// An index into [`Expression::variables`].
    Variable(usize),
    Unary(Unary, usize),
    Binary(Binary, usize, usize),
}

/// A node of the syntax tree, with the span of text it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct ExprNode {
    pub kind: ExprKind,
    pub start: usize,
    pub end: usize,
}

/// A variable and the span of its first appearance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    pub start: usize,
    pub end: usize,
}

/// A parsed expression: its tree (children before parents) and its variables.
#[derive(Clone, Debug, PartialEq)]
pub struct Expression {
    pub source: String,
    pub nodes: Vec<ExprNode>,
    pub variables: Vec<Variable>,
    pub root: usize,
}

/// Parses an expression. Never panics, whatever the text.
pub fn parse(source: &str) -> Result<Expression, ExprError> {
    let tokens = lexer::tokenize(source)?;
    parser::Parser::new(source, tokens).parse()
}

/// An expression's graph: the output node and one input node per variable.
#[derive(Clone, Debug)]
pub struct Lowered<T> {
    pub graph: Graph<T>,
    pub root: NodeId,
    /// In the order of [`Expression::variables`].
    pub inputs: Vec<NodeId>,
}

impl Expression {
    pub fn variable_names(&self) -> impl Iterator<Item = &str> {
        self.variables.iter().map(|v| v.name.as_str())
    }

    /// The values of the variables in order, looked up by name; a missing one is an error
    /// pointing at its first appearance. Names that are not variables are ignored.
    pub fn bind(&self, at: &HashMap<String, f64>) -> Result<Vec<f64>, ExprError> {
        self.variables
            .iter()
            .map(|v| {
                at.get(&v.name).copied().ok_or_else(|| {
                    ExprError::new(format!("missing value for variable {}", v.name), v.start, v.end)
                })
            })
            .collect()
    }

    /// Builds the graph with the variables at `values` (in order). The variables become the
    /// first nodes, so a left-to-right layout puts them on the left; a variable used several
    /// times is one node with several outgoing edges.
    pub fn lower<T: Real>(&self, values: &[T]) -> Lowered<T> {
        let mut graph = Graph::new();
        let inputs: Vec<NodeId> = self
            .variables
            .iter()
            .zip(values)
            .map(|(v, &x)| graph.input(&v.name, Tensor::scalar(x)))
            .collect();
        let mut ids = Vec::with_capacity(self.nodes.len());
        for node in &self.nodes {
            let id = match node.kind {
                ExprKind::Number(x) => {
                    let text = &self.source[node.start..node.end];
                    graph.constant(text, Tensor::scalar(T::of(x)))
                }
                ExprKind::Variable(i) => inputs[i],
                ExprKind::Unary(op, x) => graph.unary(op, ids[x]),
                ExprKind::Binary(op, a, b) => graph
                    .binary(op, ids[a], ids[b])
                    .expect("scalars always broadcast"),
            };
            ids.push(id);
        }
        Lowered {
            graph,
            root: ids[self.root],
            inputs,
        }
    }
}
