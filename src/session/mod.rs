//! What the page and the command line share, above the engine and below the bindings.
//!
//! The engine (`tensor`, `ops`, `graph`, `expr`, `nn`) computes; a session holds the state
//! a person works with between calls and owns the policy around it: which values an
//! evaluation reports, how a graph is laid out, what counts as a valid request. `wasm/`
//! only converts JavaScript values to and from these types, and `bin/gradscope` only parses
//! flags and prints, so everything here is tested by a plain `cargo test`.

pub mod error;
pub mod expression;
pub mod program;
pub mod training;

pub use error::SessionError;
pub use expression::{Evaluation, ExpressionSession, VariableCheck};
pub use program::{LeafGradient, NestedValue, ProgramRun, ProgramSession};
pub use training::{Progress, Run, TrainingSession};
