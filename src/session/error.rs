//! Errors a person can cause through a session, as values to branch on: each variant has
//! a stable [`SessionError::kind`] for JavaScript, and words for people in `Display`.

use crate::expr::ExprError;
use crate::graph::GraphError;
use crate::program::JacobianError;
use crate::tensor::Shape;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum SessionError {
    /// The text does not parse (with the span to underline).
    Parse(ExprError),
    /// `evaluate` was given a number of values other than one per variable.
    ValueCount { variables: Vec<String>, got: usize },
    /// A variable index past the last variable.
    NoVariable { index: usize, count: usize },
    /// A learning rate that is not a finite number.
    LearningRate(f64),
    /// The graph refused a value or an op (a shape that does not fit).
    Graph(GraphError),
    /// A program stopped with an error while it ran (with the span to underline).
    Run(ExprError),
    /// A gradient asked of a non-scalar output without a seed.
    NotScalar(Shape),
    /// A Jacobian with respect to a name that is not a leaf of the program.
    NotALeaf { name: String, leaves: Vec<String> },
    /// A Jacobian too large to compute.
    Jacobian(JacobianError),
    /// A node index past the last node of the run.
    NoNode(usize),
}

impl SessionError {
    /// A short stable name for the variant, for code that branches on it (JavaScript reads
    /// it as `error.kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            SessionError::Parse(_) => "parse",
            SessionError::ValueCount { .. } => "value-count",
            SessionError::NoVariable { .. } => "no-variable",
            SessionError::LearningRate(_) => "learning-rate",
            SessionError::Graph(_) => "graph",
            SessionError::Run(_) => "run",
            SessionError::NotScalar(_) => "not-scalar",
            SessionError::NotALeaf { .. } => "not-a-leaf",
            SessionError::Jacobian(_) => "jacobian",
            SessionError::NoNode(_) => "no-node",
        }
    }
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::Parse(e) => f.write_str(&e.message),
            SessionError::ValueCount { variables, got } => write!(
                f,
                "expected {} values (for {}), got {got}",
                variables.len(),
                variables.join(", ")
            ),
            SessionError::NoVariable { index, count } => {
                write!(f, "no variable {index}: the expression has {count}")
            }
            SessionError::LearningRate(lr) => {
                write!(f, "the learning rate must be a finite number, not {lr}")
            }
            SessionError::Graph(e) => write!(f, "{e}"),
            SessionError::Run(e) => f.write_str(&e.message),
            SessionError::NotScalar(shape) => write!(
                f,
                "the output is a {shape} tensor: a gradient needs a scalar output, or \
                 backward(y, seed) with a seed of shape {shape}"
            ),
            SessionError::NotALeaf { name, leaves } => write!(
                f,
                "'{name}' is not a leaf of this program (its leaves: {})",
                if leaves.is_empty() {
                    "none".to_string()
                } else {
                    leaves.join(", ")
                }
            ),
            SessionError::Jacobian(e) => write!(f, "{e}"),
            SessionError::NoNode(i) => write!(f, "no node {i} in the graph of the last run"),
        }
    }
}

impl std::error::Error for SessionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SessionError::Parse(e) | SessionError::Run(e) => Some(e),
            SessionError::Graph(e) => Some(e),
            SessionError::Jacobian(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ExprError> for SessionError {
    fn from(e: ExprError) -> Self {
        SessionError::Parse(e)
    }
}

impl SessionError {
    /// The span to underline, for the errors that have one.
    pub fn span(&self) -> Option<(usize, usize)> {
        match self {
            SessionError::Parse(e) | SessionError::Run(e) => Some((e.start, e.end)),
            _ => None,
        }
    }
}

impl From<GraphError> for SessionError {
    fn from(e: GraphError) -> Self {
        SessionError::Graph(e)
    }
}
