//! gradscope: see backpropagation.
//!
//! Data flows one way through the modules:
//!
//! ```text
//! text ──expr::parse──▶ Expression ──lower──▶ Graph (arena of nodes) ──forward──▶ values
//!                                                 └──backward / jvp──▶ gradients, tangents
//!                                                 └──report──▶ nodes and edges for a view
//! ```
//!
//! The engine knows nothing about JavaScript; `wasm` is a thin layer of bindings on top.

pub mod expr;
pub mod gradcheck;
pub mod graph;
pub mod layout;
pub mod nn;
pub mod ops;
pub mod report;
pub mod session;
pub mod tensor;

#[cfg(target_arch = "wasm32")]
pub mod gpu;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use graph::{Graph, GraphError, NodeId};
pub use tensor::{Real, Shape, Tensor};
