//! gradscope: see backpropagation.
//!
//! Data flows one way through the modules:
//!
//! ```text
//! text ──expr::parse──▶ Expression ──lower──▶ Graph (arena of nodes) ──forward──▶ values
//!                                                 └──backward / jvp──▶ gradients, tangents
//!                                                 └──report──▶ nodes and edges for a view
//! dataset ──▶ nn::Mlp on the same graph ──▶ nn::Trainer: forward, backward, step
//! ```
//!
//! The engine (`tensor`, `ops`, `graph`, `expr`, `nn`, `layout`, `report`) knows nothing
//! of JavaScript or GPUs. `session` holds what the page and the CLI share; `wasm` (a file
//! per exported class) and `bin/gradscope` only convert and print on top of it.

pub mod expr;
pub mod gradcheck;
pub mod graph;
pub mod layout;
pub mod nn;
pub mod ops;
pub mod program;
pub mod report;
pub mod session;
pub mod tensor;

#[cfg(target_arch = "wasm32")]
pub mod gpu;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use graph::{Graph, GraphError, NodeId};
pub use tensor::{Real, Shape, Tensor};
