//! Tensor programs: the lecture's second half, typed as Python.
//!
//! ```text
//! text ──lexer──▶ tokens ──parser──▶ Program ──resolve──▶ free names, checked calls
//!      ──run (define-by-run)──▶ Run: a Graph built as the program ran, with each node's origin
//!      ──backward / jacobian──▶ gradients of the leaves, Jacobians by either mode
//! ```
//!
//! A single expression is a program of one line and means what it means as an expression.
//! Semantics on tensors follow NumPy and PyTorch: broadcasting, `@` with NumPy's rules for
//! vectors, reductions that drop the reduced axis. Errors are [`ExprError`]s with a byte span
//! into the text, like an expression's.

mod ast;
pub mod builtins;
mod jacobian;
mod lexer;
mod parser;
mod resolve;
mod run;

pub use ast::{Expr, ExprId, ExprKind, Program, Span, Stmt, StmtKind};
pub use jacobian::{jacobian, local_jacobian, Jacobian, JacobianError, Mode};
pub use lexer::MAX_BLOCK_DEPTH;
pub use run::{
    run, run_with_leaves, BranchTaken, Group, GroupKind, Leaf, Limits, Origin, Run, DEFAULT_SEED,
    MAX_SOURCE_LEN,
};

use crate::expr::ExprError;

/// Parses and checks a program. Never panics, whatever the text.
pub fn parse(source: &str) -> Result<Program, ExprError> {
    if source.len() > MAX_SOURCE_LEN {
        // From the last character boundary at or before the limit: a span must not start
        // inside a character (`ExprError::render` slices the text there, and panicked).
        let mut at = MAX_SOURCE_LEN;
        while !source.is_char_boundary(at) {
            at -= 1;
        }
        return Err(ExprError::new(
            format!(
                "the program is {} bytes long; the most is {} ({} MiB)",
                source.len(),
                MAX_SOURCE_LEN,
                MAX_SOURCE_LEN >> 20
            ),
            at,
            source.len(),
        ));
    }
    let tokens = lexer::tokenize(source)?;
    let mut program = parser::Parser::new(source, tokens).parse()?;
    resolve::resolve(&mut program)?;
    Ok(program)
}
